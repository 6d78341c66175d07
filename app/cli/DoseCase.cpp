#include "DoseCase.h"

#include "beamlet/core/Error.h"
#include "beamlet/dicom/RtDose.h"
#include "beamlet/dicom/RtPlan.h"
#include "beamlet/dose/DoseEngine.h"
#include "beamlet/dose/PlanFluence.h"

#include <algorithm>

namespace beamlet::cli {

PlanDose recomputePlanDose(const PlanningInputOptions& inputs, const std::string& planPath,
                           PlanningInputs& in) {
  PlanDose out;
  out.plan = dicom::readRtPlan(planPath);
  loadPlanningInputs(inputs, in, out.plan.patientPosition);
  if (!out.plan.frameOfReferenceUid.empty() && !in.study.frameOfReferenceUid.empty() &&
      out.plan.frameOfReferenceUid != in.study.frameOfReferenceUid) {
    throw GeometryError(withContext(planPath, "frame of reference differs from the image's"));
  }
  const auto engine = dose::makeDoseEngine("svd-pencil-beam", dose::parseDevice(inputs.device));
  const double cell = 0.5;
  dose::PlanBeams beams = dose::planBeams(out.plan, *engine, cell);
  in.problem.beams = beams.beams;
  VolumeF32 dose = engine->computeFluenceDose(in.problem, beams.fluences);
  out.fractions = std::max(1, out.plan.numberOfFractions());
  for (float& v : dose.voxels()) {
    v *= static_cast<float>(out.fractions);
  }
  out.dose = Image(std::move(dose));
  out.dose.modality = "RTDOSE";
  out.dose.units = "Gy";
  out.dose.frameOfReferenceUid = in.study.frameOfReferenceUid;
  out.engine = engine->name();
  out.device = engine->device();
  out.beams = beams.beams.size();
  out.voxels = in.problem.voxels.size();
  out.beamNotes = std::move(beams.notes);
  return out;
}

void writePlanDose(const PlanDose& planDose, const PlanningInputs& in, const std::string& path) {
  dicom::RtDoseWriteOptions write;
  write.referencedPlanUid = planDose.plan.sopInstanceUid;
  write.seriesDescription = "Beamlet dose (svd-pencil-beam)";
  dicom::writeRtDose(planDose.dose, in.study, path, write);
}

} // namespace beamlet::cli
