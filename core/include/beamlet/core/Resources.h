#pragma once
// Where Beamlet finds the files it ships (machines, calibration curves, protocols, models):
// the folder named by $BEAMLET_RESOURCES when set, else the source tree's resources/ (a build
// run in place), else share/beamlet/resources next to the installed binary.

#include <string>

namespace beamlet {

/// The resource folder in use (no trailing slash); throws IoError when none exists.
std::string resourceDirectory();

/// Absolute path of a shipped file, e.g. resourcePath("machines/generic-6mv/machine.json");
/// throws IoError naming the path when the file is not there.
std::string resourcePath(const std::string& relative);

} // namespace beamlet
