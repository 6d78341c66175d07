// Beams and control points of an RT Plan (PS3.3 C.8.8.14 RT Beams) or RT Ion Plan (C.8.8.25).

#include "RtPlanReading.h"

#include <sstream>

namespace beamlet::dicom::detail {
namespace {

bool isJawX(const std::string& type) {
  return type == "ASYMX" || type == "X";
}
bool isJawY(const std::string& type) {
  return type == "ASYMY" || type == "Y";
}
bool isMlc(const std::string& type) {
  return type.rfind("MLC", 0) == 0;
}

/// First problem found that makes a beam unusable (the reason shown to the user).
void noteProblem(Beam& beam, const std::string& problem) {
  if (beam.supported) {
    beam.supported = false;
    beam.unsupportedReason = problem;
  }
}

/// Beam Limiting Device Sequence (C.8.8.14.2): which jaws and which MLC the head has.
void readLimitingDevices(Beam& beam, DcmItem* beamItem, bool ion) {
  beam.jawXType.clear();
  beam.jawYType.clear();
  const DcmTagKey sequence =
      ion ? DCM_IonBeamLimitingDeviceSequence : DCM_BeamLimitingDeviceSequence;
  for (DcmItem* device : sequenceItems(beamItem, sequence)) {
    const std::string type = getString(device, DCM_RTBeamLimitingDeviceType);
    beam.limitingDeviceTypes.push_back(type);
    if (isJawX(type)) {
      beam.jawXType = type;
    } else if (isJawY(type)) {
      beam.jawYType = type;
    } else if (isMlc(type) && beam.mlcType.empty()) {
      beam.mlcType = type;
      beam.leafPairs = static_cast<int>(getLong(device, DCM_NumberOfLeafJawPairs, 0));
      beam.leafBoundaries = getDoubleVector(device, DCM_LeafPositionBoundaries);
      if (beam.leafPairs <= 0 ||
          beam.leafBoundaries.size() != static_cast<std::size_t>(beam.leafPairs) + 1) {
        std::ostringstream problem;
        problem << type << " has " << beam.leafBoundaries.size() << " leaf boundaries for "
                << beam.leafPairs << " leaf pairs";
        noteProblem(beam, problem.str());
      }
    }
  }
}

/// Applies the attributes present in one control point item to `cp`, which holds the state of the
/// previous control point: DICOM only repeats what changes (C.8.8.14.5), so what is absent is
/// carried forward.
void applyControlPoint(Beam& beam, ControlPoint& cp, DcmItem* item, std::size_t position) {
  cp.index = static_cast<int>(getLong(item, DCM_ControlPointIndex, static_cast<long>(position)));
  if (auto w = getOptionalDouble(item, DCM_CumulativeMetersetWeight)) {
    cp.cumulativeMetersetWeight = *w;
  }
  if (auto e = getOptionalDouble(item, DCM_NominalBeamEnergy)) {
    cp.nominalEnergy = *e;
  }
  if (auto r = getOptionalDouble(item, DCM_DoseRateSet)) {
    cp.doseRate = *r;
  }
  if (auto g = getOptionalDouble(item, DCM_GantryAngle)) {
    cp.gantryAngle = *g;
  }
  const std::string direction = getString(item, DCM_GantryRotationDirection);
  if (!direction.empty()) {
    cp.gantryRotation = parseRotationDirection(direction);
  }
  if (auto c = getOptionalDouble(item, DCM_BeamLimitingDeviceAngle)) {
    cp.collimatorAngle = *c;
  }
  if (auto t = getOptionalDouble(item, DCM_PatientSupportAngle)) {
    cp.couchAngle = *t;
  }
  const std::vector<double> iso = getDoubleVector(item, DCM_IsocenterPosition);
  if (iso.size() == 3) {
    cp.isocenter = Eigen::Vector3d(iso[0], iso[1], iso[2]);
  }
  if (auto ssd = getOptionalDouble(item, DCM_SourceToSurfaceDistance)) {
    cp.sourceToSurfaceDistance = *ssd;
  }
  for (DcmItem* device : sequenceItems(item, DCM_BeamLimitingDevicePositionSequence)) {
    const std::string type = getString(device, DCM_RTBeamLimitingDeviceType);
    const std::vector<double> positions = getDoubleVector(device, DCM_LeafJawPositions);
    if (type == beam.jawXType && isJawX(type) && positions.size() == 2) {
      cp.jawX = JawPositions{positions[0], positions[1]};
    } else if (type == beam.jawYType && isJawY(type) && positions.size() == 2) {
      cp.jawY = JawPositions{positions[0], positions[1]};
    } else if (type == beam.mlcType && !type.empty()) {
      if (positions.size() != 2 * static_cast<std::size_t>(beam.leafPairs)) {
        std::ostringstream problem;
        problem << "control point " << cp.index << " has " << positions.size() << " " << type
                << " positions for " << beam.leafPairs << " leaf pairs";
        noteProblem(beam, problem.str());
      } else {
        cp.mlcPositions = positions;
      }
    } else if ((isJawX(type) || isJawY(type)) && positions.size() != 2) {
      noteProblem(beam, "control point " + std::to_string(cp.index) + " has " +
                            std::to_string(positions.size()) + " " + type + " positions");
    }
  }
}

void readControlPoints(Beam& beam, DcmItem* beamItem, bool ion) {
  const std::vector<DcmItem*> items =
      sequenceItems(beamItem, ion ? DCM_IonControlPointSequence : DCM_ControlPointSequence);
  ControlPoint state;
  beam.controlPoints.reserve(items.size());
  for (std::size_t n = 0; n < items.size(); ++n) {
    applyControlPoint(beam, state, items[n], n);
    beam.controlPoints.push_back(state);
  }
  if (items.size() < 2) {
    noteProblem(beam, std::to_string(items.size()) + " control points (a beam needs at least 2)");
    return;
  }
  const ControlPoint& first = beam.controlPoints.front();
  if (!first.jawX && !first.jawY && first.mlcPositions.empty()) {
    noteProblem(beam, "no collimator (jaw or MLC) positions in the first control point");
  }
  if (!beam.mlcType.empty() && beam.supported && first.mlcPositions.empty()) {
    noteProblem(beam, "no " + beam.mlcType + " leaf positions in the first control point");
  }
}

} // namespace

Beam readBeam(DcmItem* item, bool ion) {
  Beam beam;
  beam.number = static_cast<int>(getLong(item, DCM_BeamNumber, 0));
  beam.name = getString(item, DCM_BeamName);
  beam.description = getString(item, DCM_BeamDescription);
  beam.type = parseBeamType(getString(item, DCM_BeamType));
  beam.radiationName = getString(item, DCM_RadiationType);
  beam.radiation = parseRadiationType(beam.radiationName);
  beam.deliveryName = getString(item, DCM_TreatmentDeliveryType);
  beam.delivery = parseDeliveryType(beam.deliveryName);
  beam.machineName = getString(item, DCM_TreatmentMachineName);
  const std::string unit = getString(item, DCM_PrimaryDosimeterUnit);
  beam.dosimeterUnit = unit.empty() ? "MU" : unit;
  if (auto sad = getOptionalDouble(item, DCM_SourceAxisDistance)) {
    beam.sourceAxisDistance = *sad;
  }
  beam.wedges = static_cast<int>(getLong(item, DCM_NumberOfWedges, 0));
  beam.compensators = static_cast<int>(getLong(item, DCM_NumberOfCompensators, 0));
  beam.boli = static_cast<int>(getLong(item, DCM_NumberOfBoli, 0));
  beam.blocks = static_cast<int>(getLong(item, DCM_NumberOfBlocks, 0));
  beam.applicators = static_cast<int>(sequenceItems(item, DCM_ApplicatorSequence).size());

  readLimitingDevices(beam, item, ion);
  readControlPoints(beam, item, ion);

  // Type 1C: absent when the control points carry no weights; the last weight then stands in.
  if (auto final = getOptionalDouble(item, DCM_FinalCumulativeMetersetWeight)) {
    beam.finalCumulativeMetersetWeight = *final;
  } else if (!beam.controlPoints.empty() &&
             beam.controlPoints.back().cumulativeMetersetWeight > 0.0) {
    beam.finalCumulativeMetersetWeight = beam.controlPoints.back().cumulativeMetersetWeight;
  }
  return beam;
}

} // namespace beamlet::dicom::detail
