#include "Command.h"

#include "beamlet/dicom/Deidentify.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

namespace beamlet::cli {

namespace {

constexpr const char* kProfile =
    "DICOM PS3.15 Annex E Basic Application Level Confidentiality Profile";

std::string reportToJson(const dicom::DeidentifyReport& r, const dicom::DeidentifyOptions& o) {
  using nlohmann::ordered_json;
  ordered_json j;
  j["format"] = "beamlet-deidentify-report";
  j["version"] = 1;
  j["input"] = r.input;
  j["output"] = r.output;
  j["profile"] = kProfile;
  j["options"] = {{"patientName", o.patientName},
                  {"patientId", o.patientId},
                  {"retainLongitudinalFullDates", o.retainLongitudinalFullDates}};
  j["filesExamined"] = r.filesExamined;
  j["filesWritten"] = r.written.size();
  j["filesSkipped"] = r.skipped.size();
  j["patients"] = r.patientIds;
  j["uidsRemapped"] = r.uidsRemapped;
  j["privateAttributesRemoved"] = r.privateAttributesRemoved;
  j["overlayCurveAttributesRemoved"] = r.overlayCurveAttributesRemoved;
  ordered_json changes = ordered_json::array();
  for (const auto& c : r.changes) {
    changes.push_back({{"tag", c.tag},
                       {"name", c.name},
                       {"action", c.action},
                       {"profile", c.profile},
                       {"count", c.count}});
  }
  j["attributes"] = changes;
  ordered_json written = ordered_json::array();
  for (const auto& f : r.written) {
    written.push_back({{"source", f.source}, {"output", f.output}, {"modality", f.modality}});
  }
  j["files"] = written;
  ordered_json skipped = ordered_json::array();
  for (const auto& s : r.skipped) {
    skipped.push_back({{"path", s.path}, {"reason", s.reason}});
  }
  j["skipped"] = skipped;
  j["warnings"] = r.warnings;
  return j.dump(2) + "\n";
}

void printText(const dicom::DeidentifyReport& r, const dicom::DeidentifyOptions& o) {
  std::printf("de-identified %zu of %zu files: %s -> %s\n", r.written.size(), r.filesExamined,
              r.input.c_str(), r.output.c_str());
  std::printf("profile: %s%s\n", kProfile,
              o.retainLongitudinalFullDates
                  ? ", Retain Longitudinal Temporal Information Full Dates Option"
                  : " (dates and times removed, emptied or replaced)");
  std::string ids;
  for (const auto& id : r.patientIds) {
    ids += (ids.empty() ? "" : ", ") + id;
  }
  std::printf("patients: %zu%s%s%s\n", r.patients, ids.empty() ? "" : " (new PatientID ",
              ids.c_str(), ids.empty() ? "" : ")");
  std::printf("UIDs replaced: %zu distinct, one mapping for the whole set (references between the "
              "files still resolve)\n",
              r.uidsRemapped);
  std::printf("private attributes removed: %zu; overlay and curve attributes removed: %zu\n",
              r.privateAttributesRemoved, r.overlayCurveAttributesRemoved);
  if (!r.changes.empty()) {
    std::printf("attributes changed (tag, name, action, PS3.15 Table E.1-1 code, count):\n");
    for (const auto& c : r.changes) {
      std::printf("  %s %-36s %-12s %-6s %zu\n", c.tag.c_str(), c.name.c_str(), c.action.c_str(),
                  c.profile.empty() ? "-" : c.profile.c_str(), c.count);
    }
  }
  if (!r.skipped.empty()) {
    std::printf("skipped %zu files (not written):\n", r.skipped.size());
    for (const auto& s : r.skipped) {
      std::printf("  %s: %s\n", s.path.c_str(), s.reason.c_str());
    }
  }
  if (!r.warnings.empty()) {
    std::printf("warnings (%zu):\n", r.warnings.size());
    for (const auto& w : r.warnings) {
      std::printf("  %s\n", w.c_str());
    }
  }
}

} // namespace

Command addDeidentifyCommand(CLI::App& app) {
  struct Options {
    std::string in;
    std::string out;
    bool json = false;
    dicom::DeidentifyOptions deid;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "deidentify", "Copy DICOM files with identifying information removed (DICOM PS3.15 Basic "
                    "Application Level Confidentiality Profile); UIDs are replaced consistently "
                    "so RT references still resolve; IN is never written to");
  sub->add_option("IN", o->in, "Folder (read recursively) or a single file")->required();
  sub->add_option("OUT", o->out, "Output folder: new, or empty; not inside IN")->required();
  sub->add_flag("--json", o->json, "Machine-readable report (layout in docs/deidentify.md)");
  sub->add_option("--patient-name", o->deid.patientName,
                  "Dummy PatientName (several patients get -1, -2, ... appended)")
      ->capture_default_str();
  sub->add_option("--patient-id", o->deid.patientId,
                  "Dummy PatientID (several patients get -1, -2, ... appended)")
      ->capture_default_str();
  sub->add_flag("--retain-dates", o->deid.retainLongitudinalFullDates,
                "Keep dates and times (PS3.15 Retain Longitudinal Temporal Information Full Dates "
                "Option); the birth date is still emptied");
  return {sub, [o] {
            const dicom::DeidentifyReport report = dicom::deidentify(o->in, o->out, o->deid);
            if (o->json) {
              std::cout << reportToJson(report, o->deid);
            } else {
              printText(report, o->deid);
            }
            return 0;
          }};
}

} // namespace beamlet::cli
