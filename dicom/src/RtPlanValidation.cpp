// What must hold before Beamlet writes an RT Plan: the attributes a record-and-verify system
// requires, in a form the standard allows (PS3.3 C.8.8.9 - C.8.8.14), and a plan that is
// internally consistent (each beam's MU, control point weights, leaf and jaw positions).

#include "RtPlanWriting.h"

#include "beamlet/core/Error.h"

#include <cmath>
#include <set>
#include <sstream>

namespace beamlet::dicom::detail {
namespace {

class Problems {
public:
  explicit Problems(std::string path) : path_(std::move(path)) {}
  [[noreturn]] void fail(const std::string& problem) const {
    throw InvalidArgumentError(withContext(path_, problem));
  }
  [[noreturn]] void fail(const Beam& beam, const std::string& problem) const {
    fail("beam " + std::to_string(beam.number) + " '" + beam.name + "': " + problem);
  }

private:
  std::string path_;
};

bool isFinite(double v) {
  return std::isfinite(v);
}

void validateLimitingDevices(const Problems& problems, const Beam& beam) {
  if (!beam.jawXType.empty() && beam.jawXType != "ASYMX" && beam.jawXType != "X") {
    problems.fail(beam, "X jaw type '" + beam.jawXType + "' (ASYMX or X)");
  }
  if (!beam.jawYType.empty() && beam.jawYType != "ASYMY" && beam.jawYType != "Y") {
    problems.fail(beam, "Y jaw type '" + beam.jawYType + "' (ASYMY or Y)");
  }
  if (beam.mlcType.empty()) {
    if (beam.jawXType.empty() && beam.jawYType.empty()) {
      problems.fail(beam, "no jaws and no MLC");
    }
    return;
  }
  if (beam.mlcType != "MLCX" && beam.mlcType != "MLCY") {
    problems.fail(beam, "MLC type '" + beam.mlcType + "' (MLCX or MLCY)");
  }
  if (beam.leafPairs <= 0 ||
      beam.leafBoundaries.size() != static_cast<std::size_t>(beam.leafPairs) + 1) {
    problems.fail(beam, std::to_string(beam.leafBoundaries.size()) + " leaf boundaries for " +
                            std::to_string(beam.leafPairs) + " leaf pairs");
  }
  for (std::size_t n = 1; n < beam.leafBoundaries.size(); ++n) {
    if (!(beam.leafBoundaries[n] > beam.leafBoundaries[n - 1])) {
      problems.fail(beam, "leaf boundaries are not strictly ascending");
    }
  }
}

void validateJaw(const Problems& problems, const Beam& beam, const ControlPoint& cp,
                 const std::string& type, const std::optional<JawPositions>& jaw) {
  if (type.empty()) {
    return;
  }
  const std::string where = "control point " + std::to_string(cp.index) + ": ";
  if (!jaw) {
    problems.fail(beam, where + "no " + type + " positions");
  }
  if (!isFinite((*jaw)[0]) || !isFinite((*jaw)[1]) || (*jaw)[0] > (*jaw)[1]) {
    problems.fail(beam, where + type + " jaws cross or are not numbers");
  }
}

void validateControlPoints(const Problems& problems, const Beam& beam) {
  if (beam.controlPoints.size() < 2) {
    problems.fail(beam, "needs at least 2 control points");
  }
  if (!(beam.finalCumulativeMetersetWeight > 0.0) ||
      !isFinite(beam.finalCumulativeMetersetWeight)) {
    problems.fail(beam, "final cumulative meterset weight must be positive");
  }
  const std::size_t leafCount = 2 * static_cast<std::size_t>(beam.leafPairs);
  for (std::size_t n = 0; n < beam.controlPoints.size(); ++n) {
    const ControlPoint& cp = beam.controlPoints[n];
    const std::string where = "control point " + std::to_string(n) + ": ";
    if (cp.index != static_cast<int>(n)) {
      problems.fail(beam, where + "index " + std::to_string(cp.index) + " (must count from 0)");
    }
    const double w = cp.cumulativeMetersetWeight;
    const double previous = n == 0 ? 0.0 : beam.controlPoints[n - 1].cumulativeMetersetWeight;
    if (!isFinite(w) || w < previous || w > beam.finalCumulativeMetersetWeight * (1 + 1e-9)) {
      problems.fail(beam,
                    where + "cumulative meterset weight must rise from 0 to the final weight");
    }
    if (n == 0 && w != 0.0) {
      problems.fail(beam, where + "the first cumulative meterset weight must be 0");
    }
    if (!(cp.nominalEnergy > 0.0) || !isFinite(cp.nominalEnergy)) {
      problems.fail(beam, where + "nominal beam energy must be positive");
    }
    if (!cp.isocenter || !cp.isocenter->allFinite()) {
      problems.fail(beam, where + "no isocentre");
    }
    for (double angle : {cp.gantryAngle, cp.collimatorAngle, cp.couchAngle}) {
      if (!isFinite(angle) || angle < 0.0 || angle >= 360.0) {
        problems.fail(beam, where + "angles must be in [0, 360) degrees");
      }
    }
    validateJaw(problems, beam, cp, beam.jawXType, cp.jawX);
    validateJaw(problems, beam, cp, beam.jawYType, cp.jawY);
    if (!beam.mlcType.empty()) {
      if (cp.mlcPositions.size() != leafCount) {
        problems.fail(beam, where + std::to_string(cp.mlcPositions.size()) + " MLC positions for " +
                                std::to_string(beam.leafPairs) + " leaf pairs");
      }
      for (std::size_t leaf = 0; leaf < static_cast<std::size_t>(beam.leafPairs); ++leaf) {
        const double a = cp.mlcPositions[leaf];
        const double b = cp.mlcPositions[leaf + beam.leafPairs];
        if (!isFinite(a) || !isFinite(b) || a > b) {
          problems.fail(beam, where + "leaf pair " + std::to_string(leaf + 1) + " overlaps");
        }
      }
    }
  }
  if (std::abs(beam.controlPoints.back().cumulativeMetersetWeight -
               beam.finalCumulativeMetersetWeight) > 1e-9 * beam.finalCumulativeMetersetWeight) {
    problems.fail(beam, "the last control point must reach the final cumulative meterset weight");
  }
}

void validateBeam(const Problems& problems, const Beam& beam) {
  if (beam.number <= 0) {
    problems.fail(beam, "beam numbers must be positive");
  }
  if (!beam.supported) {
    problems.fail(beam, "not supported (" + beam.unsupportedReason + ")");
  }
  if (beam.radiation != RadiationType::Photon && beam.radiation != RadiationType::Electron) {
    problems.fail(beam, std::string("radiation type ") + dicomName(beam.radiation) +
                            " (Beamlet writes photon and electron beams)");
  }
  if (beam.delivery == DeliveryType::Other) {
    problems.fail(beam, "treatment delivery type must be a DICOM defined term");
  }
  if (beam.machineName.empty() || beam.machineName.size() > 16) {
    problems.fail(beam, "treatment machine name must have 1 to 16 characters (SH)");
  }
  if (beam.name.size() > 64) {
    problems.fail(beam, "beam name longer than 64 characters (LO)");
  }
  if (beam.dosimeterUnit != "MU" && beam.dosimeterUnit != "MINUTE") {
    problems.fail(beam, "primary dosimeter unit must be MU or MINUTE");
  }
  if (!(beam.sourceAxisDistance > 0.0)) {
    problems.fail(beam, "source-axis distance must be positive");
  }
  if (beam.wedges != 0 || beam.compensators != 0 || beam.boli != 0 || beam.blocks != 0 ||
      beam.applicators != 0) {
    problems.fail(beam, "wedges, compensators, boli, blocks and applicators are not written");
  }
  validateLimitingDevices(problems, beam);
  validateControlPoints(problems, beam);
}

void validateDoseReferences(const Problems& problems, const Plan& plan,
                            const std::string& structureSetUid) {
  std::set<int> numbers;
  for (const DoseReference& ref : plan.doseReferences) {
    const std::string which = "dose reference " + std::to_string(ref.number) + ": ";
    if (!numbers.insert(ref.number).second) {
      problems.fail(which + "number used twice");
    }
    if (ref.structure == DoseReferenceStructure::Coordinates && !ref.point) {
      problems.fail(which + "COORDINATES needs a point");
    }
    const bool needsRoi = ref.structure == DoseReferenceStructure::Point ||
                          ref.structure == DoseReferenceStructure::Volume;
    if (needsRoi && (!ref.referencedRoiNumber || structureSetUid.empty())) {
      problems.fail(which + "POINT and VOLUME need an ROI number and a referenced structure set");
    }
    if (ref.targetPrescriptionDose && !(*ref.targetPrescriptionDose > 0.0)) {
      problems.fail(which + "target prescription dose must be positive");
    }
  }
}

void validateFractionGroups(const Problems& problems, const Plan& plan) {
  if (plan.fractionGroups.empty()) {
    problems.fail("no fraction group (the number of fractions and each beam's MU)");
  }
  std::set<int> groupNumbers;
  std::set<int> referenced;
  for (const FractionGroup& group : plan.fractionGroups) {
    const std::string which = "fraction group " + std::to_string(group.number) + ": ";
    if (!groupNumbers.insert(group.number).second) {
      problems.fail(which + "number used twice");
    }
    if (group.fractions < 1) {
      problems.fail(which + "needs at least one fraction");
    }
    for (const ReferencedBeam& ref : group.beams) {
      const Beam* beam = plan.findBeam(ref.beamNumber);
      if (beam == nullptr) {
        problems.fail(which + "references beam " + std::to_string(ref.beamNumber) +
                      ", which the plan does not contain");
      }
      referenced.insert(ref.beamNumber);
      if (ref.meterset && beam->monitorUnits &&
          std::abs(*ref.meterset - *beam->monitorUnits) > 1e-6) {
        problems.fail(*beam, "MU differ between the beam and fraction group " +
                                 std::to_string(group.number));
      }
      const std::optional<double> mu = beamMeterset(plan, ref);
      if (beam->delivery == DeliveryType::Treatment && (!mu || !(*mu > 0.0))) {
        problems.fail(*beam, "a treatment beam needs positive MU");
      }
    }
  }
  for (const Beam& beam : plan.beams) {
    if (beam.delivery == DeliveryType::Treatment && referenced.count(beam.number) == 0) {
      problems.fail(beam, "treatment beam not referenced by any fraction group");
    }
  }
}

} // namespace

std::optional<double> beamMeterset(const Plan& plan, const ReferencedBeam& ref) {
  if (ref.meterset) {
    return ref.meterset;
  }
  const Beam* beam = plan.findBeam(ref.beamNumber);
  return beam != nullptr ? beam->monitorUnits : std::nullopt;
}

std::string validatePlanForWriting(const Plan& plan, const StudyContext& context,
                                   const std::string& path,
                                   const std::string& referencedStructureSetUid) {
  const Problems problems(path);
  if (plan.label.empty() || plan.label.size() > 16) {
    problems.fail("RT plan label must have 1 to 16 characters (SH)");
  }
  if (plan.beams.empty()) {
    problems.fail("the plan has no beams");
  }
  std::set<int> numbers;
  for (const Beam& beam : plan.beams) {
    if (!numbers.insert(beam.number).second) {
      problems.fail(beam, "beam number used twice");
    }
    validateBeam(problems, beam);
  }
  validateDoseReferences(problems, plan, referencedStructureSetUid);
  validateFractionGroups(problems, plan);

  // The linac sets the patient up from this; a wrong orientation would be a wrong treatment, so it
  // is never guessed.
  const std::string& fromPlan = plan.patientPosition;
  const std::string& fromImage = context.patientPosition;
  if (!fromPlan.empty() && !fromImage.empty() && fromPlan != fromImage) {
    problems.fail("patient position " + fromPlan + " differs from the image series' " + fromImage);
  }
  const std::string position = fromPlan.empty() ? fromImage : fromPlan;
  static const std::set<std::string> known{"HFS",  "HFP",  "FFS",  "FFP",  "HFDR",   "HFDL",
                                           "FFDR", "FFDL", "LFP",  "LFS",  "RFP",    "RFS",
                                           "AFDR", "AFDL", "PFDR", "PFDL", "SITTING"};
  if (position.empty()) {
    problems.fail("patient position unknown (set Plan::patientPosition or use an image series "
                  "that states it)");
  }
  if (known.count(position) == 0) {
    problems.fail("patient position '" + position + "' is not a DICOM defined term");
  }
  return position;
}

} // namespace beamlet::dicom::detail
