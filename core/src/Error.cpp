#include "beamlet/core/Error.h"

#include <algorithm>

namespace beamlet {

namespace {
// Messages are shown on one line (CLI stderr, a status bar): fold any line breaks a library gave
// us.
std::string oneLine(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\r', ' ');
  while (!s.empty() && s.back() == ' ') {
    s.pop_back();
  }
  return s;
}
} // namespace

Error::Error(const std::string& message) : std::runtime_error(oneLine(message)) {}

CancelledError::CancelledError() : Error("cancelled by the user") {}

std::string withContext(const std::string& context, const std::string& problem) {
  if (context.empty()) {
    return problem;
  }
  return context + ": " + problem;
}

} // namespace beamlet
