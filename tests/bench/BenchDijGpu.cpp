// Benchmark: the SVD pencil beam's dose-influence matrix on the CPU (all cores) and on the CUDA
// device, for the synthetic water box of the GPU test (tests/gpu/WaterBoxCase.h: 4 beams, 196
// bixels of 10 mm, 3 mm voxels) and a finer one (784 bixels of 5 mm, 2 mm voxels); and the
// products Dij w and Dij^T d with the host Dij and with its device copy. Wall-clock seconds, best
// of two after a warm-up; the GPU Dij time includes the host-side set-up it shares with the CPU
// (SSDs, radiological depths, kernel tables) and the copy back. Writes bench/dij_gpu.json in the
// build folder. Exits 77 (CTest: skipped) without a CUDA device.

#include "BenchTiming.h"
#include "WaterBoxCase.h"

#include "beamlet/core/Parallel.h"
#include "beamlet/dose/DoseEngine.h"
#include "beamlet/dose/SvdPencilBeam.h"

#ifdef BEAMLET_WITH_CUDA
#include "cuda/CudaPencilBeam.h"
#endif

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

using beamlet::bench::best;

namespace {

#ifdef BEAMLET_WITH_CUDA

struct Result {
  std::string name;
  std::size_t bixels = 0;
  std::size_t voxels = 0;
  std::size_t nonZeros = 0;
  double cpuDij = 0.0;
  double gpuDij = 0.0;
  double cpuProducts = 0.0;
  double gpuProducts = 0.0;
};

Result measure(const std::string& name, const beamlet::test::WaterBoxCase& c,
               const beamlet::dose::SvdPencilBeam& cpu,
               const beamlet::dose::cuda::CudaPencilBeam& gpu) {
  const beamlet::dose::DijOptions options;
  Result r;
  r.name = name;
  r.bixels = c.bixels.size();
  r.voxels = c.problem.voxels.size();
  beamlet::dose::Dij dij;
  r.cpuDij = best(2, [&] { dij = cpu.computeDij(c.problem, c.bixels, options); });
  r.gpuDij = best(2, [&] { dij = gpu.computeDij(c.problem, c.bixels, options); });
  r.nonZeros = dij.nonZeros();
  const std::shared_ptr<beamlet::dose::cuda::DeviceDij> device = gpu.lastDeviceDij();
  const std::vector<double> w(dij.columns(), 1.0);
  r.cpuProducts = best(2, [&] {
    for (int i = 0; i < 10; ++i) {
      dij.multiplyTransposed(dij.multiply(w));
    }
  });
  r.gpuProducts = best(2, [&] {
    for (int i = 0; i < 10; ++i) {
      device->multiplyTransposed(device->multiply(w));
    }
  });
  std::printf("%s: %zu bixels, %zu voxels, %zu entries: Dij CPU %.3f s, GPU %.3f s (x%.1f); "
              "10 x (Dij w, Dij^T d) CPU %.3f s, GPU %.3f s\n",
              name.c_str(), r.bixels, r.voxels, r.nonZeros, r.cpuDij, r.gpuDij, r.cpuDij / r.gpuDij,
              r.cpuProducts, r.gpuProducts);
  return r;
}

#endif

} // namespace

int main() {
  std::string why;
  if (!beamlet::dose::cudaAvailable(&why)) {
    std::printf("bench_dij_gpu: skipped: no CUDA device (%s)\n", why.c_str());
    return 77;
  }
#ifdef BEAMLET_WITH_CUDA
  try {
    const fs::path resultDir = fs::path(BEAMLET_BINARY_DIR) / "bench";
    fs::create_directories(resultDir);
    const beamlet::dose::PhotonMachine machine = beamlet::dose::loadShippedMachine();
    const beamlet::dose::SvdPencilBeam cpu(machine);
    const beamlet::dose::cuda::CudaPencilBeam gpu(machine);
    std::printf("device: %s; CPU: %u threads\n", gpu.deviceDescription().c_str(),
                beamlet::defaultThreadCount());
    std::vector<Result> results;
    results.push_back(measure("water box, 3 mm voxels, 196 bixels of 10 mm",
                              beamlet::test::waterBoxCase(3.0, 7, 10.0), cpu, gpu));
    results.push_back(measure("water box, 2 mm voxels, 784 bixels of 5 mm",
                              beamlet::test::waterBoxCase(2.0, 14, 5.0), cpu, gpu));

    std::ofstream json(resultDir / "dij_gpu.json");
    json << "{\n  \"benchmark\": \"dij_gpu\",\n"
         << "  \"device\": \"" << gpu.deviceDescription() << "\",\n"
         << "  \"threads\": " << beamlet::defaultThreadCount() << ",\n"
         << "  \"cases\": [\n";
    for (std::size_t i = 0; i < results.size(); ++i) {
      const Result& r = results[i];
      json << "    {\"case\": \"" << r.name << "\", \"bixels\": " << r.bixels
           << ", \"voxels\": " << r.voxels << ", \"nonZeros\": " << r.nonZeros
           << ", \"cpuDijSeconds\": " << r.cpuDij << ", \"gpuDijSeconds\": " << r.gpuDij
           << ", \"speedup\": " << r.cpuDij / r.gpuDij
           << ", \"cpuTenProductPairsSeconds\": " << r.cpuProducts
           << ", \"gpuTenProductPairsSeconds\": " << r.gpuProducts << "}"
           << (i + 1 < results.size() ? ",\n" : "\n");
    }
    json << "  ]\n}\n";
    json.close();
    std::printf("results: %s\n", (resultDir / "dij_gpu.json").c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_dij_gpu: error: %s\n", e.what());
    return 1;
  }
#else
  return 77;
#endif
}
