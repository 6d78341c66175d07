// Writing the RT Beams module (PS3.3 C.8.8.14): one Beam Sequence item per beam, with its beam
// limiting devices and control points. After the first control point only what changes is written
// (C.8.8.14.5 and the 1C conditions of the Control Point Sequence), as planning systems do; the
// reader carries the values forward again.

#include "RtPlanWriting.h"

#include "beamlet/core/Error.h"

namespace beamlet::dicom::detail {
DcmItem* appendItem(DcmItem* parent, const DcmTagKey& sequence) {
  DcmItem* item = nullptr;
  // Item number -2 appends a new item (DCMTK).
  if (parent->findOrCreateSequenceItem(sequence, item, -2).bad() || item == nullptr) {
    throw IoError("cannot create an item of " + std::string(DcmTag(sequence).getTagName()));
  }
  return item;
}

void putInt(DcmItem* item, const DcmTagKey& tag, long value) {
  put(item, tag, std::to_string(value));
}

namespace {

bool sameShape(const ControlPoint& a, const ControlPoint& b) {
  return a.jawX == b.jawX && a.jawY == b.jawY && a.mlcPositions == b.mlcPositions;
}

void putLimitingDevices(DcmItem* beamItem, const Beam& beam) {
  for (const std::string* jaw : {&beam.jawXType, &beam.jawYType}) {
    if (!jaw->empty()) {
      DcmItem* device = appendItem(beamItem, DCM_BeamLimitingDeviceSequence);
      put(device, DCM_RTBeamLimitingDeviceType, *jaw);
      putInt(device, DCM_NumberOfLeafJawPairs, 1);
    }
  }
  if (!beam.mlcType.empty()) {
    DcmItem* device = appendItem(beamItem, DCM_BeamLimitingDeviceSequence);
    put(device, DCM_RTBeamLimitingDeviceType, beam.mlcType);
    putInt(device, DCM_NumberOfLeafJawPairs, beam.leafPairs);
    // Type 2C, required for MLCX and MLCY (C.8.8.14.2).
    put(device, DCM_LeafPositionBoundaries, dsList(beam.leafBoundaries));
  }
}

void putDevicePositions(DcmItem* cpItem, const Beam& beam, const ControlPoint& cp) {
  auto putDevice = [cpItem](const std::string& type, const std::vector<double>& positions) {
    DcmItem* device = appendItem(cpItem, DCM_BeamLimitingDevicePositionSequence);
    put(device, DCM_RTBeamLimitingDeviceType, type);
    put(device, DCM_LeafJawPositions, dsList(positions));
  };
  if (!beam.jawXType.empty()) {
    putDevice(beam.jawXType, {(*cp.jawX)[0], (*cp.jawX)[1]});
  }
  if (!beam.jawYType.empty()) {
    putDevice(beam.jawYType, {(*cp.jawY)[0], (*cp.jawY)[1]});
  }
  if (!beam.mlcType.empty()) {
    putDevice(beam.mlcType, cp.mlcPositions);
  }
}

/// The attributes only the first control point carries for a beam whose couch top does not move.
void putFirstControlPointTable(DcmItem* item) {
  put(item, DCM_TableTopEccentricAngle, "0");
  put(item, DCM_TableTopEccentricRotationDirection, "NONE");
  // Type 2C: Beamlet does not know the couch position; the linac takes it from patient setup.
  put(item, DCM_TableTopVerticalPosition, "");
  put(item, DCM_TableTopLongitudinalPosition, "");
  put(item, DCM_TableTopLateralPosition, "");
  // 1C for the first control point since the 2008 revision (Supplement 74 table top pitch/roll).
  put(item, DCM_TableTopPitchAngle, "0");
  put(item, DCM_TableTopPitchRotationDirection, "NONE");
  put(item, DCM_TableTopRollAngle, "0");
  put(item, DCM_TableTopRollRotationDirection, "NONE");
}

void putControlPoint(DcmItem* item, const Beam& beam, std::size_t index,
                     std::optional<int> doseReferenceNumber) {
  const ControlPoint& cp = beam.controlPoints[index];
  const ControlPoint* prev = index == 0 ? nullptr : &beam.controlPoints[index - 1];
  putInt(item, DCM_ControlPointIndex, static_cast<long>(index));
  if (prev == nullptr || cp.nominalEnergy != prev->nominalEnergy) {
    put(item, DCM_NominalBeamEnergy, ds(cp.nominalEnergy));
  }
  if (cp.doseRate && (prev == nullptr || cp.doseRate != prev->doseRate)) {
    put(item, DCM_DoseRateSet, ds(*cp.doseRate));
  }
  if (prev == nullptr || !sameShape(cp, *prev)) {
    putDevicePositions(item, beam, cp);
  }
  if (prev == nullptr || cp.gantryAngle != prev->gantryAngle ||
      cp.gantryRotation != prev->gantryRotation) {
    put(item, DCM_GantryAngle, ds(cp.gantryAngle));
    put(item, DCM_GantryRotationDirection, dicomName(cp.gantryRotation));
  }
  if (prev == nullptr || cp.collimatorAngle != prev->collimatorAngle) {
    put(item, DCM_BeamLimitingDeviceAngle, ds(cp.collimatorAngle));
    put(item, DCM_BeamLimitingDeviceRotationDirection, "NONE");
  }
  if (prev == nullptr || cp.couchAngle != prev->couchAngle) {
    put(item, DCM_PatientSupportAngle, ds(cp.couchAngle));
    put(item, DCM_PatientSupportRotationDirection, "NONE");
  }
  if (prev == nullptr) {
    putFirstControlPointTable(item);
  }
  if (prev == nullptr || cp.isocenter != prev->isocenter) {
    const Eigen::Vector3d iso = *cp.isocenter; // validated: every control point has one
    put(item, DCM_IsocenterPosition, dsList({iso.x(), iso.y(), iso.z()}));
  }
  if (cp.sourceToSurfaceDistance &&
      (prev == nullptr || cp.sourceToSurfaceDistance != prev->sourceToSurfaceDistance)) {
    put(item, DCM_SourceToSurfaceDistance, ds(*cp.sourceToSurfaceDistance));
  }
  put(item, DCM_CumulativeMetersetWeight, ds(cp.cumulativeMetersetWeight));
  if (doseReferenceNumber) {
    // Fraction of this beam's contribution to the dose reference delivered by this point, which
    // record-and-verify systems use to track delivered dose (C.8.8.14.1).
    DcmItem* ref = appendItem(item, DCM_ReferencedDoseReferenceSequence);
    put(ref, DCM_CumulativeDoseReferenceCoefficient,
        ds(cp.cumulativeMetersetWeight / beam.finalCumulativeMetersetWeight));
    putInt(ref, DCM_ReferencedDoseReferenceNumber, *doseReferenceNumber);
  }
}

} // namespace

std::string dsList(const std::vector<double>& values) {
  std::string text;
  for (std::size_t n = 0; n < values.size(); ++n) {
    if (n > 0) {
      text += '\\';
    }
    text += ds(values[n]);
  }
  return text;
}

void putBeam(DcmItem* item, const Beam& beam, std::optional<int> doseReferenceNumber,
             int patientSetupNumber) {
  put(item, DCM_TreatmentMachineName, beam.machineName);
  put(item, DCM_PrimaryDosimeterUnit, beam.dosimeterUnit);
  put(item, DCM_SourceAxisDistance, ds(beam.sourceAxisDistance));
  putLimitingDevices(item, beam);
  putInt(item, DCM_BeamNumber, beam.number);
  put(item, DCM_BeamName, beam.name);
  if (!beam.description.empty()) {
    put(item, DCM_BeamDescription, beam.description);
  }
  put(item, DCM_BeamType, dicomName(beam.type));
  put(item, DCM_RadiationType, dicomName(beam.radiation));
  put(item, DCM_TreatmentDeliveryType, dicomName(beam.delivery));
  // Beamlet writes open fields only: no wedges, compensators, boli or blocks (validated).
  putInt(item, DCM_NumberOfWedges, 0);
  putInt(item, DCM_NumberOfCompensators, 0);
  putInt(item, DCM_NumberOfBoli, 0);
  putInt(item, DCM_NumberOfBlocks, 0);
  put(item, DCM_FinalCumulativeMetersetWeight, ds(beam.finalCumulativeMetersetWeight));
  putInt(item, DCM_NumberOfControlPoints, static_cast<long>(beam.controlPoints.size()));
  for (std::size_t n = 0; n < beam.controlPoints.size(); ++n) {
    putControlPoint(appendItem(item, DCM_ControlPointSequence), beam, n, doseReferenceNumber);
  }
  putInt(item, DCM_ReferencedPatientSetupNumber, patientSetupNumber);
}

} // namespace beamlet::dicom::detail
