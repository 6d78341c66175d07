#pragma once
// The GUI-free session both front ends drive: what is open (the DICOM index of a folder) and what
// is loaded (the image). Later stages of the dataflow (structures, plan, beamlets, dij, fluence,
// dose, evaluation, export) join here as their issues land.

#include "beamlet/core/Image.h"
#include "beamlet/core/Progress.h"
#include "beamlet/dicom/DicomIndex.h"

#include <optional>
#include <string>

namespace beamlet::app {

class Session {
public:
  /// Scans a folder (or a single file) and replaces the index. The loaded image is kept.
  void openFolder(const std::string& path, ProgressMonitor* progress = nullptr);
  /// Loads one series of the index (by SeriesEntry::id) as the session's image.
  void loadSeries(const std::string& seriesId, ProgressMonitor* progress = nullptr);
  /// The built-in demo case: a synthetic CT phantom (no files needed).
  void loadDemo();

  const dicom::DicomIndex* index() const { return index_ ? &*index_ : nullptr; }
  const Image* image() const { return image_ ? &*image_ : nullptr; }

  /// The series to load when the caller named none: the only image series of the index. Throws
  /// InvalidArgumentError listing the choices when there are several (no silent guesses).
  std::string onlySeriesUid() const;

private:
  std::optional<dicom::DicomIndex> index_;
  std::optional<Image> image_;
};

} // namespace beamlet::app
