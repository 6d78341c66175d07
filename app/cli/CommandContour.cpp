// beamlet-cli contour: auto-contouring of an image series with a segmentation model, written as an
// RTSTRUCT on that series.

#include "Command.h"
#include "ConsoleProgress.h"

#include "beamlet/app/Session.h"
#include "beamlet/core/Error.h"
#include "beamlet/core/MaskContours.h"
#include "beamlet/dicom/RtStructWriter.h"
#include "beamlet/segmentation/AutoContour.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>

namespace beamlet::cli {

Command addContourCommand(CLI::App& app) {
  struct Options {
    std::string image;
    std::string out;
    std::string model;
    std::string structures;
    int threads = 0;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "contour", "Auto-contouring with a segmentation model (TorchScript + manifest), written as "
                 "an RTSTRUCT on the image series");
  sub->add_option("IMAGE_DIR", o->image, "Image series folder (its only image series)")->required();
  sub->add_option("--out", o->out, "RTSTRUCT file to write")->required();
  sub->add_option(
         "--model", o->model,
         "TorchScript model file with its manifest (.json) next to it (docs/contouring.md)")
      ->required();
  sub->add_option("--structures", o->structures,
                  "Only these of the model's labels, comma-separated (default: all)");
  sub->add_option("--threads", o->threads, "CPU threads (0 = all cores)")->capture_default_str();
  sub->add_flag("--json", o->json, "Machine-readable summary");
  return {
      sub, [o] {
        const auto start = std::chrono::steady_clock::now();
        segmentation::setInferenceThreads(o->threads);
        const segmentation::ModelRunner model(o->model);
        std::set<std::string> wanted;
        std::stringstream list(o->structures);
        for (std::string name; std::getline(list, name, ',');) {
          if (!name.empty()) {
            const auto& labels = model.manifest().labels;
            if (std::none_of(labels.begin(), labels.end(),
                             [&](const segmentation::ModelLabel& l) { return l.name == name; })) {
              throw InvalidArgumentError("--structures: model '" + model.manifest().name +
                                         "' has no label '" + name + "'");
            }
            wanted.insert(name);
          }
        }
        app::Session session;
        session.openFolder(o->image);
        const std::string id = session.onlySeriesUid();
        session.loadSeries(id);
        const Image& image = *session.image();
        ConsoleProgress progress("contour");
        const std::vector<segmentation::LabelMask> masks =
            segmentation::autoContour(model, image, progress.monitor());

        StructureSet set;
        nlohmann::json rois = nlohmann::json::array();
        const double voxelCc = image.geometry().voxelVolumeMm3() / 1000.0;
        for (const segmentation::LabelMask& m : masks) {
          if (!wanted.empty() && wanted.count(m.label.name) == 0) {
            continue;
          }
          const auto voxels =
              static_cast<double>(std::count(m.mask.voxels().begin(), m.mask.voxels().end(), 1));
          rois.push_back({{"name", m.label.name}, {"volumeCc", voxels * voxelCc}});
          if (voxels == 0) {
            continue; // nothing found: no empty ROI in the file
          }
          Structure s;
          s.roiNumber = static_cast<int>(set.structures.size()) + 1;
          s.name = m.label.name;
          s.color = m.label.color;
          s.type = "ORGAN";
          s.contours = maskToContours(m.mask);
          set.structures.push_back(std::move(s));
        }
        if (set.structures.empty()) {
          throw DataError(withContext(o->image, "the model found none of its structures"));
        }
        dicom::writeRtStruct(set, *session.index()->findSeries(id), o->out, "Auto contours");
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (o->json) {
          std::cout << nlohmann::json{{"format", "beamlet-contour"},
                                      {"version", 1},
                                      {"model", model.manifest().name},
                                      {"out", o->out},
                                      {"structures", rois},
                                      {"seconds", seconds}}
                           .dump(2)
                    << "\n";
          return 0;
        }
        for (const auto& r : rois) {
          std::printf("%-20s %10.2f cc\n", r["name"].get<std::string>().c_str(),
                      r["volumeCc"].get<double>());
        }
        std::printf("wrote %s with model '%s' in %.1f s\n", o->out.c_str(),
                    model.manifest().name.c_str(), seconds);
        return 0;
      }};
}

} // namespace beamlet::cli
