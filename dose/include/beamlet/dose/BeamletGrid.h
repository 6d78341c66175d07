#pragma once
// The bixels of a beam: square pencils of fluence on a grid aligned with the isocentre (bixel
// centres at multiples of the width along X_b and Y_b), covering the target's projection in the
// beam's-eye view plus a margin.

#include "beamlet/core/Volume.h"
#include "beamlet/dose/BeamGeometry.h"
#include "beamlet/dose/Dij.h"

#include <vector>

namespace beamlet::dose {

struct BeamletGridOptions {
  double bixelWidthMm = 5.0;
  /// A bixel is kept when a target voxel (its centre, grown by half its size) projects within
  /// this distance of the bixel's square.
  double marginMm = 5.0;
  /// Bixel centres lie at offset + multiples of the width, along X_b and Y_b. Half a width along
  /// Y_b puts the bixel rows between leaf edges that fall on multiples of the width (Varian's 5 mm
  /// leaves), so each leaf pair delivers exactly one bixel row.
  double offsetXMm = 0.0;
  double offsetYMm = 0.0;
};

/// Bixels of beam `beamIndex` covering `target` (a mask on any grid), sorted by y then x. Throws
/// DataError when the target is empty.
std::vector<Bixel> makeBeamletGrid(const BeamFrame& frame, int beamIndex, const Mask& target,
                                   const BeamletGridOptions& options = {});

} // namespace beamlet::dose
