// External and lungs on a generated CT phantom: a non-cubic grid with unequal spacing, an elliptic
// body with two lungs (one holding a vessel) and a trachea, a couch touching the body along a thin
// strip and a mask board touching the head. The External must equal the body voxel for voxel.

#include "beamlet/core/BodyOutline.h"
#include "beamlet/core/Error.h"
#include "beamlet/segmentation/ExternalContour.h"
#include "beamlet/segmentation/LungContours.h"

#include <QtTest/QtTest>

#include <algorithm>
#include <cmath>

using namespace beamlet;
using namespace beamlet::segmentation;

namespace {

struct Phantom {
  Image ct;
  Mask body;
  Mask lungL; // LPS +x side
  Mask lungR;
};

// 90 x 70 x 40 voxels of 4 x 3.5 x 5 mm (360 x 245 x 200 mm), identity direction.
Phantom makePhantom() {
  const ImageGeometry g({90, 70, 40}, Vec3(-178, -120, 0), Vec3(4.0, 3.5, 5.0));
  VolumeI16 ct(g, -1000);
  Phantom p{Image{}, Mask(g, 0), Mask(g, 0), Mask(g, 0)};
  for (int k = 0; k < 40; ++k) {
    for (int j = 0; j < 70; ++j) {
      for (int i = 0; i < 90; ++i) {
        const Vec3 x = g.indexToPatient(Vec3(i, j, k));
        // Body: ellipse of 152 x 101 mm semi-axes centred at (0, 0), slices 2..37 (z 10..185).
        const bool body =
            k >= 2 && k <= 37 && std::pow(x[0] / 152, 2) + std::pow(x[1] / 101, 2) <= 1;
        // Couch: slab y 106..121 mm (posterior, LPS +y; rows 65..68), full width, all slices, one
        // row of air below the body's lowest row (y 100.5) except for a strip 8 mm wide (|x| < 4,
        // row 64) that touches the body along the whole thorax.
        const bool couch =
            (x[1] >= 106 && x[1] <= 121) || (std::abs(x[1] - 104) < 1 && std::abs(x[0]) < 4);
        // Mask board: plate x 156..170 mm (patient left; columns 84..87), |y| <= 60, k 6..34,
        // one column of air from the body (whose widest column is x 150) but for a bar |y| < 3.5
        // in column 83 on k 10..30 that touches the head.
        const bool board =
            (x[0] >= 156 && x[0] <= 170 && std::abs(x[1]) <= 60 && k >= 6 && k <= 34) ||
            (std::abs(x[0] - 154) < 1 && std::abs(x[1]) < 3.5 && k >= 10 && k <= 30);
        const std::size_t n = g.linearIndex(i, j, k);
        if (body) {
          p.body[n] = 1;
          ct[n] = 20;
          // Lungs: ellipsoids centred at x = +-60 mm, semi-axes 45 x 55 x 60 mm, z centre 100.
          for (const int side : {1, -1}) {
            const double q = std::pow((x[0] - side * 60) / 45, 2) + std::pow(x[1] / 55, 2) +
                             std::pow((x[2] - 100) / 60, 2);
            if (q <= 1) {
              (side > 0 ? p.lungL : p.lungR)[n] = 1;
              // A vessel (radius 4 mm, along z, z 80..120) inside each lung stays soft tissue.
              const bool vessel =
                  std::hypot(x[0] - side * 60, x[1] + 10) <= 4 && x[2] >= 80 && x[2] <= 120;
              ct[n] = vessel ? 40 : -850;
            }
          }
          // Trachea: radius 9 mm at (0, -20), z 150..185 (above the lungs, apart from them).
          if (std::hypot(x[0], x[1] + 20) <= 9 && x[2] >= 150 && x[2] <= 185) {
            ct[n] = -1000;
          }
        } else if (couch || board) {
          ct[n] = 150;
        }
      }
    }
  }
  p.ct = Image{std::move(ct)};
  p.ct.modality = "CT";
  return p;
}

std::size_t count(const Mask& m) {
  return static_cast<std::size_t>(std::count(m.voxels().begin(), m.voxels().end(), 1));
}

std::size_t differing(const Mask& a, const Mask& b) {
  std::size_t n = 0;
  for (std::size_t v = 0; v < a.size(); ++v) {
    n += (a[v] != 0) != (b[v] != 0) ? 1 : 0;
  }
  return n;
}

} // namespace

class TestClassicalContours : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void externalIsTheBodyWithoutCouchOrBoard() {
    const Phantom p = makePhantom();
    Mask external;
    external = externalContourCt(p.ct);
    qInfo("body %zu voxels, External %zu, differing %zu", count(p.body), count(external),
          differing(external, p.body));
    QCOMPARE(differing(external, p.body), std::size_t{0});
    // core's bodyOutline (no opening) keeps the couch and the board, joined by their strips.
    QVERIFY(count(bodyOutline(p.ct)) > count(p.body) + 10000);
  }

  void lungsAreSplitAndKeepTheirVessels() {
    const Phantom p = makePhantom();
    const Mask external = externalContourCt(p.ct);
    const LungContours lungs = lungContours(p.ct, external);
    qInfo("Lung_L %zu (truth %zu, differing %zu), Lung_R %zu (truth %zu, differing %zu)",
          count(lungs.left), count(p.lungL), differing(lungs.left, p.lungL), count(lungs.right),
          count(p.lungR), differing(lungs.right, p.lungR));
    QCOMPARE(differing(lungs.left, p.lungL), std::size_t{0});
    QCOMPARE(differing(lungs.right, p.lungR), std::size_t{0});
    QCOMPARE(lungs.erosionMm, 0.0);
  }

  void mrExternalByOtsu() {
    // An MR-like image: background 5, body 300 (an ellipsoid) with a dark hole (signal 10) inside.
    const ImageGeometry g({40, 30, 10}, Vec3::Zero(), Vec3(2.0, 2.5, 4.0));
    VolumeF32 mr(g, 5.0f);
    Mask truth(g, 0);
    for (int k = 1; k < 9; ++k) {
      for (int j = 0; j < 30; ++j) {
        for (int i = 0; i < 40; ++i) {
          if (std::pow((i - 20) / 15.0, 2) + std::pow((j - 15) / 11.0, 2) <= 1) {
            truth(i, j, k) = 1;
            mr(i, j, k) = std::abs(i - 20) <= 3 && std::abs(j - 15) <= 3 ? 10.0f : 300.0f;
          }
        }
      }
    }
    Image image{std::move(mr)};
    image.modality = "MR";
    const double t = otsuThreshold(image);
    QVERIFY(t > 10.0 && t <= 300.0);
    QCOMPARE(differing(externalContourMr(image), truth), std::size_t{0});
  }

  void refusesWhatItCannotContour() {
    Image mr{VolumeI16(ImageGeometry({4, 3, 2}, Vec3::Zero(), Vec3(1, 1, 1)), -1000)};
    mr.modality = "MR";
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, externalContourCt(mr));
    Image air{VolumeI16(ImageGeometry({4, 3, 2}, Vec3::Zero(), Vec3(1, 1, 1)), -1000)};
    QVERIFY_THROWS_EXCEPTION(DataError, externalContourCt(air));
    QVERIFY_THROWS_EXCEPTION(DataError, externalContourMr(air));
  }
};

QTEST_APPLESS_MAIN(TestClassicalContours)
#include "TestClassicalContours.moc"
