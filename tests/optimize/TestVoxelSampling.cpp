// Voxel sampling for fluence optimisation (VoxelSampling.h, Planner.h): the margin's ball, the
// lattice, and the planner's selection on a hand-made case whose counts are worked out below:
// every target and organ-at-risk voxel kept, the normal tissue beyond the margin on the lattice,
// and the normal-tissue objective split into a full and a sampled part whose weights keep its
// scale.
//
// The case: a 12 x 12 x 12 grid of 3 mm voxels, all computed (1728). Target: i, j, k in 4..7 (64
// voxels). Organ at risk: i in 8..9, j and k in 4..7 (32). External: every voxel. Margin 3 mm:
// the target plus its 6 face neighbours' layer (64 + 6 x 16 = 160 voxels; the diagonal
// neighbours are 4.2 mm away). Kept in full: target, margin, organ (its i = 9 layer adds 16):
// 176. The rest (1552) is sampleable; the stride-2 lattice has 6^3 = 216 points, of which 20 lie
// in the kept region (8 in the target, 4 on each of the i = 8, j = 8 and k = 8 faces), leaving 196.
// Rows: 176 + 196 = 372. External's voxels (overlap priority: target, organ, External): 1728 - 64
// - 32 = 1632, of which 80 in the margin (kept in full: the 96 margin voxels less the organ's 16)
// and 1552 sampled.

#include "beamlet/core/Error.h"
#include "beamlet/dose/Planner.h"
#include "beamlet/dose/VoxelSampling.h"

#include <QtTest/QtTest>

#include <algorithm>
#include <numeric>

using namespace beamlet;
using namespace beamlet::dose;

namespace {

const ImageGeometry kGrid({12, 12, 12}, Vec3::Zero(), Vec3(3, 3, 3));

Mask box(int i0, int i1, int j0, int j1, int k0, int k1) {
  Mask m(kGrid, 0);
  for (int k = k0; k <= k1; ++k) {
    for (int j = j0; j <= j1; ++j) {
      for (int i = i0; i <= i1; ++i) {
        m(i, j, k) = 1;
      }
    }
  }
  return m;
}

ProtocolStructure structure(const std::string& name, const std::string& role, int priority,
                            const std::string& objective, double doseGy, double weight) {
  ProtocolStructure s;
  s.name = name;
  s.role = role;
  s.priority = priority;
  ProtocolObjective o;
  o.type = objective;
  o.doseGy = doseGy;
  o.weight = weight;
  o.volumePercent = 10.0;
  s.objectives.push_back(o);
  return s;
}

struct Case {
  Protocol protocol;
  PlanningSetup setup;
};

/// The case above; `externalObjective`: the type of External's objective.
Case makeCase(const std::string& externalObjective = "squared_overdose") {
  Case c;
  c.protocol.structures = {structure("PTV", "target", 1, "squared_underdose", 50.0, 100.0),
                           structure("OAR", "oar", 2, "max_dvh", 25.0, 50.0),
                           structure("External", "external", 3, externalObjective, 40.0, 5.0)};
  c.setup.problem.doseGrid = kGrid;
  c.setup.problem.voxels.resize(kGrid.voxelCount());
  std::iota(c.setup.problem.voxels.begin(), c.setup.problem.voxels.end(), 0u);
  c.setup.masks = {box(4, 7, 4, 7, 4, 7), box(8, 9, 4, 7, 4, 7), box(0, 11, 0, 11, 0, 11)};
  for (std::size_t s = 0; s < 3; ++s) {
    StructureMatch m;
    m.protocolName = c.protocol.structures[s].name;
    m.setName = m.protocolName;
    m.role = c.protocol.structures[s].role;
    m.setIndex = static_cast<int>(s);
    c.setup.matches.push_back(m);
  }
  c.setup.targets = c.setup.masks[0];
  return c;
}

VoxelSamplingOptions sampling(int stride, double marginMm) {
  VoxelSamplingOptions o;
  o.stride = stride;
  o.targetMarginMm = marginMm;
  return o;
}

double sumOf(const FluenceGoals& goals, const std::vector<double>& dose) {
  double f = 0.0;
  for (const auto& o : goals.objectives) {
    f += o->value(dose);
  }
  return f;
}

} // namespace

