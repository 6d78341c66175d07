// Planner stages measured on OpenKBP (docs/optimization.md, "Planner on head-and-neck"): organs
// at risk with a constraint own every dose voxel they touch; the dose-correction multiplier adds
// its offset to Dij w and leaves the gradient alone.

#include "beamlet/core/ContourRasterizer.h"
#include "beamlet/core/Error.h"
#include "beamlet/core/Phantom.h"
#include "beamlet/dose/Planner.h"

#include <QtTest/QtTest>

#include <algorithm>

using namespace beamlet;

namespace {

long count(const Mask& m) {
  return std::count(m.voxels().begin(), m.voxels().end(), 1);
}

// A 2-row, 2-column matrix behind the DoseMultiplier interface.
class Small final : public dose::DoseMultiplier {
public:
  std::size_t rows() const override { return 2; }
  std::size_t columns() const override { return 2; }
  std::vector<double> multiply(const std::vector<double>& w) const override {
    return {1.0 * w[0] + 2.0 * w[1], 3.0 * w[1]};
  }
  std::vector<double> multiplyTransposed(const std::vector<double>& d) const override {
    return {1.0 * d[0], 2.0 * d[0] + 3.0 * d[1]};
  }
};

} // namespace

class TestPlannerStages : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void hardLimitedOrgansOwnEveryVoxelTheyTouch() {
    const PhantomCase tg119 = makeTg119Phantom();
    dose::Protocol protocol = dose::loadShippedProtocol("tg119-cshape");
    const auto coreMask = [&](const dose::Protocol& p, Mask& centres, long& touched) {
      const dose::PlanningSetup setup = dose::preparePlanning(tg119.ct, tg119.structures, p);
      const Structure& core = *tg119.structures.findByName("Core");
      centres = rasterize(core, setup.problem.doseGrid);
      const VolumeF32 fraction = rasterizeFraction(core, setup.problem.doseGrid);
      touched = std::count_if(fraction.voxels().begin(), fraction.voxels().end(),
                              [](float f) { return f > 0.0f; });
      for (std::size_t s = 0; s < setup.matches.size(); ++s) {
        if (setup.matches[s].protocolName == "Core") {
          return setup.masks[s];
        }
      }
      return Mask();
    };
    Mask centres;
    long touched = 0;
    // The shipped protocol has objectives only on the Core (soft): voxel centres inside.
    QVERIFY(coreMask(protocol, centres, touched).voxels() == centres.voxels());
    // With a constraint (a hard limit) every voxel the Core touches: on the 3 mm grid, a radius
    // of 10 mm touches well over a quarter more voxels than hold their centre inside it.
    dose::ProtocolObjective limit;
    limit.type = "squared_overdose";
    limit.doseGy = 20.0;
    limit.constraint = true;
    for (dose::ProtocolStructure& ps : protocol.structures) {
      if (ps.name == "Core") {
        ps.objectives.push_back(limit);
      }
    }
    const Mask hard = coreMask(protocol, centres, touched);
    QCOMPARE(count(hard), touched);
    QVERIFY2(touched > count(centres) + count(centres) / 4,
             qPrintable(QString("%1 touched, %2 centres").arg(touched).arg(count(centres))));
    for (std::size_t n = 0; n < hard.size(); ++n) {
      QVERIFY(centres[n] == 0 || hard[n] == 1);
    }
  }

  void correctedDoseAddsItsOffset() {
    const Small matrix;
    const dose::CorrectedDoseMultiplier corrected(matrix, {0.5, -1.0});
    const std::vector<double> d = corrected.multiply({1.0, 2.0});
    QCOMPARE(d[0], 5.5);
    QCOMPARE(d[1], 5.0);
    const std::vector<double> g = corrected.multiplyTransposed({1.0, 1.0});
    QCOMPARE(g[0], 1.0);
    QCOMPARE(g[1], 5.0);
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError,
                             dose::CorrectedDoseMultiplier(matrix, {1.0, 2.0, 3.0}));
  }
};

QTEST_APPLESS_MAIN(TestPlannerStages)
#include "TestPlannerStages.moc"
