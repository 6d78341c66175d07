#include "beamlet/dose/DoseEngines.h"

namespace beamlet::dose {

std::vector<std::string> availableEngines() {
  return {};
}

} // namespace beamlet::dose
