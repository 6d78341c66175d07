// HU -> density calibration, density overrides and their precedence, refusal of MR without a
// body override, the dose grid, and plan apertures -> fluence.

#include "beamlet/core/Error.h"
#include "beamlet/core/Image.h"
#include "beamlet/dose/DensityCalibration.h"
#include "beamlet/dose/DoseGrid.h"
#include "beamlet/dose/ElectronDensity.h"
#include "beamlet/dose/PlanFluence.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <fstream>

using namespace beamlet;
using namespace beamlet::dose;

namespace {

Contour square(double x0, double x1, double y0, double y1, double z) {
  Contour c;
  c.points = {Vec3(x0, y0, z), Vec3(x1, y0, z), Vec3(x1, y1, z), Vec3(x0, y1, z)};
  return c;
}

// A structure that is the box [x0, x1] x [y0, y1] on every slice of `grid`.
Structure box(const std::string& name, const std::string& type, const ImageGeometry& grid,
              double x0, double x1, double y0, double y1) {
  Structure s;
  s.name = name;
  s.type = type;
  for (int k = 0; k < grid.dims[2]; ++k) {
    s.contours.push_back(square(x0, x1, y0, y1, grid.indexToPatient(Vec3(0, 0, k)).z()));
  }
  return s;
}

} // namespace

