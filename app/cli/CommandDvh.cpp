#include "Command.h"

#include "beamlet/app/Session.h"
#include "beamlet/core/Error.h"
#include "beamlet/dicom/RtDose.h"
#include "beamlet/dicom/RtStruct.h"
#include "beamlet/dose/Dvh.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

namespace beamlet::cli {

namespace {

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto first = item.find_first_not_of(' ');
    const auto last = item.find_last_not_of(' ');
    if (first != std::string::npos) {
      items.push_back(item.substr(first, last - first + 1));
    }
  }
  return items;
}

} // namespace

Command addDvhCommand(CLI::App& app) {
  struct Options {
    std::string structures;
    std::string dose;
    std::string image;
    std::string metrics = "Dmin,Dmean,Dmax,D98%,D95%,D50%,D2%,D0.03cc,D2cc";
    std::vector<std::string> rois;
    bool json = false;
    bool curve = false;
    std::string endCaps = "flat";
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "dvh", "Dose-volume histograms and metrics of the structures of an RTSTRUCT in a dose");
  sub->add_option("--structures", o->structures, "RTSTRUCT file")->required();
  sub->add_option("--dose", o->dose, "RTDOSE file or dose volume (.nii.gz, .nrrd, .mha) in Gy")
      ->required();
  sub->add_option("--image", o->image,
                  "Image series folder the structures were drawn on: checks the frame of "
                  "reference and takes the slice thickness from it");
  sub->add_option("--metrics", o->metrics,
                  "Comma-separated: D<x>%, D<x>cc, V<x>Gy (cc), V<x>Gy% , Dmean, Dmin, Dmax")
      ->capture_default_str();
  sub->add_option("--roi", o->rois, "Only these ROIs (by name; repeatable)");
  sub->add_flag("--json", o->json, "Machine-readable output (layout in docs/cli.md)");
  sub->add_flag("--curve", o->curve, "With --json: include the cumulative DVH (Gy, cc)");
  sub->add_option("--end-caps", o->endCaps,
                  "Beyond the first and last contour planes, half a slice: flat (the end "
                  "contour's shape, Nelms benchmark), pinched (closing onto its medial axis, as "
                  "Eclipse), none")
      ->check(CLI::IsMember({"flat", "pinched", "none"}))
      ->capture_default_str();
  return {sub, [o] {
            StructureSet set = dicom::readRtStruct(o->structures);
            const Image dose = dicom::readDose(o->dose);
            dose::DvhOptions options;
            options.endCapSlices = o->endCaps == "none" ? 0.0 : 0.5;
            options.endCapShape =
                o->endCaps == "pinched" ? dose::EndCapShape::Pinched : dose::EndCapShape::Flat;
            if (!o->image.empty()) {
              app::Session session;
              session.openFolder(o->image);
              session.loadSeries(session.onlySeriesUid());
              const dicom::SeriesEntry* series = session.index()->findSeries(
                  session.image()->seriesInstanceUid.empty() ? session.onlySeriesUid()
                                                             : session.image()->seriesInstanceUid);
              dicom::checkAgainstImage(set, o->structures, *session.image(), series);
              options.sliceThicknessMm = session.image()->geometry().spacing.z();
            }
            if (!set.frameOfReferenceUid.empty() && !dose.frameOfReferenceUid.empty() &&
                set.frameOfReferenceUid != dose.frameOfReferenceUid) {
              throw GeometryError(withContext(o->dose, "frame of reference differs from the "
                                                       "structure set's"));
            }
            const std::vector<std::string> metrics = splitList(o->metrics);
            nlohmann::ordered_json out;
            out["format"] = "beamlet-dvh";
            out["version"] = 1;
            out["structures"] = o->structures;
            out["dose"] = o->dose;
            out["doseUnits"] = dose.units;
            nlohmann::ordered_json rois = nlohmann::ordered_json::array();
            for (const Structure& s : set.structures) {
              if (!o->rois.empty() &&
                  std::find(o->rois.begin(), o->rois.end(), s.name) == o->rois.end()) {
                continue;
              }
              nlohmann::ordered_json r;
              r["roiNumber"] = s.roiNumber;
              r["name"] = s.name;
              r["type"] = s.type;
              if (s.contours.empty()) {
                r["volumeCc"] = 0.0;
                r["warnings"] = {"no contours: no DVH"};
                if (!o->json) {
                  std::printf("%-20s  no contours\n", s.name.c_str());
                }
                rois.push_back(r);
                continue;
              }
              const dose::Dvh dvh = dose::computeDvh(s, dose, options);
              r["volumeCc"] = dvh.volumeCc;
              r["outsideDoseGridCc"] = dvh.outsideDoseGridCc;
              nlohmann::ordered_json values = nlohmann::ordered_json::object();
              std::string line;
              char buf[96];
              std::snprintf(buf, sizeof buf, "%-20s  volume %.3f cc", s.name.c_str(), dvh.volumeCc);
              line = buf;
              for (const std::string& m : metrics) {
                std::string unit;
                const double v = dose::evaluateMetric(dvh, m, &unit);
                values[m] = {{"value", v}, {"unit", unit}};
                std::snprintf(buf, sizeof buf, "  %s %.3f %s", m.c_str(), v, unit.c_str());
                line += buf;
              }
              r["metrics"] = values;
              r["warnings"] = dvh.warnings;
              if (o->curve) {
                nlohmann::ordered_json curve = nlohmann::ordered_json::array();
                for (const auto& [gy, cc] : dvh.cumulative()) {
                  curve.push_back({gy, cc});
                }
                r["cumulative"] = curve;
              }
              rois.push_back(r);
              if (!o->json) {
                std::printf("%s\n", line.c_str());
                for (const auto& w : dvh.warnings) {
                  std::printf("%-20s  warning: %s\n", "", w.c_str());
                }
              }
            }
            out["rois"] = rois;
            out["warnings"] = set.warnings;
            if (o->json) {
              std::cout << out.dump(2) << "\n";
            }
            return 0;
          }};
}

} // namespace beamlet::cli
