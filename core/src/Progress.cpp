#include "beamlet/core/Progress.h"

#include "beamlet/core/Error.h"

#include <algorithm>

namespace beamlet {

ProgressMonitor::ProgressMonitor(Callback callback) : callback_(std::move(callback)) {}

void ProgressMonitor::setCallback(Callback callback) {
  std::lock_guard<std::mutex> lock(mutex_);
  callback_ = std::move(callback);
}

void ProgressMonitor::report(double fraction, const std::string& stage) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  std::lock_guard<std::mutex> lock(mutex_);
  if (fraction < fraction_.load()) {
    fraction = fraction_.load();
  }
  fraction_ = fraction;
  if (callback_) {
    callback_(fraction, stage);
  }
  if (parent_ != nullptr) {
    parent_->report(begin_ + (end_ - begin_) * fraction, stage);
  }
}

ProgressMonitor::ProgressMonitor(ProgressMonitor* parent, double begin, double end)
    : parent_(parent), begin_(begin), end_(end) {}

void ProgressMonitor::throwIfCancelled() const {
  if (isCancelled()) {
    throw CancelledError();
  }
}

ProgressScope::ProgressScope(ProgressMonitor* monitor, double begin, double end, std::string stage)
    : monitor_(monitor),
      child_(monitor != nullptr ? std::make_unique<ProgressMonitor>(monitor, begin, end) : nullptr),
      begin_(begin), end_(end), stage_(std::move(stage)) {
  report(0.0);
}

ProgressScope::ProgressScope(const ProgressScope& parent, double begin, double end,
                             std::string stage)
    : ProgressScope(parent.monitor_, parent.begin_ + (parent.end_ - parent.begin_) * begin,
                    parent.begin_ + (parent.end_ - parent.begin_) * end, std::move(stage)) {}

void ProgressScope::report(double subFraction) const {
  if (monitor_ != nullptr) {
    monitor_->report(begin_ + (end_ - begin_) * std::clamp(subFraction, 0.0, 1.0), stage_);
  }
}

void ProgressScope::step(std::size_t done, std::size_t total) const {
  report(total == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total));
}

void ProgressScope::throwIfCancelled() const {
  if (monitor_ != nullptr) {
    monitor_->throwIfCancelled();
  }
}

bool ProgressScope::isCancelled() const {
  return monitor_ != nullptr && monitor_->isCancelled();
}

ProgressScope::~ProgressScope() {
  if (monitor_ != nullptr && !monitor_->isCancelled()) {
    monitor_->report(end_, stage_);
  }
}

} // namespace beamlet
