#include "PhantomWriting.h"

#include "beamlet/core/Error.h"
#include "beamlet/dicom/CtSeriesWriter.h"
#include "beamlet/dicom/DicomScanner.h"
#include "beamlet/dicom/RtStructWriter.h"

#include <ctime>

namespace fs = std::filesystem;

namespace beamlet::cli {

namespace {

std::string today(const char* format) {
  char text[16];
  const std::time_t seconds = std::time(nullptr);
  std::tm local{};
  localtime_r(&seconds, &local);
  std::strftime(text, sizeof text, format, &local);
  return text;
}

} // namespace

void prepareOutput(const std::string& out) {
  std::error_code ec;
  if (fs::exists(out, ec)) {
    if (!fs::is_directory(out, ec)) {
      throw IoError(withContext(out, "exists and is not a folder"));
    }
    const bool empty = fs::is_empty(out, ec);
    if (ec) {
      throw IoError(withContext(out, "cannot read the output folder (" + ec.message() + ")"));
    }
    if (!empty) {
      throw InvalidArgumentError(withContext(out, "output folder is not empty; refusing to write "
                                                  "into it"));
    }
  }
  fs::create_directories(out, ec);
  if (!fs::is_directory(out, ec)) {
    throw IoError(withContext(out, "cannot create the output folder"));
  }
}

dicom::StudyContext newStudy(const std::string& patientName, const std::string& patientId,
                             const std::string& description) {
  dicom::StudyContext study;
  study.patientName = patientName;
  study.patientId = patientId;
  study.studyDate = today("%Y%m%d");
  study.studyTime = today("%H%M%S");
  study.studyId = "1";
  study.studyDescription = description;
  study.patientPosition = "HFS";
  return study;
}

WrittenPhantom writeCase(const Image& ct, const StructureSet& structures,
                         const dicom::StudyContext& study, const fs::path& out) {
  const std::string ctFolder = (out / "CT").string();
  const std::vector<std::string> files = dicom::writeCtSeries(ct, ctFolder, study);
  const dicom::DicomIndex index = dicom::scanFolder(ctFolder);
  const std::vector<const dicom::SeriesEntry*> all = index.allSeries();
  if (all.size() != 1 || all[0]->files.size() != files.size()) {
    throw DataError(withContext(ctFolder, "the CT series written cannot be read back"));
  }
  const dicom::SeriesEntry& series = *all[0];
  const std::string rs = (out / "RS.dcm").string();
  const std::string rsUid = dicom::writeRtStruct(structures, series, rs, structures.label);
  return WrittenPhantom{files, series, rs, rsUid};
}

WrittenPhantom writePhantom(const PhantomCase& phantom, const std::string& kind,
                            const fs::path& out) {
  const bool water = kind == "water";
  const dicom::StudyContext study =
      water ? newStudy("Phantom^Water", "BEAMLET-WATER", "Beamlet water phantom")
            : newStudy("Phantom^TG119", "BEAMLET-TG119", "Beamlet TG-119 phantom");
  return writeCase(phantom.ct, phantom.structures, study, out);
}

} // namespace beamlet::cli
