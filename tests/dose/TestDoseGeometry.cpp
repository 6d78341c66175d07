// Beam geometry (IEC 61217), radiological depth and the beamlet grid, with literal numbers; and
// the dose moving where the geometry says.

#include "WaterBox.h"

#include "beamlet/core/Error.h"
#include "beamlet/dose/BeamletGrid.h"
#include "beamlet/dose/RadiologicalDepth.h"

#include <QtTest/QtTest>

#include <cmath>

using namespace beamlet;
using namespace beamlet::dose;

namespace {

bool near(const Vec3& a, const Vec3& b, double tol = 1e-9) {
  return (a - b).norm() <= tol;
}

double doseAt(const VolumeF32& dose, const Vec3& lps) {
  const Vec3 q = dose.geometry().patientToIndex(lps);
  return dose(static_cast<int>(std::lround(q.x())), static_cast<int>(std::lround(q.y())),
              static_cast<int>(std::lround(q.z())));
}

} // namespace

class TestDoseGeometry : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void iecSourcePositions() {
    const Vec3 iso(10, -20, 30);
    auto source = [&](double g, double t, PatientPosition p) {
      const BeamFrame frame(BeamAngles{g, 0.0, t}, iso, 1000.0, p);
      const Vec3 offset = frame.source() - iso;
      return offset;
    };
    // Head-first supine: gantry 0 from anterior (-y), 90 from the patient's left (+x).
    QVERIFY(near(source(0, 0, PatientPosition::HFS), Vec3(0, -1000, 0)));
    QVERIFY(near(source(90, 0, PatientPosition::HFS), Vec3(1000, 0, 0)));
    QVERIFY(near(source(180, 0, PatientPosition::HFS), Vec3(0, 1000, 0)));
    QVERIFY(near(source(270, 0, PatientPosition::HFS), Vec3(-1000, 0, 0)));
    // Couch 90 (counter-clockwise from above) turns the head away from the gantry's +X side:
    // gantry 90 then comes from the patient's feet.
    QVERIFY(near(source(90, 90, PatientPosition::HFS), Vec3(0, 0, -1000)));
    QVERIFY(near(source(90, 270, PatientPosition::HFS), Vec3(0, 0, 1000)));
    // Feet-first supine: gantry 90 from the patient's right; prone: gantry 0 from posterior.
    QVERIFY(near(source(90, 0, PatientPosition::FFS), Vec3(-1000, 0, 0)));
    QVERIFY(near(source(0, 0, PatientPosition::HFP), Vec3(0, 1000, 0)));
    QVERIFY(near(source(90, 0, PatientPosition::HFP), Vec3(-1000, 0, 0)));
    QVERIFY(near(source(90, 0, PatientPosition::FFP), Vec3(1000, 0, 0)));
    QVERIFY_THROWS_EXCEPTION(UnsupportedError, parsePatientPosition("HFDL"));
  }

  void collimatorAxesAndBev() {
    const BeamFrame g0(BeamAngles{0, 0, 0}, Vec3::Zero(), 1000.0);
    QVERIFY(near(g0.xAxis(), Vec3(1, 0, 0)));
    QVERIFY(near(g0.yAxis(), Vec3(0, 0, 1))); // Y_b points to the gantry: superior for HFS
    const BeamFrame c90(BeamAngles{0, 90, 0}, Vec3::Zero(), 1000.0);
    QVERIFY(near(c90.xAxis(), Vec3(0, 0, 1)));
    QVERIFY(near(c90.yAxis(), Vec3(-1, 0, 0)));
    // A point 100 mm beyond the isocentre, 10 mm along X_b: 10 * 1000 / 1100 at the iso plane.
    const Vec3 bev = g0.toBev(Vec3(10, 100, 20));
    QVERIFY(std::abs(bev.x() - 10000.0 / 1100.0) < 1e-9);
    QVERIFY(std::abs(bev.y() - 20000.0 / 1100.0) < 1e-9);
    QVERIFY(std::abs(bev.z() - 1100.0) < 1e-9);
    QVERIFY(near(g0.fromBev(bev.x(), bev.y(), bev.z()), Vec3(10, 100, 20), 1e-9));
  }

  void radiologicalDepthOnNonCubicGrid() {
    // 2 x 3 x 2.5 mm voxels; water box |x| <= 50, |y| <= 60, |z| <= 50 with a 12 mm slab of
    // density 1.8 at 0 <= y <= 12 (whole voxels), air 0.001 around.
    const ImageGeometry grid = test::centredGrid(Vec3(2, 3, 2.5), Vec3(80, 90, 60));
    dose::DoseProblem p = test::waterBox(grid, grid, 50, 60, 50);
    for (int k = 0; k < grid.dims[2]; ++k) {
      for (int j = 0; j < grid.dims[1]; ++j) {
        for (int i = 0; i < grid.dims[0]; ++i) {
          const Vec3 q = grid.indexToPatient(Vec3(i, j, k));
          if (std::abs(q.x()) <= 50 && q.y() > 0 && q.y() < 12 && std::abs(q.z()) <= 50) {
            p.density(i, j, k) = 1.8f;
          }
        }
      }
    }
    // Along y from y = -90 to y = 30 at x = 1, z = 1.25: 30 mm of air (0.001), 60 mm of water,
    // 12 mm of 1.8, 18 mm of water = 0.03 + 60 + 21.6 + 18 = 99.63 mm.
    const double path = radiologicalPath(p.density, Vec3(1, -90, 1.25), Vec3(1, 30, 1.25));
    QVERIFY2(std::abs(path - 99.63) < 1e-6, qPrintable(QString::number(path, 'f', 6)));
    // A diagonal ray is its length times the density inside water only: (0,-50,0)->(30,-10,0).
    const double diagonal = radiologicalPath(p.density, Vec3(1, -51, 1.25), Vec3(31, -11, 1.25));
    QVERIFY(std::abs(diagonal - 50.0) < 1e-6);
    // Outside the volume: nothing; the skin is found where the water starts (y = -60).
    QVERIFY(radiologicalPath(p.density, Vec3(0, -500, 200), Vec3(0, 500, 200)) == 0.0);
    QVERIFY(std::abs(distanceToSurface(p.density, Vec3(1, -1000, 1.25), Vec3(0, 1, 0)) - 940.0) <
            1e-6);
  }

  void beamletGridCoversTheTarget() {
    // A 20 mm cube (2 mm voxels, centres at odd mm) at the isocentre, gantry 0.
    const ImageGeometry grid = test::centredGrid(Vec3(2, 2, 2), Vec3(20, 20, 20));
    Mask target(grid, 0);
    for (int k = 0; k < grid.dims[2]; ++k) {
      for (int j = 0; j < grid.dims[1]; ++j) {
        for (int i = 0; i < grid.dims[0]; ++i) {
          const Vec3 q = grid.indexToPatient(Vec3(i, j, k));
          target(i, j, k) = q.cwiseAbs().maxCoeff() < 10 ? 1 : 0;
        }
      }
    }
    const BeamFrame frame(BeamAngles{}, Vec3::Zero(), 1000.0);
    BeamletGridOptions o;
    o.bixelWidthMm = 5.0;
    o.marginMm = 0.0;
    // Projections reach |x| = 9 * 1000 / 991 = 9.08 mm; a bixel is kept within 2.5 + ~1 mm of
    // them: centres -10 .. 10, 5 x 5.
    QCOMPARE(makeBeamletGrid(frame, 0, target, o).size(), std::size_t{25});
    o.marginMm = 5.0; // then -15 .. 15
    const auto withMargin = makeBeamletGrid(frame, 0, target, o);
    QCOMPARE(withMargin.size(), std::size_t{49});
    QCOMPARE(withMargin.front().xMm, -15.0);
    QCOMPARE(withMargin.front().yMm, -15.0);
    // Rows offset by half a bixel: the projections (|y| <= 9.08 mm) grown by 2.5 + 5 + 1.01 mm
    // reach rows centred at 2.5 + 5k for k = -4 .. 3: -17.5 .. 17.5, 8 rows of 7.
    o.offsetYMm = 2.5;
    const auto offset = makeBeamletGrid(frame, 0, target, o);
    QCOMPARE(offset.size(), std::size_t{56});
    QCOMPARE(offset.front().yMm, -17.5);
    QCOMPARE(offset.back().yMm, 17.5);
    QVERIFY_THROWS_EXCEPTION(DataError, makeBeamletGrid(frame, 0, Mask(grid, 0), o));
  }

  void gantryAndCouchMoveTheDose() {
    const SvdPencilBeam engine(loadShippedMachine());
    const ImageGeometry grid = test::centredGrid(Vec3(4, 4, 4), Vec3(120, 120, 120));
    dose::DoseProblem p = test::waterBox(grid, grid, 100, 100, 100);
    // A 20 mm field offset to +30 mm along X_b.
    dose::BeamFluence field = test::openField(engine.machine(), 0, 20.0);
    field.fluence.x0 += 30.0;
    auto doseFor = [&](double gantry, double couch) {
      p.beams = {BeamSetup{"b", BeamAngles{gantry, 0.0, couch}, Vec3::Zero()}};
      return engine.computeFluenceDose(p, {field});
    };
    // Gantry 0: enters anteriorly (-y), the field sits at +x (X_b = patient left).
    const VolumeF32 g0 = doseFor(0, 0);
    QVERIFY(doseAt(g0, Vec3(30, -60, 0)) > 1.5 * doseAt(g0, Vec3(30, 60, 0)));
    QVERIFY(doseAt(g0, Vec3(30, 0, 0)) > 10 * doseAt(g0, Vec3(-30, 0, 0)));
    // Gantry 90: enters from the patient's left (+x); X_b is then posterior (+y).
    const VolumeF32 g90 = doseFor(90, 0);
    QVERIFY(doseAt(g90, Vec3(60, 30, 0)) > 1.5 * doseAt(g90, Vec3(-60, 30, 0)));
    QVERIFY(doseAt(g90, Vec3(0, 30, 0)) > 10 * doseAt(g90, Vec3(0, -30, 0)));
    // Couch 90 with gantry 90: enters from the feet (-z); X_b stays posterior.
    const VolumeF32 c90 = doseFor(90, 90);
    QVERIFY(doseAt(c90, Vec3(0, 30, -60)) > 1.5 * doseAt(c90, Vec3(0, 30, 60)));
    QVERIFY(doseAt(c90, Vec3(0, 30, 0)) > 10 * doseAt(c90, Vec3(0, -30, 0)));
  }

  void opposedBeamsAreSymmetric() {
    const SvdPencilBeam engine(loadShippedMachine());
    const ImageGeometry grid = test::centredGrid(Vec3(2, 2, 2), Vec3(110, 60, 60));
    dose::DoseProblem p = test::waterBox(grid, grid, 100, 50, 50);
    p.beams = {BeamSetup{"left", BeamAngles{90, 0, 0}, Vec3::Zero()},
               BeamSetup{"right", BeamAngles{270, 0, 0}, Vec3::Zero()}};
    const VolumeF32 d = engine.computeFluenceDose(p, {test::openField(engine.machine(), 0, 60.0),
                                                      test::openField(engine.machine(), 1, 60.0)});
    double max = 0.0;
    for (float v : d.voxels()) {
      max = std::max(max, static_cast<double>(v));
    }
    // Turning the patient 180 degrees about the gantry axis swaps the two beams: the dose must
    // be unchanged, (x, y, z) -> (-x, -y, z).
    double worst = 0.0;
    for (double x = 1; x < 100; x += 2) {
      for (double y = -49; y < 50; y += 6) {
        for (double z = -29; z < 30; z += 14) {
          worst = std::max(worst, std::abs(doseAt(d, Vec3(x, y, z)) - doseAt(d, Vec3(-x, -y, z))));
        }
      }
    }
    qInfo("opposed beams: worst difference under the 180-degree turn %.4f%% of the max",
          100 * worst / max);
    QVERIFY(worst <= 1e-4 * max);
    // Entrance regions are hotter than the midline for two opposed 6 MV beams through 200 mm.
    QVERIFY(doseAt(d, Vec3(85, -1, -1)) > doseAt(d, Vec3(1, -1, -1)));
  }

  void nonCubicGridGivesTheSameDose() {
    const SvdPencilBeam engine(loadShippedMachine());
    auto compute = [&](const ImageGeometry& ct, const ImageGeometry& dg) {
      // Box faces on voxel faces of both CT grids (multiples of 6 mm in x and z, 10 mm in y).
      dose::DoseProblem p = test::waterBox(ct, dg, 72, 60, 72);
      p.beams = {BeamSetup{"g0", BeamAngles{0, 0, 0}, Vec3(0, 0, 0)},
                 BeamSetup{"g60", BeamAngles{60, 10, 0}, Vec3(0, 0, 0)}};
      return engine.computeFluenceDose(p, {test::openField(engine.machine(), 0, 50.0),
                                           test::openField(engine.machine(), 1, 50.0)});
    };
    const VolumeF32 cubic = compute(test::centredGrid(Vec3(2, 2, 2), Vec3(90, 90, 90)),
                                    test::centredGrid(Vec3(2, 2, 2), Vec3(90, 90, 90)));
    // CT of 1.5 x 2.5 x 3 mm; dose grid of 2 x 4 x 6 mm whose points are points of the cubic
    // grid (odd mm), so the two doses are compared without interpolation.
    const ImageGeometry oddDose({90, 45, 29}, Vec3(-89, -87, -85), Vec3(2, 4, 6));
    const VolumeF32 odd = compute(test::centredGrid(Vec3(1.5, 2.5, 3), Vec3(90, 90, 90)), oddDose);
    double max = 0.0;
    for (float v : cubic.voxels()) {
      max = std::max(max, static_cast<double>(v));
    }
    double worst = 0.0;
    int compared = 0;
    for (int k = 0; k < oddDose.dims[2]; ++k) {
      for (int j = 0; j < oddDose.dims[1]; ++j) {
        for (int i = 0; i < oddDose.dims[0]; ++i) {
          const double v = odd(i, j, k);
          const double c = doseAt(cubic, oddDose.indexToPatient(Vec3(i, j, k)));
          if (std::max(v, c) >= 0.1 * max) {
            worst = std::max(worst, std::abs(v - c));
            ++compared;
          }
        }
      }
    }
    qInfo("non-cubic grids: worst difference %.4f%% of the max over %d voxels", 100 * worst / max,
          compared);
    QVERIFY(compared > 5000);
    QVERIFY(worst <= 0.01 * max);
  }
};

QTEST_APPLESS_MAIN(TestDoseGeometry)
#include "TestDoseGeometry.moc"
