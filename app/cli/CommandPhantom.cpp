// beamlet-cli phantom: a generated planning phantom (water box, AAPM TG-119 C-shape) written as a
// DICOM CT series and an RTSTRUCT on it, ready for `info`, the GUI or another planning system.

#include "Command.h"
#include "PhantomWriting.h"

#include "beamlet/core/ContourRasterizer.h"
#include "beamlet/core/Error.h"
#include "beamlet/core/Phantom.h"
#include "beamlet/dicom/CtSeriesWriter.h"
#include "beamlet/dicom/DicomScanner.h"
#include "beamlet/dicom/RtStructWriter.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>

namespace fs = std::filesystem;

namespace beamlet::cli {

Command addPhantomCommand(CLI::App& app) {
  struct Options {
    std::string kind;
    std::string out;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "phantom", "Write a generated phantom (water box or AAPM TG-119 C-shape, see "
                 "docs/phantoms.md) as a DICOM CT series in OUT/CT/ and an RTSTRUCT OUT/RS.dcm");
  sub->add_option("PHANTOM", o->kind, "water or tg119")
      ->required()
      ->check(CLI::IsMember({"water", "tg119"}));
  sub->add_option("--out", o->out, "Output folder: created when missing, refused when not empty")
      ->required();
  sub->add_flag("--json", o->json, "Machine-readable summary (layout in docs/cli.md)");
  return {sub, [o] {
            prepareOutput(o->out);
            const bool water = o->kind == "water";
            const PhantomCase phantom = water ? makeWaterPhantom() : makeTg119Phantom();

            const fs::path out(o->out);
            const WrittenPhantom written = writePhantom(phantom, o->kind, out);
            const std::vector<std::string>& files = written.ctFiles;
            const dicom::SeriesEntry& series = written.series;
            const std::string& rs = written.rtstruct;
            const std::string& rsUid = written.rtstructUid;
            const std::string ctFolder = (out / "CT").string();

            const ImageGeometry& g = phantom.ct.geometry();
            nlohmann::ordered_json structures = nlohmann::ordered_json::array();
            std::string summary;
            for (const Structure& s : phantom.structures.structures) {
              const double cc = rasterizedVolumeCc(s, g);
              structures.push_back({{"roiNumber", s.roiNumber},
                                    {"name", s.name},
                                    {"type", s.type},
                                    {"color", s.color},
                                    {"contours", s.contours.size()},
                                    {"volumeCc", cc}});
              char text[160];
              std::snprintf(text, sizeof text, "%s%s (%s, %.3f cc)", summary.empty() ? "" : ", ",
                            s.name.c_str(), s.type.c_str(), cc);
              summary += text;
            }
            if (o->json) {
              nlohmann::ordered_json paths = nlohmann::ordered_json::array();
              for (const std::string& f : files) {
                paths.push_back(fs::path(f).lexically_relative(out).generic_string());
              }
              const auto [lo, hi] = phantom.ct.range();
              nlohmann::ordered_json j;
              j["format"] = "beamlet-phantom";
              j["version"] = 1;
              j["phantom"] = o->kind;
              j["description"] = phantom.description;
              j["out"] = o->out;
              j["ct"] = {{"folder", "CT"},
                         {"files", paths},
                         {"studyInstanceUid", series.files.front().studyInstanceUid},
                         {"seriesInstanceUid", series.seriesInstanceUid},
                         {"frameOfReferenceUid", series.frameOfReferenceUid},
                         {"dims", g.dims},
                         {"spacingMm", {g.spacing.x(), g.spacing.y(), g.spacing.z()}},
                         {"originMm", {g.origin.x(), g.origin.y(), g.origin.z()}},
                         {"huRange", {lo, hi}}};
              j["rtstruct"] = {{"path", "RS.dcm"},
                               {"sopInstanceUid", rsUid},
                               {"label", phantom.structures.label}};
              j["structures"] = structures;
              std::cout << j.dump(2) << "\n";
            } else {
              std::printf("wrote %s: %zu CT files, %s, HU, series %s\n", ctFolder.c_str(),
                          files.size(), g.describe().c_str(), series.seriesInstanceUid.c_str());
              std::printf("wrote %s: %zu ROIs: %s\n", rs.c_str(),
                          phantom.structures.structures.size(), summary.c_str());
            }
            return 0;
          }};
}

} // namespace beamlet::cli
