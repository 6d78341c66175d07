// The CUDA Dij against the CPU engine's: on matRad's golden case and on a synthetic water box with
// four beams and 196 bixels, the largest difference is at most 0.1% of the matrix's maximum and
// the entry counts agree within 0.1%; the device copy's products agree with Dij's within 1e-4.
// Without a CUDA device (or a build without CUDA) the test checks the CPU fallback and prints
// "skipped: no CUDA device"; BEAMLET_REQUIRE_CUDA=1 (tests/gpu/device-check.sh) makes that a
// failure.

#include "MatradGolden.h"
#include "WaterBoxCase.h"

#include "beamlet/core/Error.h"
#include "beamlet/dose/DoseEngine.h"
#include "beamlet/dose/FluenceOptimizer.h"
#include "beamlet/dose/SvdPencilBeam.h"

#ifdef BEAMLET_WITH_CUDA
#include "cuda/CudaPencilBeam.h"
#endif

#include <QtTest/QtTest>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

using namespace beamlet;

namespace {

bool cudaRequired() {
  const char* env = std::getenv("BEAMLET_REQUIRE_CUDA");
  return env != nullptr && std::string(env) == "1";
}

#ifdef BEAMLET_WITH_CUDA

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// max_i |a_i - b_i| / max_i |b_i|
double relativeDifference(const std::vector<double>& a, const std::vector<double>& b) {
  double worst = 0.0;
  double scale = 0.0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    worst = std::max(worst, std::abs(a[i] - b[i]));
    scale = std::max(scale, std::abs(b[i]));
  }
  return scale > 0.0 ? worst / scale : worst;
}

std::vector<double> randomVector(std::size_t n, unsigned seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> uniform(0.5, 1.5);
  std::vector<double> v(n);
  for (double& x : v) {
    x = uniform(random);
  }
  return v;
}

