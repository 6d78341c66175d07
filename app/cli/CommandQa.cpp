// beamlet-cli qa: a suite of cases, each a new dose (a protocol planned or an RTPLAN recomputed)
// compared with a baseline dose by gamma and DVH metrics; JUnit XML and an HTML report.

#include "Command.h"
#include "PhantomWriting.h"
#include "QaReport.h"
#include "QaRun.h"
#include "QaSuite.h"
#include "ReportSvg.h"

#include "beamlet/core/Error.h"
#include "beamlet/dose/DoseEngine.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;

namespace beamlet::cli {

namespace {

std::string localTimestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

// A report goes into an existing folder and is never one of the suite's files.
void checkReportPath(const std::string& path, const char* option) {
  if (path.empty()) {
    return;
  }
  const fs::path parent = fs::absolute(path).parent_path();
  if (!fs::is_directory(parent)) {
    throw InvalidArgumentError(
        withContext(path, std::string(option) + ": the folder does not exist"));
  }
  if (fs::is_directory(path)) {
    throw InvalidArgumentError(withContext(path, std::string(option) + " is a folder"));
  }
}

std::string newTempFolder() {
  std::string pattern = (fs::temp_directory_path() / "beamlet-qa-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw IoError(withContext(pattern, "cannot create a temporary folder"));
  }
  return pattern;
}

} // namespace

Command addQaCommand(CLI::App& app) {
  struct Options {
    std::string suite;
    std::string junit;
    std::string html;
    std::string out;
    std::string device = "auto";
    int threads = 0;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "qa", "Run a QA suite: each case's dose (a protocol planned, or an RTPLAN recomputed) "
            "compared with its baseline RTDOSE by gamma and DVH metrics (docs/qa.md); exit 1 when "
            "any case fails");
  sub->add_option("SUITE", o->suite, "Suite file (JSON, format beamlet-qa-suite)")->required();
  sub->add_option("--junit", o->junit, "Write JUnit XML here");
  sub->add_option("--html", o->html, "Write the HTML report (tables, gamma and DVH plots) here");
  sub->add_option("--out", o->out,
                  "Folder for the cases' files, one subfolder per case (created; must be empty); "
                  "default: a new folder in the temporary directory");
  sub->add_option("--device", o->device, "auto, cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
      ->capture_default_str();
  sub->add_option("--threads", o->threads, "CPU threads (0 = all cores)")->capture_default_str();
  sub->add_flag("--json", o->json, "Print the results as JSON (layout in docs/qa.md)");
  return {sub, [o] {
            const auto start = std::chrono::steady_clock::now();
            // Everything that can be refused is refused before any case runs.
            const QaSuite suite = loadQaSuite(o->suite);
            checkReportPath(o->junit, "--junit");
            checkReportPath(o->html, "--html");
            if (o->threads < 0) {
              throw InvalidArgumentError("--threads must be 0 (all cores) or more");
            }
            QaRunInfo run;
            run.timestamp = localTimestamp();
            if (o->out.empty()) {
              run.out = newTempFolder();
            } else {
              prepareOutput(o->out);
              run.out = fs::absolute(o->out).lexically_normal().string();
            }
            std::fprintf(stderr, "qa: %zu cases from %s; files in %s\n", suite.cases.size(),
                         o->suite.c_str(), run.out.c_str());
            dose::limitThreads(o->threads);
            QaOptions options;
            options.out = run.out;
            options.device = o->device;
            options.threads = o->threads;
            std::vector<QaCaseResult> results;
            bool allPassed = true;
            for (std::size_t n = 0; n < suite.cases.size(); ++n) {
              std::fprintf(stderr, "qa: case %zu of %zu: %s\n", n + 1, suite.cases.size(),
                           suite.cases[n].name.c_str());
              results.push_back(runQaCase(suite.cases[n], options));
              allPassed = allPassed && results.back().status == QaStatus::Passed;
              if (!o->json) {
                std::printf("%s\n", results.back().summary().c_str());
                std::fflush(stdout);
              }
            }
            run.seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            const std::string json = qaJson(suite, results, run);
            writeAtomically(fs::path(run.out) / "results.json", json + "\n");
            if (!o->junit.empty()) {
              writeAtomically(o->junit, qaJunitXml(suite, results, run));
            }
            if (!o->html.empty()) {
              writeAtomically(o->html, qaHtml(suite, results, run));
            }
            if (o->json) {
              std::cout << json << "\n";
            } else {
              std::size_t passed = 0;
              for (const QaCaseResult& r : results) {
                passed += r.status == QaStatus::Passed ? 1 : 0;
              }
              std::printf("%zu of %zu cases passed in %.1f s; files in %s%s%s%s%s\n", passed,
                          results.size(), run.seconds, run.out.c_str(),
                          o->junit.empty() ? "" : "; JUnit XML ", o->junit.c_str(),
                          o->html.empty() ? "" : "; HTML report ", o->html.c_str());
            }
            return allPassed ? 0 : 1;
          }};
}

} // namespace beamlet::cli
