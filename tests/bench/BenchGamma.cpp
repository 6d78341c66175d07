// Benchmark: gamma analysis (3%/2 mm global, 10% cut-off, max gamma 2) of the OpenKBP pt_1 dose
// (128 x 128 x 128 voxels of 3.9 x 3.9 x 2.5 mm) against itself shifted by 2 mm, Beamlet against
// plastimatch gamma on the same files in the same run. Writes seconds, pass rates and the ratio to
// bench/gamma.json in the build folder.
//
// Timed: Beamlet's computeGamma in process (all cores); `beamlet-cli gamma` end to end (reading
// both files, computing, printing); `plastimatch gamma --interp-search` (its sub-voxel search, the
// like-for-like peer) and plain `plastimatch gamma` (voxel centres only), both end to end. Best of
// three runs after one warm-up. Exits 77 (CTest: skipped) without the shared data.

#include "BenchTiming.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/Parallel.h"
#include "beamlet/dicom/VolumeFile.h"
#include "beamlet/dose/Gamma.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

namespace fs = std::filesystem;

using beamlet::bench::best;
using beamlet::bench::run;
using beamlet::bench::seconds;

namespace {

fs::path dataDir() {
  const char* env = std::getenv("BEAMLET_TEST_DATA");
  return (env != nullptr && *env != '\0') ? fs::path(env) : fs::path(BEAMLET_TEST_DATA_DEFAULT);
}

// "pass_rate(%)\t94.51" in plastimatch's --output-text file; -1 if absent.
double plastimatchPassRate(const fs::path& text) {
  std::ifstream in(text);
  std::stringstream s;
  s << in.rdbuf();
  std::smatch m;
  const std::string content = s.str();
  return std::regex_search(content, m, std::regex(R"(pass_rate\(%\)\s+([0-9.]+))"))
             ? std::stod(m[1])
             : -1.0;
}

} // namespace

int main() {
  const fs::path dose = dataDir() / "openkbp/train/pt_1/dose.nii.gz";
  if (!fs::exists(dose)) {
    std::printf("bench_gamma: skipped, test data missing: %s (set BEAMLET_TEST_DATA)\n",
                dose.c_str());
    return 77;
  }
  const fs::path work = fs::temp_directory_path() / "beamlet-bench-gamma";
  const fs::path resultDir = fs::path(BEAMLET_BINARY_DIR) / "bench";
  try {
    fs::remove_all(work);
    fs::create_directories(work);
    fs::create_directories(resultDir);
    const fs::path refPath = work / "ref.mha";
    const fs::path evalPath = work / "eval.mha";
    beamlet::VolumeF32 ref = beamlet::dicom::readVolumeFile(dose.string()).toFloat();
    beamlet::VolumeF32 eval = ref;
    beamlet::ImageGeometry shifted = eval.geometry();
    shifted.origin += beamlet::Vec3(2, 2, 1).normalized() * 2.0;
    eval.setGeometry(shifted);
    beamlet::dicom::writeVolumeFile(beamlet::Image(ref), refPath.string());
    beamlet::dicom::writeVolumeFile(beamlet::Image(eval), evalPath.string());

    const beamlet::dose::GammaSettings settings; // 3%/2 mm global, 10% cut-off, max gamma 2
    beamlet::dose::GammaResult result;
    const double inProcess =
        best(3, [&] { result = beamlet::dose::computeGamma(ref, eval, settings); });

    const std::string cli = std::string(BEAMLET_BINARY_DIR) + "/bin/beamlet-cli -q gamma " +
                            refPath.string() + " " + evalPath.string() + " > /dev/null";
    const double cliSeconds = best(3, [&] { run(cli); });

    const bool havePeer = std::system("command -v plastimatch > /dev/null 2>&1") == 0;
    double peerInterp = 0.0;
    double peerPlain = 0.0;
    double peerInterpRate = -1.0;
    double peerPlainRate = -1.0;
    if (havePeer) {
      const std::string peer = "plastimatch gamma --dose-tolerance 0.03 --dta-tolerance 2 "
                               "--analysis-threshold 0.1 --gamma-max 2 --ref-only-threshold ";
      const std::string files = " " + refPath.string() + " " + evalPath.string() + " > " +
                                (work / "peer.log").string() + " 2>&1";
      peerInterp = best(3, [&] {
        run(peer + "--interp-search --output-text " + (work / "interp.txt").string() + files);
      });
      peerInterpRate = plastimatchPassRate(work / "interp.txt");
      peerPlain =
          best(3, [&] { run(peer + "--output-text " + (work / "plain.txt").string() + files); });
      peerPlainRate = plastimatchPassRate(work / "plain.txt");
    }

    std::ofstream json(resultDir / "gamma.json");
    json << "{\n  \"benchmark\": \"gamma\",\n"
         << "  \"dose\": \"OpenKBP pt_1, 128x128x128 voxels of 3.906x3.906x2.5 mm, against itself "
            "shifted 2 mm\",\n"
         << "  \"criteria\": \"3%/2 mm global, cut-off 10%, max gamma 2\",\n"
         << "  \"pointsEvaluated\": " << result.pointsEvaluated << ",\n"
         << "  \"threads\": " << beamlet::defaultThreadCount() << ",\n"
         << "  \"beamletSeconds\": " << inProcess << ",\n"
         << "  \"beamletCliSeconds\": " << cliSeconds << ",\n"
         << "  \"beamletPassRatePercent\": " << result.passRatePercent << ",\n";
    if (havePeer) {
      json << "  \"plastimatchInterpSearchSeconds\": " << peerInterp << ",\n"
           << "  \"plastimatchInterpSearchPassRatePercent\": " << peerInterpRate << ",\n"
           << "  \"plastimatchSeconds\": " << peerPlain << ",\n"
           << "  \"plastimatchPassRatePercent\": " << peerPlainRate << ",\n"
           << "  \"ratioCliToPlastimatchInterpSearch\": " << cliSeconds / peerInterp << "\n";
    } else {
      json << "  \"plastimatchInterpSearchSeconds\": null\n";
    }
    json << "}\n";
    json.close();

    std::printf("gamma 3%%/2mm, OpenKBP 128^3 shifted 2 mm (%zu points): beamlet %.3f s (%.2f%%), "
                "beamlet-cli %.3f s",
                result.pointsEvaluated, inProcess, result.passRatePercent, cliSeconds);
    if (havePeer) {
      std::printf(", plastimatch --interp-search %.3f s (%.2f%%), plastimatch %.3f s (%.2f%%), "
                  "ratio cli/plastimatch --interp-search %.3f\n",
                  peerInterp, peerInterpRate, peerPlain, peerPlainRate, cliSeconds / peerInterp);
    } else {
      std::printf(", plastimatch not installed\n");
    }
    std::printf("results: %s (%u threads)\n", (resultDir / "gamma.json").c_str(),
                beamlet::defaultThreadCount());
    fs::remove_all(work);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_gamma: error: %s\n", e.what());
    fs::remove_all(work);
    return 1;
  }
}
