#include "beamlet/app/Session.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/Phantom.h"
#include "beamlet/dicom/DicomScanner.h"
#include "beamlet/dicom/SeriesLoader.h"

namespace beamlet::app {

void Session::openFolder(const std::string& path, ProgressMonitor* progress) {
  index_ = dicom::scanFolder(path, progress);
}

void Session::loadSeries(const std::string& uid, ProgressMonitor* progress) {
  if (!index_) {
    throw InvalidArgumentError("no DICOM folder is open");
  }
  const dicom::SeriesEntry* series = index_->findSeries(uid);
  if (series == nullptr) {
    throw InvalidArgumentError(withContext(index_->root, "no series " + uid));
  }
  image_ = dicom::loadSeries(*series, progress);
}

void Session::loadDemo() {
  image_ = makeDemoCtPhantom();
}

std::string Session::onlySeriesUid() const {
  if (!index_) {
    throw InvalidArgumentError("no DICOM folder is open");
  }
  const auto all = index_->allSeries();
  if (all.size() == 1) {
    return all.front()->id;
  }
  if (all.empty()) {
    throw InvalidArgumentError(withContext(index_->root, "no image series found"));
  }
  std::string choices;
  for (const auto* s : all) {
    choices += (choices.empty() ? "" : ", ") + s->id + " (" + s->modality + ")";
  }
  throw InvalidArgumentError(withContext(
      index_->root, std::to_string(all.size()) + " series: choose one with --series: " + choices));
}

} // namespace beamlet::app
