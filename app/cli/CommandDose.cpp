#include "Command.h"
#include "DoseCase.h"

#include "beamlet/core/Error.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

namespace beamlet::cli {

Command addDoseCommand(CLI::App& app) {
  struct Options {
    PlanningInputOptions inputs;
    std::string plan;
    std::string out;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "dose", "Forward dose of an RTPLAN's static beams on a CT series, written as RTDOSE");
  addPlanningInputOptions(sub, o->inputs, false);
  sub->add_option("--plan", o->plan, "RTPLAN (static 3D-CRT or step-and-shoot beams)")->required();
  sub->add_option("--out", o->out, "RTDOSE file to write (never one of the inputs)")->required();
  sub->add_flag("--json", o->json, "Machine-readable summary (layout in docs/cli.md)");
  return {sub, [o] {
            const auto start = std::chrono::steady_clock::now();
            namespace fs = std::filesystem;
            for (const std::string& input : {o->plan, o->inputs.structures}) {
              std::error_code ec; // a missing input is reported when it is read
              if (!input.empty() && fs::equivalent(input, o->out, ec)) {
                throw InvalidArgumentError(withContext(o->out, "--out is an input file"));
              }
            }
            PlanningInputs in;
            const PlanDose planDose = recomputePlanDose(o->inputs, o->plan, in);
            writePlanDose(planDose, in, o->out);
            const Image& image = planDose.dose;
            const double maxGy = image.range().second;
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            if (o->json) {
              nlohmann::json j;
              j["format"] = "beamlet-dose";
              j["version"] = 1;
              j["out"] = o->out;
              j["engine"] = planDose.engine;
              j["device"] = planDose.device;
              j["beams"] = planDose.beams;
              j["fractions"] = planDose.fractions;
              j["grid_mm"] = o->inputs.gridMm;
              j["voxels"] = planDose.voxels;
              j["max_gy"] = maxGy;
              j["seconds"] = seconds;
              j["notes"] = in.notes;
              for (const std::string& note : planDose.beamNotes) {
                j["notes"].push_back(note);
              }
              std::cout << j.dump(1) << "\n";
            } else {
              for (const std::string& note : in.notes) {
                std::printf("%s\n", note.c_str());
              }
              for (const std::string& note : planDose.beamNotes) {
                std::printf("%s\n", note.c_str());
              }
              std::printf("wrote %s: %zu beams x %d fractions, %s on %s, %zu voxels of %.1f mm, "
                          "max %.3f Gy, %.1f s\n",
                          o->out.c_str(), planDose.beams, planDose.fractions,
                          planDose.engine.c_str(), planDose.device.c_str(), planDose.voxels,
                          o->inputs.gridMm, maxGy, seconds);
            }
            return 0;
          }};
}

} // namespace beamlet::cli
