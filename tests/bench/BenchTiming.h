#pragma once
// Timing helpers shared by the benchmarks: wall-clock seconds, best of n after a warm-up run (so
// that every tool measured reads from a warm page cache), and running a peer command.

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>

namespace beamlet::bench {

inline double seconds(const std::function<void()>& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

inline double best(int n, const std::function<void()>& f) {
  f();
  double b = 1e30;
  for (int r = 0; r < n; ++r) {
    b = std::min(b, seconds(f));
  }
  return b;
}

/// Runs a shell command; throws when it fails.
inline void run(const std::string& command) {
  if (std::system(command.c_str()) != 0) {
    throw std::runtime_error("benchmark command failed: " + command);
  }
}

} // namespace beamlet::bench
