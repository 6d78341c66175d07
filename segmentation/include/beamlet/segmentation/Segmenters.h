#pragma once
// The segmentation library is still empty: the LibTorch model runner and classical contouring
// arrive with the auto-contouring issue.

#include <string>
#include <vector>

namespace beamlet::segmentation {

/// Names of the contouring methods built into this library (none yet).
std::vector<std::string> availableSegmenters();

} // namespace beamlet::segmentation
