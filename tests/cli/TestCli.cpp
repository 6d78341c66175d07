// beamlet-cli as a user runs it: exit codes, one-line errors on stderr, JSON that parses, output
// files that read back.

#include "CliRunner.h"
#include "TestData.h"

#include "beamlet/dicom/VolumeFile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest/QtTest>

#include <filesystem>

namespace fs = std::filesystem;

namespace {

using beamlet::test::CliRun;

CliRun cli(const QStringList& args) {
  return beamlet::test::runCli(args);
}

using beamlet::test::dataArg;

} // namespace

class TestCli : public QObject {
  Q_OBJECT

  fs::path tmp_;

private Q_SLOTS:
  void initTestCase() {
    tmp_ = fs::temp_directory_path() /
           ("beamlet-cli-test-" + std::to_string(QCoreApplication::applicationPid()));
    fs::create_directories(tmp_);
  }
  void cleanupTestCase() { fs::remove_all(tmp_); }

  void helpOnEveryCommand() {
    for (const QStringList& args :
         {QStringList{"--help"}, QStringList{"info", "--help"}, QStringList{"convert", "--help"}}) {
      const CliRun r = cli(args);
      QCOMPARE(r.exitCode, 0);
      QVERIFY(r.out.contains("Usage") || r.out.contains("usage"));
    }
  }

  void usageErrors() {
    QVERIFY(cli({}).exitCode != 0);
    QVERIFY(cli({"convert", "somewhere"}).exitCode != 0); // --out missing
    QVERIFY(cli({"frobnicate"}).exitCode != 0);
  }

  void missingFolderIsOneLineError() {
    const CliRun r = cli({"info", "/nonexistent/beamlet"});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err.trimmed().count('\n'), 0);
    QVERIFY(r.err.startsWith("beamlet-cli: error: /nonexistent/beamlet: "));
  }

  void infoTextAndJson() {
    BEAMLET_REQUIRE_DATA("dicom/rt-utils");
    const CliRun text = cli({"info", dataArg("dicom/rt-utils")});
    QCOMPARE(text.exitCode, 0);
    QVERIFY(text.out.contains("RTSTRUCT"));
    QVERIFY(text.out.contains("-> series"));

    const CliRun json = cli({"-q", "info", "--json", dataArg("dicom/rt-utils")});
    QCOMPARE(json.exitCode, 0);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json.out.toUtf8(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    const QJsonObject root = doc.object();
    QCOMPARE(root["format"].toString(), QString("beamlet-dicom-index"));
    QCOMPARE(root["version"].toInt(), 1);
    QVERIFY(root["patients"].toArray().size() >= 1);
    const QJsonArray rts = root["rtObjects"].toArray();
    QVERIFY(!rts.isEmpty());
    bool seriesReference = false;
    for (const auto& rt : rts) {
      QCOMPARE(rt.toObject()["kind"].toString(), QString("RTSTRUCT"));
      for (const auto& ref : rt.toObject()["references"].toArray()) {
        seriesReference = seriesReference || ref.toObject()["type"].toString() == "series";
      }
    }
    QVERIFY(seriesReference);
    const QJsonObject series = root["patients"]
                                   .toArray()[0]
                                   .toObject()["studies"]
                                   .toArray()[0]
                                   .toObject()["series"]
                                   .toArray()[0]
                                   .toObject();
    for (const char* key : {"id", "seriesInstanceUid", "modality", "dims", "spacingMm", "slices"}) {
      QVERIFY2(series.contains(key), key);
    }
  }

  void infoOnWholeCorpusExitsZero() {
    BEAMLET_REQUIRE_DATA("dicom");
    const CliRun r = cli({"-q", "info", "--json", dataArg("dicom")});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject root = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QVERIFY(root["skipped"].toArray().size() > 10);
    for (const auto& s : root["skipped"].toArray()) {
      QVERIFY(!s.toObject()["reason"].toString().isEmpty());
    }
  }

  void convertWritesVolume() {
    BEAMLET_REQUIRE_DATA("dicom/dicom2nifti/siemens/anatomical/001");
    const QString out = QString::fromStdString((tmp_ / "siemens.nrrd").string());
    const CliRun r =
        cli({"convert", dataArg("dicom/dicom2nifti/siemens/anatomical/001"), "--out", out});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.startsWith("wrote " + out + ": 256x256x4 voxels"));
    const beamlet::Image image = beamlet::dicom::readVolumeFile(out.toStdString());
    QCOMPARE(image.geometry().dims[2], 4);
  }

  void convertRefusalIsOneLineNamingTheFile() {
    BEAMLET_REQUIRE_DATA("dicom/dicom2nifti/failing/sliceorientation/001");
    const QString out = QString::fromStdString((tmp_ / "never.nii.gz").string());
    const CliRun r =
        cli({"convert", dataArg("dicom/dicom2nifti/failing/sliceorientation/001"), "--out", out});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err.trimmed().count('\n'), 0);
    QVERIFY(r.err.contains(".dcm: orientation differs from"));
    QVERIFY(!fs::exists(out.toStdString()));
  }

  void convertNeedsSeriesWhenSeveral() {
    BEAMLET_REQUIRE_DATA("dicom/dicom2nifti/siemens/anatomical");
    const QString out = QString::fromStdString((tmp_ / "x.nii.gz").string());
    const CliRun r =
        cli({"-q", "convert", dataArg("dicom/dicom2nifti/siemens/anatomical"), "--out", out});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.contains("choose one with --series"));
    const CliRun bad = cli({"convert", dataArg("dicom/dicom2nifti/siemens/anatomical/001"), "--out",
                            QString::fromStdString((tmp_ / "x.png").string())});
    QCOMPARE(bad.exitCode, 1);
    QVERIFY(bad.err.contains("unknown output type"));
  }
};

QTEST_GUILESS_MAIN(TestCli)
#include "TestCli.moc"
