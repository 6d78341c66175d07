#pragma once
// Progress of a long command on stderr (stdout stays the result, or JSON): a line when the stage
// changes (the text before its first ':'), otherwise at most one every two seconds, and none after
// the first at 100%.

#include "beamlet/core/Progress.h"

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

namespace beamlet::cli {

class ConsoleProgress {
public:
  explicit ConsoleProgress(std::string command)
      : command_(std::move(command)),
        monitor_([this](double fraction, const std::string& stage) { print(fraction, stage); }) {}
  ProgressMonitor* monitor() { return &monitor_; }

private:
  // May run on worker threads.
  void print(double fraction, const std::string& stage) {
    const std::lock_guard<std::mutex> lock(mutex_);
    const std::string prefix = stage.substr(0, stage.find(':'));
    const auto now = std::chrono::steady_clock::now();
    // Scopes closing after the work is done report again; one 100% line is enough.
    if (stage.empty() || done_ ||
        (prefix == lastPrefix_ && now - last_ < std::chrono::seconds(2))) {
      return;
    }
    done_ = fraction >= 1.0;
    lastPrefix_ = prefix;
    last_ = now;
    std::fprintf(stderr, "%s: %3d%% %s\n", command_.c_str(), static_cast<int>(100 * fraction),
                 stage.c_str());
  }

  std::string command_;
  std::mutex mutex_;
  std::string lastPrefix_;
  bool done_ = false;
  std::chrono::steady_clock::time_point last_{};
  ProgressMonitor monitor_;
};

} // namespace beamlet::cli
