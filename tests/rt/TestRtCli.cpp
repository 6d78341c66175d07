// beamlet-cli dvh on good and bad input: values as the library computes them, one-line errors and
// exit code 1 for truncated files, wrong object types and mismatched frames of reference.

#include "CliRunner.h"
#include "TestData.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest/QtTest>

namespace {

using beamlet::test::CliRun;

CliRun cli(const QStringList& args) {
  return beamlet::test::runCli(args);
}

using beamlet::test::dataArg;

} // namespace

class TestRtCli : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void dvhJson() {
    const std::string base = "dvh/nelms/DVH-Analysis-Data-Etc/";
    BEAMLET_REQUIRE_DATA(base + "STRUCTURES/Sphere_10_0.dcm");
    const CliRun r = cli({"-q", "dvh", "--structures", dataArg(base + "STRUCTURES/Sphere_10_0.dcm"),
                          "--dose", dataArg(base + "DOSE GRIDS/Linear_AntPost_1mm_Aligned.dcm"),
                          "--metrics", "Dmean,D95%,V16Gy%", "--json"});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject root = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(root["format"].toString(), QString("beamlet-dvh"));
    bool found = false;
    for (const auto& roi : root["rois"].toArray()) {
      const QJsonObject o = roi.toObject();
      if (!o.contains("metrics")) {
        continue;
      }
      found = true;
      const QJsonObject m = o["metrics"].toObject();
      // Linear 1 Gy/mm through a sphere centred at 16 Gy: mean 16 Gy, half the volume above it.
      QVERIFY(std::abs(m["Dmean"].toObject()["value"].toDouble() - 16.0) < 0.01);
      QCOMPARE(m["Dmean"].toObject()["unit"].toString(), QString("Gy"));
      QVERIFY(std::abs(m["V16Gy%"].toObject()["value"].toDouble() - 50.0) < 0.5);
      QCOMPARE(m["V16Gy%"].toObject()["unit"].toString(), QString("%"));
      QVERIFY(std::abs(o["volumeCc"].toDouble() - 7.238) < 0.02 * 7.238);
    }
    QVERIFY(found);
  }

  void endCapConventions() {
    // A cylinder (radius 12 mm, 24 mm long) standing across 3 mm slices, contoured from end to
    // end: flat caps add half a slice of the full disc at each end, pinched caps a cone over it
    // (a third of that), none end at the outermost contours.
    const std::string base = "dvh/nelms/DVH-Analysis-Data-Etc/";
    BEAMLET_REQUIRE_DATA(base + "STRUCTURES/Cylinder_30_0.dcm");
    const double disc = 3.14159265 * 144.0 * 1e-3; // cc per mm
    const std::vector<std::pair<QString, double>> expected = {
        {"flat", disc * 27.0}, {"pinched", disc * 25.0}, {"none", disc * 24.0}};
    for (const auto& [caps, volume] : expected) {
      const CliRun r =
          cli({"-q", "dvh", "--structures", dataArg(base + "STRUCTURES/Cylinder_30_0.dcm"),
               "--dose", dataArg(base + "DOSE GRIDS/Linear_AntPost_3mm_Aligned.dcm"), "--end-caps",
               caps, "--metrics", "Dmean", "--json"});
      QCOMPARE(r.exitCode, 0);
      double found = 0.0;
      for (const auto& roi : QJsonDocument::fromJson(r.out.toUtf8()).object()["rois"].toArray()) {
        found = std::max(found, roi.toObject()["volumeCc"].toDouble());
      }
      qInfo("%s: %.3f cc (expected %.3f)", qPrintable(caps), found, volume);
      QVERIFY2(std::abs(found - volume) <= 0.005 * volume, qPrintable(caps));
    }
    QVERIFY(cli({"dvh", "--structures", "a", "--dose", "b", "--end-caps", "round"}).exitCode != 0);
  }

  void badInputIsOneLineExitOne_data() {
    QTest::addColumn<QString>("structures");
    QTest::addColumn<QString>("dose");
    QTest::addColumn<QString>("expected");
    const QString dose = dataArg("rt/eclipse-prostate/EclipseProstate_Dose.nrrd");
    QTest::newRow("truncated") << dataArg("dicom/pydicom/rtplan_truncated.dcm") << dose
                               << "rtplan_truncated.dcm:";
    QTest::newRow("not an RTSTRUCT")
        << dataArg("dicom/pydicom/CT_small.dcm") << dose << "not an RTSTRUCT";
    QTest::newRow("not a dose") << dataArg("rt/dicompyler-core/rtss.dcm")
                                << dataArg("dicom/pydicom/CT_small.dcm") << "not an RTDOSE";
    QTest::newRow("missing dose") << dataArg("rt/dicompyler-core/rtss.dcm") << "/nonexistent.nrrd"
                                  << "/nonexistent.nrrd";
    QTest::newRow("other frame of reference")
        << dataArg("rt/dicompyler-core/rtss.dcm")
        << dataArg("rt/multivendor/GK_test_data/gkdosefile/RTDOSE0000000000.dcm")
        << "frame of reference";
  }

  void badInputIsOneLineExitOne() {
    QFETCH(QString, structures);
    QFETCH(QString, dose);
    QFETCH(QString, expected);
    BEAMLET_REQUIRE_DATA("rt/dicompyler-core/rtss.dcm");
    const CliRun r = cli({"-q", "dvh", "--structures", structures, "--dose", dose});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err.trimmed().count('\n'), 0);
    QVERIFY2(r.err.startsWith("beamlet-cli: error: "), qPrintable(r.err));
    QVERIFY2(r.err.contains(expected), qPrintable(r.err));
  }
};

QTEST_GUILESS_MAIN(TestRtCli)
#include "TestRtCli.moc"
