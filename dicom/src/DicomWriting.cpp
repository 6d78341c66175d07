#include "DicomWriting.h"

#include "beamlet/core/Error.h"

#include <dcmtk/dcmdata/dcuid.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <random>

namespace fs = std::filesystem;

namespace beamlet::dicom {

std::string newUid() {
  char uid[100];
  dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT);
  return uid;
}

StudyContext readStudyContext(const std::string& path) {
  detail::initDcmtk();
  DcmFileFormat file;
  const OFCondition status =
      file.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect);
  if (status.bad()) {
    throw DataError(
        withContext(path, std::string("cannot be read as DICOM (") + status.text() + ")"));
  }
  DcmDataset* ds = file.getDataset();
  using detail::getString;
  StudyContext c;
  c.patientName = getString(ds, DCM_PatientName);
  c.patientId = getString(ds, DCM_PatientID);
  c.patientBirthDate = getString(ds, DCM_PatientBirthDate);
  c.patientSex = getString(ds, DCM_PatientSex);
  c.studyInstanceUid = getString(ds, DCM_StudyInstanceUID);
  c.studyDate = getString(ds, DCM_StudyDate);
  c.studyTime = getString(ds, DCM_StudyTime);
  c.studyId = getString(ds, DCM_StudyID);
  c.accessionNumber = getString(ds, DCM_AccessionNumber);
  c.referringPhysicianName = getString(ds, DCM_ReferringPhysicianName);
  c.studyDescription = getString(ds, DCM_StudyDescription);
  c.frameOfReferenceUid = getString(ds, DCM_FrameOfReferenceUID);
  c.positionReferenceIndicator = getString(ds, DCM_PositionReferenceIndicator);
  c.patientPosition = getString(ds, DCM_PatientPosition);
  return c;
}

namespace detail {

LocalDateTime now() {
  char date[16];
  char time[16];
  const std::time_t seconds = std::time(nullptr);
  std::tm local{};
  localtime_r(&seconds, &local);
  std::strftime(date, sizeof date, "%Y%m%d", &local);
  std::strftime(time, sizeof time, "%H%M%S", &local);
  return {date, time};
}

void put(DcmItem* item, const DcmTagKey& tag, const std::string& value) {
  if (item->putAndInsertString(tag, value.c_str()).bad()) {
    throw IoError("cannot set DICOM attribute " + std::string(DcmTag(tag).getTagName()) + " to '" +
                  value + "'");
  }
}

std::string ds(double value) {
  // DS holds at most 16 characters.
  char buf[32];
  for (int precision = 10; precision > 0; --precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (std::string(buf).size() <= 16) {
      break;
    }
  }
  return buf;
}

std::string putCommonModules(DcmDataset* ds, const StudyContext& c, const char* sopClassUid,
                             const std::string& modality, const std::string& seriesDescription,
                             const std::string& seriesInstanceUid) {
  const LocalDateTime stamp = now();
  const std::string& date = stamp.date;
  const std::string& time = stamp.time;
  const std::string sop = newUid();

  put(ds, DCM_SpecificCharacterSet, "ISO_IR 192");
  put(ds, DCM_SOPClassUID, sopClassUid);
  put(ds, DCM_SOPInstanceUID, sop);
  put(ds, DCM_InstanceCreationDate, date);
  put(ds, DCM_InstanceCreationTime, time);
  // Patient module (type 2 attributes are present even when empty).
  put(ds, DCM_PatientName, c.patientName);
  put(ds, DCM_PatientID, c.patientId);
  put(ds, DCM_PatientBirthDate, c.patientBirthDate);
  put(ds, DCM_PatientSex, c.patientSex);
  // General study module.
  put(ds, DCM_StudyInstanceUID, c.studyInstanceUid.empty() ? newUid() : c.studyInstanceUid);
  put(ds, DCM_StudyDate, c.studyDate);
  put(ds, DCM_StudyTime, c.studyTime);
  put(ds, DCM_StudyID, c.studyId);
  put(ds, DCM_AccessionNumber, c.accessionNumber);
  put(ds, DCM_ReferringPhysicianName, c.referringPhysicianName);
  if (!c.studyDescription.empty()) {
    put(ds, DCM_StudyDescription, c.studyDescription);
  }
  // Series (RT series module) and equipment.
  put(ds, DCM_Modality, modality);
  put(ds, DCM_SeriesInstanceUID, seriesInstanceUid.empty() ? newUid() : seriesInstanceUid);
  put(ds, DCM_SeriesNumber, "1");
  put(ds, DCM_SeriesDescription, seriesDescription);
  put(ds, DCM_OperatorsName, "");
  put(ds, DCM_Manufacturer, "Beamlet");
  put(ds, DCM_ManufacturerModelName, "Beamlet");
  put(ds, DCM_SoftwareVersions, "0.1.0");
  return sop;
}

void saveAtomically(DcmFileFormat& file, const std::string& path, E_TransferSyntax syntax) {
  const fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path() && !fs::is_directory(target.parent_path(), ec)) {
    throw IoError(withContext(path, "output folder does not exist"));
  }
  std::random_device rd;
  const fs::path tmp =
      target.parent_path() / ("." + target.filename().string() + ".tmp" + std::to_string(rd()));
  const OFCondition status = file.saveFile(tmp.c_str(), syntax);
  if (status.bad()) {
    fs::remove(tmp, ec);
    throw IoError(withContext(path, std::string("cannot write (") + status.text() + ")"));
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw IoError(withContext(path, "cannot rename the written file into place"));
  }
}

} // namespace detail
} // namespace beamlet::dicom
