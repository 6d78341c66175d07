#pragma once
// Writing a generated phantom as a complete case (shared by `phantom` and `plan --demo`): a DICOM
// CT series in OUT/CT/ and an RTSTRUCT OUT/RS.dcm on it.

#include "beamlet/core/Phantom.h"
#include "beamlet/dicom/DicomIndex.h"
#include "beamlet/dicom/StudyContext.h"

#include <filesystem>
#include <string>
#include <vector>

namespace beamlet::cli {

/// The output folder: created when missing; an existing one must be an empty folder.
void prepareOutput(const std::string& out);

struct WrittenPhantom {
  std::vector<std::string> ctFiles;
  dicom::SeriesEntry series; ///< the CT series as scanned back
  std::string rtstruct;      ///< path
  std::string rtstructUid;
};

/// Writes `ct` as a CT series into out/CT/ and `structures` as out/RS.dcm on it (`out` already
/// prepared). Throws DataError when the series written cannot be read back.
WrittenPhantom writeCase(const Image& ct, const StructureSet& structures,
                         const dicom::StudyContext& study, const std::filesystem::path& out);

/// The study of a case written today: patient name and ID given, HFS.
dicom::StudyContext newStudy(const std::string& patientName, const std::string& patientId,
                             const std::string& description);

/// Writes `phantom` ("water" or "tg119" names the patient) into `out` (already prepared).
WrittenPhantom writePhantom(const PhantomCase& phantom, const std::string& kind,
                            const std::filesystem::path& out);

} // namespace beamlet::cli
