// beamlet-cli plan: inverse planning from a protocol, headless, with a report.

#include "Command.h"
#include "PhantomWriting.h"
#include "PlanReport.h"
#include "PlanningInputs.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/Log.h"
#include "beamlet/dicom/RtDose.h"
#include "beamlet/dicom/RtPlan.h"
#include "beamlet/dose/Planner.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

namespace fs = std::filesystem;

namespace beamlet::cli {

Command addPlanCommand(CLI::App& app) {
  struct Options {
    std::string protocol;
    std::string image;
    std::string structures;
    std::string out;
    std::string demo;
    std::string device = "auto";
    int threads = 0;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "plan", "Inverse plan from a protocol: fluence optimisation, leaf sequencing, dose, goals; "
              "writes RTPLAN, RTDOSE, the RTSTRUCT used and report.json/report.html");
  sub->add_option("PROTOCOL", o->protocol,
                  "Protocol JSON file or a shipped protocol's id (tg119-cshape, head-neck)");
  sub->add_option("--image", o->image, "CT series folder");
  sub->add_option("--structures", o->structures, "RTSTRUCT on that series");
  sub->add_option("--out", o->out, "Output folder (created; must be empty)")->required();
  sub->add_option("--demo", o->demo, "Plan the built-in phantom (tg119), writing its CT too")
      ->check(CLI::IsMember({"tg119"}));
  sub->add_option("--device", o->device, "auto, cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
      ->capture_default_str();
  sub->add_option("--threads", o->threads, "CPU threads (0 = all cores)")->capture_default_str();
  sub->add_flag("--json", o->json, "Print report.json to stdout");
  return {sub, [o] {
            const auto start = std::chrono::steady_clock::now();
            dose::limitThreads(o->threads);
            if (o->demo.empty() && (o->image.empty() || o->structures.empty())) {
              throw InvalidArgumentError("--image and --structures are required without --demo");
            }
            std::string protocolArg = o->protocol;
            if (protocolArg.empty()) {
              if (o->demo.empty()) {
                throw InvalidArgumentError("PROTOCOL is required without --demo");
              }
              protocolArg = "tg119-cshape";
            }
            const dose::Protocol protocol = fs::exists(protocolArg)
                                                ? dose::loadProtocol(protocolArg)
                                                : dose::loadShippedProtocol(protocolArg);
            if (o->demo.empty() && !fs::is_regular_file(o->structures)) {
              throw IoError(withContext(o->structures, "RTSTRUCT file does not exist"));
            }
            prepareOutput(o->out);
            const fs::path out(o->out);
            std::string imageDir = o->image;
            std::string rsPath = o->structures;
            if (!o->demo.empty()) {
              const WrittenPhantom written = writePhantom(makeTg119Phantom(), "tg119", out);
              imageDir = (out / "CT").string();
              rsPath = written.rtstruct;
            } else {
              // The RTSTRUCT used goes with the plan.
              fs::copy_file(rsPath, out / "RS.dcm");
              rsPath = (out / "RS.dcm").string();
            }
            PlanningInputs in;
            loadCase(imageDir, rsPath, in);

            dose::PlanningOptions options;
            options.device = dose::parseDevice(o->device);
            ProgressMonitor monitor([](double f, const std::string& stage) {
              log::debug("plan " + std::to_string(static_cast<int>(100 * f)) + "% " + stage);
            });
            const dose::PlanningResult result =
                dose::makePlan(*in.session.image(), in.structures, protocol, options, &monitor);

            const std::string rp = (out / "RP.dcm").string();
            const std::string planUid =
                dicom::writeRtPlan(result.plan, in.study, rp, in.structures.sopInstanceUid);
            dicom::RtDoseWriteOptions doseOptions;
            doseOptions.referencedPlanUid = planUid;
            doseOptions.seriesDescription = "Beamlet plan dose (" + protocol.name + ")";
            dicom::writeRtDose(result.dose, in.study, (out / "RD.dcm").string(), doseOptions);
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            const PlanReport report =
                writePlanReport(protocol, in.structures, result, out, seconds);
            if (o->json) {
              std::cout << report.json << "\n";
            } else {
              for (const std::string& note : result.notes) {
                std::printf("%s\n", note.c_str());
              }
              std::printf("%s: %zu beams, %zu bixels, %zu segments, %.0f MU per fraction; "
                          "optimisation %d iterations, %.2f s; %.1f s in all\n",
                          protocol.name.c_str(), result.plan.beams.size(), result.bixels,
                          report.segments, report.totalMu, result.optimizer.iterations,
                          result.optimizer.seconds, seconds);
              for (const dose::GoalResult& g : result.goals) {
                std::printf("  %-4s %s (achieved %.2f %s)\n", g.met ? "met" : "NOT",
                            g.goal.text.c_str(), g.achieved, g.goal.unit.c_str());
              }
              std::printf("wrote %s: RP.dcm, RD.dcm, RS.dcm, report.json, report.html\n",
                          o->out.c_str());
            }
            return 0;
          }};
}

} // namespace beamlet::cli
