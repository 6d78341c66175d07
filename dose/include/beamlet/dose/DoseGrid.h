#pragma once
// The dose grid: separate from the image grid (default 3 mm, isotropic), in the image's frame
// of reference and orientation, covering the image; dose is computed only in the voxels of the
// structures given (the body, usually), which keeps the dose-influence matrix small.

#include "beamlet/core/Structure.h"
#include "beamlet/core/Volume.h"

#include <cstdint>
#include <vector>

namespace beamlet::dose {

/// A grid with `spacingMm` along each axis of `image`'s orientation covering the image's extent
/// (its voxels' outer faces), centred on it.
ImageGeometry makeDoseGrid(const ImageGeometry& image, double spacingMm);

/// Linear indices (ascending) of the dose-grid voxels whose centres lie inside any of the
/// structures (even-odd within each, union over them).
std::vector<std::uint32_t> voxelsInside(const ImageGeometry& doseGrid,
                                        const std::vector<const Structure*>& structures);

/// Linear indices of the dose-grid voxels where `density` (on its own grid), sampled at the
/// voxel centre, exceeds `threshold`: the patient without contours.
std::vector<std::uint32_t> voxelsAboveDensity(const ImageGeometry& doseGrid,
                                              const VolumeF32& density, double threshold = 0.05);

} // namespace beamlet::dose
