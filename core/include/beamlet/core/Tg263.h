#pragma once
// Structure names after AAPM Task Group 263, "Standardizing nomenclatures in radiation oncology"
// (Mayo et al., IJROBP 100(4):1057-1066, 2018, doi:10.1016/j.ijrobp.2017.12.013): a small table of
// common aliases (OpenKBP, IBSI, clinical habits) for the structures Beamlet meets, not the whole
// TG-263 list. Unknown names are returned unchanged: never guess an anatomy.

#include <string>

namespace beamlet {

/// The TG-263 name for a known alias (matched ignoring case, spaces, '_', '-' and '.'; target
/// names with a dose, e.g. "ptv 70", keep it: "PTV70"), or `name` unchanged when it is unknown.
std::string tg263Name(const std::string& name);

/// RT ROI Interpreted Type (PS3.3 C.8.8.8) suggested by a name: PTV*, CTV*, GTV*, ITV* -> PTV,
/// CTV, GTV, ITV; External/Body/Outline -> EXTERNAL; anything else ORGAN.
std::string interpretedTypeForName(const std::string& name);

} // namespace beamlet
