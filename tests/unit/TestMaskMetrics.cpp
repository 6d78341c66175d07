// Dice, volumes and surface distances of two masks (core/MaskMetrics.h) on non-cubic grids with
// unequal spacing: literal values worked out by hand in the comments, the exact distance transform
// against brute force, and the empty cases.

#include "beamlet/core/Error.h"
#include "beamlet/core/MaskMetrics.h"

#include <QtTest/QtTest>

#include <cmath>
#include <limits>

using namespace beamlet;

namespace {

// Sets voxels i in [i0, i1), j in [j0, j1), k in [k0, k1).
void box(Mask& m, int i0, int i1, int j0, int j1, int k0, int k1) {
  for (int k = k0; k < k1; ++k) {
    for (int j = j0; j < j1; ++j) {
      for (int i = i0; i < i1; ++i) {
        m(i, j, k) = 1;
      }
    }
  }
}

bool near(double a, double b, double tol = 1e-9) {
  return std::abs(a - b) <= tol;
}

} // namespace

class TestMaskMetrics : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void identicalMasks() {
    const ImageGeometry g({11, 8, 6}, Vec3(-5, 3, 10), Vec3(0.7, 1.3, 2.0));
    Mask a(g, 0);
    box(a, 2, 7, 2, 6, 1, 4);
    const MaskComparison c = compareMasks(a, a);
    QCOMPARE(c.dice, 1.0);
    QCOMPARE(c.hausdorffMm, 0.0);
    QCOMPARE(c.hd95Mm, 0.0);
    QCOMPARE(c.meanSurfaceDistanceMm, 0.0);
    QCOMPARE(c.referenceVoxels, std::size_t{60});
    QVERIFY(near(c.referenceVolumeCc, 60 * 0.7 * 1.3 * 2.0 / 1000.0));
    QCOMPARE(c.volumeDifferenceCc, 0.0);
    QCOMPARE(c.volumeDifferencePercent, 0.0);
    // 5 x 4 x 3 box: 3 x 2 x 1 = 6 interior voxels, 54 on the surface.
    QCOMPARE(c.referenceSurfaceVoxels, std::size_t{54});
    QCOMPARE(c.evaluatedSurfaceVoxels, std::size_t{54});
  }

  void boxesOffsetAlongI() {
    // 12 x 9 x 7 voxels of 0.7 x 1.3 x 2.0 mm. A: i 2..6, j 2..5, k 2..4 (5 x 4 x 3 = 60 voxels);
    // B: A moved by 2 voxels along i (i 4..8). Overlap i 4..6: 36 voxels, Dice 72 / 120 = 0.6.
    const ImageGeometry g({12, 9, 7}, Vec3(10, -20, 35), Vec3(0.7, 1.3, 2.0));
    Mask a(g, 0);
    Mask b(g, 0);
    box(a, 2, 7, 2, 6, 2, 5);
    box(b, 4, 9, 2, 6, 2, 5);
    const MaskComparison c = compareMasks(a, b);
    QCOMPARE(c.overlapVoxels, std::size_t{36});
    QVERIFY(near(c.dice, 0.6));
    // A's 54 surface voxels to B's surface: face i = 2 (12 voxels) 2 x 0.7 = 1.4 mm to B's face
    // i = 4; i = 3 (10 surface voxels) 0.7 mm; the two voxels of face i = 6 inside B's j-k
    // interior (j 3..4, k 3) 1.3 mm to B's faces j = 2 / j = 5; the other 30 lie on B's surface
    // (0 mm). B to A is the mirror image. Union of 108: 60 x 0, 20 x 0.7, 4 x 1.3, 24 x 1.4.
    QCOMPARE(c.referenceSurfaceVoxels, std::size_t{54});
    QCOMPARE(c.evaluatedSurfaceVoxels, std::size_t{54});
    QVERIFY(near(c.hausdorffMm, 1.4));
    // 95th percentile: position 0.95 x 107 = 101.65, between order statistics 101 and 102 (both
    // 1.4 mm: 84..107 are 1.4).
    QVERIFY(near(c.hd95Mm, 1.4));
    // Mean of the union: 2 x (12 x 1.4 + 10 x 0.7 + 2 x 1.3) / 108 = 52.8 / 108.
    QVERIFY(near(c.meanSurfaceDistanceMm, 52.8 / 108.0));
    QVERIFY(near(c.volumeDifferenceCc, 0.0));

    const std::vector<double> ab = directedSurfaceDistancesMm(a, b);
    QCOMPARE(ab.size(), std::size_t{54});
    QCOMPARE(std::count_if(ab.begin(), ab.end(), [](double d) { return near(d, 1.3); }), 2L);
  }

  void slabsOneSliceApart() {
    // 5 x 4 x 6 voxels of 0.8 x 1.5 x 2.5 mm. A: slices k 1..2, B: k 3..4, each the whole slice
    // (every voxel on the surface: the slab is two voxels thick and touches the grid border).
    // A to B: k = 2 -> 2.5 mm, k = 1 -> 5.0 mm; B to A the same. Union: 40 x 2.5, 40 x 5.0.
    const ImageGeometry g({5, 4, 6}, Vec3(0, 0, 0), Vec3(0.8, 1.5, 2.5));
    Mask a(g, 0);
    Mask b(g, 0);
    box(a, 0, 5, 0, 4, 1, 3);
    box(b, 0, 5, 0, 4, 3, 5);
    const MaskComparison c = compareMasks(a, b);
    QCOMPARE(c.dice, 0.0);
    QCOMPARE(c.referenceSurfaceVoxels, std::size_t{40});
    QVERIFY(near(c.hausdorffMm, 5.0));
    QVERIFY(near(c.hd95Mm, 5.0)); // position 0.95 x 79 = 75.05 (40..79 are 5.0)
    QVERIFY(near(c.meanSurfaceDistanceMm, 3.75));
    QVERIFY(near(c.referenceVolumeCc, 40 * 3.0 / 1000.0));

    // B thicker: k 3..5, 60 voxels; the 3 x 2 voxels of slice 4 off the i and j borders are
    // interior (k 3 and 5 inside), so 54 surface voxels.
    Mask thick(g, 0);
    box(thick, 0, 5, 0, 4, 3, 6);
    const MaskComparison t = compareMasks(a, thick);
    QCOMPARE(t.evaluatedSurfaceVoxels, std::size_t{54});
    QVERIFY(near(t.volumeDifferenceCc, 20 * 3.0 / 1000.0));
    QVERIFY(near(t.volumeDifferencePercent, 50.0));
    // A to B: 20 x 2.5, 20 x 5.0; B to A: k 3 -> 2.5 (20), k 4 -> 5.0 (14), k 5 -> 7.5 (20).
    // Union of 94: 40 x 2.5, 34 x 5.0, 20 x 7.5: HD 7.5, mean 420 / 94, 95th percentile at
    // position 0.95 x 93 = 88.35 (74..93 are 7.5): 7.5.
    QVERIFY(near(t.hausdorffMm, 7.5));
    QVERIFY(near(t.meanSurfaceDistanceMm, 420.0 / 94.0));
    QVERIFY(near(t.hd95Mm, 7.5));
  }

  void percentileInterpolates() {
    QVERIFY(near(percentileLinear({5, 1, 4, 2, 3}, 95.0), 4.8)); // position 3.8
    QVERIFY(near(percentileLinear({2.0}, 95.0), 2.0));
    QVERIFY(near(percentileLinear({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 50.0), 6.0));
    QVERIFY(std::isnan(percentileLinear({}, 95.0)));
  }

  void surfaceOfFullGrid() {
    // Every voxel of a full 4 x 3 x 3 grid is inside; only the 2 x 1 x 1 core is off the border.
    const ImageGeometry g({4, 3, 3}, Vec3(0, 0, 0), Vec3(1.0, 2.0, 3.0));
    const Mask full(g, 1);
    const Mask s = surfaceOf(full);
    QCOMPARE(std::count(s.voxels().begin(), s.voxels().end(), 1), 34L);
    QCOMPARE(s(1, 1, 1), std::uint8_t{0});
    QCOMPARE(s(2, 1, 1), std::uint8_t{0});
  }

  void distanceTransformIsExact() {
    // A scattered pattern on 9 x 7 x 5 voxels of 0.6 x 1.1 x 2.7 mm against brute force.
    const ImageGeometry g({9, 7, 5}, Vec3(1, 2, 3), Vec3(0.6, 1.1, 2.7));
    Mask m(g, 0);
    unsigned state = 12345;
    for (std::size_t n = 0; n < m.size(); ++n) {
      state = state * 1103515245u + 12345u;
      m[n] = (state >> 16) % 23 == 0 ? 1 : 0;
    }
    m(0, 0, 0) = 1;
    const std::vector<double> d2 = squaredDistanceTransformMm2(m);
    for (int k = 0; k < 5; ++k) {
      for (int j = 0; j < 7; ++j) {
        for (int i = 0; i < 9; ++i) {
          double best = std::numeric_limits<double>::infinity();
          for (int c = 0; c < 5; ++c) {
            for (int b = 0; b < 7; ++b) {
              for (int a = 0; a < 9; ++a) {
                if (m(a, b, c) != 0) {
                  const double dx = (i - a) * 0.6;
                  const double dy = (j - b) * 1.1;
                  const double dz = (k - c) * 2.7;
                  best = std::min(best, dx * dx + dy * dy + dz * dz);
                }
              }
            }
          }
          QVERIFY(near(d2[g.linearIndex(i, j, k)], best, 1e-9));
        }
      }
    }
    // Empty mask: infinite everywhere.
    const std::vector<double> none = squaredDistanceTransformMm2(Mask(g, 0));
    QVERIFY(std::isinf(none.front()) && std::isinf(none.back()));
  }

  void emptyMasks() {
    const ImageGeometry g({6, 5, 4}, Vec3(0, 0, 0), Vec3(1.0, 1.5, 2.0));
    const Mask empty(g, 0);
    Mask a(g, 0);
    box(a, 1, 3, 1, 3, 1, 3);
    const MaskComparison both = compareMasks(empty, empty);
    QCOMPARE(both.dice, 1.0);
    QVERIFY(std::isnan(both.hausdorffMm) && std::isnan(both.hd95Mm) &&
            std::isnan(both.meanSurfaceDistanceMm));
    QVERIFY(std::isnan(both.volumeDifferencePercent));
    const MaskComparison missing = compareMasks(a, empty);
    QCOMPARE(missing.dice, 0.0);
    QVERIFY(std::isnan(missing.hd95Mm));
    QVERIFY(near(missing.volumeDifferencePercent, -100.0));
    QCOMPARE(missing.referenceSurfaceVoxels, std::size_t{8});
    const MaskComparison extra = compareMasks(empty, a);
    QCOMPARE(extra.dice, 0.0);
    QVERIFY(std::isnan(extra.meanSurfaceDistanceMm));
    QVERIFY(std::isnan(extra.volumeDifferencePercent));
  }

  void differentGridsAreRefused() {
    const Mask a(ImageGeometry({4, 4, 4}, Vec3(0, 0, 0), Vec3(1, 1, 1)), 1);
    const Mask b(ImageGeometry({4, 4, 5}, Vec3(0, 0, 0), Vec3(1, 1, 1)), 1);
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, compareMasks(a, b));
  }
};

QTEST_APPLESS_MAIN(TestMaskMetrics)
#include "TestMaskMetrics.moc"
