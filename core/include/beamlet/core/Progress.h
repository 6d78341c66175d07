#pragma once
// Progress reporting with polled cancellation, modelled on MITK's rules: long operations report a
// fraction in [0, 1] and a stage name, and poll for cancellation at safe points (between slices,
// between beamlets). Nested work uses ProgressScope to map its own 0..1 onto a sub-range.

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace beamlet {

class ProgressMonitor {
public:
  /// Called with the overall fraction done (0..1) and the current stage. May be called from worker
  /// threads; the GUI marshals it to its own thread.
  using Callback = std::function<void(double fraction, const std::string& stage)>;

  ProgressMonitor() = default;
  explicit ProgressMonitor(Callback callback);
  /// A monitor for a nested call that takes a ProgressMonitor*: its own 0..1 is reported on
  /// `parent` mapped onto [begin, end], and it counts as cancelled when `parent` is (a null parent
  /// is allowed).
  ProgressMonitor(ProgressMonitor* parent, double begin, double end);
  ProgressMonitor(const ProgressMonitor&) = delete;
  ProgressMonitor& operator=(const ProgressMonitor&) = delete;

  void setCallback(Callback callback);
  /// Reports overall progress; fractions never go backwards.
  void report(double fraction, const std::string& stage);
  double fraction() const { return fraction_.load(); }

  /// Requests cancellation (any thread). Work stops at its next poll.
  void cancel() { cancelled_ = true; }
  bool isCancelled() const {
    return cancelled_.load() || (parent_ != nullptr && parent_->isCancelled());
  }
  /// Throws CancelledError when cancellation was requested.
  void throwIfCancelled() const;

private:
  Callback callback_;
  ProgressMonitor* parent_ = nullptr;
  double begin_ = 0.0;
  double end_ = 1.0;
  std::mutex mutex_;
  std::atomic<double> fraction_{0.0};
  std::atomic<bool> cancelled_{false};
};

/// Maps a sub-task's own progress 0..1 onto [begin, end] of a monitor. A null monitor is allowed so
/// algorithms can take an optional ProgressMonitor* and always use a scope.
class ProgressScope {
public:
  ProgressScope(ProgressMonitor* monitor, double begin, double end, std::string stage);
  /// A scope nested in another one: [begin, end] are fractions of the parent's range.
  ProgressScope(const ProgressScope& parent, double begin, double end, std::string stage);

  void report(double subFraction) const;
  /// Reports (done / total) of this scope.
  void step(std::size_t done, std::size_t total) const;
  void throwIfCancelled() const;
  bool isCancelled() const;
  /// For a nested call that takes a ProgressMonitor*: its 0..1 maps onto this scope's range and
  /// it sees this monitor's cancel requests. Null when the scope has no monitor.
  ProgressMonitor* monitor() const { return child_.get(); }
  ~ProgressScope();

private:
  ProgressMonitor* monitor_;
  std::unique_ptr<ProgressMonitor> child_;
  double begin_;
  double end_;
  std::string stage_;
};

} // namespace beamlet
