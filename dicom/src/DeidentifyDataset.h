#pragma once
// Applies the Basic Application Level Confidentiality Profile (PS3.15 Annex E) to one loaded file:
// its data set, recursively through sequence items, and its meta header.

#include "DcmtkSupport.h"
#include "DeidentifyUids.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace beamlet::dicom::detail {

enum class DeidChange { Removed, Emptied, Replaced, UidRemapped };
const char* deidChangeName(DeidChange change); ///< "removed", "emptied", ...

/// What was changed in one file or a whole set.
struct DeidChanges {
  /// (group << 16 | element, change) -> how many times.
  std::map<std::pair<std::uint32_t, DeidChange>, std::size_t> counts;
  std::size_t privateRemoved = 0;
  std::size_t overlayCurveRemoved = 0;
  std::vector<std::string> warnings; ///< without the file name

  void add(const DcmTagKey& tag, DeidChange change);
  void merge(const DeidChanges& other);
};

struct DeidSettings {
  UidMap* uids = nullptr;
  std::string patientName; ///< dummy values for this file's patient
  std::string patientId;
  bool retainLongitudinalFullDates = false;
};

/// De-identifies the data set in place and marks it (PatientIdentityRemoved, De-identification
/// Method and its Code Sequence, Longitudinal Temporal Information Modified).
void deidentifyDataset(DcmDataset& dataset, const DeidSettings& settings, DeidChanges& changes);

/// The meta header: Media Storage SOP Instance UID through the same mapping as the data set, and
/// the source/sending/receiving AE titles and private information removed.
void deidentifyMetaInfo(DcmMetaInfo& meta, const DeidSettings& settings, DeidChanges& changes);

} // namespace beamlet::dicom::detail
