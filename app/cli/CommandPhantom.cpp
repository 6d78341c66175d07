// beamlet-cli phantom: a generated planning phantom (water box, AAPM TG-119 C-shape) written as a
// DICOM CT series and an RTSTRUCT on it, ready for `info`, the GUI or another planning system.

#include "Command.h"

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

namespace {

std::string today(const char* format) {
  char text[16];
  const std::time_t seconds = std::time(nullptr);
  std::tm local{};
  localtime_r(&seconds, &local);
  std::strftime(text, sizeof text, format, &local);
  return text;
}

// The output folder: created when missing; an existing one must be an empty folder.
void prepareOutput(const std::string& out) {
  std::error_code ec;
  if (fs::exists(out, ec)) {
    if (!fs::is_directory(out, ec)) {
      throw IoError(withContext(out, "exists and is not a folder"));
    }
    const bool empty = fs::is_empty(out, ec);
    if (ec) {
      throw IoError(withContext(out, "cannot read the output folder (" + ec.message() + ")"));
    }
    if (!empty) {
      throw InvalidArgumentError(withContext(out, "output folder is not empty; refusing to write "
                                                  "into it"));
    }
  }
  fs::create_directories(out, ec);
  if (!fs::is_directory(out, ec)) {
    throw IoError(withContext(out, "cannot create the output folder"));
  }
}

} // namespace

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

            dicom::StudyContext study;
            study.patientName = water ? "Phantom^Water" : "Phantom^TG119";
            study.patientId = water ? "BEAMLET-WATER" : "BEAMLET-TG119";
            study.studyDate = today("%Y%m%d");
            study.studyTime = today("%H%M%S");
            study.studyId = "1";
            study.studyDescription = water ? "Beamlet water phantom" : "Beamlet TG-119 phantom";
            study.patientPosition = "HFS";

            const fs::path out(o->out);
            const std::string ctFolder = (out / "CT").string();
            const std::vector<std::string> files =
                dicom::writeCtSeries(phantom.ct, ctFolder, study);
            const dicom::DicomIndex index = dicom::scanFolder(ctFolder);
            const std::vector<const dicom::SeriesEntry*> all = index.allSeries();
            if (all.size() != 1 || all[0]->files.size() != files.size()) {
              throw DataError(withContext(ctFolder, "the CT series written cannot be read back"));
            }
            const dicom::SeriesEntry& series = *all[0];
            const std::string rs = (out / "RS.dcm").string();
            const std::string rsUid =
                dicom::writeRtStruct(phantom.structures, series, rs, phantom.structures.label);

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
