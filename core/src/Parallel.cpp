#include "beamlet/core/Parallel.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace beamlet {

unsigned defaultThreadCount() {
  if (const char* env = std::getenv("BEAMLET_THREADS")) {
    const int n = std::atoi(env);
    if (n > 0) {
      return static_cast<unsigned>(n);
    }
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

void parallelFor(std::size_t count, const std::function<void(std::size_t)>& body,
                 unsigned threads) {
  if (count == 0) {
    return;
  }
  if (threads == 0) {
    threads = defaultThreadCount();
  }
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, count));
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr firstError;
  std::size_t firstErrorItem = count;
  std::mutex errorMutex;

  auto worker = [&]() {
    while (!failed.load()) {
      const std::size_t n = next.fetch_add(1);
      if (n >= count) {
        return;
      }
      try {
        body(n);
      } catch (...) {
        std::lock_guard<std::mutex> lock(errorMutex);
        // Keep the error of the lowest item so that messages do not depend on thread timing.
        if (n < firstErrorItem) {
          firstError = std::current_exception();
          firstErrorItem = n;
        }
        failed = true;
      }
    }
  };

  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (unsigned t = 1; t < threads; ++t) {
    pool.emplace_back(worker);
  }
  worker();
  for (auto& th : pool) {
    th.join();
  }
  if (firstError) {
    std::rethrow_exception(firstError);
  }
}

} // namespace beamlet
