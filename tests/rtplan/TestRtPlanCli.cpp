// beamlet-cli plan-info as a user runs it: text and JSON output of real plans, unsupported beams
// listed, one-line errors for broken files.

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

QString eclipsePlan() {
  const std::string folder = beamlet::test::dataPath("rt/eclipse-prostate/dicom");
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().filename().string().rfind("RP", 0) == 0) {
      return QString::fromStdString(entry.path().string());
    }
  }
  return {};
}

} // namespace

class TestRtPlanCli : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void help() {
    const CliRun r = cli({"plan-info", "--help"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("--json"));
  }

  void textOutput() {
    BEAMLET_REQUIRE_DATA("rt/eclipse-prostate/dicom");
    const CliRun r = cli({"plan-info", eclipsePlan()});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("plan 'PROS'"), qPrintable(r.out));
    QVERIFY(r.out.contains("prescription: 46 Gy in 23 fractions"));
    QVERIFY(r.out.contains("fraction group 1: 23 fractions, 5 beams"));
    QVERIFY2(r.out.contains("beam 2 'RT LAT PROS': STATIC PHOTON TREATMENT, 15 MV, machine "
                            "'CL21B', SAD 1000 mm, 2 control points, gantry 270, collimator 0, "
                            "couch 0, isocentre (-0.000131333, 0.908959, -3.333e-06) mm, MU "
                            "64.0185, MLCX 60 leaf pairs"),
             qPrintable(r.out));
    QVERIFY(!r.out.contains("unsupported"));
  }

  void jsonOutput() {
    BEAMLET_REQUIRE_DATA("rt/eclipse-prostate/dicom");
    const CliRun r = cli({"plan-info", eclipsePlan(), "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(r.out.toUtf8(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    const QJsonObject plan = doc.object();
    QCOMPARE(plan["format"].toString(), QString("beamlet-plan-info"));
    QCOMPARE(plan["label"].toString(), QString("PROS"));
    QCOMPARE(plan["prescribedDoseGy"].toDouble(), 46.0);
    QCOMPARE(plan["fractionGroups"].toArray()[0].toObject()["fractions"].toInt(), 23);
    const QJsonArray beams = plan["beams"].toArray();
    QCOMPARE(beams.size(), 5);
    const QJsonObject lat = beams[1].toObject();
    QCOMPARE(lat["name"].toString(), QString("RT LAT PROS"));
    QCOMPARE(lat["gantryDeg"].toDouble(), 270.0);
    QCOMPARE(lat["energy"].toDouble(), 15.0);
    QCOMPARE(lat["leafPairs"].toInt(), 60);
    QCOMPARE(lat["controlPoints"].toInt(), 2);
    QVERIFY(std::abs(lat["monitorUnits"].toDouble() - 64.0184683329255) < 1e-9);
    QCOMPARE(lat["isocenterLpsMm"].toArray().size(), 3);
    QVERIFY(lat["supported"].toBool());
    QVERIFY(beams[4].toObject()["monitorUnits"].isNull()); // CBCT
  }

  void unsupportedBeamsAreListed() {
    BEAMLET_REQUIRE_DATA("rt/multivendor/GK_test_data/gkdosefile/RTPLAN.dcm");
    const CliRun r = cli({"plan-info", QString::fromStdString(beamlet::test::dataPath(
                                           "rt/multivendor/GK_test_data/gkdosefile/RTPLAN.dcm"))});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("unsupported: Leksell Gamma Knife plan"), qPrintable(r.out));
    const CliRun j = cli({"plan-info", "--json",
                          QString::fromStdString(beamlet::test::dataPath(
                              "rt/multivendor/GK_test_data/gkdosefile/RTPLAN.dcm"))});
    const QJsonObject beam =
        QJsonDocument::fromJson(j.out.toUtf8()).object()["beams"].toArray()[0].toObject();
    QVERIFY(!beam["supported"].toBool());
    QVERIFY(beam["unsupportedReason"].toString().contains("Gamma Knife"));
  }

  void brokenFileIsOneLineError() {
    BEAMLET_REQUIRE_DATA("dicom/pydicom/rtplan_truncated.dcm");
    const QString path =
        QString::fromStdString(beamlet::test::dataPath("dicom/pydicom/rtplan_truncated.dcm"));
    const CliRun r = cli({"plan-info", path});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.out.isEmpty());
    const QStringList lines = r.err.split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1);
    QVERIFY2(lines[0].startsWith("beamlet-cli: error: " + path + ": truncated"), qPrintable(r.err));
  }
};

QTEST_GUILESS_MAIN(TestRtPlanCli)
#include "TestRtPlanCli.moc"
