// Contours -> masks with literal expected voxels on a non-cubic grid with unequal spacing: even-odd
// holes, keyhole contours, nearest-slice assignment, partial-volume fractions.

#include "beamlet/core/ContourRasterizer.h"
#include "beamlet/core/Error.h"

#include <QtTest/QtTest>

using namespace beamlet;

namespace {

// 10 x 8 x 3 voxels of 1 x 2 x 3 mm, first voxel centre at the origin.
const ImageGeometry kGrid({10, 8, 3}, Vec3(0, 0, 0), Vec3(1, 2, 3));

Contour rectangle(double x0, double x1, double y0, double y1, double z, bool clockwise = false) {
  Contour c;
  c.points = {Vec3(x0, y0, z), Vec3(x1, y0, z), Vec3(x1, y1, z), Vec3(x0, y1, z)};
  if (clockwise) {
    std::reverse(c.points.begin(), c.points.end());
  }
  return c;
}

int count(const Mask& m, int k) {
  int n = 0;
  for (int j = 0; j < m.dims()[1]; ++j) {
    for (int i = 0; i < m.dims()[0]; ++i) {
      n += m(i, j, k) != 0 ? 1 : 0;
    }
  }
  return n;
}

} // namespace

class TestContourRasterizer : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void maskCentroidOnNonCubicGrid() {
    // 2 x 3 x 2.5 mm voxels from (-10, 20, 5): voxels (1, 0, 0) and (3, 2, 4) are at
    // (-8, 20, 5) and (-4, 26, 15); their centroid is (-6, 23, 10).
    const ImageGeometry g({5, 4, 6}, Vec3(-10, 20, 5), Vec3(2, 3, 2.5));
    Mask m(g, 0);
    Vec3 c;
    QVERIFY(!maskCentroid(m, c));
    m(1, 0, 0) = 1;
    m(3, 2, 4) = 1;
    QVERIFY(maskCentroid(m, c));
    QVERIFY((c - Vec3(-6, 23, 10)).norm() < 1e-12);
  }

  void rectangleCoversVoxelCentres() {
    Structure s;
    // x 1.5..5.5 mm holds centres i = 2..5; y 2..8 mm holds j = 1..3 (y = 2, 4, 6); z 3.1 -> k 1.
    s.contours.push_back(rectangle(1.5, 5.5, 2.0, 8.0, 3.1));
    const Mask m = rasterize(s, kGrid);
    QCOMPARE(count(m, 1), 12);
    QCOMPARE(count(m, 0), 0);
    QCOMPARE(m(2, 1, 1), std::uint8_t{1});
    QCOMPARE(m(5, 3, 1), std::uint8_t{1});
    QCOMPARE(m(6, 3, 1), std::uint8_t{0});
    QCOMPARE(m(2, 4, 1), std::uint8_t{0});
  }

  void nestedContourIsAHole() {
    Structure s;
    s.contours.push_back(rectangle(1.5, 5.5, 2.0, 8.0, 3.0));
    s.contours.push_back(rectangle(2.5, 4.5, 3.0, 5.0, 3.0)); // i = 3, 4 at j = 2 (y = 4)
    const Mask m = rasterize(s, kGrid);
    QCOMPARE(count(m, 1), 10);
    QCOMPARE(m(3, 2, 1), std::uint8_t{0});
    QCOMPARE(m(4, 2, 1), std::uint8_t{0});
    QCOMPARE(m(2, 2, 1), std::uint8_t{1});
  }

  void keyholeContourEqualsHole() {
    // One polygon: around the outside, in through a zero-width channel, around the hole the other
    // way, and back out.
    Structure s;
    Contour c;
    const double z = 3.0;
    c.points = {Vec3(1.5, 2, z), Vec3(5.5, 2, z), Vec3(5.5, 8, z), Vec3(3.5, 8, z),
                Vec3(3.5, 5, z), Vec3(4.5, 5, z), Vec3(4.5, 3, z), Vec3(2.5, 3, z),
                Vec3(2.5, 5, z), Vec3(3.5, 5, z), Vec3(3.5, 8, z), Vec3(1.5, 8, z)};
    s.contours.push_back(c);
    const Mask m = rasterize(s, kGrid);
    QCOMPARE(count(m, 1), 10);
    QCOMPARE(m(3, 2, 1), std::uint8_t{0});
  }

  void contourBetweenSlicesGoesToNearest() {
    Structure s;
    s.contours.push_back(rectangle(1.5, 2.5, 2.0, 4.0, 4.4)); // k = 1.47 -> 1
    s.contours.push_back(rectangle(1.5, 2.5, 2.0, 4.0, 4.6)); // k = 1.53 -> 2
    const Mask m = rasterize(s, kGrid);
    QCOMPARE(count(m, 1), 1);
    QCOMPARE(count(m, 2), 1);
    int outside = 0;
    Structure far;
    far.contours.push_back(rectangle(1.5, 2.5, 2.0, 4.0, 30.0));
    QCOMPARE(contoursOnGrid(far, kGrid, &outside).size(), std::size_t{0});
    QCOMPARE(outside, 1);
  }

  void tiltedContourIsRefused() {
    Structure s;
    Contour c;
    c.points = {Vec3(1, 2, 0), Vec3(5, 2, 0), Vec3(5, 8, 3)};
    s.contours.push_back(c);
    QVERIFY_THROWS_EXCEPTION(GeometryError, rasterize(s, kGrid));
  }

  void partialVolumeFractions() {
    Structure s;
    // x 1..3 mm: voxel 1 is half covered ([0.5, 1.5)), voxel 2 fully, voxel 3 half. y 3..5 mm is
    // j 1.5..2.5: voxel j = 2 fully (its [1.5, 2.5) row band).
    s.contours.push_back(rectangle(1.0, 3.0, 3.0, 5.0, 0.0));
    const VolumeF32 f = rasterizeFraction(s, kGrid, 8);
    QVERIFY(std::abs(f(1, 2, 0) - 0.5f) < 1e-6f);
    QVERIFY(std::abs(f(2, 2, 0) - 1.0f) < 1e-6f);
    QVERIFY(std::abs(f(3, 2, 0) - 0.5f) < 1e-6f);
    QCOMPARE(f(2, 1, 0), 0.0f);
    double total = 0.0;
    for (float v : f.voxels()) {
      total += v;
    }
    // Area 2 x 2 mm over voxels of 1 x 2 mm: 2 voxels' worth.
    QVERIFY(std::abs(total - 2.0) < 1e-6);
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, rasterizeFraction(s, kGrid, 0));
  }
};

QTEST_APPLESS_MAIN(TestContourRasterizer)
#include "TestContourRasterizer.moc"
