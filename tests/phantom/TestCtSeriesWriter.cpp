// dicom::writeCtSeries: volumes written as CT series read back voxel for voxel on the same grid
// (non-cubic, oblique, values beyond int16 through the intercept), one study / series / frame of
// reference, refusals; the TG-119 phantom's CT and an RTSTRUCT on it pass dciodvfy (skipped
// without dicom3tools unless BEAMLET_REQUIRE_TEST_DATA=1).

#include "ExternalTools.h"
#include "TestData.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/Phantom.h"
#include "beamlet/dicom/CtSeriesWriter.h"
#include "beamlet/dicom/DicomScanner.h"
#include "beamlet/dicom/RtStructWriter.h"
#include "beamlet/dicom/SeriesLoader.h"

#include <QtTest/QtTest>

#include <Eigen/Geometry>

#include <cmath>
#include <filesystem>
#include <set>

using namespace beamlet;
namespace fs = std::filesystem;

namespace {

// 7 x 5 x 4 voxels of 0.8 x 1.2 x 2.5 mm with distinct values from -1024 up.
Image smallCt(const Mat3& direction = Mat3::Identity()) {
  const ImageGeometry g({7, 5, 4}, Vec3(-10.2, 33.3, -7.5), Vec3(0.8, 1.2, 2.5), direction);
  VolumeI16 v(g);
  for (std::size_t n = 0; n < v.size(); ++n) {
    v[n] = static_cast<std::int16_t>(-1024 + 37 * static_cast<int>(n));
  }
  Image image{std::move(v)};
  image.modality = "CT";
  image.units = "HU";
  image.description = "writer test";
  return image;
}

const dicom::SeriesEntry& onlySeries(const dicom::DicomIndex& index) {
  const std::vector<const dicom::SeriesEntry*> all = index.allSeries();
  if (all.size() != 1) {
    throw std::runtime_error("expected one series, found " + std::to_string(all.size()));
  }
  return *all[0];
}

double maxDifference(const Image& a, const Image& b) {
  double worst = 0.0;
  for (std::size_t n = 0; n < a.geometry().voxelCount(); ++n) {
    worst = std::max(worst, std::abs(a.valueAt(n) - b.valueAt(n)));
  }
  return worst;
}

} // namespace

class TestCtSeriesWriter : public QObject {
  Q_OBJECT

  fs::path tmp_;

  fs::path folder(const std::string& name) const { return tmp_ / name; }

private Q_SLOTS:
  void initTestCase() {
    tmp_ = fs::temp_directory_path() /
           ("beamlet-ct-writer-" + std::to_string(QCoreApplication::applicationPid()));
    fs::create_directories(tmp_);
  }
  void cleanupTestCase() {
    if (qgetenv("BEAMLET_KEEP_TEST_OUTPUT").isEmpty()) {
      fs::remove_all(tmp_);
    }
  }

  void roundTripExact() {
    const Image ct = smallCt();
    dicom::StudyContext study;
    study.patientId = "P1";
    study.patientName = "Test^One";
    std::vector<std::string> paths;
    BEAMLET_NO_THROW(paths = dicom::writeCtSeries(ct, folder("small").string(), study));
    QCOMPARE(paths.size(), std::size_t(4));
    QCOMPARE(fs::path(paths[0]).filename().string(), std::string("CT0001.dcm"));
    QCOMPARE(fs::path(paths[3]).filename().string(), std::string("CT0004.dcm"));
    std::size_t entries = 0;
    for (const auto& entry : fs::directory_iterator(folder("small"))) {
      QVERIFY2(entry.path().filename().string()[0] != '.', "temporary file left behind");
      ++entries;
    }
    QCOMPARE(entries, std::size_t(4));

    const dicom::DicomIndex index = dicom::scanFolder(folder("small").string());
    QVERIFY(index.skipped.empty());
    QCOMPARE(index.patients.size(), std::size_t(1));
    QCOMPARE(index.patients[0].patientId, std::string("P1"));
    QCOMPARE(index.patients[0].studies.size(), std::size_t(1));
    const dicom::SeriesEntry& series = onlySeries(index);
    QCOMPARE(series.files.size(), std::size_t(4));
    QCOMPARE(series.modality, std::string("CT"));
    QVERIFY(!series.frameOfReferenceUid.empty());
    std::set<std::string> sops;
    for (const dicom::DicomFileInfo& f : series.files) {
      QCOMPARE(f.frameOfReferenceUid, series.frameOfReferenceUid);
      QCOMPARE(f.studyInstanceUid, index.patients[0].studies[0].studyInstanceUid);
      QCOMPARE(f.sopClassUid, std::string("1.2.840.10008.5.1.4.1.1.2"));
      sops.insert(f.sopInstanceUid);
    }
    QCOMPARE(sops.size(), std::size_t(4));
    QCOMPARE(dicom::readStudyContext(paths[0]).patientPosition, std::string("HFS"));

    Image back;
    BEAMLET_NO_THROW(back = dicom::loadSeries(series));
    QCOMPARE(back.voxelType(), VoxelType::Int16);
    QCOMPARE(back.modality, std::string("CT"));
    QCOMPARE(back.units, std::string("HU"));
    QVERIFY2(back.geometry().sameGrid(ct.geometry(), 1e-6), back.geometry().describe().c_str());
    QVERIFY(back.as<std::int16_t>().voxels() == ct.as<std::int16_t>().voxels());
    QVERIFY(back.warnings.empty());
  }