class TestVoxelSampling : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void dilateMaskIsABall() {
    // One voxel, spacing 1 x 1 x 2 mm, radius 2 mm: 13 voxels in its plane (|di|, |dj| with
    // di^2 + dj^2 <= 4) and one above and one below.
    const ImageGeometry g({9, 9, 9}, Vec3::Zero(), Vec3(1, 1, 2));
    Mask one(g, 0);
    one(4, 4, 4) = 1;
    const Mask ball = dilateMask(one, 2.0);
    QCOMPARE(std::count(ball.voxels().begin(), ball.voxels().end(), 1), 15);
    QCOMPARE(ball(4, 4, 5), std::uint8_t{1});
    QCOMPARE(ball(5, 4, 5), std::uint8_t{0});
    QCOMPARE(ball(6, 4, 4), std::uint8_t{1});
    QCOMPARE(ball(5, 5, 4), std::uint8_t{1});
    // Radius 0 leaves the mask as it is; a negative one is refused.
    const Mask same = dilateMask(one, 0.0);
    QCOMPARE(std::count(same.voxels().begin(), same.voxels().end(), 1), 1);
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, dilateMask(one, -1.0));
  }

  void latticeKeepsOneIn27() {
    std::vector<std::uint32_t> voxels(kGrid.voxelCount());
    std::iota(voxels.begin(), voxels.end(), 0u);
    const Mask all(kGrid, 1);
    const std::vector<std::uint32_t> kept = latticeSample(voxels, all, 3);
    QCOMPARE(kept.size(), std::size_t{64}); // i, j, k in {0, 3, 6, 9}
    QCOMPARE(kept[1], static_cast<std::uint32_t>(kGrid.linearIndex(3, 0, 0)));
    QCOMPARE(kept.back(), static_cast<std::uint32_t>(kGrid.linearIndex(9, 9, 9)));
    // Voxels outside the sampleable mask are all kept; stride 1 keeps everything.
    const Mask none(kGrid, 0);
    QCOMPARE(latticeSample(voxels, none, 3).size(), voxels.size());
    QCOMPARE(latticeSample(voxels, all, 1).size(), voxels.size());
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, latticeSample(voxels, all, 0));
  }

  void plannerSelection() {
    const Case c = makeCase();
    const OptimizationVoxels rows = selectOptimizationVoxels(c.setup, c.protocol, sampling(2, 3.0));
    QCOMPARE(rows.voxels.size(), std::size_t{372});
    QVERIFY(std::is_sorted(rows.voxels.begin(), rows.voxels.end()));
    // Every target and organ voxel is a row, in full.
    for (std::size_t s = 0; s < 2; ++s) {
      for (std::size_t n = 0; n < kGrid.voxelCount(); ++n) {
        if (c.setup.masks[s][n] != 0) {
          QVERIFY(std::binary_search(rows.voxels.begin(), rows.voxels.end(), n));
        }
      }
      QVERIFY(rows.sampledRows[s].empty());
      QCOMPARE(rows.sampledRegionVoxels[s], std::size_t{0});
    }
    QCOMPARE(rows.fullRows[0].size(), std::size_t{64});
    QCOMPARE(rows.fullRows[1].size(), std::size_t{32});
    // External: the margin in full, the rest on the lattice.
    QCOMPARE(rows.structureVoxels[2], std::size_t{1632});
    QCOMPARE(rows.fullRows[2].size(), std::size_t{80});
    QCOMPARE(rows.sampledRegionVoxels[2], std::size_t{1552});
    QCOMPARE(rows.sampledRows[2].size(), std::size_t{196});
    // A voxel next to the target (in the margin) and one far from it, off the lattice.
    QVERIFY(std::binary_search(rows.voxels.begin(), rows.voxels.end(),
                               static_cast<std::uint32_t>(kGrid.linearIndex(3, 5, 5))));
    QVERIFY(!std::binary_search(rows.voxels.begin(), rows.voxels.end(),
                                static_cast<std::uint32_t>(kGrid.linearIndex(1, 0, 0))));
    QVERIFY(std::binary_search(rows.voxels.begin(), rows.voxels.end(),
                               static_cast<std::uint32_t>(kGrid.linearIndex(2, 0, 0))));
  }

  void weightsKeepTheObjectivesScale() {
    const Case c = makeCase();
    const OptimizationVoxels rows = selectOptimizationVoxels(c.setup, c.protocol, sampling(2, 3.0));
    const FluenceGoals goals = makeFluenceGoals(c.setup, c.protocol, rows);
    // PTV, OAR, External in full (80 voxels), External sampled (196 voxels standing for 1552).
    QCOMPARE(goals.objectives.size(), std::size_t{4});
    QCOMPARE(goals.objectives[0]->weight(), 100.0);
    QCOMPARE(goals.objectives[1]->weight(), 50.0);
    QCOMPARE(goals.objectives[2]->rows().size(), std::size_t{80});
    QCOMPARE(goals.objectives[3]->rows().size(), std::size_t{196});
    QVERIFY(std::abs(goals.objectives[2]->weight() - 5.0 * 80.0 / 1632.0) < 1e-12);
    QVERIFY(std::abs(goals.objectives[3]->weight() - 5.0 * 1552.0 / 1632.0) < 1e-12);
    QCOMPARE(goals.objectives[3]->structure(), std::string("External (sampled)"));

    // A uniform 45 Gy: External's 5 Gy overdose costs 5 x 25 = 125 as on every voxel; the target
    // (50 Gy wanted) 100 x 25 = 2500, the organ (at most 10% above 25 Gy) 50 x 400 = 20000.
    const std::vector<double> uniform(rows.voxels.size(), 45.0);
    QVERIFY(std::abs(goals.objectives[2]->value(uniform) + goals.objectives[3]->value(uniform) -
                     125.0) < 1e-9);
    QVERIFY(std::abs(sumOf(goals, uniform) - 22625.0) < 1e-9);

    // A dose rising along i (40 + i Gy). On all 1632 External voxels the objective is
    // (5 / 1632) sum i^2 = 5 x 68528 / 1632. The estimate is the margin's 80 voxels in full (sum
    // i^2 = 2160: 16 at i = 3, 4 x 504 on the j and k faces) plus the 196 lattice voxels (sum
    // 7248), each standing for 1552 / 196: lower here, as the even-i lattice never sees i = 11.
    const FluenceGoals full = makeFluenceGoals(
        c.setup, c.protocol, selectOptimizationVoxels(c.setup, c.protocol, sampling(1, 3.0)));
    QCOMPARE(full.objectives.size(), std::size_t{3});
    std::vector<double> rising(kGrid.voxelCount());
    for (std::size_t n = 0; n < rising.size(); ++n) {
      rising[n] = 40.0 + static_cast<double>(n % 12);
    }
    std::vector<double> risingRows;
    for (std::uint32_t v : rows.voxels) {
      risingRows.push_back(rising[v]);
    }
    const double exact = full.objectives[2]->value(rising);
    const double estimate =
        goals.objectives[2]->value(risingRows) + goals.objectives[3]->value(risingRows);
    qInfo("External objective on every voxel %.4f, sampled estimate %.4f", exact, estimate);
    QVERIFY(std::abs(exact - 5.0 * 68528.0 / 1632.0) < 1e-9);
    QVERIFY(std::abs(estimate - 5.0 / 1632.0 * (2160.0 + 1552.0 * 7248.0 / 196.0)) < 1e-9);
  }

  void structuresWithOtherObjectivesAreKept() {
    // A mean-dose objective is not a voxel sum: External is then kept in full.
    const Case c = makeCase("mean_dose");
    const OptimizationVoxels rows = selectOptimizationVoxels(c.setup, c.protocol, sampling(2, 3.0));
    QCOMPARE(rows.voxels.size(), kGrid.voxelCount());
    QVERIFY(rows.sampledRows[2].empty());
    QCOMPARE(makeFluenceGoals(c.setup, c.protocol, rows).objectives.size(), std::size_t{3});
  }
};

QTEST_APPLESS_MAIN(TestVoxelSampling)
#include "TestVoxelSampling.moc"
