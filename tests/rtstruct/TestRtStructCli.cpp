// beamlet-cli rtstruct and masks: masks -> RTSTRUCT -> masks through the CLI on the IBSI STS_001 CT
// (a multi-label map on a cropped grid, so resampling and label selection are exercised), exit
// codes, and one-line errors for bad input.

#include "CliRunner.h"
#include "RtStructTestSupport.h"
#include "TestData.h"

#include "beamlet/core/MaskContours.h"
#include "beamlet/dicom/VolumeFile.h"

#include <QProcess>
#include <QtTest/QtTest>

#include <filesystem>

using namespace beamlet;
namespace fs = std::filesystem;

namespace {

using beamlet::test::CliRun;

CliRun cli(const QStringList& args) {
  return beamlet::test::runCli(args);
}

QString q(const fs::path& p) {
  return QString::fromStdString(p.string());
}

const char* kIbsi = "dicom/ibsi-sts/STS_001";

} // namespace

class TestRtStructCli : public QObject {
  Q_OBJECT

  fs::path tmp_;
  fs::path ct_;
  fs::path mask_;

  void expectOneLineError(const CliRun& r, const char* contains) {
    QVERIFY2(r.exitCode != 0, qPrintable(r.out));
    const QString err = r.err.trimmed();
    QVERIFY2(!err.contains('\n'), qPrintable(err));
    QVERIFY2(err.startsWith("beamlet-cli: error: "), qPrintable(err));
    QVERIFY2(err.contains(contains), qPrintable(err));
  }

private Q_SLOTS:
  void initTestCase() {
    tmp_ = fs::temp_directory_path() /
           ("beamlet-rtstruct-cli-" + std::to_string(QCoreApplication::applicationPid()));
    fs::create_directories(tmp_);
    ct_ = test::dataPath(std::string(kIbsi) + "/dicom/CT/image");
    mask_ = test::dataPath(std::string(kIbsi) + "/nifti/CT_mask.nii.gz");
  }
  void cleanupTestCase() {
    if (qgetenv("BEAMLET_KEEP_TEST_OUTPUT").isEmpty()) {
      fs::remove_all(tmp_);
    }
  }

