// `beamlet-cli plan --demo tg119` end to end: the TG-119 C-shape goals met on the deliverable
// (sequenced) plan, the files it writes, and its RTDOSE reproduced by `beamlet-cli dose` on its
// RTPLAN (gamma 2%/2 mm).

#include "CliRunner.h"

#include "beamlet/dicom/RtDose.h"
#include "beamlet/dicom/RtPlan.h"
#include "beamlet/dose/Gamma.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <filesystem>

using namespace beamlet;
namespace fs = std::filesystem;

class TestPlanCli : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void tg119Demo() {
    QTemporaryDir dir;
    const fs::path out = fs::path(dir.path().toStdString()) / "tg119";
    const test::CliRun r =
        test::runCli({"-q", "plan", "--demo", "tg119", "--out",
                      QString::fromStdString(out.string()), "--threads", "2", "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject report = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(report["format"].toString(), QString("beamlet-plan-report"));
    for (const auto& g : report["goals"].toArray()) {
      const QJsonObject goal = g.toObject();
      qInfo("%s: %.2f %s", qPrintable(goal["goal"].toString()), goal["achieved"].toDouble(),
            goal["met"].toBool() ? "met" : "NOT met");
      QVERIFY2(goal["met"].toBool(), qPrintable(goal["goal"].toString()));
    }
    QCOMPARE(report["goals"].toArray().size(), 3);
    QCOMPARE(report["beams"].toArray().size(), 9);
    QVERIFY(report["segments"].toInt() >= 9);
    for (const char* file : {"RP.dcm", "RD.dcm", "RS.dcm", "report.json", "report.html"}) {
      QVERIFY2(fs::exists(out / file), file);
    }
    QVERIFY(fs::is_directory(out / "CT"));
    const Plan plan = dicom::readRtPlan((out / "RP.dcm").string());
    QCOMPARE(plan.beams.size(), std::size_t{9});
    QCOMPARE(plan.numberOfFractions(), 25);

    // The RTPLAN recomputed independently by `dose` gives the same dose.
    const fs::path recomputed = out / "recomputed.dcm";
    const test::CliRun d =
        test::runCli({"-q", "dose", "--image", QString::fromStdString((out / "CT").string()),
                      "--structures", QString::fromStdString((out / "RS.dcm").string()), "--plan",
                      QString::fromStdString((out / "RP.dcm").string()), "--out",
                      QString::fromStdString(recomputed.string())});
    QVERIFY2(d.exitCode == 0, qPrintable(d.err));
    dose::GammaSettings settings;
    settings.doseDifferencePercent = 2.0;
    settings.dtaMm = 2.0;
    const dose::GammaResult gamma =
        dose::computeGamma(dicom::readRtDose((out / "RD.dcm").string()),
                           dicom::readRtDose(recomputed.string()), settings);
    qInfo("plan RTDOSE vs dose on its RTPLAN: gamma 2%%/2 mm pass rate %.2f%%",
          gamma.passRatePercent);
    QVERIFY(gamma.passRatePercent >= 99.0);
  }
};

QTEST_APPLESS_MAIN(TestPlanCli)
#include "TestPlanCli.moc"
