#pragma once
// De-identification of a set of DICOM files with the Basic Application Level Confidentiality
// Profile of DICOM PS3.15 Annex E (Table E.1-1, 2024b edition): identifying attributes are removed,
// emptied or replaced, private attributes, overlays and curves are removed, and every instance UID
// is replaced through one mapping for the whole set, so references between the files (RTSTRUCT ->
// images, RTPLAN -> RTSTRUCT, RTDOSE -> RTPLAN, frames of reference) still resolve.
// What is done and what is not (burned-in text) is described in docs/deidentify.md.

#include "beamlet/core/Progress.h"
#include "beamlet/dicom/DicomIndex.h"

#include <cstddef>
#include <string>
#include <vector>

namespace beamlet::dicom {

struct DeidentifyOptions {
  /// Dummy PatientName and PatientID. With several patients in the input they get "-1", "-2", ...
  /// appended (to the family name component of the name), in order of first appearance in the
  /// sorted file list.
  std::string patientName = "ANONYMOUS^";
  std::string patientId = "ANON";
  /// PS3.15 E.3.6 Retain Longitudinal Temporal Information With Full Dates Option: dates and times
  /// (DA, DT, TM attributes of the profile, except the patient's birth date and time) are kept.
  /// Off by default: the Basic Profile removes or empties them.
  bool retainLongitudinalFullDates = false;
  /// Worker threads (0 = defaultThreadCount()).
  unsigned threads = 0;
};

/// One file written: where it came from and where it went (relative to the output folder).
struct DeidentifiedFile {
  std::string source; ///< absolute input path
  std::string output; ///< path relative to the output folder
  std::string modality;
};

/// How often one attribute was changed, over the whole set (nested sequence items included).
struct AttributeChange {
  std::string tag;    ///< "(0010,0010)"
  std::string name;   ///< dictionary keyword, e.g. "PatientName" (empty when unknown)
  std::string action; ///< "removed", "emptied", "replaced" (dummy value) or "uid-remapped"
  /// The attribute's code in PS3.15 Table E.1-1 ("X", "Z", "X/Z/D", ...), "" when the table does
  /// not list it (instance UIDs it does not name; meta header AE titles).
  std::string profile;
  std::size_t count = 0;
};

struct DeidentifyReport {
  std::string input;  ///< absolute input path
  std::string output; ///< absolute output folder
  std::size_t filesExamined = 0;
  std::vector<DeidentifiedFile> written; ///< in sorted input order
  std::vector<SkippedFile> skipped;      ///< not DICOM, DICOMDIR, truncated, unreadable, duplicate
  std::vector<AttributeChange> changes;  ///< sorted by tag, then action
  std::size_t privateAttributesRemoved = 0;
  std::size_t overlayCurveAttributesRemoved = 0; ///< groups 60xx and 50xx
  std::size_t uidsRemapped = 0;                  ///< distinct original UIDs replaced
  std::size_t patients = 0;
  std::vector<std::string> patientIds; ///< the dummy PatientID given to each patient
  /// Things the profile as implemented does not cover, per file (e.g. BurnedInAnnotation YES).
  std::vector<std::string> warnings;
};

/// De-identifies `in` (a folder, read recursively, or one file) into the folder `out`.
/// Output files are named by their new UIDs, never after input names (which may hold a patient's
/// name): out/<PatientID>/study<N>/<Modality>-series<N>/<SOPInstanceUID>.dcm. Each is written
/// under a temporary name and renamed, so there are no half-written files. Nothing is written
/// into `in`.
/// Files that are not DICOM, a DICOMDIR, truncated or unreadable are skipped and listed with the
/// reason. Throws IoError when `in` does not exist or a file cannot be written;
/// InvalidArgumentError when `out` is `in`, lies inside `in`, or exists and is not an empty
/// folder; CancelledError when cancelled (files already written stay, each complete).
DeidentifyReport deidentify(const std::string& in, const std::string& out,
                            const DeidentifyOptions& options = {},
                            ProgressMonitor* progress = nullptr);

} // namespace beamlet::dicom
