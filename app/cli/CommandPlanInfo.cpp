// beamlet-cli plan-info: what an RT plan holds, as a physicist checks it (prescription, fractions,
// and per beam the machine settings at the first control point and the MU).

#include "Command.h"

#include "beamlet/core/Plan.h"
#include "beamlet/dicom/RtPlan.h"

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <sstream>

namespace beamlet::cli {
namespace {

std::string number(double value, int precision = 6) {
  std::ostringstream s;
  s.precision(precision);
  s << value;
  return s.str();
}

nlohmann::ordered_json optionalJson(const std::optional<double>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json beamJson(const Beam& beam) {
  nlohmann::ordered_json j;
  j["number"] = beam.number;
  j["name"] = beam.name;
  j["type"] = dicomName(beam.type);
  j["radiation"] = beam.radiationName.empty() ? dicomName(beam.radiation) : beam.radiationName;
  j["delivery"] = beam.deliveryName.empty() ? dicomName(beam.delivery) : beam.deliveryName;
  j["machine"] = beam.machineName;
  j["sadMm"] = beam.sourceAxisDistance;
  j["controlPoints"] = beam.controlPoints.size();
  j["segments"] = beam.segmentCount();
  j["monitorUnits"] = optionalJson(beam.monitorUnits);
  j["limitingDevices"] = beam.limitingDeviceTypes;
  j["mlc"] = beam.mlcType;
  j["leafPairs"] = beam.leafPairs;
  if (!beam.controlPoints.empty()) {
    const ControlPoint& cp = beam.controlPoints.front();
    j["energy"] = cp.nominalEnergy;
    j["gantryDeg"] = cp.gantryAngle;
    j["gantryRotation"] = dicomName(cp.gantryRotation);
    j["collimatorDeg"] = cp.collimatorAngle;
    j["couchDeg"] = cp.couchAngle;
    j["isocenterLpsMm"] =
        cp.isocenter
            ? nlohmann::ordered_json({cp.isocenter->x(), cp.isocenter->y(), cp.isocenter->z()})
            : nlohmann::ordered_json(nullptr);
    j["doseRate"] = optionalJson(cp.doseRate);
  }
  j["wedges"] = beam.wedges;
  j["blocks"] = beam.blocks;
  j["applicators"] = beam.applicators;
  j["supported"] = beam.supported;
  if (!beam.supported) {
    j["unsupportedReason"] = beam.unsupportedReason;
  }
  return j;
}

std::string planJson(const std::string& path, const Plan& plan) {
  nlohmann::ordered_json j;
  j["format"] = "beamlet-plan-info";
  j["version"] = 1;
  j["path"] = path;
  j["label"] = plan.label;
  j["name"] = plan.name;
  j["sopInstanceUid"] = plan.sopInstanceUid;
  j["planningSystem"] = plan.manufacturer;
  j["approvalStatus"] = plan.approvalStatus;
  j["patientPosition"] = plan.patientPosition;
  j["prescribedDoseGy"] = optionalJson(plan.prescribedDose());
  j["doseReferences"] = nlohmann::ordered_json::array();
  for (const DoseReference& ref : plan.doseReferences) {
    j["doseReferences"].push_back(
        {{"number", ref.number},
         {"structure", dicomName(ref.structure)},
         {"type", dicomName(ref.type)},
         {"description", ref.description},
         {"targetPrescriptionDoseGy", optionalJson(ref.targetPrescriptionDose)}});
  }
  j["fractionGroups"] = nlohmann::ordered_json::array();
  for (const FractionGroup& group : plan.fractionGroups) {
    nlohmann::ordered_json beams = nlohmann::ordered_json::array();
    for (const ReferencedBeam& ref : group.beams) {
      beams.push_back({{"beam", ref.beamNumber}, {"monitorUnits", optionalJson(ref.meterset)}});
    }
    j["fractionGroups"].push_back(
        {{"number", group.number}, {"fractions", group.fractions}, {"beams", beams}});
  }
  j["beams"] = nlohmann::ordered_json::array();
  for (const Beam& beam : plan.beams) {
    j["beams"].push_back(beamJson(beam));
  }
  j["warnings"] = plan.warnings;
  return j.dump(2) + "\n";
}

std::string beamText(const Beam& beam) {
  std::ostringstream s;
  s << "  beam " << beam.number << " '" << beam.name << "': " << dicomName(beam.type) << ' '
    << (beam.radiationName.empty() ? dicomName(beam.radiation) : beam.radiationName) << ' '
    << (beam.deliveryName.empty() ? dicomName(beam.delivery) : beam.deliveryName);
  if (!beam.controlPoints.empty()) {
    const ControlPoint& cp = beam.controlPoints.front();
    s << ", " << number(cp.nominalEnergy)
      << (beam.radiation == RadiationType::Electron ? " MeV" : " MV") << ", machine '"
      << beam.machineName << "', SAD " << number(beam.sourceAxisDistance) << " mm, "
      << beam.controlPoints.size() << " control points, gantry " << number(cp.gantryAngle)
      << (cp.gantryRotation == RotationDirection::None
              ? std::string()
              : std::string(" ") + dicomName(cp.gantryRotation))
      << ", collimator " << number(cp.collimatorAngle) << ", couch " << number(cp.couchAngle);
    if (cp.isocenter) {
      s << ", isocentre (" << number(cp.isocenter->x()) << ", " << number(cp.isocenter->y()) << ", "
        << number(cp.isocenter->z()) << ") mm";
    }
  }
  s << ", MU " << (beam.monitorUnits ? number(*beam.monitorUnits) : std::string("-"));
  if (!beam.mlcType.empty()) {
    s << ", " << beam.mlcType << " " << beam.leafPairs << " leaf pairs";
  }
  if (!beam.supported) {
    s << "\n    unsupported: " << beam.unsupportedReason;
  }
  return s.str() + "\n";
}

std::string planText(const std::string& path, const Plan& plan) {
  std::ostringstream s;
  s << path << ": plan '" << plan.label << "'";
  if (!plan.name.empty() && plan.name != plan.label) {
    s << " (" << plan.name << ")";
  }
  if (!plan.manufacturer.empty()) {
    s << " from " << plan.manufacturer;
  }
  s << "\n";
  if (const auto dose = plan.prescribedDose()) {
    s << "prescription: " << number(*dose) << " Gy";
    if (plan.numberOfFractions() > 0) {
      s << " in " << plan.numberOfFractions() << " fractions";
    }
    s << "\n";
  }
  for (const DoseReference& ref : plan.doseReferences) {
    s << "dose reference " << ref.number << ": " << dicomName(ref.type) << ' '
      << dicomName(ref.structure) << " '" << ref.description << "'";
    if (ref.targetPrescriptionDose) {
      s << ", " << number(*ref.targetPrescriptionDose) << " Gy";
    }
    s << "\n";
  }
  for (const FractionGroup& group : plan.fractionGroups) {
    s << "fraction group " << group.number << ": " << group.fractions << " fractions, "
      << group.beams.size() << " beams\n";
  }
  for (const Beam& beam : plan.beams) {
    s << beamText(beam);
  }
  for (const std::string& warning : plan.warnings) {
    s << "warning: " << warning << "\n";
  }
  return s.str();
}

} // namespace

Command addPlanInfoCommand(CLI::App& app) {
  struct Options {
    std::string path;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "plan-info", "Show an RT plan: prescription, fraction groups and, per beam, energy, angles, "
                   "isocentre, MU and leaf pairs (unsupported beams are listed with the reason)");
  sub->add_option("RTPLAN", o->path, "RT Plan DICOM file")->required();
  sub->add_flag("--json", o->json, "Machine-readable output (layout in docs/rtplan.md)");
  return {sub, [o] {
            const Plan plan = dicom::readRtPlan(o->path);
            std::cout << (o->json ? planJson(o->path, plan) : planText(o->path, plan));
            return 0;
          }};
}

} // namespace beamlet::cli
