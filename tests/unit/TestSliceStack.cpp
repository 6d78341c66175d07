// Slice sorting, duplicate positions, orientation checks and resampling, on frames made in code.

#include "beamlet/core/Error.h"
#include "beamlet/dicom/SliceStack.h"

#include <QtTest/QtTest>

#include <cmath>

using namespace beamlet;
using namespace beamlet::dicom;

namespace {

StackFrame axial(double z, double x = 0.0, double y = 0.0, const std::string& label = "f") {
  StackFrame f;
  f.position = Vec3(x, y, z);
  f.rowDir = Vec3(1, 0, 0);
  f.columnDir = Vec3(0, 1, 0);
  f.spacingI = 0.5;
  f.spacingJ = 0.75;
  f.columns = 4;
  f.rows = 3;
  f.label = label;
  return f;
}

} // namespace

class TestSliceStack : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void sortsByPositionNotInputOrder() {
    const SliceStack s =
        planSliceStack({axial(6, 0, 0, "c"), axial(0, 0, 0, "a"), axial(3, 0, 0, "b")});
    QCOMPARE(s.slotFrames.size(), std::size_t{3});
    QCOMPARE(s.slotFrames[0][0], std::size_t{1});
    QCOMPARE(s.slotFrames[1][0], std::size_t{2});
    QCOMPARE(s.slotFrames[2][0], std::size_t{0});
    QVERIFY(!s.needsResampling);
    QCOMPARE(s.grid.dims[0], 4);
    QCOMPARE(s.grid.dims[1], 3);
    QCOMPARE(s.grid.dims[2], 3);
    QCOMPARE(s.grid.spacing.x(), 0.5);  // PixelSpacing[1]: between columns
    QCOMPARE(s.grid.spacing.y(), 0.75); // PixelSpacing[0]: between rows
    QCOMPARE(s.grid.spacing.z(), 3.0);
    QCOMPARE(s.grid.origin.z(), 0.0);
  }

  void feetFirstNormalStillIncreasing() {
    // Row direction -x, column +y: normal is -z, so slices are sorted by decreasing z.
    std::vector<StackFrame> frames;
    for (double z : {10.0, 12.5, 15.0}) {
      StackFrame f = axial(z);
      f.rowDir = Vec3(-1, 0, 0);
      frames.push_back(f);
    }
    const SliceStack s = planSliceStack(frames);
    QCOMPARE(s.grid.origin.z(), 15.0);
    QCOMPARE(s.grid.direction(2, 2), -1.0);
    QCOMPARE(s.grid.indexToPatient(Vec3(0, 0, 2)).z(), 10.0);
  }

  void refusesSingleSliceAndMixedOrientation() {
    QVERIFY_THROWS_EXCEPTION(GeometryError, planSliceStack({axial(0)}));
    QVERIFY_THROWS_EXCEPTION(GeometryError, planSliceStack({axial(0), axial(0)}));
    StackFrame sagittal = axial(5, 0, 0, "sag.dcm");
    sagittal.rowDir = Vec3(0, 1, 0);
    sagittal.columnDir = Vec3(0, 0, -1);
    try {
      planSliceStack({axial(0, 0, 0, "ax.dcm"), sagittal});
      QFAIL("mixed orientations accepted");
    } catch (const GeometryError& e) {
      QVERIFY(QString(e.what()).startsWith("sag.dcm: "));
      QVERIFY(QString(e.what()).contains("mixed orientations"));
    }
    StackFrame other = axial(5);
    other.columns = 8;
    QVERIFY_THROWS_EXCEPTION(GeometryError, planSliceStack({axial(0), other}));
  }

  void roundedCosinesAreOrthonormalised() {
    std::vector<StackFrame> frames{axial(0), axial(2)};
    for (auto& f : frames) {
      f.columnDir = Vec3(0.0001, 1, 0); // 1e-4 from perpendicular
    }
    const SliceStack s = planSliceStack(frames);
    QVERIFY(std::abs(s.grid.direction.col(0).dot(s.grid.direction.col(1))) < 1e-12);
    QCOMPARE(s.notes.size(), std::size_t{1});
    QVERIFY(QString::fromStdString(s.notes[0]).contains("from perpendicular"));
    for (auto& f : frames) {
      f.columnDir = Vec3(0.01, 1, 0);
    }
    QVERIFY_THROWS_EXCEPTION(GeometryError, planSliceStack(frames));
  }

  void duplicatesShareASlot() {
    const SliceStack s = planSliceStack({axial(0), axial(2), axial(2), axial(4)});
    QCOMPARE(s.slotFrames.size(), std::size_t{3});
    QCOMPARE(s.slotFrames[1].size(), std::size_t{2});
  }

  void nonUniformSpacingResampledLinearly() {
    // Gaps 1, 1, 2 mm: output every 1 mm, 5 slices; the missing slice at z = 3 is the mean of its
    // neighbours.
    const SliceStack s = planSliceStack({axial(0), axial(1), axial(2), axial(4)});
    QVERIFY(s.needsResampling);
    QCOMPARE(s.grid.dims[2], 5);
    QCOMPARE(s.grid.spacing.z(), 1.0);
    QCOMPARE(s.notes.size(), std::size_t{1});
    QVERIFY(QString::fromStdString(s.notes[0]).contains("not uniform"));
    std::vector<std::vector<float>> images(4, std::vector<float>(12));
    for (int m = 0; m < 4; ++m) {
      for (int p = 0; p < 12; ++p) {
        images[static_cast<std::size_t>(m)][static_cast<std::size_t>(p)] =
            static_cast<float>(100 * m + p);
      }
    }
    std::vector<const float*> ptrs;
    for (auto& im : images) {
      ptrs.push_back(im.data());
    }
    std::vector<float> out(s.grid.voxelCount());
    resampleSliceStack(s, ptrs, -1.0f, out.data());
    QCOMPARE(out[0 * 12 + 5], 5.0f);   // slice 0 = input 0
    QCOMPARE(out[2 * 12 + 5], 205.0f); // slice 2 = input 2
    QCOMPARE(out[3 * 12 + 5], 255.0f); // halfway between input 2 (205) and 3 (305)
    QCOMPARE(out[4 * 12 + 5], 305.0f);
  }

  void nearlyUniformIsNotResampled() {
    const SliceStack s = planSliceStack({axial(0), axial(2.004), axial(4)});
    QVERIFY(!s.needsResampling);
    QCOMPARE(s.grid.spacing.z(), 2.0);
  }

  void gantryTiltResampledOntoOrthogonalGrid() {
    // Each slice is shifted 0.75 mm (one row) along +y per 2 mm in z: a 20.6 degree shear.
    const SliceStack s = planSliceStack({axial(0, 0, 0), axial(2, 0, 0.75), axial(4, 0, 1.5)});
    QVERIFY(s.needsResampling);
    QCOMPARE(s.grid.dims[0], 4);
    QCOMPARE(s.grid.dims[1], 5); // widened by two rows to hold every slice
    QCOMPARE(s.grid.dims[2], 3);
    QCOMPARE(s.firstJ, 0);
    QVERIFY(QString::fromStdString(s.notes[0]).contains("gantry tilt 20.56 degrees"));
    std::vector<std::vector<float>> images(3, std::vector<float>(12));
    for (int m = 0; m < 3; ++m) {
      for (int p = 0; p < 12; ++p) {
        images[static_cast<std::size_t>(m)][static_cast<std::size_t>(p)] =
            static_cast<float>(100 * m + p);
      }
    }
    std::vector<const float*> ptrs{images[0].data(), images[1].data(), images[2].data()};
    std::vector<float> out(s.grid.voxelCount());
    resampleSliceStack(s, ptrs, -1.0f, out.data());
    auto at = [&](int i, int j, int k) {
      return out[static_cast<std::size_t>((k * 5 + j) * 4 + i)];
    };
    // Output (i, j, k) at y = 0.75 j lies in slice k at row j - k.
    QCOMPARE(at(1, 0, 0), 1.0f);
    QCOMPARE(at(1, 3, 0), -1.0f); // slice 0 has rows 0..2 only
    QCOMPARE(at(1, 1, 1), 101.0f);
    QCOMPARE(at(2, 4, 2), 200.0f + 2 * 4 + 2);
    QCOMPARE(at(2, 0, 2), -1.0f);
    QCOMPARE(s.grid.direction, Mat3::Identity());
  }
};

QTEST_APPLESS_MAIN(TestSliceStack)
#include "TestSliceStack.moc"