class TestPatientModel : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void calibrationCurve() {
    const DensityCalibration c = defaultDensityCalibration();
    QCOMPARE(c.relativeElectronDensity(-2000), 0.001);
    QCOMPARE(c.relativeElectronDensity(0), 1.0);
    QVERIFY(std::abs(c.relativeElectronDensity(50) - 1.0475) < 1e-12); // halfway 0 .. 100 HU
    QVERIFY(std::abs(c.relativeElectronDensity(-67.5) - 0.97) < 1e-12);
    QCOMPARE(c.relativeElectronDensity(5000), 2.505);
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, DensityCalibration({{0, 1}, {0, 2}}));
    QTemporaryDir dir;
    const std::string bad = dir.filePath("bad.csv").toStdString();
    std::ofstream(bad) << "HU,rED\n0,1\n100,x\n";
    try {
      loadDensityCalibration(bad);
      QFAIL("no error");
    } catch (const DataError& e) {
      QVERIFY(std::string(e.what()).find("line 3") != std::string::npos);
    }
  }

  void overridesAndTheirPrecedence() {
    const ImageGeometry grid({20, 20, 4}, Vec3(-19, -19, -4.5), Vec3(2, 2, 3));
    VolumeI16 hu(grid, std::int16_t{100});
    Image ct{VolumeI16(hu)};
    ct.modality = "CT";
    ct.units = "HU";
    StructureSet set;
    set.structures.push_back(box("External", "EXTERNAL", grid, -20, 20, -20, 20));
    set.structures.push_back(box("Metal", "AVOIDANCE", grid, -10, 0, -10, 0));
    set.structures.push_back(box("Couch", "SUPPORT", grid, -6, 6, -6, 6));
    std::vector<std::string> notes;
    const VolumeF32 d = electronDensity(
        ct, defaultDensityCalibration(), set,
        {parseDensityOverride("Metal=1.0"), parseDensityOverride("Couch=0.5")}, &notes);
    auto at = [&](double x, double y) {
      const Vec3 q = grid.patientToIndex(Vec3(x, y, 0));
      return d(static_cast<int>(std::lround(q.x())), static_cast<int>(std::lround(q.y())), 1);
    };
    QVERIFY(std::abs(at(15, 15) - 1.095) < 1e-6); // calibration (100 HU)
    QCOMPARE(at(-9, -9), 1.0f);                   // Metal only
    QCOMPARE(at(-1, -1), 0.5f);                   // Metal and Couch: the later override wins
    QCOMPARE(at(5, 5), 0.5f);                     // Couch only
    QCOMPARE(notes.size(), std::size_t{2});
    QVERIFY_THROWS_EXCEPTION(DataError, electronDensity(ct, defaultDensityCalibration(), set,
                                                        {parseDensityOverride("Bone=1.8")}));
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, parseDensityOverride("Metal"));
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, parseDensityOverride("Metal=abc"));
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, parseDensityOverride("Metal=-1"));
  }

  void mrNeedsTheBodyOverridden() {
    const ImageGeometry grid({20, 20, 4}, Vec3(-19, -19, -4.5), Vec3(2, 2, 3));
    Image mr{VolumeI16(grid, std::int16_t{400})};
    mr.modality = "MR";
    StructureSet set;
    set.structures.push_back(box("Body", "EXTERNAL", grid, -16, 16, -16, 16));
    set.structures.push_back(box("Head", "ORGAN", grid, -10, 10, -10, 10));
    QVERIFY_THROWS_EXCEPTION(DataError, electronDensity(mr, defaultDensityCalibration(), set, {}));
    QVERIFY_THROWS_EXCEPTION(DataError, electronDensity(mr, defaultDensityCalibration(), set,
                                                        {parseDensityOverride("Head=1.0")}));
    const VolumeF32 d =
        electronDensity(mr, defaultDensityCalibration(), set, {parseDensityOverride("Body=1.0")});
    QCOMPARE(d(10, 10, 1), 1.0f); // inside the body: the override
    QCOMPARE(d(0, 0, 1), 0.001f); // outside: air, not the MR signal
  }

  void doseGridCoversTheImage() {
    // 512 x 512 x 100 CT of 0.98 x 0.98 x 2.5 mm -> 3 mm dose grid of 168 x 168 x 84 voxels
    // (501.76 / 3 = 167.25 -> 168; 250 / 3 = 83.3 -> 84), centred on the CT.
    const ImageGeometry ct({512, 512, 100}, Vec3(-250, -250, -100), Vec3(0.98, 0.98, 2.5));
    const ImageGeometry g = makeDoseGrid(ct, 3.0);
    QCOMPARE(g.dims, (Index3{168, 168, 84}));
    const Vec3 ctCentre = ct.indexToPatient(Vec3(255.5, 255.5, 49.5));
    const Vec3 doseCentre = g.indexToPatient(Vec3(83.5, 83.5, 41.5));
    QVERIFY((ctCentre - doseCentre).norm() < 1e-9);
    QCOMPARE(g.spacing, Vec3(3, 3, 3));
  }

  void apertureFluence() {
    Beam beam;
    beam.name = "AP";
    beam.monitorUnits = 100.0;
    beam.mlcType = "MLCX";
    beam.leafPairs = 4;
    beam.leafBoundaries = {-20, -10, 0, 10, 20};
    ControlPoint a;
    a.jawX = JawPositions{-20, 30};
    a.jawY = JawPositions{-15, 20};
    a.isocenter = Vec3::Zero();
    // Leaf pair 0 closed, the others open from -10 to 25 (pair 3 reaches 40, cut by the jaw).
    a.mlcPositions = {0, -10, -10, -10, 0, 25, 25, 40};
    ControlPoint b = a;
    a.cumulativeMetersetWeight = 0.0;
    b.cumulativeMetersetWeight = 1.0;
    beam.controlPoints = {a, b};
    const FluenceGrid f = segmentFluence(beam, 0.5);
    double muArea = 0.0;
    for (float v : f.values) {
      muArea += v * 0.25; // MU x mm^2
    }
    // Open: pair 1 (y -10..0) x -10..25 = 350 mm^2, pair 2 (0..10) 350, pair 3 (10..20, cut by
    // Y2 = 20) -10..30 = 400: 1100 mm^2 x 100 MU.
    QVERIFY2(std::abs(muArea - 110000.0) < 1e-3, qPrintable(QString::number(muArea)));
    beam.type = BeamType::Dynamic;
    QVERIFY_THROWS_EXCEPTION(UnsupportedError, segmentFluence(beam, 0.5));
    beam.type = BeamType::Static;
    beam.monitorUnits.reset();
    QVERIFY_THROWS_EXCEPTION(DataError, segmentFluence(beam, 0.5));
  }
};

QTEST_APPLESS_MAIN(TestPatientModel)
#include "TestPatientModel.moc"
