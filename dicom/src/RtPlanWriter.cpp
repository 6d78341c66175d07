// Writing an RT Plan (PS3.3 A.20.3 RT Plan IOD): SOP Common, Patient, General Study, RT Series,
// Frame of Reference, General Equipment, RT General Plan, RT Prescription, RT Patient Setup,
// RT Fraction Scheme, RT Beams and Approval. Choices are explained in docs/rtplan.md.

#include "RtPlanWriting.h"

#include "beamlet/core/Error.h"
#include "beamlet/dicom/RtPlan.h"

#include <dcmtk/dcmdata/dcuid.h>

#include <ctime>

namespace beamlet::dicom {
namespace {

using namespace detail;

constexpr int kPatientSetupNumber = 1;

/// RT General Plan (C.8.8.9). RT Plan Geometry PATIENT requires the Referenced Structure Set
/// Sequence (1C); without a structure set the plan is TREATMENT_DEVICE.
void putGeneralPlan(DcmDataset* dataset, const Plan& plan, const std::string& structureSetUid) {
  const detail::LocalDateTime stamp = detail::now();
  const std::string& date = stamp.date;
  const std::string& time = stamp.time;
  put(dataset, DCM_RTPlanLabel, plan.label);
  if (!plan.name.empty()) {
    put(dataset, DCM_RTPlanName, plan.name);
  }
  if (!plan.description.empty()) {
    put(dataset, DCM_RTPlanDescription, plan.description);
  }
  put(dataset, DCM_RTPlanDate, date);
  put(dataset, DCM_RTPlanTime, time);
  if (structureSetUid.empty()) {
    put(dataset, DCM_RTPlanGeometry, "TREATMENT_DEVICE");
  } else {
    put(dataset, DCM_RTPlanGeometry, "PATIENT");
    DcmItem* ref = appendItem(dataset, DCM_ReferencedStructureSetSequence);
    put(ref, DCM_ReferencedSOPClassUID, UID_RTStructureSetStorage);
    put(ref, DCM_ReferencedSOPInstanceUID, structureSetUid);
  }
}

/// RT Prescription (C.8.8.10).
void putPrescription(DcmDataset* dataset, const Plan& plan) {
  if (!plan.prescriptionDescription.empty()) {
    put(dataset, DCM_PrescriptionDescription, plan.prescriptionDescription);
  }
  for (const DoseReference& ref : plan.doseReferences) {
    DcmItem* item = appendItem(dataset, DCM_DoseReferenceSequence);
    putInt(item, DCM_DoseReferenceNumber, ref.number);
    put(item, DCM_DoseReferenceUID, ref.uid.empty() ? newUid() : ref.uid);
    put(item, DCM_DoseReferenceStructureType, dicomName(ref.structure));
    if (!ref.description.empty()) {
      put(item, DCM_DoseReferenceDescription, ref.description);
    }
    if (ref.referencedRoiNumber) {
      putInt(item, DCM_ReferencedROINumber, *ref.referencedRoiNumber);
    }
    if (ref.point) {
      put(item, DCM_DoseReferencePointCoordinates,
          dsList({ref.point->x(), ref.point->y(), ref.point->z()}));
    }
    put(item, DCM_DoseReferenceType, dicomName(ref.type));
    if (ref.deliveryMaximumDose) {
      put(item, DCM_DeliveryMaximumDose, ds(*ref.deliveryMaximumDose));
    }
    if (ref.targetPrescriptionDose) {
      put(item, DCM_TargetPrescriptionDose, ds(*ref.targetPrescriptionDose));
    }
  }
}

/// RT Patient Setup (C.8.8.12): one isocentric setup in the given position for every beam.
void putPatientSetup(DcmDataset* dataset, const std::string& patientPosition) {
  DcmItem* item = appendItem(dataset, DCM_PatientSetupSequence);
  put(item, DCM_PatientPosition, patientPosition);
  putInt(item, DCM_PatientSetupNumber, kPatientSetupNumber);
  put(item, DCM_SetupTechnique, "ISOCENTRIC");
}

/// RT Fraction Scheme (C.8.8.13): fractions and the MU of each beam per fraction.
void putFractionScheme(DcmDataset* dataset, const Plan& plan) {
  for (const FractionGroup& group : plan.fractionGroups) {
    DcmItem* item = appendItem(dataset, DCM_FractionGroupSequence);
    putInt(item, DCM_FractionGroupNumber, group.number);
    if (!group.description.empty()) {
      put(item, DCM_FractionGroupDescription, group.description);
    }
    putInt(item, DCM_NumberOfFractionsPlanned, group.fractions);
    putInt(item, DCM_NumberOfBeams, static_cast<long>(group.beams.size()));
    putInt(item, DCM_NumberOfBrachyApplicationSetups, 0);
    for (const ReferencedBeam& ref : group.beams) {
      DcmItem* beamItem = appendItem(item, DCM_ReferencedBeamSequence);
      if (ref.beamDose) {
        put(beamItem, DCM_BeamDose, ds(*ref.beamDose));
      }
      if (const std::optional<double> mu = beamMeterset(plan, ref)) {
        put(beamItem, DCM_BeamMeterset, ds(*mu));
      }
      putInt(beamItem, DCM_ReferencedBeamNumber, ref.beamNumber);
    }
  }
}

/// The dose reference whose delivered fraction each control point reports: the first target.
std::optional<int> trackedDoseReference(const Plan& plan) {
  for (const DoseReference& ref : plan.doseReferences) {
    if (ref.type == DoseReferenceType::Target) {
      return ref.number;
    }
  }
  return std::nullopt;
}

} // namespace

std::string writeRtPlan(const Plan& plan, const StudyContext& context, const std::string& path,
                        const std::string& referencedStructureSetUid) {
  const std::string patientPosition =
      validatePlanForWriting(plan, context, path, referencedStructureSetUid);
  initDcmtk();
  DcmFileFormat file;
  DcmDataset* dataset = file.getDataset();
  try {
    const std::string sop = putCommonModules(dataset, context, UID_RTPlanStorage, "RTPLAN",
                                             plan.name.empty() ? plan.label : plan.name);
    put(dataset, DCM_OperatorsName, ""); // RT Series module, type 2
    if (!context.frameOfReferenceUid.empty()) {
      // Frame of Reference module (U in the RT Plan IOD): ties the isocentre to the images.
      put(dataset, DCM_FrameOfReferenceUID, context.frameOfReferenceUid);
      put(dataset, DCM_PositionReferenceIndicator, context.positionReferenceIndicator);
    }
    putGeneralPlan(dataset, plan, referencedStructureSetUid);
    putPrescription(dataset, plan);
    putPatientSetup(dataset, patientPosition);
    putFractionScheme(dataset, plan);
    const std::optional<int> doseReference = trackedDoseReference(plan);
    for (const Beam& beam : plan.beams) {
      putBeam(appendItem(dataset, DCM_BeamSequence), beam, doseReference, kPatientSetupNumber);
    }
    // Approval (C.8.8.16): a physicist approves the plan in the planning or R&V system.
    put(dataset, DCM_ApprovalStatus, "UNAPPROVED");
    saveAtomically(file, path);
    return sop;
  } catch (const IoError& e) {
    const std::string message = e.what();
    if (message.rfind(path, 0) == 0) {
      throw;
    }
    throw IoError(withContext(path, message));
  }
}

} // namespace beamlet::dicom
