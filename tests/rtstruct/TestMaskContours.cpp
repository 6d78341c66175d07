// Marching squares (MaskContours.h): masks made in code -> contours -> rasterize() must give the
// identical mask; literal vertices for small cases; TG-263 names; label selection and resampling.

#include "beamlet/core/ContourRasterizer.h"
#include "beamlet/core/Error.h"
#include "beamlet/core/MaskContours.h"
#include "beamlet/core/Tg263.h"

#include <QtTest/QtTest>

#include <random>

using namespace beamlet;

namespace {

// Non-cubic grid, unequal spacing, off-origin.
ImageGeometry smallGrid() {
  return ImageGeometry({9, 7, 6}, Vec3(10, -20, 5), Vec3(2, 3, 4));
}

Mask roundTrip(const Mask& mask) {
  Structure s;
  s.name = "test";
  s.contours = maskToContours(mask);
  return rasterize(s, mask.geometry());
}

int differences(const Mask& a, const Mask& b) {
  int n = 0;
  for (std::size_t v = 0; v < a.size(); ++v) {
    n += (a[v] != 0) != (b[v] != 0) ? 1 : 0;
  }
  return n;
}

void fill(Mask& m, int k, std::initializer_list<std::pair<int, int>> voxels) {
  for (const auto& [i, j] : voxels) {
    m(i, j, k) = 1;
  }
}

} // namespace

