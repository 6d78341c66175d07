#pragma once
// Minimal fork-join parallel loop on std::thread for coarse-grained work (one DICOM file, one
// slice). Per-voxel loops never go through std::function: callers pass a whole range of work per
// call.

#include <cstddef>
#include <functional>

namespace beamlet {

/// Number of worker threads to use: BEAMLET_THREADS if set, else the hardware concurrency.
unsigned defaultThreadCount();

/// Calls body(n) for n in [0, count) on up to `threads` threads (0 = defaultThreadCount()). Items
/// are handed out dynamically. The first exception thrown stops the hand-out; after all threads
/// have joined, the exception of the lowest-numbered failing item is rethrown in the caller.
void parallelFor(std::size_t count, const std::function<void(std::size_t)>& body,
                 unsigned threads = 0);

} // namespace beamlet
