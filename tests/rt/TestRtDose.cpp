// RTDOSE reading (every RTDOSE of the shared data; increasing and decreasing frame offsets; single
// plane; 16/32 bit) and writing (round trip, dciodvfy, pydicom).

#include "TestData.h"
#include "VolumeCompare.h"

#include "beamlet/core/Error.h"
#include "beamlet/dicom/DicomScanner.h"
#include "beamlet/dicom/RtDose.h"

#include <QProcess>
#include <QtTest/QtTest>

#include <cmath>
#include <filesystem>

using namespace beamlet;
namespace fs = std::filesystem;

namespace {

QString run(const QString& program, const QStringList& args, int* exitCode = nullptr) {
  QProcess p;
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(program, args);
  p.waitForFinished(60000);
  if (exitCode != nullptr) {
    *exitCode = p.exitCode();
  }
  return QString::fromUtf8(p.readAll());
}

Image syntheticDose(const Mat3& direction) {
  const ImageGeometry g({7, 5, 4}, Vec3(-10.5, 20.25, -3), Vec3(2.5, 3.0, 2.0), direction);
  VolumeF32 v(g);
  for (int k = 0; k < 4; ++k) {
    for (int j = 0; j < 5; ++j) {
      for (int i = 0; i < 7; ++i) {
        v(i, j, k) = 0.5f * i + 0.25f * j + 10.0f * k + 0.001f;
      }
    }
  }
  Image dose(std::move(v));
  dose.units = "Gy";
  return dose;
}

dicom::RtDoseWriteOptions withPlan() {
  dicom::RtDoseWriteOptions options;
  options.referencedPlanUid = dicom::newUid();
  return options;
}

} // namespace

class TestRtDose : public QObject {
  Q_OBJECT

  fs::path tmp_;

private Q_SLOTS:
  void initTestCase() {
    tmp_ = fs::temp_directory_path() /
           ("beamlet-rtdose-" + std::to_string(QCoreApplication::applicationPid()));
    fs::create_directories(tmp_);
  }
  void cleanupTestCase() {
    if (qgetenv("BEAMLET_KEEP_TEST_OUTPUT").isEmpty()) {
      fs::remove_all(tmp_);
    }
  }

  void readsEveryRtDose() {
    BEAMLET_REQUIRE_DATA("rt");
    int read = 0;
    // The scanner already tells RT objects apart (by SOP class and modality).
    for (const char* folder : {"rt", "dicom"}) {
      for (const auto& rt : dicom::scanFolder(test::dataPath(folder)).rtObjects) {
        if (rt.kind != dicom::RtKind::Dose) {
          continue;
        }
        const std::string path = rt.file.path;
        try {
          const Image dose = dicom::readRtDose(path);
          QVERIFY(dose.geometry().isValid());
          const auto [lo, hi] = dose.range();
          QVERIFY2(lo >= 0.0 && hi > 0.0 && std::isfinite(hi), path.c_str());
          ++read;
        } catch (const Error& err) {
          QFAIL(err.what());
        }
      }
    }
    QVERIFY(read >= 8);
  }

  void raystationDoseGrid() {
    const std::string dir = "rt/multivendor/BrainSRSRaystationIMRT";
    BEAMLET_REQUIRE_DATA(dir);
    std::string path;
    for (const auto& e : fs::directory_iterator(test::dataPath(dir))) {
      if (e.path().filename().string().rfind("RD", 0) == 0) {
        path = e.path().string();
      }
    }
    Image dose;
    BEAMLET_NO_THROW(dose = dicom::readRtDose(path));
    QCOMPARE(dose.geometry().dims[0], 63); // Columns
    QCOMPARE(dose.geometry().dims[1], 78); // Rows
    QCOMPARE(dose.geometry().dims[2], 79);
    QVERIFY(std::abs(dose.geometry().spacing.z() - 3.0) < 1e-6);
    QCOMPARE(dose.units, std::string("Gy"));
  }

  void decreasingOffsetsAreSorted() {
    const std::string file = "rt/multivendor/GK_test_data/gkdosefile/RTDOSE0000000000.dcm";
    BEAMLET_REQUIRE_DATA(file);
    Image dose;
    BEAMLET_NO_THROW(dose = dicom::readRtDose(test::dataPath(file)));
    const ImageGeometry& g = dose.geometry();
    QCOMPARE(g.dims[2], 12);
    QVERIFY(g.spacing.z() > 0);
    // k runs along row x column (+z for this axial grid) from the lowest frame.
    QVERIFY(g.direction(2, 2) > 0.99);
  }

  void roundTrip_data() {
    QTest::addColumn<int>("handedness");
    QTest::addColumn<double>("maxGy");
    QTest::newRow("right-handed") << 1 << 0.0;
    QTest::newRow("left-handed (k reversed)") << -1 << 0.0;
    // A small dose: 32-bit DoseGridScaling of about 1e-10 (was read as 0 once).
    QTest::newRow("0.4 Gy maximum") << 1 << 0.4;
  }

