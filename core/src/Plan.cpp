#include "beamlet/core/Plan.h"

namespace beamlet {

const char* dicomName(BeamType type) {
  switch (type) {
  case BeamType::Static:
    return "STATIC";
  case BeamType::Dynamic:
    return "DYNAMIC";
  }
  return "STATIC";
}

const char* dicomName(RadiationType type) {
  switch (type) {
  case RadiationType::Photon:
    return "PHOTON";
  case RadiationType::Electron:
    return "ELECTRON";
  case RadiationType::Neutron:
    return "NEUTRON";
  case RadiationType::Proton:
    return "PROTON";
  case RadiationType::Ion:
    return "ION";
  case RadiationType::Other:
    return "OTHER";
  }
  return "OTHER";
}

const char* dicomName(DeliveryType type) {
  switch (type) {
  case DeliveryType::Treatment:
    return "TREATMENT";
  case DeliveryType::OpenPortfilm:
    return "OPEN_PORTFILM";
  case DeliveryType::TreatmentPortfilm:
    return "TRMT_PORTFILM";
  case DeliveryType::Continuation:
    return "CONTINUATION";
  case DeliveryType::Setup:
    return "SETUP";
  case DeliveryType::Other:
    return "OTHER";
  }
  return "OTHER";
}

const char* dicomName(RotationDirection direction) {
  switch (direction) {
  case RotationDirection::None:
    return "NONE";
  case RotationDirection::Clockwise:
    return "CW";
  case RotationDirection::CounterClockwise:
    return "CC";
  }
  return "NONE";
}

const char* dicomName(DoseReferenceStructure structure) {
  switch (structure) {
  case DoseReferenceStructure::Point:
    return "POINT";
  case DoseReferenceStructure::Volume:
    return "VOLUME";
  case DoseReferenceStructure::Coordinates:
    return "COORDINATES";
  case DoseReferenceStructure::Site:
    return "SITE";
  }
  return "SITE";
}

const char* dicomName(DoseReferenceType type) {
  return type == DoseReferenceType::Target ? "TARGET" : "ORGAN_AT_RISK";
}

double Beam::cumulativeMonitorUnits(std::size_t i) const {
  if (!monitorUnits || i >= controlPoints.size() || finalCumulativeMetersetWeight <= 0.0) {
    return 0.0;
  }
  return *monitorUnits * controlPoints[i].cumulativeMetersetWeight / finalCumulativeMetersetWeight;
}

int Beam::segmentCount() const {
  int segments = 0;
  for (std::size_t i = 1; i < controlPoints.size(); ++i) {
    if (controlPoints[i].cumulativeMetersetWeight > controlPoints[i - 1].cumulativeMetersetWeight) {
      ++segments;
    }
  }
  return segments;
}

const Beam* Plan::findBeam(int number) const {
  for (const Beam& beam : beams) {
    if (beam.number == number) {
      return &beam;
    }
  }
  return nullptr;
}

std::optional<double> Plan::prescribedDose() const {
  for (const DoseReference& reference : doseReferences) {
    if (reference.type == DoseReferenceType::Target && reference.targetPrescriptionDose) {
      return reference.targetPrescriptionDose;
    }
  }
  return std::nullopt;
}

int Plan::numberOfFractions() const {
  return fractionGroups.empty() ? 0 : fractionGroups.front().fractions;
}

std::vector<const Beam*> Plan::unsupportedBeams() const {
  std::vector<const Beam*> result;
  for (const Beam& beam : beams) {
    if (!beam.supported) {
      result.push_back(&beam);
    }
  }
  return result;
}

} // namespace beamlet
