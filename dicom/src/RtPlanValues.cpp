#include "RtPlanReading.h"

#include <algorithm>
#include <cmath>

namespace beamlet::dicom::detail {

std::optional<double> getOptionalDouble(DcmItem* item, const DcmTagKey& tag) {
  DcmElement* element = nullptr;
  if (item == nullptr || item->findAndGetElement(tag, element, OFFalse).bad() ||
      element == nullptr || element->getVM() == 0) {
    return std::nullopt;
  }
  Float64 value = 0;
  if (element->getFloat64(value, 0).good() && std::isfinite(value)) {
    return value;
  }
  // IS attributes (beam numbers, counts) hold integers.
  Sint32 integer = 0;
  if (element->getSint32(integer, 0).good()) {
    return static_cast<double>(integer);
  }
  return std::nullopt;
}

std::vector<double> getDoubleVector(DcmItem* item, const DcmTagKey& tag) {
  DcmElement* element = nullptr;
  if (item == nullptr || item->findAndGetElement(tag, element, OFFalse).bad() ||
      element == nullptr) {
    return {};
  }
  if (auto* decimal = dynamic_cast<DcmDecimalString*>(element)) {
    // Parses the whole list once (getFloat64(n) would rescan the string for every value).
    OFVector<Float64> parsed;
    if (decimal->getFloat64Vector(parsed).bad()) {
      return {};
    }
    std::vector<double> values(parsed.begin(), parsed.end());
    const bool allFinite =
        std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
    return allFinite ? values : std::vector<double>{};
  }
  const unsigned long count = element->getVM();
  std::vector<double> values;
  values.reserve(std::min<unsigned long>(count, 4096));
  for (unsigned long n = 0; n < count; ++n) {
    Float64 value = 0;
    if (element->getFloat64(value, n).bad() || !std::isfinite(value)) {
      return {};
    }
    values.push_back(value);
  }
  return values;
}

std::vector<DcmItem*> sequenceItems(DcmItem* item, const DcmTagKey& sequenceTag) {
  std::vector<DcmItem*> items;
  DcmSequenceOfItems* sequence = nullptr;
  if (item == nullptr || item->findAndGetSequence(sequenceTag, sequence, OFFalse).bad() ||
      sequence == nullptr) {
    return items;
  }
  for (unsigned long n = 0; n < sequence->card(); ++n) {
    if (DcmItem* child = sequence->getItem(n)) {
      items.push_back(child);
    }
  }
  return items;
}

BeamType parseBeamType(const std::string& term) {
  return term == "DYNAMIC" ? BeamType::Dynamic : BeamType::Static;
}

RadiationType parseRadiationType(const std::string& term) {
  if (term == "PHOTON") {
    return RadiationType::Photon;
  }
  if (term == "ELECTRON") {
    return RadiationType::Electron;
  }
  if (term == "NEUTRON") {
    return RadiationType::Neutron;
  }
  if (term == "PROTON") {
    return RadiationType::Proton;
  }
  if (term == "ION") {
    return RadiationType::Ion;
  }
  return RadiationType::Other;
}

DeliveryType parseDeliveryType(const std::string& term) {
  // Type 3: a beam without it is a treatment beam.
  if (term.empty() || term == "TREATMENT") {
    return DeliveryType::Treatment;
  }
  if (term == "OPEN_PORTFILM") {
    return DeliveryType::OpenPortfilm;
  }
  if (term == "TRMT_PORTFILM") {
    return DeliveryType::TreatmentPortfilm;
  }
  if (term == "CONTINUATION") {
    return DeliveryType::Continuation;
  }
  if (term == "SETUP") {
    return DeliveryType::Setup;
  }
  return DeliveryType::Other;
}

RotationDirection parseRotationDirection(const std::string& term) {
  if (term == "CW") {
    return RotationDirection::Clockwise;
  }
  if (term == "CC") {
    return RotationDirection::CounterClockwise;
  }
  return RotationDirection::None;
}

DoseReferenceStructure parseDoseReferenceStructure(const std::string& term) {
  if (term == "POINT") {
    return DoseReferenceStructure::Point;
  }
  if (term == "VOLUME") {
    return DoseReferenceStructure::Volume;
  }
  if (term == "COORDINATES") {
    return DoseReferenceStructure::Coordinates;
  }
  return DoseReferenceStructure::Site;
}

DoseReferenceType parseDoseReferenceType(const std::string& term) {
  return term == "ORGAN_AT_RISK" ? DoseReferenceType::OrganAtRisk : DoseReferenceType::Target;
}

} // namespace beamlet::dicom::detail