  void roundTrip() {
    QFETCH(int, handedness);
    QFETCH(double, maxGy);
    Mat3 d = Mat3::Identity();
    d(2, 2) = handedness;
    Image dose = syntheticDose(d);
    if (maxGy > 0.0) {
      VolumeF32 scaled = dose.toFloat();
      const double factor = maxGy / dose.range().second;
      for (float& v : scaled.voxels()) {
        v = static_cast<float>(v * factor);
      }
      dose = Image(std::move(scaled));
    }
    dicom::StudyContext context;
    context.patientName = "Test^Dose";
    context.patientId = "RTDOSE1";
    context.frameOfReferenceUid = dicom::newUid();
    dicom::RtDoseWriteOptions options;
    options.referencedPlanUid = dicom::newUid();
    const std::string path = (tmp_ / "rd.dcm").string();
    BEAMLET_NO_THROW(dicom::writeRtDose(dose, context, path, options));
    Image back;
    BEAMLET_NO_THROW(back = dicom::readRtDose(path));
    const test::Comparison c = test::compareOnVoxelCentres(back, dose, 1e-4, 1e-5);
    QVERIFY2(c.sameCentres && c.valueMismatches == 0, c.describe().c_str());
    const dicom::DicomFileInfo info = dicom::readFileInfo(path);
    QCOMPARE(info.referencedPlanUids.size(), std::size_t{1});
    QCOMPARE(info.referencedPlanUids[0], options.referencedPlanUid);
    QCOMPARE(info.doseUnits, std::string("GY"));
    QCOMPARE(info.frameOfReferenceUid, context.frameOfReferenceUid);
  }

  void writtenDoseIsValidDicom_data() {
    QTest::addColumn<int>("bits");
    QTest::newRow("16 bit") << 16;
    QTest::newRow("32 bit") << 32;
  }

  // dciodvfy reports no error. It asserts on 32-bit pixel data (a dicom3tools limitation), so the
  // 32-bit file is checked on a copy without Pixel Data, ignoring only that missing attribute.
  void writtenDoseIsValidDicom() {
    QFETCH(int, bits);
    const std::string path = (tmp_ / ("valid" + std::to_string(bits) + ".dcm")).string();
    dicom::StudyContext context;
    context.patientName = "Test^Dose";
    context.patientId = "RTDOSE2";
    context.studyInstanceUid = dicom::newUid();
    context.frameOfReferenceUid = dicom::newUid();
    dicom::RtDoseWriteOptions options;
    options.bitsAllocated = bits;
    options.referencedPlanUid = dicom::newUid();
    BEAMLET_NO_THROW(dicom::writeRtDose(syntheticDose(Mat3::Identity()), context, path, options));
    for (const char* tool : {"dciodvfy", "dcmodify"}) {
      if (QStandardPaths::findExecutable(tool).isEmpty()) {
        if (test::testDataRequired()) {
          QFAIL(qPrintable(QString("%1 is not installed (installer/debian-deps.sh)").arg(tool)));
        }
        QSKIP(qPrintable(QString("%1 is not installed").arg(tool)));
      }
    }
    std::string checked = path;
    if (bits == 32) {
      checked = path + ".nopixels.dcm";
      fs::copy_file(path, checked);
      run("dcmodify", {"-nb", "-ea", "(7fe0,0010)", QString::fromStdString(checked)});
    }
    const QString report = run("dciodvfy", {QString::fromStdString(checked)});
    QStringList errors;
    for (const QString& line : report.split('\n')) {
      // Without Pixel Data, the Image Pixel attributes become "present when condition unsatisfied".
      const bool becauseNoPixels =
          bits == 32 && (line.contains("PixelData") || line.contains("condition unsatisfied"));
      if (line.startsWith("Error") && !becauseNoPixels) {
        errors << line;
      }
    }
    QVERIFY2(!report.contains("Assertion"), qPrintable(report));
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(" | ")));
    // pydicom (Debian's python3-pydicom, for the system python) reads it back with the same dose.
    int exitCode = -1;
    const QString py =
        run("/usr/bin/python3",
            {"-c",
             "import pydicom,sys; d=pydicom.dcmread(sys.argv[1]); "
             "a=d.pixel_array*float(d.DoseGridScaling); "
             "print(d.Modality, a.shape, round(float(a.max()),3), round(float(a.min()),4))",
             QString::fromStdString(path)},
            &exitCode);
    QCOMPARE(exitCode, 0);
    QVERIFY2(py.contains("RTDOSE (4, 5, 7) 34.001 0.001"), qPrintable(py));
  }

  void refusals() {
    QVERIFY_THROWS_EXCEPTION(
        InvalidArgumentError,
        dicom::writeRtDose(
            Image(VolumeF32(ImageGeometry({2, 2, 2}, Vec3::Zero(), Vec3::Ones()), -1.0f)), {},
            (tmp_ / "neg.dcm").string(), withPlan()));
    QVERIFY(!fs::exists(tmp_ / "neg.dcm"));
    QVERIFY_THROWS_EXCEPTION(IoError, dicom::writeRtDose(syntheticDose(Mat3::Identity()), {},
                                                         (tmp_ / "missing" / "rd.dcm").string(),
                                                         withPlan()));
    QVERIFY_THROWS_EXCEPTION(
        InvalidArgumentError,
        dicom::writeRtDose(syntheticDose(Mat3::Identity()), {}, (tmp_ / "noplan.dcm").string()));
    BEAMLET_REQUIRE_DATA("dicom/pydicom/CT_small.dcm");
    try {
      dicom::readRtDose(test::dataPath("dicom/pydicom/CT_small.dcm"));
      QFAIL("a CT was read as dose");
    } catch (const DataError& e) {
      QVERIFY(QString(e.what()).contains("not an RTDOSE"));
    }
  }

  void doseFromVolumeFile() {
    const std::string file = "rt/eclipse-prostate/EclipseProstate_Dose.nrrd";
    BEAMLET_REQUIRE_DATA(file);
    Image dose;
    BEAMLET_NO_THROW(dose = dicom::readDose(test::dataPath(file)));
    QCOMPARE(dose.geometry().dims[0], 136);
    QCOMPARE(dose.geometry().dims[1], 86);
    QCOMPARE(dose.geometry().dims[2], 92);
    QCOMPARE(dose.voxelType(), VoxelType::Float32);
  }
};

QTEST_GUILESS_MAIN(TestRtDose)
#include "TestRtDose.moc"
