// The dose-influence matrix: bixels tiling a field add up to the field's dose, fp16 storage,
// the transposed product, the memory limit, progress and cancel.

#include "WaterBox.h"

#include "beamlet/core/Error.h"
#include "beamlet/dose/BeamletGrid.h"

#include <QtTest/QtTest>

#include <random>

using namespace beamlet;
using namespace beamlet::dose;

namespace {

struct Case {
  DoseProblem problem;
  std::vector<Bixel> bixels;
};

// Water box 160 x 120 x 160 mm (3 mm voxels), two beams, bixels of 5 mm tiling a 40 x 40 mm
// square around the isocentre.
Case waterCase() {
  Case c;
  const ImageGeometry grid = test::centredGrid(Vec3(3, 3, 3), Vec3(90, 75, 90));
  c.problem = test::waterBox(grid, grid, 81, 60, 81);
  c.problem.beams = {BeamSetup{"g0", BeamAngles{0, 0, 0}, Vec3::Zero()},
                     BeamSetup{"g90", BeamAngles{90, 0, 0}, Vec3::Zero()}};
  for (int beam = 0; beam < 2; ++beam) {
    for (int y = -3; y <= 4; ++y) {
      for (int x = -3; x <= 4; ++x) {
        Bixel b;
        b.beam = beam;
        b.xMm = 5.0 * x - 2.5;
        b.yMm = 5.0 * y - 2.5;
        b.widthMm = 5.0;
        c.bixels.push_back(b);
      }
    }
  }
  return c;
}

} // namespace

class TestDij : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void bixelsAddUpToTheField() {
    const SvdPencilBeam engine(loadShippedMachine());
    Case c = waterCase();
    DijOptions options;
    options.lateralCutoffMm = 60.0;
    const Dij dij = engine.computeDij(c.problem, c.bixels, options);
    QCOMPARE(dij.columns(), std::size_t{128});
    QVERIFY(dij.nonZeros() > 100000);
    const VolumeF32 fromDij = dij.doseVolume(std::vector<double>(dij.columns(), 1.0));
    // The same 40 x 40 mm fields as fluence (-20 .. 20 mm along X_b and Y_b).
    std::vector<BeamFluence> fields;
    for (int beam = 0; beam < 2; ++beam) {
      fields.push_back(test::openField(engine.machine(), beam, 40.0));
    }
    const VolumeF32 fromFluence = engine.computeFluenceDose(c.problem, fields);
    double max = 0.0;
    for (float v : fromFluence.voxels()) {
      max = std::max(max, static_cast<double>(v));
    }
    double worst = 0.0;
    for (std::uint32_t v : c.problem.voxels) {
      if (fromFluence[v] > 0.1 * max) {
        worst = std::max(worst, std::abs(static_cast<double>(fromDij[v] - fromFluence[v])));
      }
    }
    qInfo("%zu bixels, %zu voxels, %zu non-zeros, %.1f MiB; sum of bixels vs field: %.3f%% of "
          "the max",
          dij.columns(), dij.rows(), dij.nonZeros(), dij.bytes() / 1048576.0, 100 * worst / max);
    // The bixels' lateral cut-off (60 mm) leaves out a little scatter the field has.
    QVERIFY(worst <= 0.01 * max);
    for (const Bixel& b : dij.bixels()) {
      // Box surfaces 60 mm (gantry 0) and 81 mm (gantry 90) before the isocentre.
      QVERIFY(std::abs(b.ssdMm - (b.beam == 0 ? 940.0 : 919.0)) < 1.0);
    }
  }

  void halfPrecisionAndTransposedProduct() {
    const SvdPencilBeam engine(loadShippedMachine());
    Case c = waterCase();
    DijOptions options;
    const Dij full = engine.computeDij(c.problem, c.bixels, options);
    options.precision = DijPrecision::Float16;
    const Dij half = engine.computeDij(c.problem, c.bixels, options);
    QCOMPARE(half.nonZeros(), full.nonZeros());
    QVERIFY(half.bytes() < 0.8 * full.bytes()); // 6 instead of 8 bytes per entry
    double worst = 0.0;
    for (std::size_t j = 0; j < full.columns(); ++j) {
      const double max = full.columnMax(j);
      for (std::size_t n = full.columnBegin(j); n < full.columnEnd(j); ++n) {
        worst = std::max(worst, std::abs(full.valueAt(n) - half.valueAt(n)) / max);
      }
    }
    qInfo("fp16: worst rounding %.4f%% of the bixel max", 100 * worst);
    QVERIFY(worst <= 1e-3);
    // (Dij w) . d == w . (Dij^T d)
    std::mt19937 random(7);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<double> w(full.columns());
    std::vector<double> d(full.rows());
    for (double& x : w) {
      x = u(random);
    }
    for (double& x : d) {
      x = u(random);
    }
    const std::vector<double> dw = full.multiply(w);
    const std::vector<double> g = full.multiplyTransposed(d);
    double left = 0.0;
    double right = 0.0;
    for (std::size_t i = 0; i < d.size(); ++i) {
      left += dw[i] * d[i];
    }
    for (std::size_t j = 0; j < w.size(); ++j) {
      right += g[j] * w[j];
    }
    QVERIFY(std::abs(left - right) <= 1e-9 * std::abs(left));
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, full.multiply(std::vector<double>(3, 1.0)));
  }

  void memoryLimitAndCancel() {
    const SvdPencilBeam engine(loadShippedMachine());
    Case c = waterCase();
    DijOptions options;
    options.memoryLimitBytes = 100000;
    QVERIFY_THROWS_EXCEPTION(DataError, engine.computeDij(c.problem, c.bixels, options));
    ProgressMonitor monitor;
    double last = 0.0;
    monitor.setCallback([&](double f, const std::string&) {
      last = f;
      if (f > 0.5) {
        monitor.cancel();
      }
    });
    QVERIFY_THROWS_EXCEPTION(CancelledError,
                             engine.computeDij(c.problem, c.bixels, DijOptions{}, &monitor));
    QVERIFY(last > 0.5 && last < 1.0);
  }
};

QTEST_APPLESS_MAIN(TestDij)
#include "TestDij.moc"
