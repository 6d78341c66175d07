#pragma once
// Assembling a dose problem from what a user has open: the image, its structures and the
// density settings; the dose grid and the voxels where dose is computed.

#include "beamlet/core/Image.h"
#include "beamlet/core/Structure.h"
#include "beamlet/dose/DoseEngine.h"
#include "beamlet/dose/ElectronDensity.h"

#include <string>
#include <vector>

namespace beamlet::dose {

struct PatientModelOptions {
  double doseGridMm = 3.0;
  std::vector<DensityOverride> overrides;
  std::string calibrationCsv; ///< empty: the shipped default
  PatientPosition position = PatientPosition::HFS;
};

/// Density, dose grid and computed voxels: those inside the External structure when there is
/// one, else inside any structure, else wherever the density exceeds 0.05 (the patient and
/// anything dense around it). `notes` gets what was chosen, one line each.
DoseProblem makeDoseProblem(const Image& image, const StructureSet& structures,
                            const PatientModelOptions& options,
                            std::vector<std::string>* notes = nullptr);

} // namespace beamlet::dose