void compareEngines(const dose::DoseProblem& problem, const std::vector<dose::Bixel>& bixels,
                    const char* label) {
  const dose::PhotonMachine machine = dose::loadShippedMachine();
  const dose::SvdPencilBeam cpu(machine);
  const dose::cuda::CudaPencilBeam gpu(machine);
  const dose::DijOptions options;
  auto t0 = std::chrono::steady_clock::now();
  const dose::Dij a = cpu.computeDij(problem, bixels, options);
  const double cpuSeconds = secondsSince(t0);
  t0 = std::chrono::steady_clock::now();
  const dose::Dij b = gpu.computeDij(problem, bixels, options);
  const double gpuSeconds = secondsSince(t0);
  QCOMPARE(b.rows(), a.rows());
  QCOMPARE(b.columns(), a.columns());

  // Entry by entry, each column scattered onto the rows.
  double max = 0.0;
  double worst = 0.0;
  std::vector<double> ca(a.rows());
  std::vector<double> cb(b.rows());
  for (std::size_t j = 0; j < a.columns(); ++j) {
    std::fill(ca.begin(), ca.end(), 0.0);
    std::fill(cb.begin(), cb.end(), 0.0);
    for (std::size_t e = a.columnBegin(j); e < a.columnEnd(j); ++e) {
      ca[a.rowAt(e)] = a.valueAt(e);
    }
    for (std::size_t e = b.columnBegin(j); e < b.columnEnd(j); ++e) {
      cb[b.rowAt(e)] = b.valueAt(e);
    }
    for (std::size_t i = 0; i < ca.size(); ++i) {
      max = std::max(max, ca[i]);
      worst = std::max(worst, std::abs(cb[i] - ca[i]));
    }
  }
  const double nnzA = static_cast<double>(a.nonZeros());
  const double nnzB = static_cast<double>(b.nonZeros());
  qInfo("%s: %zu bixels, %zu voxels; CPU %.3f s, %zu entries; GPU %.3f s, %zu entries; largest "
        "difference %.2e of the max (%.3e)",
        label, a.columns(), a.rows(), cpuSeconds, a.nonZeros(), gpuSeconds, b.nonZeros(),
        worst / max, max);
  QVERIFY(max > 0.0);
  QVERIFY(worst <= 1e-3 * max);
  QVERIFY(std::abs(nnzB - nnzA) <= 1e-3 * nnzA);

  // The device copy: the same matrix, and its products against Dij's on the host.
  const std::shared_ptr<dose::cuda::DeviceDij> device = gpu.lastDeviceDij();
  QVERIFY(device != nullptr);
  QCOMPARE(device->rows(), b.rows());
  QCOMPARE(device->columns(), b.columns());
  QCOMPARE(device->nonZeros(), b.nonZeros());
  const std::vector<double> w = randomVector(b.columns(), 1);
  const std::vector<double> d = randomVector(b.rows(), 2);
  const double multiply = relativeDifference(device->multiply(w), b.multiply(w));
  const double transposed =
      relativeDifference(device->multiplyTransposed(d), b.multiplyTransposed(d));
  qInfo("%s: DeviceDij multiply %.2e, multiplyTransposed %.2e relative to Dij's", label, multiply,
        transposed);
  QVERIFY(multiply <= 1e-4);
  QVERIFY(transposed <= 1e-4);

  // The optimiser's products for this matrix run on the device, and an optimisation there ends
  // where the same one on the host's copy does.
  const std::unique_ptr<dose::DoseMultiplier> products = gpu.multiplierFor(b);
  QCOMPARE(products->device(), std::string("cuda"));
  QCOMPARE(cpu.multiplierFor(b)->device(), std::string("cpu"));
  std::vector<std::uint32_t> rows(b.rows());
  std::iota(rows.begin(), rows.end(), 0u);
  const std::vector<double> ones(b.columns(), 1.0);
  const std::vector<double> open = b.multiply(ones);
  const double level = 0.5 * *std::max_element(open.begin(), open.end());
  std::vector<std::unique_ptr<dose::Objective>> objectives;
  objectives.push_back(std::make_unique<dose::SquaredDeviation>(rows, level));
  const dose::OptimizerResult onDevice = dose::optimizeFluence(*products, objectives, {}, {});
  const dose::OptimizerResult onHost =
      dose::optimizeFluence(dose::DijMultiplier(b), objectives, {}, {});
  qInfo("%s: optimisation on the device %.6g (%d evaluations), on the host %.6g (%d)", label,
        onDevice.objective, onDevice.iterations, onHost.objective, onHost.iterations);
  QVERIFY(std::abs(onDevice.objective - onHost.objective) <= 1e-3 * onHost.objective + 1e-9);
}

#endif

} // namespace

class TestGpuDij : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase() {
    std::string why;
    if (dose::cudaAvailable(&why)) {
      QCOMPARE(dose::makeDoseEngine("svd-pencil-beam", dose::Device::Auto)->device(),
               std::string("cuda"));
      return;
    }
    qInfo("%s", why.c_str());
    // Without a device: the CPU for auto, an error for cuda.
    QCOMPARE(dose::makeDoseEngine("svd-pencil-beam", dose::Device::Auto)->device(),
             std::string("cpu"));
    QVERIFY_THROWS_EXCEPTION(UnsupportedError,
                             dose::makeDoseEngine("svd-pencil-beam", dose::Device::Cuda));
    if (cudaRequired()) {
      QFAIL(("BEAMLET_REQUIRE_CUDA=1 but no CUDA device: " + why).c_str());
    }
    QSKIP("skipped: no CUDA device");
  }

  void matradGolden() {
#ifdef BEAMLET_WITH_CUDA
    BEAMLET_REQUIRE_DATA("beam/matrad/photons_testData/dij_coo.csv");
    test::MatradGolden g;
    BEAMLET_NO_THROW(g = test::loadMatradGolden());
    BEAMLET_NO_THROW(compareEngines(g.problem, g.bixels, "matRad golden"));
#endif
  }

  void waterBox() {
#ifdef BEAMLET_WITH_CUDA
    const test::WaterBoxCase c = test::waterBoxCase();
    QCOMPARE(c.bixels.size(), std::size_t{196});
    BEAMLET_NO_THROW(compareEngines(c.problem, c.bixels, "water box"));
#endif
  }
};

QTEST_APPLESS_MAIN(TestGpuDij)
#include "TestGpuDij.moc"
