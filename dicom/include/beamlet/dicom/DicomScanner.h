#pragma once

#include "beamlet/core/Progress.h"
#include "beamlet/dicom/DicomIndex.h"

#include <string>

namespace beamlet::dicom {

/// Scans a folder recursively (any file names; a DICOMDIR is not needed and is itself listed as
/// skipped) and indexes every DICOM file by patient, study and series. Headers are read in parallel
/// without pixel data. Files that are not DICOM or cannot be parsed are listed in skipped with the
/// reason; they never stop the scan. A single file may be given instead of a folder.
/// Throws IoError when root does not exist.
DicomIndex scanFolder(const std::string& root, ProgressMonitor* progress = nullptr);

/// Reads one file's header (no pixel data). Throws DataError naming the file when it is not DICOM
/// or cannot be parsed.
DicomFileInfo readFileInfo(const std::string& path);

} // namespace beamlet::dicom
