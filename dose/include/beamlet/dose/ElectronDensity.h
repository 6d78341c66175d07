#pragma once
// The patient model the dose engine sees: relative electron density (to water) on the image grid,
// from the CT through the calibration curve, with per-structure overrides.
//
// Precedence: the calibration gives every voxel its density; overrides are then applied in the
// order given, each replacing the density inside its structure, so where structures overlap the
// later override wins. A series that is not a CT in HU (MR, ...) has no density of its own: every
// voxel starts as air (0.001) and dose is refused unless the overrides cover the whole External
// (body) structure.

#include "beamlet/core/Image.h"
#include "beamlet/core/Structure.h"
#include "beamlet/dose/DensityCalibration.h"

#include <string>
#include <vector>

namespace beamlet::dose {

struct DensityOverride {
  std::string structure; ///< ROI name
  double relativeElectronDensity = 1.0;
};

/// Parses "NAME=RED" (e.g. "External=1.0"); throws InvalidArgumentError.
DensityOverride parseDensityOverride(const std::string& text);

/// Density on the image grid. Throws DataError when an override names a structure that is not in
/// the set, or when a non-CT image's body is not covered by overrides. `notes` receives one line
/// per override applied (structure, density, voxels).
VolumeF32 electronDensity(const Image& image, const DensityCalibration& calibration,
                          const StructureSet& structures,
                          const std::vector<DensityOverride>& overrides,
                          std::vector<std::string>* notes = nullptr);

/// The External (body) structure: type EXTERNAL, else a name External/BODY/Skin (any case).
const Structure* findExternal(const StructureSet& structures);

} // namespace beamlet::dose
