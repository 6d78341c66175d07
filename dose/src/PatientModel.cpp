#include "beamlet/dose/PatientModel.h"

#include "beamlet/core/Error.h"
#include "beamlet/dose/DoseGrid.h"

namespace beamlet::dose {

DoseProblem makeDoseProblem(const Image& image, const StructureSet& structures,
                            const PatientModelOptions& options, std::vector<std::string>* notes) {
  const DensityCalibration calibration = options.calibrationCsv.empty()
                                             ? defaultDensityCalibration()
                                             : loadDensityCalibration(options.calibrationCsv);
  DoseProblem problem;
  problem.density = electronDensity(image, calibration, structures, options.overrides, notes);
  problem.doseGrid = makeDoseGrid(image.geometry(), options.doseGridMm);
  problem.position = options.position;
  if (const Structure* body = findExternal(structures)) {
    problem.voxels = voxelsInside(problem.doseGrid, {body});
    if (notes != nullptr) {
      notes->push_back("dose computed inside '" + body->name + "'");
    }
  } else if (!structures.structures.empty()) {
    std::vector<const Structure*> all;
    for (const Structure& s : structures.structures) {
      all.push_back(&s);
    }
    problem.voxels = voxelsInside(problem.doseGrid, all);
    if (notes != nullptr) {
      notes->push_back("no External structure: dose computed inside all structures");
    }
  } else {
    problem.voxels = voxelsAboveDensity(problem.doseGrid, problem.density);
    if (notes != nullptr) {
      notes->push_back("no structures: dose computed where the density exceeds 0.05");
    }
  }
  if (problem.voxels.empty()) {
    throw DataError("no dose-grid voxel lies inside the body or the structures");
  }
  return problem;
}

} // namespace beamlet::dose
