#include "Command.h"
#include "PlanningInputs.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/Log.h"
#include "beamlet/dicom/RtDose.h"
#include "beamlet/dicom/RtPlan.h"
#include "beamlet/dose/PlanFluence.h"

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
            const Plan plan = dicom::readRtPlan(o->plan);
            PlanningInputs in;
            loadPlanningInputs(o->inputs, in, plan.patientPosition);
            if (!plan.frameOfReferenceUid.empty() && !in.study.frameOfReferenceUid.empty() &&
                plan.frameOfReferenceUid != in.study.frameOfReferenceUid) {
              throw GeometryError(withContext(o->plan, "frame of reference differs from the "
                                                       "image's"));
            }
            const auto engine =
                dose::makeDoseEngine("svd-pencil-beam", dose::parseDevice(o->inputs.device));
            const double cell = 0.5;
            dose::PlanBeams beams = dose::planBeams(plan, *engine, cell);
            in.problem.beams = beams.beams;
            VolumeF32 dose = engine->computeFluenceDose(in.problem, beams.fluences);
            const int fractions = std::max(1, plan.numberOfFractions());
            for (float& v : dose.voxels()) {
              v *= static_cast<float>(fractions);
            }
            Image image(std::move(dose));
            image.modality = "RTDOSE";
            image.units = "Gy";
            image.frameOfReferenceUid = in.study.frameOfReferenceUid;
            dicom::RtDoseWriteOptions write;
            write.referencedPlanUid = plan.sopInstanceUid;
            write.seriesDescription = "Beamlet dose (svd-pencil-beam)";
            dicom::writeRtDose(image, in.study, o->out, write);
            const double maxGy = image.range().second;
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            if (o->json) {
              nlohmann::json j;
              j["format"] = "beamlet-dose";
              j["version"] = 1;
              j["out"] = o->out;
              j["engine"] = engine->name();
              j["device"] = engine->device();
              j["beams"] = beams.beams.size();
              j["fractions"] = fractions;
              j["grid_mm"] = o->inputs.gridMm;
              j["voxels"] = in.problem.voxels.size();
              j["max_gy"] = maxGy;
              j["seconds"] = seconds;
              j["notes"] = in.notes;
              for (const std::string& note : beams.notes) {
                j["notes"].push_back(note);
              }
              std::cout << j.dump(1) << "\n";
            } else {
              for (const std::string& note : in.notes) {
                std::printf("%s\n", note.c_str());
              }
              for (const std::string& note : beams.notes) {
                std::printf("%s\n", note.c_str());
              }
              std::printf("wrote %s: %zu beams x %d fractions, %s on %s, %zu voxels of %.1f mm, "
                          "max %.3f Gy, %.1f s\n",
                          o->out.c_str(), beams.beams.size(), fractions, engine->name().c_str(),
                          engine->device().c_str(), in.problem.voxels.size(), o->inputs.gridMm,
                          maxGy, seconds);
            }
            return 0;
          }};
}

} // namespace beamlet::cli
