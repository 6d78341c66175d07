#pragma once
// The patient and study an RT object belongs to. Every object Beamlet writes (RTSTRUCT, RTDOSE,
// RTPLAN) copies these from the image series it was made on, so that a record-and-verify or
// planning system files it with the right patient, study and frame of reference.

#include <string>

namespace beamlet::dicom {

struct StudyContext {
  std::string patientName;
  std::string patientId;
  std::string patientBirthDate;
  std::string patientSex;
  std::string studyInstanceUid;
  std::string studyDate;
  std::string studyTime;
  std::string studyId;
  std::string accessionNumber;
  std::string referringPhysicianName;
  std::string studyDescription;
  std::string frameOfReferenceUid;
  std::string positionReferenceIndicator;
  std::string patientPosition; ///< HFS, FFS, HFP, ... (from the image series, may be empty)
};

/// Reads the context from any DICOM file of the patient (typically one image of the series).
/// Throws DataError naming the file when it cannot be read.
StudyContext readStudyContext(const std::string& path);

/// A new, globally unique DICOM UID (DCMTK's generator under Beamlet's use of its root).
std::string newUid();

} // namespace beamlet::dicom
