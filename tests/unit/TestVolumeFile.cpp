// Volume files through ITK: geometry (LPS) and voxel values survive a round trip in each format;
// no temporary file is left behind; bad names and missing files give one-line errors.

#include "beamlet/core/Error.h"
#include "beamlet/dicom/VolumeFile.h"

#include <QtTest/QtTest>

#include <cmath>
#include <filesystem>

using namespace beamlet;
namespace fs = std::filesystem;

class TestVolumeFile : public QObject {
  Q_OBJECT

  fs::path dir_;

private Q_SLOTS:
  void initTestCase() {
    dir_ = fs::temp_directory_path() /
           ("beamlet-volume-file-" + std::to_string(QCoreApplication::applicationPid()));
    fs::create_directories(dir_);
  }
  void cleanupTestCase() { fs::remove_all(dir_); }

  void roundTrip_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("type");
    for (const char* ext : {"nii.gz", "nii", "nrrd", "mha"}) {
      QTest::newRow(ext) << QString("v.%1").arg(ext) << 0;
      QTest::newRow((std::string(ext) + "-float").c_str()) << QString("f.%1").arg(ext) << 1;
    }
  }

  void roundTrip() {
    QFETCH(QString, name);
    QFETCH(int, type);
    // Oblique, non-cubic, unequal spacing: a rotation of 30 degrees about the LPS y axis.
    const double c = std::cos(M_PI / 6);
    const double s = std::sin(M_PI / 6);
    Mat3 d;
    d << c, 0, s, //
        0, 1, 0,  //
        -s, 0, c;
    const ImageGeometry g({5, 4, 3}, Vec3(-12.5, 40.25, -7), Vec3(0.7, 1.1, 2.5), d);
    Image image = type == 0 ? Image(VolumeI16(g)) : Image(VolumeF32(g));
    std::visit(
        [](auto& v) {
          for (std::size_t n = 0; n < v.size(); ++n) {
            v[n] = static_cast<typename std::decay_t<decltype(v)>::value_type>(
                static_cast<int>(n) * 3 - 100);
          }
        },
        image.voxels());
    const std::string path = (dir_ / name.toStdString()).string();
    dicom::writeVolumeFile(image, path);
    const Image back = dicom::readVolumeFile(path);
    QCOMPARE(back.voxelType(), image.voxelType());
    const ImageGeometry& h = back.geometry();
    QVERIFY2(h.dims == g.dims, "dims");
    QVERIFY((h.origin - g.origin).norm() < 1e-4);
    QVERIFY((h.spacing - g.spacing).norm() < 1e-5);
    QVERIFY((h.direction - g.direction).cwiseAbs().maxCoeff() < 1e-5);
    for (std::size_t n = 0; n < g.voxelCount(); ++n) {
      QCOMPARE(back.valueAt(n), image.valueAt(n));
    }
    // Nothing else is left in the folder (no temporary files).
    for (const auto& entry : fs::directory_iterator(dir_)) {
      QVERIFY2(entry.path().filename().string()[0] != '.', entry.path().c_str());
    }
  }

  void errors() {
    const Image image(VolumeI16(ImageGeometry({2, 2, 2}, Vec3::Zero(), Vec3::Ones())));
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError,
                             dicom::writeVolumeFile(image, (dir_ / "x.png").string()));
    QVERIFY_THROWS_EXCEPTION(IoError,
                             dicom::writeVolumeFile(image, (dir_ / "missing/x.nii").string()));
    QVERIFY_THROWS_EXCEPTION(IoError, dicom::readVolumeFile((dir_ / "none.nrrd").string()));
    QVERIFY(dicom::isVolumeFileName("a/B.NII.GZ"));
    QVERIFY(!dicom::isVolumeFileName("a/b.dcm"));
  }
};

QTEST_APPLESS_MAIN(TestVolumeFile)
#include "TestVolumeFile.moc"
