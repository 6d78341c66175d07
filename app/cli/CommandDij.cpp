#include "Command.h"
#include "PlanningInputs.h"

#include "beamlet/core/ContourRasterizer.h"
#include "beamlet/core/Error.h"
#include "beamlet/dose/BeamletGrid.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

namespace beamlet::cli {

namespace {

std::vector<double> numbers(const std::string& text, const char* option) {
  std::vector<double> values;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    try {
      std::size_t used = 0;
      values.push_back(std::stod(item, &used));
      if (used != item.size()) {
        throw std::invalid_argument(item);
      }
    } catch (const std::exception&) {
      throw InvalidArgumentError(std::string(option) + ": '" + item + "' is not a number");
    }
  }
  if (values.empty()) {
    throw InvalidArgumentError(std::string(option) + ": no values");
  }
  return values;
}

const Structure* defaultTarget(const StructureSet& set) {
  for (const char* type : {"PTV", "CTV", "GTV"}) {
    for (const Structure& s : set.structures) {
      if (s.type == type && !s.empty()) {
        return &s;
      }
    }
  }
  for (const Structure& s : set.structures) {
    std::string upper = s.name;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (upper.rfind("PTV", 0) == 0 && !s.empty()) {
      return &s;
    }
  }
  return nullptr;
}

} // namespace

