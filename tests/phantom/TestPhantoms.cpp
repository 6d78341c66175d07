// The planning phantoms (makeWaterPhantom, makeTg119Phantom) against literal numbers: grids, HU at
// chosen points, structure names and types, the slices that carry contours, and the volumes of the
// TG-119 structures (polygon areas and partial-volume rasterisation) against the analytic ones.

#include "beamlet/core/ContourRasterizer.h"
#include "beamlet/core/Phantom.h"

#include <QtTest/QtTest>

#include <cmath>
#include <set>

using namespace beamlet;

namespace {

// The HU of the voxel whose centre is nearest to an LPS point.
double huAt(const Image& ct, const Vec3& lps) {
  const Vec3 ijk = ct.geometry().patientToIndex(lps);
  const int i = static_cast<int>(std::lround(ijk.x()));
  const int j = static_cast<int>(std::lround(ijk.y()));
  const int k = static_cast<int>(std::lround(ijk.z()));
  if (!ct.geometry().contains(i, j, k)) {
    return std::nan(""); // fails any comparison
  }
  return ct.valueAt(ct.geometry().linearIndex(i, j, k));
}

// Sum of |polygon area| * slice thickness, in cm3 (one polygon per slice in these phantoms).
double contourVolumeCc(const Structure& s, double sliceMm) {
  double mm3 = 0.0;
  for (const Contour& c : s.contours) {
    Polygon2 polygon;
    for (const Vec3& p : c.points) {
      polygon.emplace_back(p.x(), p.y());
    }
    mm3 += std::abs(signedArea(polygon)) * sliceMm;
  }
  return mm3 / 1000.0;
}

std::size_t countInside(const Mask& m) {
  std::size_t n = 0;
  for (std::uint8_t v : m.voxels()) {
    n += v != 0 ? 1 : 0;
  }
  return n;
}

std::set<double> contourPlanes(const Structure& s) {
  std::set<double> zs;
  for (const Contour& c : s.contours) {
    for (const Vec3& p : c.points) {
      zs.insert(p.z());
    }
  }
  return zs;
}

bool near(double a, double b, double tolerance = 1e-9) {
  return std::abs(a - b) <= tolerance;
}

} // namespace

class TestPhantoms : public QObject {
  Q_OBJECT

  PhantomCase water_;
  PhantomCase tg119_;

private Q_SLOTS:
  void initTestCase() {
    water_ = makeWaterPhantom();
    tg119_ = makeTg119Phantom();
  }

  void waterGrid() {
    const ImageGeometry& g = water_.ct.geometry();
    QCOMPARE(g.dims, (Index3{220, 220, 200}));
    QVERIFY(g.spacing.isApprox(Vec3(2.0, 2.0, 2.0)));
    QVERIFY(g.origin.isApprox(Vec3(-219.0, -219.0, -199.0)));
    QVERIFY(g.direction.isIdentity());
    QCOMPARE(water_.ct.voxelType(), VoxelType::Int16);
    QCOMPARE(water_.ct.modality, std::string("CT"));
    QCOMPARE(water_.ct.units, std::string("HU"));
    QVERIFY(water_.structures.frameOfReferenceUid.empty());
    QVERIFY(!water_.description.empty());
  }

  void tg119Grid() {
    const ImageGeometry& g = tg119_.ct.geometry();
    QCOMPARE(g.dims, (Index3{110, 61, 126}));
    QVERIFY(g.spacing.isApprox(Vec3(3.0, 3.0, 2.5)));
    QVERIFY(g.origin.isApprox(Vec3(-163.5, -90.0, -156.25)));
    QVERIFY(g.direction.isIdentity());
    QCOMPARE(tg119_.ct.voxelType(), VoxelType::Int16);
    QCOMPARE(tg119_.ct.modality, std::string("CT"));
    QVERIFY(tg119_.structures.frameOfReferenceUid.empty());
  }

  void waterHu() {
    const Image& ct = water_.ct;
    QCOMPARE(huAt(ct, Vec3(1, 1, 1)), 0.0);
    QCOMPARE(huAt(ct, Vec3(0, -199, 0)), 0.0);     // first water voxel below the anterior surface
    QCOMPARE(huAt(ct, Vec3(0, -201, 0)), -1000.0); // anterior air gap, y -220..-200 mm
    QCOMPARE(huAt(ct, Vec3(0, -219, 0)), -1000.0);
    QCOMPARE(huAt(ct, Vec3(0, 201, 0)), -1000.0);
    QCOMPARE(huAt(ct, Vec3(199, 0, 0)), 0.0);
    QCOMPARE(huAt(ct, Vec3(201, 0, 0)), -1000.0);
    QCOMPARE(huAt(ct, Vec3(-201, 0, 0)), -1000.0);
    QCOMPARE(huAt(ct, Vec3(0, 0, 199)), 0.0);
    QCOMPARE(huAt(ct, Vec3(0, 0, -199)), 0.0);
    const auto [lo, hi] = ct.range();
    QCOMPARE(lo, -1000.0);
    QCOMPARE(hi, 0.0);
    std::size_t water = 0;
    for (std::int16_t v : ct.as<std::int16_t>().voxels()) {
      water += v == 0 ? 1 : 0;
    }
    QCOMPARE(water, std::size_t(200) * 200 * 200); // the 400 mm box in 2 mm voxels
  }

