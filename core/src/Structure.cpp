#include "beamlet/core/Structure.h"

#include <algorithm>
#include <cctype>

namespace beamlet {

const Structure* StructureSet::findByNumber(int roiNumber) const {
  for (const auto& s : structures) {
    if (s.roiNumber == roiNumber) {
      return &s;
    }
  }
  return nullptr;
}

const Structure* StructureSet::findByName(const std::string& name) const {
  for (const auto& s : structures) {
    if (s.name == name) {
      return &s;
    }
  }
  auto lower = [](std::string v) {
    std::transform(v.begin(), v.end(), v.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return v;
  };
  const std::string wanted = lower(name);
  for (const auto& s : structures) {
    if (lower(s.name) == wanted) {
      return &s;
    }
  }
  return nullptr;
}

} // namespace beamlet
