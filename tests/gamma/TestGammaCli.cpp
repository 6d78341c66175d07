// beamlet-cli gamma as a user runs it: volume files and RTDOSE in, text and JSON out (JSON that
// parses, with the pass convention), the gamma volume written, one-line errors and exit code 1.

#include "beamlet/dicom/RtDose.h"
#include "beamlet/dicom/StudyContext.h"
#include "beamlet/dicom/VolumeFile.h"
#include "beamlet/dose/Gamma.h"

#include "CliRunner.h"
#include "TestData.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

using namespace beamlet;

namespace {

using beamlet::test::CliRun;

CliRun cli(const QStringList& args) {
  return beamlet::test::runCli(args);
}

// 20 x 16 x 12 voxels of 2 x 2 x 3 mm: 10 Gy in a box (x < 20 mm), 0.5 Gy elsewhere (below the
// 10% cut-off), times `scale`.
VolumeF32 boxDose(double scale) {
  const ImageGeometry g({20, 16, 12}, Vec3(0, 0, 0), Vec3(2, 2, 3));
  VolumeF32 v(g);
  for (int k = 0; k < 12; ++k) {
    for (int j = 0; j < 16; ++j) {
      for (int i = 0; i < 20; ++i) {
        v(i, j, k) = static_cast<float>(scale * (2 * i < 20 ? 10.0 : 0.5));
      }
    }
  }
  return v;
}

} // namespace

class TestGammaCli : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  QString ref_;
  QString eval_;

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    ref_ = dir_.filePath("ref.mha");
    eval_ = dir_.filePath("eval.nii.gz");
    BEAMLET_NO_THROW(dicom::writeVolumeFile(Image(boxDose(1.0)), ref_.toStdString()));
    BEAMLET_NO_THROW(dicom::writeVolumeFile(Image(boxDose(1.02)), eval_.toStdString()));
  }

  void textOutput() {
    const CliRun r = cli({"gamma", ref_, eval_});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("pass rate: 100.00% (gamma <= 1 passes: 1920 of 1920 points)"),
             qPrintable(r.out));
    QVERIFY(r.out.contains("3%/2 mm global, cut-off 10% of reference max, max gamma 2"));
    QVERIFY(r.out.contains("1920 below the cut-off, 0 outside EVAL"));
  }

  void jsonAndGammaVolume() {
    const QString out = dir_.filePath("gamma.nii.gz");
    const CliRun r = cli({"gamma", ref_, eval_, "--dd", "1", "--dta", "1.5", "--local",
                          "--max-gamma", "3", "--json", "--out", out});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QJsonParseError error;
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8(), &error).object();
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(r.out));
    QCOMPARE(o["format"].toString(), QString("beamlet-gamma"));
    QCOMPARE(o["passCriterion"].toString(), QString("gamma <= 1"));
    QCOMPARE(o["settings"].toObject()["local"].toBool(), true);
    QCOMPARE(o["settings"].toObject()["dtaMm"].toDouble(), 1.5);
    // Local 1%: 0.2 Gy / 0.1 Gy = 2 at every box point away from the edge, where EVAL's fall
    // from 10.2 Gy (x = 18 mm) to 0.51 Gy (x = 20 mm) crosses 10 Gy at x = 18.04 mm: only the last
    // box column passes (the one before it is 2.04 mm / 1.5 mm = 1.36 away).
    QCOMPARE(o["pointsEvaluated"].toInt(), 1920);
    QCOMPARE(o["pointsPassed"].toInt(), 192);
    QVERIFY(std::abs(o["maxGamma"].toDouble() - 2.0) < 1e-5);
    QCOMPARE(o["gammaVolume"].toString(), out);
    Image gamma;
    BEAMLET_NO_THROW(gamma = dicom::readVolumeFile(out.toStdString()));
    const VolumeF32 g = gamma.toFloat();
    QCOMPARE(g.dims(), (Index3{20, 16, 12}));
    QCOMPARE(g(15, 3, 3), dose::kGammaBelowCutoff);
    QVERIFY(std::abs(g(3, 3, 3) - 2.0f) < 1e-5f);
  }

  void rtDoseInput() {
    dicom::StudyContext context;
    context.patientName = "Test^Gamma";
    context.patientId = "GAMMA1";
    context.studyInstanceUid = dicom::newUid();
    context.frameOfReferenceUid = dicom::newUid();
    dicom::RtDoseWriteOptions options;
    options.referencedPlanUid = dicom::newUid();
    const QString rd = dir_.filePath("eval.dcm");
    BEAMLET_NO_THROW(dicom::writeRtDose(Image(boxDose(1.02)), context, rd.toStdString(), options));
    const CliRun r = cli({"gamma", ref_, rd, "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
    // Same as the volume file (the RTDOSE keeps 32-bit precision).
    const CliRun v = cli({"gamma", ref_, eval_, "--json"});
    const QJsonObject ov = QJsonDocument::fromJson(v.out.toUtf8()).object();
    QCOMPARE(o["pointsEvaluated"].toInt(), 1920);
    QCOMPARE(o["pointsPassed"].toInt(), ov["pointsPassed"].toInt());
    QVERIFY(std::abs(o["meanGamma"].toDouble() - ov["meanGamma"].toDouble()) < 1e-5);
  }

  void errorsAreOneLine() {
    CliRun r = cli({"gamma", ref_, dir_.filePath("missing.mha")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.startsWith("beamlet-cli: error: ") && r.err.contains("missing.mha") &&
                 r.err.count('\n') == 1,
             qPrintable(r.err));
    r = cli({"gamma", ref_, eval_, "--dta", "0"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("distance to agreement"), qPrintable(r.err));
    r = cli({"gamma", ref_, eval_, "--out", dir_.filePath("gamma.png")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("gamma.png: unknown output type"), qPrintable(r.err));
  }
};

QTEST_GUILESS_MAIN(TestGammaCli)
#include "TestGammaCli.moc"