  void tg119Hu() {
    const Image& ct = tg119_.ct;
    QCOMPARE(huAt(ct, Vec3(1.5, 0, 1.25)), 0.0);
    QCOMPARE(huAt(ct, Vec3(148.5, 0, 0)), 0.0);
    QCOMPARE(huAt(ct, Vec3(151.5, 0, 0)), -1000.0);
    QCOMPARE(huAt(ct, Vec3(-151.5, 0, 0)), -1000.0);
    QCOMPARE(huAt(ct, Vec3(0, -75, 0)), 0.0);
    QCOMPARE(huAt(ct, Vec3(0, -78, 0)), -1000.0);
    QCOMPARE(huAt(ct, Vec3(0, 75, 0)), 0.0);
    QCOMPARE(huAt(ct, Vec3(0, 78, 0)), -1000.0);
    QCOMPARE(huAt(ct, Vec3(0, -90, 0)), -1000.0);
    QCOMPARE(huAt(ct, Vec3(0, 0, 156.25)), 0.0);
    QCOMPARE(huAt(ct, Vec3(0, 0, -156.25)), 0.0);
    std::size_t water = 0;
    for (std::int16_t v : ct.as<std::int16_t>().voxels()) {
      water += v == 0 ? 1 : 0;
    }
    QCOMPARE(water, std::size_t(100) * 51 * 126); // 300 / 3, 153 / 3, 315 / 2.5
  }

  void structureTable() {
    const StructureSet& w = water_.structures;
    QCOMPARE(w.structures.size(), std::size_t(1));
    QCOMPARE(w.structures[0].roiNumber, 1);
    QCOMPARE(w.structures[0].name, std::string("External"));
    QCOMPARE(w.structures[0].type, std::string("EXTERNAL"));

    const StructureSet& t = tg119_.structures;
    QCOMPARE(t.structures.size(), std::size_t(3));
    const char* names[] = {"External", "PTV_C", "Core"};
    const char* types[] = {"EXTERNAL", "PTV", "AVOIDANCE"};
    std::set<std::array<std::uint8_t, 3>> colours;
    for (int n = 0; n < 3; ++n) {
      const Structure& s = t.structures[static_cast<std::size_t>(n)];
      QCOMPARE(s.roiNumber, n + 1);
      QCOMPARE(s.name, std::string(names[n]));
      QCOMPARE(s.type, std::string(types[n]));
      colours.insert(s.color);
      for (const Contour& c : s.contours) {
        QCOMPARE(c.geometricType, std::string("CLOSED_PLANAR"));
      }
    }
    QCOMPARE(colours.size(), std::size_t(3));
  }

  // Contours on the slices whose centre lies inside each structure's z extent, nowhere else.
  void contourSlices() {
    const Structure& waterExternal = water_.structures.structures[0];
    QCOMPARE(waterExternal.contours.size(), std::size_t(200));
    QCOMPARE(*contourPlanes(waterExternal).begin(), -199.0);
    QCOMPARE(*contourPlanes(waterExternal).rbegin(), 199.0);

    const std::vector<Structure>& t = tg119_.structures.structures;
    QCOMPARE(t[0].contours.size(), std::size_t(126)); // External: z -157.5..157.5 mm
    QCOMPARE(t[1].contours.size(), std::size_t(32));  // PTV_C: z -40..40 mm
    QCOMPARE(t[2].contours.size(), std::size_t(40));  // Core: z -50..50 mm
    const std::set<double> ptv = contourPlanes(t[1]);
    QCOMPARE(ptv.size(), std::size_t(32));
    QCOMPARE(*ptv.begin(), -38.75);
    QCOMPARE(*ptv.rbegin(), 38.75);
    const std::set<double> core = contourPlanes(t[2]);
    QCOMPARE(core.size(), std::size_t(40));
    QCOMPARE(*core.begin(), -48.75);
    QCOMPARE(*core.rbegin(), 48.75);
    // Every plane is a slice centre.
    const ImageGeometry& g = tg119_.ct.geometry();
    for (const Structure& s : t) {
      for (double z : contourPlanes(s)) {
        const double k = g.patientToIndex(Vec3(0, 0, z)).z();
        QVERIFY(near(k, std::round(k), 1e-9));
      }
    }
  }

