#pragma once
// The one UID mapping of a de-identification run (PS3.15 E.1.1, action U: "replace with a non-zero
// length UID that is internally consistent within a set of Instances").

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace beamlet::dicom::detail {

/// A random UID of the form 2.25.<UUID as a decimal integer> (PS3.5 B.2; ITU-T X.667 version 4
/// UUID, 122 random bits). Nothing in it derives from the original UID, the host or the time.
std::string randomUuidUid();

/// Original UID -> new UID, shared by every file of one run and safe to use from worker threads.
/// The first time an original is seen it gets a fresh random UID; afterwards always the same one,
/// so references between files keep pointing at the right object. Lives only in memory: nothing
/// can map new UIDs back to the originals once the run is over.
class UidMap {
public:
  /// The new UID for `original`. `replaced` false only looks ahead (to name an output file before
  /// the file is processed) without counting the original as replaced.
  std::string map(const std::string& original, bool replaced = true);
  /// Distinct originals replaced so far.
  std::size_t size() const;

private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::string> map_;
  std::unordered_set<std::string> issued_;
  std::unordered_set<std::string> replaced_;
};

} // namespace beamlet::dicom::detail
