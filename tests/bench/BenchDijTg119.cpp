// Dose-influence matrix of the AAPM TG-119 C-shape phantom on the CPU: 9 beams at 0, 40, ..., 320
// degrees, 5 mm bixels, 3 mm dose grid, 2 threads (the target: under 5 s and 2 GB) and all
// cores, float32 and fp16. Results: bench/dij_tg119.json in the build folder.

#include "BenchTiming.h"

#include "beamlet/core/ContourRasterizer.h"
#include "beamlet/core/Phantom.h"
#include "beamlet/dose/BeamletGrid.h"
#include "beamlet/dose/PatientModel.h"
#include "beamlet/dose/SvdPencilBeam.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

using namespace beamlet;
namespace fs = std::filesystem;

namespace {

// Peak resident memory of this process so far (VmHWM), bytes.
double peakMemoryBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      return std::stod(line.substr(6)) * 1024.0;
    }
  }
  return 0.0;
}

} // namespace

int main() {
  const PhantomCase tg119 = makeTg119Phantom();
  dose::PatientModelOptions model;
  model.doseGridMm = 3.0;
  const dose::DoseProblem base = dose::makeDoseProblem(tg119.ct, tg119.structures, model);
  const Mask target = rasterize(*tg119.structures.findByName("PTV_C"), base.doseGrid);
  const dose::SvdPencilBeam engine(dose::loadShippedMachine());

  struct Run {
    std::string name;
    int threads;
    dose::DijPrecision precision;
    double seconds = 0.0;
    std::size_t nnz = 0;
    std::size_t bytes = 0;
  };
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<Run> runs = {{"fp32, 2 threads", 2, dose::DijPrecision::Float32},
                           {"fp16, 2 threads", 2, dose::DijPrecision::Float16},
                           {"fp32, all cores", cores, dose::DijPrecision::Float32}};
  std::size_t bixels = 0;
  for (Run& run : runs) {
    dose::limitThreads(run.threads);
    dose::DoseProblem problem = base;
    std::vector<dose::Bixel> all;
    const double setup = bench::seconds([&] {
      for (int g = 0; g < 360; g += 40) {
        dose::BeamSetup beam{"G" + std::to_string(g), dose::BeamAngles{double(g), 0, 0},
                             Vec3::Zero()};
        problem.beams.push_back(beam);
        const dose::BeamFrame frame(beam.angles, beam.isocenter, 1000.0);
        const auto mine =
            dose::makeBeamletGrid(frame, static_cast<int>(problem.beams.size()) - 1, target);
        all.insert(all.end(), mine.begin(), mine.end());
      }
    });
    dose::DijOptions options;
    options.precision = run.precision;
    dose::Dij dij;
    run.seconds = bench::seconds([&] { dij = engine.computeDij(problem, all, options); }) + setup;
    run.nnz = dij.nonZeros();
    run.bytes = dij.bytes();
    bixels = dij.columns();
    std::printf("%-16s %zu bixels x %zu voxels: %zu non-zeros, %.0f MiB, %.2f s\n",
                run.name.c_str(), dij.columns(), dij.rows(), run.nnz, run.bytes / 1048576.0,
                run.seconds);
  }
  const double peak = peakMemoryBytes();
  const fs::path dir = fs::path(BEAMLET_BINARY_DIR) / "bench";
  fs::create_directories(dir);
  std::ofstream json(dir / "dij_tg119.json");
  json << "{\n  \"benchmark\": \"dij_tg119\",\n"
       << "  \"case\": \"TG-119 C-shape, 9 beams 0..320 step 40, 5 mm bixels, 3 mm dose grid, "
          "svd-pencil-beam on the CPU\",\n"
       << "  \"bixels\": " << bixels << ",\n  \"voxels\": " << base.voxels.size() << ",\n"
       << "  \"peakMemoryBytes\": " << peak << ",\n  \"runs\": [\n";
  for (std::size_t r = 0; r < runs.size(); ++r) {
    json << "    {\"name\": \"" << runs[r].name << "\", \"threads\": " << runs[r].threads
         << ", \"seconds\": " << runs[r].seconds << ", \"nnz\": " << runs[r].nnz
         << ", \"bytes\": " << runs[r].bytes << "}" << (r + 1 < runs.size() ? "," : "") << "\n";
  }
  json << "  ]\n}\n";
  std::printf("peak memory %.0f MiB; results: %s\n", peak / 1048576.0,
              (dir / "dij_tg119.json").c_str());
  return 0;
}
