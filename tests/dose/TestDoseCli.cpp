// `beamlet-cli dij` and `beamlet-cli dose` as a user runs them, on the TG-119 phantom written by
// `beamlet-cli phantom`: the matrix's size report, a forward dose of an open field against the
// machine's calibration, the RTDOSE it writes, and one-line refusals of bad input.

#include "CliRunner.h"
#include "PlanFixtures.h"

#include "beamlet/dicom/DicomScanner.h"
#include "beamlet/dicom/RtDose.h"
#include "beamlet/dicom/RtPlan.h"
#include "beamlet/dose/SvdPencilBeam.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <filesystem>

using namespace beamlet;
namespace fs = std::filesystem;

namespace {

QString arg(const fs::path& p) {
  return QString::fromStdString(p.string());
}

// One AP open field of 100 x 100 mm (jaws only), 100 MU, isocentre at the phantom's centre.
Plan openFieldPlan() {
  Beam beam = test::makeBeam(1, "AP", 0.0, 0.0, Eigen::Vector3d::Zero(), 1, 100.0);
  beam.mlcType.clear();
  beam.leafPairs = 0;
  beam.leafBoundaries.clear();
  beam.limitingDeviceTypes = {"ASYMX", "ASYMY"};
  for (ControlPoint& cp : beam.controlPoints) {
    cp.mlcPositions.clear();
    cp.jawX = JawPositions{-50.0, 50.0};
    cp.jawY = JawPositions{-50.0, 50.0};
    cp.sourceToSurfaceDistance.reset();
  }
  return test::makePlan("OPEN AP", {beam}, 2.0, 2);
}

} // namespace

