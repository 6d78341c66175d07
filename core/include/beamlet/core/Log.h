#pragma once
// A small logging facade (F3D style): libraries log through it, the host application decides where
// messages go (stderr for the CLI, a log panel for the GUI) by installing a sink.

#include <functional>
#include <string>

namespace beamlet {

enum class LogLevel { Debug = 0, Info = 1, Warning = 2, Error = 3 };

namespace log {

using Sink = std::function<void(LogLevel, const std::string&)>;

/// Replaces the sink. The default writes "beamlet: warning: ..." lines to stderr. Thread-safe.
void setSink(Sink sink);
/// Messages below this level are dropped (default Info).
void setLevel(LogLevel level);
LogLevel level();

void write(LogLevel level, const std::string& message);
inline void debug(const std::string& m) {
  write(LogLevel::Debug, m);
}
inline void info(const std::string& m) {
  write(LogLevel::Info, m);
}
inline void warn(const std::string& m) {
  write(LogLevel::Warning, m);
}
inline void error(const std::string& m) {
  write(LogLevel::Error, m);
}

const char* levelName(LogLevel level);

} // namespace log
} // namespace beamlet