Command addDijCommand(CLI::App& app) {
  struct Options {
    PlanningInputOptions inputs;
    std::string gantry;
    std::string couch = "0";
    double collimator = 0.0;
    std::string target;
    std::string iso;
    double bixel = 5.0;
    double margin = 5.0;
    double cutoff = 50.0;
    double maxMemoryGb = 0.0;
    bool fp16 = false;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "dij", "Dose-influence matrix of the bixels of a beam arrangement (prints its size)");
  addPlanningInputOptions(sub, o->inputs, true);
  sub->add_option("--gantry", o->gantry, "Gantry angles, degrees, comma-separated (e.g. 0,40,80)")
      ->required();
  sub->add_option("--couch", o->couch, "Couch angles: one for all beams or one per beam")
      ->capture_default_str();
  sub->add_option("--collimator", o->collimator, "Collimator angle, degrees")
      ->capture_default_str();
  sub->add_option("--target", o->target, "Target structure (default: the first PTV)");
  sub->add_option("--iso", o->iso, "Isocentre x,y,z in LPS mm (default: the target's centroid)");
  sub->add_option("--bixel", o->bixel, "Bixel width at the isocentre, mm")->capture_default_str();
  sub->add_option("--margin", o->margin, "Bixels reach this far beyond the target's projection, mm")
      ->capture_default_str();
  sub->add_option("--cutoff", o->cutoff, "Lateral cut-off beyond a bixel's edge, mm")
      ->capture_default_str();
  sub->add_option("--max-memory", o->maxMemoryGb,
                  "Refuse when the matrix would exceed this, GB (default: 80% of the memory)");
  sub->add_flag("--fp16", o->fp16, "Store values in half precision (half the memory)");
  sub->add_flag("--json", o->json, "Machine-readable output (layout in docs/cli.md)");
  return {
      sub, [o] {
        using Clock = std::chrono::steady_clock;
        const auto start = Clock::now();
        PlanningInputs in;
        loadPlanningInputs(o->inputs, in);
        const auto loaded = Clock::now();
        const Structure* target =
            o->target.empty() ? defaultTarget(in.structures) : in.structures.findByName(o->target);
        if (target == nullptr) {
          throw DataError(withContext(o->inputs.structures,
                                      o->target.empty() ? "no PTV/CTV/GTV to aim at (--target)"
                                                        : "no structure '" + o->target + "'"));
        }
        const Mask targetMask = rasterize(*target, in.problem.doseGrid);
        Vec3 iso = Vec3::Zero();
        if (!o->iso.empty()) {
          const std::vector<double> v = numbers(o->iso, "--iso");
          if (v.size() != 3) {
            throw InvalidArgumentError("--iso needs x,y,z");
          }
          iso = Vec3(v[0], v[1], v[2]);
        } else {
          if (!maskCentroid(targetMask, iso)) {
            throw DataError(withContext(o->inputs.structures,
                                        "target '" + target->name + "' is empty on the dose grid"));
          }
        }
        const std::vector<double> gantry = numbers(o->gantry, "--gantry");
        std::vector<double> couch = numbers(o->couch, "--couch");
        if (couch.size() == 1) {
          couch.assign(gantry.size(), couch.front());
        }
        if (couch.size() != gantry.size()) {
          throw InvalidArgumentError("--couch: give one angle or one per gantry angle");
        }
        const auto engine =
            dose::makeDoseEngine("svd-pencil-beam", dose::parseDevice(o->inputs.device));
        std::vector<dose::Bixel> bixels;
        dose::BeamletGridOptions grid;
        grid.bixelWidthMm = o->bixel;
        grid.marginMm = o->margin;
        for (std::size_t b = 0; b < gantry.size(); ++b) {
          dose::BeamSetup beam;
          beam.name = "G" + std::to_string(static_cast<int>(std::lround(gantry[b])));
          beam.angles = dose::BeamAngles{gantry[b], o->collimator, couch[b]};
          beam.isocenter = iso;
          in.problem.beams.push_back(beam);
          const dose::BeamFrame frame(beam.angles, iso, 1000.0, in.problem.position);
          const std::vector<dose::Bixel> mine =
              dose::makeBeamletGrid(frame, static_cast<int>(b), targetMask, grid);
          bixels.insert(bixels.end(), mine.begin(), mine.end());
        }
        dose::DijOptions options;
        options.lateralCutoffMm = o->cutoff;
        options.precision = o->fp16 ? dose::DijPrecision::Float16 : dose::DijPrecision::Float32;
        const double physical = static_cast<double>(sysconf(_SC_PHYS_PAGES)) *
                                static_cast<double>(sysconf(_SC_PAGE_SIZE));
        options.memoryLimitBytes =
            static_cast<std::size_t>(o->maxMemoryGb > 0.0 ? o->maxMemoryGb * 1e9 : 0.8 * physical);
        const auto prepared = Clock::now();
        const dose::Dij dij = engine->computeDij(in.problem, bixels, options);
        const auto end = Clock::now();
        auto seconds = [](Clock::time_point a, Clock::time_point b) {
          return std::chrono::duration<double>(b - a).count();
        };
        if (o->json) {
          nlohmann::json j;
          j["format"] = "beamlet-dij";
          j["version"] = 1;
          j["engine"] = engine->name();
          j["device"] = engine->device();
          j["target"] = target->name;
          j["isocenter_mm"] = {iso.x(), iso.y(), iso.z()};
          j["beams"] = gantry.size();
          j["bixels"] = dij.columns();
          j["bixel_mm"] = o->bixel;
          j["grid_mm"] = o->inputs.gridMm;
          j["voxels"] = dij.rows();
          j["nnz"] = dij.nonZeros();
          j["bytes"] = dij.bytes();
          j["precision"] = o->fp16 ? "fp16" : "fp32";
          j["seconds"] = {{"load", seconds(start, loaded)},
                          {"bixels", seconds(loaded, prepared)},
                          {"dij", seconds(prepared, end)},
                          {"total", seconds(start, end)}};
          j["notes"] = in.notes;
          std::cout << j.dump(1) << "\n";
        } else {
          for (const std::string& note : in.notes) {
            std::printf("%s\n", note.c_str());
          }
          std::printf("target %s, isocentre (%.1f, %.1f, %.1f) mm, %zu beams\n",
                      target->name.c_str(), iso.x(), iso.y(), iso.z(), gantry.size());
          std::printf("dij: %zu bixels of %.1f mm x %zu voxels of %.1f mm, %zu non-zeros, "
                      "%.1f MiB (%s), %.2f s on %s (load %.2f s)\n",
                      dij.columns(), o->bixel, dij.rows(), o->inputs.gridMm, dij.nonZeros(),
                      static_cast<double>(dij.bytes()) / (1 << 20), o->fp16 ? "fp16" : "fp32",
                      seconds(prepared, end), engine->device().c_str(), seconds(start, loaded));
        }
        return 0;
      }};
}

} // namespace beamlet::cli
