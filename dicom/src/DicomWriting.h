#pragma once
// Private helpers shared by the writers of RT objects (RTSTRUCT, RTDOSE, RTPLAN).

#include "DcmtkSupport.h"

#include "beamlet/dicom/StudyContext.h"

#include <string>

namespace beamlet::dicom::detail {

/// The local date and time as DICOM DA (YYYYMMDD) and TM (HHMMSS) strings.
struct LocalDateTime {
  std::string date;
  std::string time;
};
LocalDateTime now();

/// Puts a string attribute; throws IoError on failure (never leaves an object half-filled).
void put(DcmItem* item, const DcmTagKey& tag, const std::string& value);
/// Puts a decimal-string (DS) value with enough digits for 0.001 mm / 0.0001 Gy.
std::string ds(double value);

/// Patient, general study and frame-of-reference modules from the context; SOP common with a new
/// SOP instance UID; series with `seriesInstanceUid`, or a new series UID when it is empty (the
/// files of one series pass the same UID). Returns the SOP instance UID.
std::string putCommonModules(DcmDataset* ds, const StudyContext& context, const char* sopClassUid,
                             const std::string& modality, const std::string& seriesDescription,
                             const std::string& seriesInstanceUid = {});

/// Writes the file (explicit VR little endian by default, with meta header) to a temporary name in
/// the same folder and renames it: never a half-written file. Throws IoError naming the path.
void saveAtomically(DcmFileFormat& file, const std::string& path,
                    E_TransferSyntax syntax = EXS_LittleEndianExplicit);

} // namespace beamlet::dicom::detail