  // Vertices on the circles, chords within 0.5 mm of the arcs (0.01 mm by construction), the
  // opening of the C cut exactly at y = 7 mm.
  void tg119Outlines() {
    const Structure& ptv = tg119_.structures.structures[1];
    const Structure& core = tg119_.structures.structures[2];
    for (const Contour& c : core.contours) {
      QVERIFY(c.points.size() >= 32);
      for (std::size_t n = 0; n < c.points.size(); ++n) {
        const Vec3& a = c.points[n];
        const Vec3& b = c.points[(n + 1) % c.points.size()];
        QVERIFY(near(a.head<2>().norm(), 10.0));
        QVERIFY(10.0 - (0.5 * (a + b)).head<2>().norm() <= 0.01 + 1e-9);
      }
    }
    for (const Contour& c : ptv.contours) {
      int onCut = 0;
      for (std::size_t n = 0; n < c.points.size(); ++n) {
        const Vec3& a = c.points[n];
        const Vec3& b = c.points[(n + 1) % c.points.size()];
        const double r = a.head<2>().norm();
        QVERIFY(near(r, 15.0) || near(r, 37.0));
        QVERIFY(a.y() <= 7.0);
        onCut += a.y() == 7.0 ? 1 : 0;
        const double rb = b.head<2>().norm();
        if (a.y() == 7.0 && b.y() == 7.0) {
          continue; // one of the two straight cuts
        }
        QVERIFY(near(r, rb));
        QVERIFY(r - (0.5 * (a + b)).head<2>().norm() <= 0.01 + 1e-9);
      }
      QCOMPARE(onCut, 4);
    }
  }

  // Core: pi * 10^2 mm2 * 100 mm = 31.416 cm3.
  // PTV_C: annulus pi (37^2 - 15^2) = 3593.98 mm2, minus the parts beyond y = 7 mm, the circular
  // segments R^2 acos(d / R) - d sqrt(R^2 - d^2) with d = 7: 1635.51 (R = 37) - 151.31 (R = 15)
  // = 1484.20 mm2; 2109.777 mm2 * 80 mm = 168.782 cm3.
  void tg119Volumes() {
    const ImageGeometry& g = tg119_.ct.geometry();
    const Structure& ptv = tg119_.structures.structures[1];
    const Structure& core = tg119_.structures.structures[2];
    const double coreCc = 31.416;
    const double ptvCc = 168.782;
    const double corePolygons = contourVolumeCc(core, 2.5);
    const double ptvPolygons = contourVolumeCc(ptv, 2.5);
    const double coreRaster = rasterizedVolumeCc(core, g);
    const double ptvRaster = rasterizedVolumeCc(ptv, g);
    qInfo("Core %.3f cc (polygons), %.3f cc (rasterised), analytic %.3f", corePolygons, coreRaster,
          coreCc);
    qInfo("PTV_C %.3f cc (polygons), %.3f cc (rasterised), analytic %.3f", ptvPolygons, ptvRaster,
          ptvCc);
    QVERIFY(std::abs(corePolygons - coreCc) < 0.01 * coreCc);
    QVERIFY(std::abs(ptvPolygons - ptvCc) < 0.01 * ptvCc);
    QVERIFY(std::abs(coreRaster - coreCc) < 0.01 * coreCc);
    QVERIFY(std::abs(ptvRaster - ptvCc) < 0.01 * ptvCc);
    // The box: 300 x 153 x 315 mm = 14458.5 cm3, exactly 100 x 51 x 126 voxel centres.
    const Structure& external = tg119_.structures.structures[0];
    QVERIFY(near(contourVolumeCc(external, 2.5), 14458.5, 1e-6));
    QCOMPARE(countInside(rasterize(external, g)), std::size_t(100) * 51 * 126);
  }

  // PTV_C and Core do not overlap (5 mm apart), both lie in the water, External is the water.
  void tg119Nesting() {
    const ImageGeometry& g = tg119_.ct.geometry();
    const Mask external = rasterize(tg119_.structures.structures[0], g);
    const Mask ptv = rasterize(tg119_.structures.structures[1], g);
    const Mask core = rasterize(tg119_.structures.structures[2], g);
    const VolumeI16& ct = tg119_.ct.as<std::int16_t>();
    std::size_t overlap = 0;
    std::size_t outside = 0;
    std::size_t notWater = 0;
    for (std::size_t n = 0; n < g.voxelCount(); ++n) {
      overlap += ptv[n] != 0 && core[n] != 0 ? 1 : 0;
      outside += (ptv[n] != 0 || core[n] != 0) && external[n] == 0 ? 1 : 0;
      notWater += (external[n] != 0) != (ct[n] == 0) ? 1 : 0;
    }
    QCOMPARE(overlap, std::size_t(0));
    QCOMPARE(outside, std::size_t(0));
    QCOMPARE(notWater, std::size_t(0));
    QVERIFY(countInside(ptv) > 0);
    QVERIFY(countInside(core) > 0);
  }
};

QTEST_GUILESS_MAIN(TestPhantoms)
#include "TestPhantoms.moc"
