// DVH volumes of generated shapes with closed ends (no test data needed): a sphere and a cylinder
// lying across the slices, contoured up to their apexes, and a cone with a flat base. Literal
// expected volumes; the apex model in Dvh.cpp is what keeps them within 0.5%.

#include "beamlet/core/Image.h"
#include "beamlet/core/Structure.h"
#include "beamlet/dose/Dvh.h"

#include <QtTest/QtTest>

#include <cmath>

using namespace beamlet;

namespace {

constexpr double kPi = 3.14159265358979323846;

// A polygon approximating an ellipse with semi-axes rx, ry centred at (cx, cy) on plane z; many
// vertices so that the polygon's own area error is negligible (< 0.01%).
Contour ellipse(double cx, double cy, double z, double rx, double ry) {
  Contour c;
  const int n = 720;
  // Vertices on a slightly larger ellipse so that the polygon's area equals the ellipse's.
  const double scale = std::sqrt(2 * kPi / (n * std::sin(2 * kPi / n)));
  for (int k = 0; k < n; ++k) {
    const double t = 2 * kPi * k / n;
    c.points.emplace_back(cx + scale * rx * std::cos(t), cy + scale * ry * std::sin(t), z);
  }
  return c;
}

Contour rectangle(double x0, double x1, double y0, double y1, double z) {
  Contour c;
  c.points = {Vec3(x0, y0, z), Vec3(x1, y0, z), Vec3(x1, y1, z), Vec3(x0, y1, z)};
  return c;
}

// 1 Gy everywhere plus 0.1 Gy/mm along z, on a grid with unequal spacing covering [-20, 20] mm.
Image doseGrid() {
  ImageGeometry g({41, 27, 21}, Vec3(-20, -19.5, -20), Vec3(1.0, 1.5, 2.0));
  VolumeF32 dose(g);
  for (int k = 0; k < g.dims[2]; ++k) {
    for (int j = 0; j < g.dims[1]; ++j) {
      for (int i = 0; i < g.dims[0]; ++i) {
        dose(i, j, k) = static_cast<float>(3.0 + 0.1 * g.indexToPatient(Vec3(i, j, k)).z());
      }
    }
  }
  return Image(std::move(dose));
}

} // namespace

class TestDvhShapes : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void sphereContouredToItsPoles() {
    // Radius 10 mm, planes 2.5 mm apart from pole to pole; the poles are 0.02 mm squares.
    Structure s;
    s.name = "Sphere";
    for (int m = 0; m <= 8; ++m) {
      const double z = -10.0 + 2.5 * m;
      const double r = std::sqrt(std::max(0.0, 100.0 - z * z));
      s.contours.push_back(r > 0.0 ? ellipse(1.3, -2.1, z, r, r)
                                   : rectangle(1.29, 1.31, -2.11, -2.09, z));
    }
    const dose::Dvh dvh = dose::computeDvh(s, doseGrid());
    const double expected = 4.0 / 3.0 * kPi * 1000.0 * 1e-3; // 4.18879 cc
    qInfo("sphere %.4f cc (expected %.4f)", dvh.volumeCc, expected);
    QVERIFY(std::abs(dvh.volumeCc - expected) <= 0.005 * expected);
    QVERIFY(std::abs(dvh.meanGy - 3.0) <= 0.003); // symmetric about z = 0
  }

  void cylinderLyingAcrossTheSlices() {
    // Axis along x (30 mm long), radius 8 mm; planes 2 mm apart; the top and bottom planes touch
    // the cylinder along a line (0.01 mm wide rectangles).
    Structure s;
    s.name = "Cylinder";
    for (int m = 0; m <= 8; ++m) {
      const double z = -8.0 + 2.0 * m;
      const double half = std::max(0.005, std::sqrt(std::max(0.0, 64.0 - z * z)));
      s.contours.push_back(rectangle(-15.0, 15.0, 0.5 - half, 0.5 + half, z));
    }
    const dose::Dvh dvh = dose::computeDvh(s, doseGrid());
    const double expected = kPi * 64.0 * 30.0 * 1e-3; // 6.03186 cc
    qInfo("cylinder %.4f cc (expected %.4f)", dvh.volumeCc, expected);
    QVERIFY(std::abs(dvh.volumeCc - expected) <= 0.005 * expected);
  }

  void coneWithFlatBase() {
    // Base radius 9 mm at z = -9 (a flat end: half-slice end cap), tip at z = +9; planes 3 mm
    // apart.
    Structure s;
    s.name = "Cone";
    for (int m = 0; m <= 6; ++m) {
      const double z = -9.0 + 3.0 * m;
      const double r = 0.5 * (9.0 - z);
      s.contours.push_back(r > 0.0 ? ellipse(0, 0, z, r, r)
                                   : rectangle(-0.01, 0.01, -0.01, 0.01, z));
    }
    const dose::Dvh dvh = dose::computeDvh(s, doseGrid());
    // Cone pi r^2 h / 3 plus the base's end cap, 1.5 mm of the full base disc.
    const double expected = (kPi * 81.0 * 18.0 / 3.0 + kPi * 81.0 * 1.5) * 1e-3; // 1.90852 cc
    qInfo("cone %.4f cc (expected %.4f)", dvh.volumeCc, expected);
    QVERIFY(std::abs(dvh.volumeCc - expected) <= 0.005 * expected);
  }

  void surfaceOutsideTheDoseGrid() {
    // A 200 mm square slab around a 40 mm dose grid: no contour vertex and no row end lies in
    // the grid, only interior samples. Dmin, Dmax and D-metrics still come from the dose there.
    Structure s;
    s.name = "Body";
    for (int m = -8; m <= 8; ++m) {
      s.contours.push_back(rectangle(-100, 100, -100, 100, 2.5 * m));
    }
    const dose::Dvh dvh = dose::computeDvh(s, doseGrid());
    qInfo("inside the grid %.2f cc, outside %.2f cc, Dmin %.3f Dmax %.3f Gy", dvh.volumeCc,
          dvh.outsideDoseGridCc, dvh.minGy, dvh.maxGy);
    QVERIFY(dvh.outsideDoseGridCc > 0.0);
    // Dose 3 + 0.1 z Gy with |z| <= 20 mm inside the slab: 1.0 .. 5.0 Gy.
    QVERIFY(dvh.minGy >= 0.99 && dvh.minGy <= 1.3);
    QVERIFY(dvh.maxGy <= 5.01 && dvh.maxGy >= 4.7);
    QVERIFY(std::abs(dose::evaluateMetric(dvh, "D50%") - 3.0) < 0.1);
  }
};

QTEST_APPLESS_MAIN(TestDvhShapes)
#include "TestDvhShapes.moc"
