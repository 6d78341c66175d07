// The body outline made for cases without an External: threshold, largest connected component,
// holes filled per slice; on a non-cubic grid with unequal spacing and literal voxel counts.

#include "beamlet/core/BodyOutline.h"
#include "beamlet/core/Error.h"

#include <QtTest/QtTest>

#include <algorithm>

using namespace beamlet;

namespace {

std::size_t count(const Mask& m) {
  return static_cast<std::size_t>(std::count(m.voxels().begin(), m.voxels().end(), 1));
}

} // namespace

class TestBodyOutline : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void bodyWithLungAndCouch() {
    // 40 x 30 x 6 voxels of 1.5 x 2 x 3 mm, air (-1000 HU) everywhere.
    const ImageGeometry g({40, 30, 6}, Vec3(-30, -20, 7.5), Vec3(1.5, 2.0, 3.0));
    VolumeI16 ct(g, -1000);
    // Body: i 5..34, j 3..22, k 0..5 (30 x 20 x 6 = 3600 voxels) of fat (-100 HU).
    for (int k = 0; k < 6; ++k) {
      for (int j = 3; j <= 22; ++j) {
        for (int i = 5; i <= 34; ++i) {
          ct(i, j, k) = -100;
        }
      }
    }
    // A lung inside it (-800 HU, below the threshold): i 10..19, j 8..15 on slices 1..4, 320
    // voxels, enclosed on every slice, so filled.
    for (int k = 1; k <= 4; ++k) {
      for (int j = 8; j <= 15; ++j) {
        for (int i = 10; i <= 19; ++i) {
          ct(i, j, k) = -800;
        }
      }
    }
    // A notch of air open to the outside on slice 2 (i 5..7, j 18..19: 6 voxels): not a hole.
    for (int j = 18; j <= 19; ++j) {
      for (int i = 5; i <= 7; ++i) {
        ct(i, j, 2) = -1000;
      }
    }
    // A couch below the body, separated by an air gap (j 25..26, i 0..39, all slices: 480
    // voxels of +200 HU): a smaller component, dropped.
    for (int k = 0; k < 6; ++k) {
      for (int j = 25; j <= 26; ++j) {
        for (int i = 0; i < 40; ++i) {
          ct(i, j, k) = 200;
        }
      }
    }
    Image image{std::move(ct)};
    image.modality = "CT";
    const Mask body = bodyOutline(image);
    QCOMPARE(body.geometry().dims, g.dims);
    QCOMPARE(count(body), std::size_t{3600 - 6});
    QCOMPARE(body(12, 10, 3), std::uint8_t{1}); // the lung, filled
    QCOMPARE(body(6, 18, 2), std::uint8_t{0});  // the notch stays out
    QCOMPARE(body(6, 18, 3), std::uint8_t{1});  // the same place on the next slice is in
    QCOMPARE(body(20, 25, 0), std::uint8_t{0}); // the couch is dropped
    QCOMPARE(body(4, 10, 0), std::uint8_t{0});  // air beside the body

    // A higher threshold drops the fat body: the couch is then the only component.
    BodyOutlineOptions options;
    options.thresholdHu = 0.0;
    QCOMPARE(count(bodyOutline(image, options)), std::size_t{480});
  }

  void refusesWhatItCannotOutline() {
    const ImageGeometry g({4, 3, 2}, Vec3::Zero(), Vec3(1, 1, 1));
    Image air{VolumeI16(g, -1000)};
    QVERIFY_THROWS_EXCEPTION(DataError, bodyOutline(air));
    Image mr{VolumeI16(g, 300)};
    mr.modality = "MR";
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, bodyOutline(mr));
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, bodyOutline(Image{}));
  }
};

QTEST_APPLESS_MAIN(TestBodyOutline)
#include "TestBodyOutline.moc"
