// Reading an RT Plan: the plan-level modules (PS3.3 C.8.8.9 RT General Plan, C.8.8.10 RT
// Prescription, C.8.8.12 RT Patient Setup, C.8.8.13 RT Fraction Scheme, C.8.8.16 Approval) and
// the beams (RtPlanBeamReader.cpp).

#include "RtPlanReading.h"

#include "beamlet/core/Error.h"
#include "beamlet/dicom/RtPlan.h"

#include <filesystem>
#include <set>

namespace beamlet::dicom {
namespace {

using namespace detail;

constexpr const char* kRtPlanStorage = "1.2.840.10008.5.1.4.1.1.481.5";
constexpr const char* kRtIonPlanStorage = "1.2.840.10008.5.1.4.1.1.481.8";

std::string joined(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) {
    return a + b;
  }
  return a + " " + b;
}

void readDoseReferences(Plan& plan, DcmDataset* ds) {
  for (DcmItem* item : sequenceItems(ds, DCM_DoseReferenceSequence)) {
    DoseReference ref;
    ref.number = static_cast<int>(getLong(item, DCM_DoseReferenceNumber, 0));
    ref.uid = getString(item, DCM_DoseReferenceUID);
    ref.structure = parseDoseReferenceStructure(getString(item, DCM_DoseReferenceStructureType));
    ref.type = parseDoseReferenceType(getString(item, DCM_DoseReferenceType));
    ref.description = getString(item, DCM_DoseReferenceDescription);
    ref.targetPrescriptionDose = getOptionalDouble(item, DCM_TargetPrescriptionDose);
    ref.deliveryMaximumDose = getOptionalDouble(item, DCM_DeliveryMaximumDose);
    const std::vector<double> point = getDoubleVector(item, DCM_DoseReferencePointCoordinates);
    if (point.size() == 3) {
      ref.point = Eigen::Vector3d(point[0], point[1], point[2]);
    }
    const long roi = getLong(item, DCM_ReferencedROINumber, -1);
    if (roi >= 0) {
      ref.referencedRoiNumber = static_cast<int>(roi);
    }
    plan.doseReferences.push_back(ref);
  }
}

void readFractionGroups(Plan& plan, DcmDataset* ds) {
  for (DcmItem* item : sequenceItems(ds, DCM_FractionGroupSequence)) {
    FractionGroup group;
    group.number = static_cast<int>(getLong(item, DCM_FractionGroupNumber, 0));
    group.fractions = static_cast<int>(getLong(item, DCM_NumberOfFractionsPlanned, 0));
    group.description = getString(item, DCM_FractionGroupDescription);
    for (DcmItem* beamItem : sequenceItems(item, DCM_ReferencedBeamSequence)) {
      ReferencedBeam ref;
      ref.beamNumber = static_cast<int>(getLong(beamItem, DCM_ReferencedBeamNumber, 0));
      ref.meterset = getOptionalDouble(beamItem, DCM_BeamMeterset);
      ref.beamDose = getOptionalDouble(beamItem, DCM_BeamDose);
      group.beams.push_back(ref);
    }
    plan.fractionGroups.push_back(group);
  }
}

/// Copies each beam's MU from the fraction group that references it and notes references to
/// beams the plan does not hold.
void linkBeamsToFractionGroups(Plan& plan) {
  for (const FractionGroup& group : plan.fractionGroups) {
    for (const ReferencedBeam& ref : group.beams) {
      Beam* beam = nullptr;
      for (Beam& b : plan.beams) {
        if (b.number == ref.beamNumber) {
          beam = &b;
          break;
        }
      }
      if (beam == nullptr) {
        plan.warnings.push_back("fraction group " + std::to_string(group.number) +
                                " references beam " + std::to_string(ref.beamNumber) +
                                ", which the plan does not contain");
      } else if (ref.meterset && !beam->monitorUnits) {
        beam->monitorUnits = ref.meterset;
      }
    }
  }
  std::set<int> numbers;
  for (const Beam& beam : plan.beams) {
    if (!numbers.insert(beam.number).second) {
      plan.warnings.push_back("beam number " + std::to_string(beam.number) +
                              " is used by more than one beam");
    }
  }
}

void readBeams(Plan& plan, DcmDataset* ds) {
  for (const bool ion : {false, true}) {
    for (DcmItem* item : sequenceItems(ds, ion ? DCM_IonBeamSequence : DCM_BeamSequence)) {
      Beam beam = readBeam(item, ion);
      classifyBeam(beam, plan.manufacturer, ion);
      plan.beams.push_back(std::move(beam));
    }
  }
  if (ds->tagExists(DCM_ApplicationSetupSequence)) {
    plan.warnings.push_back("brachytherapy application setups are not read");
  }
}

} // namespace

Plan readRtPlan(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw IoError(withContext(path, "no such file"));
  }
  initDcmtk();
  DcmFileFormat file;
  const OFCondition status =
      file.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect);
  if (status.bad()) {
    // What was parsed before the failure tells a damaged DICOM file from something else.
    const bool premature = status == EC_StreamNotifyClient || status == EC_ItemEnd ||
                           std::string(status.text()).find("premature end") != std::string::npos;
    const bool partlyRead = file.getDataset() != nullptr && file.getDataset()->card() > 0;
    const char* what = premature    ? "truncated file ("
                       : partlyRead ? "truncated or corrupt DICOM file ("
                                    : "not a readable DICOM file (";
    throw DataError(withContext(path, what + std::string(status.text()) + ")"));
  }
  DcmDataset* ds = file.getDataset();
  std::string sopClass = getString(ds, DCM_SOPClassUID);
  if (sopClass.empty()) {
    sopClass = getString(file.getMetaInfo(), DCM_MediaStorageSOPClassUID);
  }
  const std::string modality = getString(ds, DCM_Modality);
  // Vendors' private plan classes (e.g. Varian's Halcyon plans) still say RTPLAN.
  if (sopClass != kRtPlanStorage && sopClass != kRtIonPlanStorage && modality != "RTPLAN") {
    throw DataError(withContext(path, "not an RT plan (modality '" + modality + "', SOP class '" +
                                          sopClass + "')"));
  }

  Plan plan;
  plan.label = getString(ds, DCM_RTPlanLabel);
  plan.name = getString(ds, DCM_RTPlanName);
  plan.description = getString(ds, DCM_RTPlanDescription);
  plan.date = getString(ds, DCM_RTPlanDate);
  plan.time = getString(ds, DCM_RTPlanTime);
  plan.sopInstanceUid = getString(ds, DCM_SOPInstanceUID);
  plan.frameOfReferenceUid = getString(ds, DCM_FrameOfReferenceUID);
  plan.referencedStructureSetUid =
      getString(firstItem(ds, DCM_ReferencedStructureSetSequence), DCM_ReferencedSOPInstanceUID);
  plan.patientPosition = getString(firstItem(ds, DCM_PatientSetupSequence), DCM_PatientPosition);
  plan.manufacturer =
      joined(getString(ds, DCM_Manufacturer), getString(ds, DCM_ManufacturerModelName));
  plan.approvalStatus = getString(ds, DCM_ApprovalStatus);
  plan.prescriptionDescription = getString(ds, DCM_PrescriptionDescription);

  readDoseReferences(plan, ds);
  readFractionGroups(plan, ds);
  readBeams(plan, ds);
  linkBeamsToFractionGroups(plan);
  return plan;
}

} // namespace beamlet::dicom
