// beamlet-cli plan: inverse planning from a protocol, headless, with a report.

#include "Command.h"
#include "ConsoleProgress.h"
#include "PlanCase.h"

#include "beamlet/dose/DoseEngine.h"

#include <cstdio>
#include <iostream>
#include <memory>

namespace beamlet::cli {

Command addPlanCommand(CLI::App& app) {
  struct Options {
    PlanRequest request;
    int threads = 0;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "plan", "Inverse plan from a protocol: fluence optimisation, leaf sequencing, dose, goals; "
              "writes RTPLAN, RTDOSE, the RTSTRUCT used and report.json/report.html");
  sub->add_option("PROTOCOL", o->request.protocol,
                  "Protocol JSON file or a shipped protocol's id (tg119-cshape, head-neck)");
  sub->add_option("--image", o->request.image,
                  "CT series folder, or a CT volume file (.nii.gz, .nii, .nrrd, .mha)");
  sub->add_option("--structures", o->request.structures,
                  "RTSTRUCT on that series, or (with a volume file) a folder of mask files named "
                  "after their structures");
  sub->add_option("--out", o->request.out, "Output folder (created; must be empty)")->required();
  sub->add_option("--demo", o->request.demo,
                  "Plan the built-in phantom (tg119), writing its CT too")
      ->check(CLI::IsMember({"tg119"}));
  sub->add_option("--device", o->request.device, "auto, cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
      ->capture_default_str();
  sub->add_option("--threads", o->threads, "CPU threads (0 = all cores)")->capture_default_str();
  sub->add_option("--dose-correction", o->request.doseCorrectionRounds,
                  "Rounds of dose correction: the deliverable dose's difference from the bixel "
                  "model fed back into the optimisation (0 = none)")
      ->check(CLI::Range(0, 5))
      ->capture_default_str();
  sub->add_flag("--json", o->json, "Print report.json to stdout");
  return {sub, [o] {
            dose::limitThreads(o->threads);
            ConsoleProgress progress("plan");
            const PlanOutcome outcome = runPlan(o->request, progress.monitor());
            const dose::PlanningResult& result = outcome.result;
            if (o->json) {
              std::cout << outcome.report.json << "\n";
              return 0;
            }
            for (const std::string& note : outcome.notes) {
              std::printf("%s\n", note.c_str());
            }
            std::printf("%s: %zu beams, %zu bixels, %zu segments, %.0f MU per fraction; "
                        "optimisation %d iterations, %.2f s; %.1f s in all\n",
                        outcome.protocol.name.c_str(), result.plan.beams.size(), result.bixels,
                        outcome.report.segments, outcome.report.totalMu,
                        result.optimizer.iterations, result.optimizer.seconds, outcome.seconds);
            for (const dose::GoalResult& g : result.goals) {
              std::printf("  %-4s %s (achieved %.2f %s)\n", g.met ? "met" : "NOT",
                          g.goal.text.c_str(), g.achieved, g.goal.unit.c_str());
            }
            std::printf("wrote %s: RP.dcm, RD.dcm, RS.dcm, report.json, report.html%s\n",
                        o->request.out.c_str(),
                        outcome.ctFolder != o->request.image ? ", CT/" : "");
            return 0;
          }};
}

} // namespace beamlet::cli
