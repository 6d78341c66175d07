// The SVD pencil beam against matRad's golden data: every bixel's dose and the total dose agree
// within 1% of the maximum (matRad's own test tolerance) in every voxel above 10% of it; and the
// generic machine's calibration point.

#include "MatradGolden.h"

#include "beamlet/core/Error.h"
#include "beamlet/dose/SvdPencilBeam.h"

#include <QtTest/QtTest>

#include <cmath>

using namespace beamlet;

class TestMatradGolden : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void dijAndDoseMatchMatrad() {
    BEAMLET_REQUIRE_DATA("beam/matrad/photons_testData/dij_coo.csv");
    test::MatradGolden g;
    BEAMLET_NO_THROW(g = test::loadMatradGolden());
    const dose::SvdPencilBeam engine(dose::loadShippedMachine());
    dose::DijOptions options;
    options.lateralCutoffMm = 50.0; // matRad's geometricLateralCutOff in this plan
    const dose::Dij dij = engine.computeDij(g.problem, g.bixels, options);
    QCOMPARE(dij.columns(), std::size_t{10});
    const std::size_t n = g.problem.doseGrid.voxelCount();
    double worstBixel = 0.0;
    for (std::size_t j = 0; j < dij.columns(); ++j) {
      std::vector<double> ours(n, 0.0);
      for (std::size_t e = dij.columnBegin(j); e < dij.columnEnd(j); ++e) {
        ours[dij.voxels()[dij.rowAt(e)]] = dij.valueAt(e);
      }
      const std::vector<double>& ref = g.columns[j];
      const double max = *std::max_element(ref.begin(), ref.end());
      for (std::size_t i = 0; i < n; ++i) {
        if (ref[i] > 0.1 * max) {
          worstBixel = std::max(worstBixel, std::abs(ours[i] - ref[i]) / max);
        }
      }
    }
    const VolumeF32 total = dij.doseVolume(std::vector<double>(dij.columns(), 1.0));
    const double max = *std::max_element(g.totalDose.begin(), g.totalDose.end());
    double worstTotal = 0.0;
    int compared = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (g.totalDose[i] > 0.1 * max) {
        worstTotal = std::max(worstTotal, std::abs(total[i] - g.totalDose[i]) / max);
        ++compared;
      }
    }
    qInfo("bixels: worst difference %.3f%% of the bixel max; total dose: %.3f%% of the max over "
          "%d voxels above 10%%",
          100 * worstBixel, 100 * worstTotal, compared);
    QVERIFY(compared > 100);
    QVERIFY(worstBixel <= 0.01);
    QVERIFY(worstTotal <= 0.01);
  }

  void calibrationPoint() {
    // matRad's generic machine: 50 x 50 mm at SSD 900 mm, 50 mm deep in water, unit weight.
    const dose::SvdPencilBeam engine(dose::loadShippedMachine());
    const double d = engine.openFieldDoseInWater(50.0, 900.0, 50.0);
    qInfo("50x50 mm, SSD 900 mm, 50 mm depth: %.4f Gy per unit weight", d);
    QVERIFY(std::abs(d - 1.012) <= 0.005 * 1.012);
    // MU calibration: 10 x 10 cm at SSD 1000 mm gives 1 cGy/MU at 15 mm.
    QVERIFY(std::abs(engine.openFieldDoseInWater(100.0, 1000.0, 15.0) * engine.weightPerMu() -
                     0.01) < 1e-6);
  }
};

QTEST_APPLESS_MAIN(TestMatradGolden)
#include "TestMatradGolden.moc"
