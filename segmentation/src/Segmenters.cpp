#include "beamlet/segmentation/Segmenters.h"

namespace beamlet::segmentation {

std::vector<std::string> availableSegmenters() {
  return {};
}

} // namespace beamlet::segmentation
