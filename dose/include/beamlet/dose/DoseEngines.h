#pragma once
// The dose library is still empty: the photon pencil-beam engine and the dose-influence matrix
// arrive with the dose-engine issue. Engines will be chosen by name, matRad style.

#include <string>
#include <vector>

namespace beamlet::dose {

/// Names of the dose engines built into this library (none yet).
std::vector<std::string> availableEngines();

} // namespace beamlet::dose