  void masksToRtStructAndBack() {
    BEAMLET_REQUIRE_DATA(kIbsi);
    // A label map (label 3 = the tumour, label 5 = a block) cropped to the mask's bounding box
    // plus a margin: its grid differs from the CT's but its voxel centres are the CT's.
    const Mask original = selectLabel(dicom::readVolumeFile(mask_.string()));
    const ImageGeometry& g = original.geometry();
    Index3 lo{g.dims[0], g.dims[1], g.dims[2]};
    Index3 hi{-1, -1, -1};
    for (int k = 0; k < g.dims[2]; ++k) {
      for (int j = 0; j < g.dims[1]; ++j) {
        for (int i = 0; i < g.dims[0]; ++i) {
          if (original(i, j, k) != 0) {
            const Index3 ijk{i, j, k};
            for (int a = 0; a < 3; ++a) {
              lo[a] = std::min(lo[a], std::max(ijk[a] - 2, 0));
              hi[a] = std::max(hi[a], std::min(ijk[a] + 2, g.dims[a] - 1));
            }
          }
        }
      }
    }
    QVERIFY(hi[0] >= 0);
    ImageGeometry crop = g;
    crop.dims = {hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1};
    crop.origin = g.indexToPatient(Vec3(lo[0], lo[1], lo[2]));
    VolumeU8 labels(crop, 0);
    for (int k = 0; k < crop.dims[2]; ++k) {
      for (int j = 0; j < crop.dims[1]; ++j) {
        for (int i = 0; i < crop.dims[0]; ++i) {
          labels(i, j, k) = original(i + lo[0], j + lo[1], k + lo[2]) != 0 ? 3 : 0;
        }
      }
    }
    labels(0, 0, 0) = 5;
    const fs::path labelFile = tmp_ / "labels.nii.gz";
    dicom::writeVolumeFile(Image(Image::Voxels(labels)), labelFile.string());

    const fs::path rs = tmp_ / "RS.dcm";
    const CliRun w =
        cli({"rtstruct", "--image", q(ct_), "--mask", "Tumour blob=" + q(labelFile) + ":3",
             "--mask", "Spinal Cord=" + q(labelFile) + ":5", "--tg263", "--out", q(rs)});
    QVERIFY2(w.exitCode == 0, qPrintable(w.err));
    QVERIFY2(w.out.contains("resampled onto the image grid"), qPrintable(w.out));
    QVERIFY2(w.out.contains("SpinalCord (ORGAN)"), qPrintable(w.out));
    QVERIFY2(w.out.contains("Tumour blob (ORGAN)"), qPrintable(w.out));
    const QStringList errors = test::dciodvfyErrors(rs.string());
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join("\n")));

    for (const char* format : {"nii.gz", "nrrd"}) {
      const fs::path out = tmp_ / (std::string("masks-") + format);
      const CliRun r = cli(
          {"masks", "--image", q(ct_), "--structures", q(rs), "--out", q(out), "--format", format});
      QVERIFY2(r.exitCode == 0, qPrintable(r.err));
      const fs::path gtv = out / (std::string("Tumour_blob.") + format);
      QVERIFY2(fs::exists(gtv), qPrintable(r.out));
      QVERIFY(fs::exists(out / (std::string("SpinalCord.") + format)));
      const Mask back = selectLabel(dicom::readVolumeFile(gtv.string()));
      QVERIFY(back.geometry().sameGrid(g));
      const double d = test::dice(original, back);
      qInfo("CLI round trip (%s) Dice %.6f", format, d);
      QVERIFY(d >= 0.99);
    }
  }

  void missingMaskFile() {
    BEAMLET_REQUIRE_DATA(kIbsi);
    expectOneLineError(cli({"rtstruct", "--image", q(ct_), "--mask",
                            "GTV=" + q(tmp_ / "nothing.nii.gz"), "--out", q(tmp_ / "x.dcm")}),
                       "mask file does not exist");
    QVERIFY(!fs::exists(tmp_ / "x.dcm"));
  }

  void maskGridNotOverlapping() {
    BEAMLET_REQUIRE_DATA(kIbsi);
    VolumeU8 far(ImageGeometry({4, 4, 4}, Vec3(5000, 5000, 5000), Vec3(1, 1, 1)), 1);
    const fs::path file = tmp_ / "far.nrrd";
    dicom::writeVolumeFile(Image(Image::Voxels(far)), file.string());
    expectOneLineError(cli({"rtstruct", "--image", q(ct_), "--mask", "GTV=" + q(file), "--out",
                            q(tmp_ / "y.dcm")}),
                       "does not overlap");
    QVERIFY(!fs::exists(tmp_ / "y.dcm"));
  }

  void outputIsAnInput() {
    BEAMLET_REQUIRE_DATA(kIbsi);
    const fs::path firstSlice = *fs::directory_iterator(ct_);
    const auto before = fs::last_write_time(firstSlice);
    expectOneLineError(
        cli({"rtstruct", "--image", q(ct_), "--mask", "GTV=" + q(mask_), "--out", q(firstSlice)}),
        "refusing to overwrite");
    QVERIFY(fs::last_write_time(firstSlice) == before);
    expectOneLineError(
        cli({"rtstruct", "--image", q(ct_), "--mask", "GTV=" + q(mask_), "--out", q(mask_)}),
        "refusing to overwrite");
  }

  void badMaskSpecAndNoSuchLabel() {
    BEAMLET_REQUIRE_DATA(kIbsi);
    expectOneLineError(
        cli({"rtstruct", "--image", q(ct_), "--mask", q(mask_), "--out", q(tmp_ / "z.dcm")}),
        "NAME=FILE");
    expectOneLineError(cli({"rtstruct", "--image", q(ct_), "--mask", "GTV=" + q(mask_) + ":7",
                            "--out", q(tmp_ / "z.dcm")}),
                       "no voxels with label 7");
    const CliRun r = cli(
        {"masks", "--image", q(ct_), "--structures", q(tmp_ / "none.dcm"), "--out", q(tmp_ / "m")});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(!r.err.trimmed().contains('\n'), qPrintable(r.err));
  }
};

QTEST_GUILESS_MAIN(TestRtStructCli)
#include "TestRtStructCli.moc"
