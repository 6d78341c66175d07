#include "beamlet/core/Tg263.h"

#include <cctype>
#include <string_view>
#include <unordered_map>

namespace beamlet {

namespace {

// Lower case without separators: "Parotid R", "parotid_r" and "PAROTID-R" all become "parotidr".
std::string normalised(const std::string& name) {
  std::string key;
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == ' ' || c == '_' || c == '-' || c == '.') {
      continue;
    }
    key += static_cast<char>(std::tolower(c));
  }
  return key;
}

const std::unordered_map<std::string, std::string>& aliases() {
  // Keys are normalised aliases; values TG-263 primary names.
  static const std::unordered_map<std::string, std::string> table = {
      {"spinalcord", "SpinalCord"},
      {"cord", "SpinalCord"},
      {"spinal", "SpinalCord"},
      {"brainstem", "Brainstem"},
      {"brain", "Brain"},
      {"rightparotid", "Parotid_R"},
      {"parotidr", "Parotid_R"},
      {"rparotid", "Parotid_R"},
      {"parotidright", "Parotid_R"},
      {"leftparotid", "Parotid_L"},
      {"parotidl", "Parotid_L"},
      {"lparotid", "Parotid_L"},
      {"parotidleft", "Parotid_L"},
      {"esophagus", "Esophagus"},
      {"oesophagus", "Esophagus"},
      {"larynx", "Larynx"},
      {"mandible", "Bone_Mandible"},
      {"bonemandible", "Bone_Mandible"},
      {"body", "External"},
      {"external", "External"},
      {"outline", "External"},
      {"skin", "Skin"},
      {"bladder", "Bladder"},
      {"rectum", "Rectum"},
      {"femoralheadl", "Femur_Head_L"},
      {"femurheadl", "Femur_Head_L"},
      {"leftfemoralhead", "Femur_Head_L"},
      {"femoralheadr", "Femur_Head_R"},
      {"femurheadr", "Femur_Head_R"},
      {"rightfemoralhead", "Femur_Head_R"},
      {"heart", "Heart"},
      {"lungl", "Lung_L"},
      {"leftlung", "Lung_L"},
      {"lungr", "Lung_R"},
      {"rightlung", "Lung_R"},
      {"lungs", "Lungs"},
      {"liver", "Liver"},
      {"kidneyl", "Kidney_L"},
      {"leftkidney", "Kidney_L"},
      {"kidneyr", "Kidney_R"},
      {"rightkidney", "Kidney_R"},
      {"opticchiasm", "OpticChiasm"},
      {"chiasm", "OpticChiasm"},
      {"opticnervel", "OpticNrv_L"},
      {"opticnerver", "OpticNrv_R"},
      {"eyel", "Eye_L"},
      {"eyer", "Eye_R"},
      {"lensl", "Lens_L"},
      {"lensr", "Lens_R"},
      {"cochleal", "Cochlea_L"},
      {"cochlear", "Cochlea_R"},
      {"oralcavity", "Cavity_Oral"},
      {"prostate", "Prostate"},
      {"bowel", "Bowel"},
      {"smallbowel", "Bowel_Small"},
      {"penilebulb", "PenileBulb"},
  };
  return table;
}

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

} // namespace

std::string tg263Name(const std::string& name) {
  const std::string key = normalised(name);
  const auto found = aliases().find(key);
  if (found != aliases().end()) {
    return found->second;
  }
  // Targets: "ptv 70" / "PTV_70" / "ptv70" -> "PTV70" (TG-263: type, then the dose, no separator).
  for (const char* target : {"ptv", "ctv", "gtv", "itv"}) {
    if (startsWith(key, target) && key.size() > 3) {
      const std::string rest = key.substr(3);
      bool digits = true;
      for (char c : rest) {
        digits = digits && std::isdigit(static_cast<unsigned char>(c)) != 0;
      }
      if (digits) {
        std::string upper(target);
        for (char& c : upper) {
          c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        return upper + rest;
      }
    }
  }
  return name;
}

std::string interpretedTypeForName(const std::string& name) {
  const std::string key = normalised(name);
  for (const char* target : {"ptv", "ctv", "gtv", "itv"}) {
    if (startsWith(key, target)) {
      std::string upper(target);
      for (char& c : upper) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      return upper;
    }
  }
  if (key == "external" || key == "body" || key == "outline") {
    return "EXTERNAL";
  }
  return "ORGAN";
}

} // namespace beamlet