class TestMaskContours : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void singleVoxelLiteral() {
    Mask m(smallGrid(), 0);
    m(3, 2, 1) = 1;
    const std::vector<Polygon2> polygons = sliceContours(m, 1);
    QCOMPARE(polygons.size(), std::size_t(1));
    const std::vector<Eigen::Vector2d> expected{{3, 1.5}, {3.5, 2}, {3, 2.5}, {2.5, 2}};
    QCOMPARE(polygons[0].size(), expected.size());
    for (std::size_t n = 0; n < expected.size(); ++n) {
      QCOMPARE(polygons[0][n].x(), expected[n].x());
      QCOMPARE(polygons[0][n].y(), expected[n].y());
    }
    QVERIFY(signedArea(polygons[0]) > 0.0); // outer boundary counter-clockwise
    // In patient LPS: origin + spacing * (i, j, k).
    const std::vector<Contour> contours = maskToContours(m);
    QCOMPARE(contours.size(), std::size_t(1));
    const std::vector<Vec3> lps{{16, -15.5, 9}, {17, -14, 9}, {16, -12.5, 9}, {15, -14, 9}};
    for (std::size_t n = 0; n < lps.size(); ++n) {
      QVERIFY((contours[0].points[n] - lps[n]).norm() < 1e-12);
    }
    QCOMPARE(differences(roundTrip(m), m), 0);
  }

  void collinearPointsDropped() {
    Mask m(smallGrid(), 0);
    fill(m, 0, {{1, 1}, {2, 1}, {3, 1}});
    const std::vector<Polygon2> polygons = sliceContours(m, 0);
    QCOMPARE(polygons.size(), std::size_t(1));
    const std::vector<Eigen::Vector2d> expected{{1, 0.5}, {3, 0.5}, {3.5, 1},
                                                {3, 1.5}, {1, 1.5}, {0.5, 1}};
    QCOMPARE(polygons[0].size(), expected.size());
    for (std::size_t n = 0; n < expected.size(); ++n) {
      QCOMPARE(polygons[0][n].x(), expected[n].x());
      QCOMPARE(polygons[0][n].y(), expected[n].y());
    }
    MaskContourOptions keepAll;
    keepAll.reduceCollinear = false;
    QCOMPARE(sliceContours(m, 0, keepAll)[0].size(), std::size_t(8));
  }

  void ringWithHoleIslandsSaddleEdges() {
    Mask m(smallGrid(), 0);
    // Slice 0: a ring (3x3 with its centre out) -> outer and hole contours.
    for (int j = 1; j <= 3; ++j) {
      for (int i = 1; i <= 3; ++i) {
        m(i, j, 0) = (i == 2 && j == 2) ? 0 : 1;
      }
    }
    const std::vector<Polygon2> ring = sliceContours(m, 0);
    QCOMPARE(ring.size(), std::size_t(2));
    QVERIFY(signedArea(ring[0]) * signedArea(ring[1]) < 0.0); // one outer, one hole
    // Slice 1: two islands. Slice 2: diagonal neighbours (saddle) and a checkerboard patch.
    fill(m, 1, {{0, 0}, {1, 0}, {6, 5}, {7, 5}, {7, 6}});
    fill(m, 2, {{1, 1}, {2, 2}, {4, 4}, {6, 4}, {5, 5}, {4, 6}, {6, 6}});
    QCOMPARE(sliceContours(m, 1).size(), std::size_t(2));
    QCOMPARE(sliceContours(m, 2).size(), std::size_t(7)); // saddles keep corners apart
    // Slice 3: touching every grid edge; slice 5: everything.
    for (int i = 0; i < 9; ++i) {
      m(i, 0, 3) = m(i, 6, 3) = 1;
    }
    for (int j = 0; j < 7; ++j) {
      m(0, j, 3) = m(8, j, 3) = 1;
    }
    for (std::size_t v = m.geometry().linearIndex(0, 0, 5); v < m.size(); ++v) {
      m[v] = 1;
    }
    QCOMPARE(differences(roundTrip(m), m), 0);
  }

  void randomMasksExact() {
    std::mt19937 rng(7);
    // Oblique, non-cubic grid: the rasteriser works in index space, so this must still be exact.
    const Mat3 rotation = Eigen::AngleAxisd(0.3, Vec3(0.2, 0.5, 1).normalized()).toRotationMatrix();
    for (const Mat3& direction : {Mat3(Mat3::Identity()), rotation}) {
      for (double density : {0.2, 0.5, 0.8}) {
        Mask m(
            ImageGeometry({23, 17, 5}, Vec3(-100.25, 33.5, -7), Vec3(0.977, 1.5, 2.5), direction),
            0);
        std::bernoulli_distribution inside(density);
        for (auto& v : m.voxels()) {
          v = inside(rng) ? 1 : 0;
        }
        QCOMPARE(differences(roundTrip(m), m), 0);
      }
    }
  }

  void smoothingIsOptional() {
    Mask m(smallGrid(), 0);
    fill(m, 0, {{2, 2}, {3, 2}, {2, 3}, {3, 3}});
    MaskContourOptions smooth;
    smooth.smoothingIterations = 2;
    const std::vector<Polygon2> polygons = sliceContours(m, 0, smooth);
    QCOMPARE(polygons.size(), std::size_t(1));
    QCOMPARE(polygons[0].size(), std::size_t(8)); // no collinear reduction when smoothing
    QVERIFY(polygons[0][0] != sliceContours(m, 0)[0][0]);
  }

  void labelsAndResampling() {
    VolumeU8 labels(smallGrid(), 0);
    labels(1, 1, 1) = 2;
    labels(2, 1, 1) = 3;
    const Image image{Image::Voxels(labels)};
    Mask two = selectLabel(image, 2);
    QCOMPARE(int(two(1, 1, 1)), 1);
    QCOMPARE(int(two(2, 1, 1)), 0);
    QCOMPARE(int(selectLabel(image)(2, 1, 1)), 1);
    // Onto a grid shifted by whole voxels: the same voxels, moved.
    ImageGeometry shifted = smallGrid();
    shifted.origin += Vec3(2, 3, 4); // one voxel along each axis
    const Mask moved = resampleNearest(two, shifted);
    QCOMPARE(int(moved(0, 0, 0)), 1);
    ImageGeometry far = smallGrid();
    far.origin += Vec3(1000, 0, 0);
    QVERIFY_THROWS_EXCEPTION(GeometryError, resampleNearest(two, far));
  }

  void tg263Names() {
    QCOMPARE(tg263Name("spinal cord"), std::string("SpinalCord"));
    QCOMPARE(tg263Name("Cord"), std::string("SpinalCord"));
    QCOMPARE(tg263Name("RightParotid"), std::string("Parotid_R"));
    QCOMPARE(tg263Name("parotid r"), std::string("Parotid_R"));
    QCOMPARE(tg263Name("Parotid R"), std::string("Parotid_R"));
    QCOMPARE(tg263Name("LeftParotid"), std::string("Parotid_L"));
    QCOMPARE(tg263Name("Brainstem"), std::string("Brainstem"));
    QCOMPARE(tg263Name("oesophagus"), std::string("Esophagus"));
    QCOMPARE(tg263Name("Larynx"), std::string("Larynx"));
    QCOMPARE(tg263Name("Mandible"), std::string("Bone_Mandible"));
    QCOMPARE(tg263Name("PTV70"), std::string("PTV70"));
    QCOMPARE(tg263Name("ptv 56"), std::string("PTV56"));
    QCOMPARE(tg263Name("body"), std::string("External"));
    QCOMPARE(tg263Name("femoral head l"), std::string("Femur_Head_L"));
    QCOMPARE(tg263Name("Tumour blob"), std::string("Tumour blob"));
    QCOMPARE(interpretedTypeForName("PTV63"), std::string("PTV"));
    QCOMPARE(interpretedTypeForName("CTV_high"), std::string("CTV"));
    QCOMPARE(interpretedTypeForName("GTV"), std::string("GTV"));
    QCOMPARE(interpretedTypeForName("External"), std::string("EXTERNAL"));
    QCOMPARE(interpretedTypeForName("Body"), std::string("EXTERNAL"));
    QCOMPARE(interpretedTypeForName("Parotid_L"), std::string("ORGAN"));
  }
};

QTEST_GUILESS_MAIN(TestMaskContours)
#include "TestMaskContours.moc"
