// Which beams Beamlet can plan and compute: photon and electron beams of a C-arm linac shaped by
// jaws and/or one MLC. Everything else is listed with a reason instead of failing the plan.

#include "RtPlanReading.h"

#include <algorithm>
#include <cctype>

namespace beamlet::dicom::detail {
namespace {

bool containsNoCase(const std::string& text, const std::string& word) {
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
  };
  return lower(text).find(lower(word)) != std::string::npos;
}

/// A reason that outranks any structural problem found while reading (it explains it).
std::string deliveryReason(const Beam& beam, const std::string& planningSystem, bool ion) {
  if (ion) {
    return "ion beam (" + (beam.radiationName.empty() ? std::string("ION") : beam.radiationName) +
           ", RT Ion Plan): Beamlet plans photon and electron beams only";
  }
  if (beam.radiation != RadiationType::Photon && beam.radiation != RadiationType::Electron) {
    return "radiation type " + (beam.radiationName.empty() ? "missing" : beam.radiationName) +
           ": Beamlet plans photon and electron beams only";
  }
  // Gamma Knife and TomoTherapy plans are exported as a nominal photon "beam"; only the planning
  // system tells what they really are.
  if (containsNoCase(planningSystem, "GammaPlan") ||
      containsNoCase(planningSystem, "Gamma Knife")) {
    return "Leksell Gamma Knife plan (isocentric shots of collimated cobalt sources, not a linac "
           "beam)";
  }
  if (containsNoCase(planningSystem, "TomoTherapy") || containsNoCase(beam.name, "TomoTherapy")) {
    return "TomoTherapy helical delivery (the binary MLC sinogram is in private attributes; the "
           "control points hold no leaf positions)";
  }
  const auto mlcs = std::count_if(beam.limitingDeviceTypes.begin(), beam.limitingDeviceTypes.end(),
                                  [](const std::string& t) { return t.rfind("MLC", 0) == 0; });
  if (mlcs > 1) {
    std::string types;
    for (const std::string& t : beam.limitingDeviceTypes) {
      if (t.rfind("MLC", 0) == 0) {
        types += (types.empty() ? "" : ", ") + t;
      }
    }
    return "dual-layer MLC (" + types + ", e.g. Halcyon/Ethos) is not modelled";
  }
  return {};
}

} // namespace

void classifyBeam(Beam& beam, const std::string& planningSystem, bool ion) {
  const std::string reason = deliveryReason(beam, planningSystem, ion);
  if (!reason.empty()) {
    beam.supported = false;
    beam.unsupportedReason = reason;
  }
}

} // namespace beamlet::dicom::detail
