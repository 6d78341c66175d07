#pragma once
// The forward dose of an RTPLAN on a CT series, shared by `dose` and `qa`: the case loaded as the
// dose commands load it (PlanningInputs.h), the plan's treatment beams computed with the SVD
// pencil beam engine and summed over the fractions, and the result written as an RTDOSE.

#include "PlanningInputs.h"

#include "beamlet/core/Image.h"
#include "beamlet/core/Plan.h"

#include <cstddef>
#include <string>
#include <vector>

namespace beamlet::cli {

struct PlanDose {
  Plan plan;
  Image dose; ///< whole course (per fraction x fractions), Gy, modality RTDOSE, the image's frame
  std::string engine;
  std::string device;
  std::size_t beams = 0; ///< treatment beams computed
  int fractions = 1;
  std::size_t voxels = 0;             ///< voxels the dose was computed in
  std::vector<std::string> beamNotes; ///< e.g. setup beams left out (loading notes: in.notes)
};

/// Reads the RTPLAN `planPath`, loads the image, structures and density settings into `in` and
/// computes the plan's dose. Throws DataError/IoError naming the file (GeometryError when the plan
/// and the image do not share the frame of reference).
PlanDose recomputePlanDose(const PlanningInputOptions& inputs, const std::string& planPath,
                           PlanningInputs& in);

/// Writes the dose as an RTDOSE referencing its plan, in the image's study.
void writePlanDose(const PlanDose& planDose, const PlanningInputs& in, const std::string& path);

} // namespace beamlet::cli