  void studyContextIsKept() {
    dicom::StudyContext study;
    study.patientId = "P2";
    study.studyInstanceUid = dicom::newUid();
    study.frameOfReferenceUid = dicom::newUid();
    study.patientPosition = "FFS";
    const std::vector<std::string> paths =
        dicom::writeCtSeries(smallCt(), folder("context").string(), study);
    for (const std::string& p : paths) {
      const dicom::StudyContext back = dicom::readStudyContext(p);
      QCOMPARE(back.studyInstanceUid, study.studyInstanceUid);
      QCOMPARE(back.frameOfReferenceUid, study.frameOfReferenceUid);
      QCOMPARE(back.patientPosition, std::string("FFS"));
      QCOMPARE(back.patientId, std::string("P2"));
    }
    // A second call is a second series in the same study.
    dicom::writeCtSeries(smallCt(), (folder("context") / "again").string(), study);
    const dicom::DicomIndex index = dicom::scanFolder(folder("context").string());
    QCOMPARE(index.allSeries().size(), std::size_t(2));
    QCOMPARE(index.patients.at(0).studies.size(), std::size_t(1));
  }

  void obliqueGridKept() {
    const Mat3 direction =
        (Eigen::AngleAxisd(0.3, Vec3::UnitZ()) * Eigen::AngleAxisd(0.2, Vec3::UnitX()))
            .toRotationMatrix();
    const Image ct = smallCt(direction);
    dicom::writeCtSeries(ct, folder("oblique").string(), {});
    const dicom::DicomIndex index = dicom::scanFolder(folder("oblique").string());
    const Image back = dicom::loadSeries(onlySeries(index));
    QVERIFY2(back.geometry().sameGrid(ct.geometry(), 1e-6), back.geometry().describe().c_str());
    QCOMPARE(maxDifference(back, ct), 0.0);
  }

  // Float values are rounded to whole HU; a range beyond int16 is stored with an intercept.
  void valuesBeyondInt16UseIntercept() {
    const ImageGeometry g({4, 3, 2}, Vec3(0, 0, 0), Vec3(1, 1, 1));
    VolumeF32 v(g);
    for (std::size_t n = 0; n < v.size(); ++n) {
      v[n] = -2000.0f + 1700.25f * static_cast<float>(n); // -2000 .. 37105.75
    }
    Image ct{std::move(v)};
    const std::vector<std::string> paths = dicom::writeCtSeries(ct, folder("wide").string(), {});
    const dicom::DicomFileInfo info = dicom::readFileInfo(paths[0]);
    QVERIFY(info.frames.at(0).rescaleIntercept != 0.0);
    QCOMPARE(info.frames.at(0).rescaleSlope, 1.0);
    const Image back = dicom::loadSeries(onlySeries(dicom::scanFolder(folder("wide").string())));
    for (std::size_t n = 0; n < g.voxelCount(); ++n) {
      QCOMPARE(back.valueAt(n), std::round(ct.valueAt(n)));
    }
  }

  void refusals() {
    Image mr = smallCt();
    mr.modality = "MR";
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError,
                             dicom::writeCtSeries(mr, folder("refused").string(), {}));
    const ImageGeometry g({2, 2, 2}, Vec3(0, 0, 0), Vec3(1, 1, 1));
    VolumeF32 nan(g, 0.0f);
    nan[3] = std::nanf("");
    QVERIFY_THROWS_EXCEPTION(
        InvalidArgumentError,
        dicom::writeCtSeries(Image{std::move(nan)}, folder("refused").string(), {}));
    VolumeF32 wide(g, 0.0f);
    wide[0] = -40000.0f;
    wide[1] = 40000.0f;
    QVERIFY_THROWS_EXCEPTION(
        InvalidArgumentError,
        dicom::writeCtSeries(Image{std::move(wide)}, folder("refused").string(), {}));
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError,
                             dicom::writeCtSeries(Image{}, folder("refused").string(), {}));
    QVERIFY(!fs::exists(folder("refused")));
    ProgressMonitor cancelled;
    cancelled.cancel();
    QVERIFY_THROWS_EXCEPTION(
        CancelledError,
        dicom::writeCtSeries(smallCt(), folder("cancelled").string(), {}, &cancelled));
  }

  // The TG-119 phantom's CT (first, middle and last file) and an RTSTRUCT on it: no dciodvfy
  // errors.
  void dciodvfyAcceptsPhantomSeries() {
    BEAMLET_REQUIRE_TOOL(test::dciodvfyProgram(), "dciodvfy (Debian dicom3tools)");
    const PhantomCase phantom = makeTg119Phantom();
    dicom::StudyContext study;
    study.patientId = "TG119";
    study.patientName = "Phantom^TG119";
    std::vector<std::string> paths;
    BEAMLET_NO_THROW(paths = dicom::writeCtSeries(phantom.ct, folder("tg119").string(), study));
    QCOMPARE(paths.size(), std::size_t(126));
    const dicom::DicomIndex index = dicom::scanFolder(folder("tg119").string());
    const std::string rs = (tmp_ / "tg119-RS.dcm").string();
    BEAMLET_NO_THROW(dicom::writeRtStruct(phantom.structures, onlySeries(index), rs, "TG-119"));
    for (const std::string& file : {paths.front(), paths[63], paths.back(), rs}) {
      QStringList warnings;
      const QStringList errors = test::dciodvfyErrors(file, &warnings);
      qInfo("dciodvfy %s: %d errors, %d warnings", fs::path(file).filename().c_str(),
            int(errors.size()), int(warnings.size()));
      for (const QString& w : warnings) {
        qInfo("  %s", qPrintable(w));
      }
      QVERIFY2(errors.isEmpty(), qPrintable(errors.join("\n")));
    }
  }
};

QTEST_GUILESS_MAIN(TestCtSeriesWriter)
#include "TestCtSeriesWriter.moc"
