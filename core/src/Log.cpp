#include "beamlet/core/Log.h"

#include <atomic>
#include <iostream>
#include <mutex>

namespace beamlet::log {

namespace {
std::mutex& sinkMutex() {
  static std::mutex m;
  return m;
}
Sink& currentSink() {
  static Sink sink;
  return sink;
}
std::atomic<int>& currentLevel() {
  static std::atomic<int> level{static_cast<int>(LogLevel::Info)};
  return level;
}
} // namespace

void setSink(Sink sink) {
  std::lock_guard<std::mutex> lock(sinkMutex());
  currentSink() = std::move(sink);
}

void setLevel(LogLevel lvl) {
  currentLevel() = static_cast<int>(lvl);
}

LogLevel level() {
  return static_cast<LogLevel>(currentLevel().load());
}

const char* levelName(LogLevel lvl) {
  switch (lvl) {
  case LogLevel::Debug:
    return "debug";
  case LogLevel::Info:
    return "info";
  case LogLevel::Warning:
    return "warning";
  case LogLevel::Error:
    return "error";
  }
  return "?";
}

void write(LogLevel lvl, const std::string& message) {
  if (static_cast<int>(lvl) < currentLevel().load()) {
    return;
  }
  std::lock_guard<std::mutex> lock(sinkMutex());
  if (currentSink()) {
    currentSink()(lvl, message);
    return;
  }
  std::cerr << "beamlet: " << levelName(lvl) << ": " << message << '\n';
}

} // namespace beamlet::log