class TestDoseCli : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    const test::CliRun r = test::runCli({"-q", "phantom", "tg119", "--out", arg(casePath())});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
  }

  void dijReportsItsSize() {
    const test::CliRun r = test::runCli(
        {"-q", "dij", "--image", arg(casePath() / "CT"), "--structures", arg(casePath() / "RS.dcm"),
         "--gantry", "0,120,240", "--bixel", "10", "--grid", "5", "--threads", "2", "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(j["format"].toString(), QString("beamlet-dij"));
    QCOMPARE(j["target"].toString(), QString("PTV_C"));
    QCOMPARE(j["beams"].toInt(), 3);
    // PTV_C: a C of radius 37 mm, 80 mm long -> about (74/10 + 2) x (80/10 + 2) bixels per beam.
    QVERIFY(j["bixels"].toInt() > 150 && j["bixels"].toInt() < 400);
    QVERIFY(j["nnz"].toDouble() > 1e5);
    QVERIFY(j["bytes"].toDouble() >= 8.0 * j["nnz"].toDouble());
    // The C opens posteriorly: its centroid lies anterior of the axis (negative y), on x = z = 0.
    const auto iso = j["isocenter_mm"].toArray();
    QVERIFY(std::abs(iso[0].toDouble()) < 1.0 && std::abs(iso[2].toDouble()) < 1.0);
    QVERIFY(iso[1].toDouble() < -3.0 && iso[1].toDouble() > -15.0);
  }

  void forwardDoseOfAnOpenField() {
    const fs::path ct = casePath() / "CT";
    const dicom::StudyContext study =
        dicom::readStudyContext(fs::directory_iterator(ct)->path().string());
    const fs::path plan = casePath() / "RP.dcm";
    const std::string planUid = dicom::writeRtPlan(openFieldPlan(), study, plan.string());
    const fs::path out = casePath() / "RD.dcm";
    const test::CliRun r =
        test::runCli({"-q", "dose", "--image", arg(ct), "--structures", arg(casePath() / "RS.dcm"),
                      "--plan", arg(plan), "--out", arg(out), "--grid", "3", "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const Image dose = dicom::readRtDose(out.string());
    QCOMPARE(QString::fromStdString(dose.frameOfReferenceUid),
             QString::fromStdString(study.frameOfReferenceUid));
    const dicom::DicomFileInfo info = dicom::readFileInfo(out.string());
    QCOMPARE(info.referencedPlanUids.size(), std::size_t{1});
    QCOMPARE(QString::fromStdString(info.referencedPlanUids.front()),
             QString::fromStdString(planUid));
    // The box's anterior surface is at y = -76.5 mm: SSD 923.5 mm. At 15 mm depth on the axis:
    // the machine's 1 cGy/MU at 15 mm for SSD 1000 mm, times the inverse square and the (small)
    // change of scatter with SSD, times 100 MU and 2 fractions.
    const dose::SvdPencilBeam engine(dose::loadShippedMachine());
    const double expected =
        engine.openFieldDoseInWater(100.0, 923.5, 15.0) * engine.weightPerMu() * 100.0 * 2.0;
    QVERIFY(expected > 2 * 1.15 && expected < 2 * 1.2); // (1015 / 938.5)^2 = 1.17
    const ImageGeometry& g = dose.geometry();
    const Vec3 q = g.patientToIndex(Vec3(0.0, -76.5 + 15.0, 0.0));
    // Trilinear along y between the two nearest dose planes (3 mm grid).
    const int i = static_cast<int>(std::lround(q.x()));
    const int k = static_cast<int>(std::lround(q.z()));
    const int j = static_cast<int>(std::floor(q.y()));
    const double f = q.y() - j;
    const VolumeF32 d = dose.toFloat();
    const double value = (1 - f) * d(i, j, k) + f * d(i, j + 1, k);
    qInfo("open field, 15 mm deep: %.4f Gy (model at the calibration: %.4f Gy); %s", value,
          expected, qPrintable(r.out.simplified().left(160)));
    QVERIFY(std::abs(value - expected) < 0.02 * expected);
    // Outside the body nothing is computed.
    const Vec3 air = g.patientToIndex(Vec3(0.0, -88.0, 0.0));
    QCOMPARE(d(static_cast<int>(std::lround(air.x())), static_cast<int>(std::lround(air.y())),
               static_cast<int>(std::lround(air.z()))),
             0.0f);
  }

  void badInputIsOneLine() {
    const fs::path ct = casePath() / "CT";
    struct Case {
      QStringList args;
      QString expected;
    };
    const QString rs = arg(casePath() / "RS.dcm");
    const std::vector<Case> cases = {
        {{"dij", "--image", arg(ct), "--structures", rs, "--gantry", "0,x"}, "not a number"},
        {{"dij", "--image", arg(ct), "--structures", rs, "--gantry", "0", "--target", "Lung"},
         "no structure 'Lung'"},
        {{"dij", "--image", arg(ct), "--structures", rs, "--gantry", "0", "--override", "Core"},
         "NAME=DENSITY"},
        {{"dij", "--image", arg(ct), "--structures", rs, "--gantry", "0", "--device", "tpu"},
         "tpu"},
        {{"dose", "--image", arg(ct), "--plan", rs, "--out", arg(casePath() / "x.dcm")}, "RS.dcm"},
        {{"dose", "--image", arg(ct), "--plan", arg(casePath() / "RP.dcm"), "--out",
          arg(casePath() / "RP.dcm")},
         "input"},
    };
    for (const Case& c : cases) {
      const test::CliRun r = test::runCli(c.args);
      QVERIFY2(r.exitCode != 0, qPrintable(c.args.join(' ')));
      QVERIFY2(r.err.contains(c.expected), qPrintable(c.args.join(' ') + " -> " + r.err));
      QVERIFY2(r.err.trimmed().count('\n') == 0 || c.expected == "tpu", qPrintable(r.err));
    }
  }

private:
  fs::path casePath() const { return fs::path(dir_.path().toStdString()) / "tg119"; }
  QTemporaryDir dir_;
};

QTEST_APPLESS_MAIN(TestDoseCli)
#include "TestDoseCli.moc"
