// `beamlet-cli phantom` as a user runs it: the TG-119 phantom written, then read back through the
// library (scan, series loading, RTSTRUCT reading) with its geometry, HU, structure names and
// rasterised volumes against the analytic ones, dciodvfy on what was written; the water phantom in
// text mode; refusal of a non-empty output folder.

#include "CliRunner.h"
#include "ExternalTools.h"
#include "TestData.h"

#include "beamlet/core/ContourRasterizer.h"
#include "beamlet/dicom/DicomScanner.h"
#include "beamlet/dicom/RtStruct.h"
#include "beamlet/dicom/SeriesLoader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest/QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace beamlet;
namespace fs = std::filesystem;

namespace {

QString arg(const fs::path& p) {
  return QString::fromStdString(p.string());
}

double huAt(const Image& ct, const Vec3& lps) {
  const Vec3 ijk = ct.geometry().patientToIndex(lps);
  return ct.valueAt(ct.geometry().linearIndex(static_cast<int>(std::lround(ijk.x())),
                                              static_cast<int>(std::lround(ijk.y())),
                                              static_cast<int>(std::lround(ijk.z()))));
}

} // namespace

class TestPhantomCli : public QObject {
  Q_OBJECT

  fs::path tmp_;

private Q_SLOTS:
  void initTestCase() {
    tmp_ = fs::temp_directory_path() /
           ("beamlet-phantom-cli-" + std::to_string(QCoreApplication::applicationPid()));
    fs::create_directories(tmp_);
  }
  void cleanupTestCase() {
    if (qgetenv("BEAMLET_KEEP_TEST_OUTPUT").isEmpty()) {
      fs::remove_all(tmp_);
    }
  }

  void help() {
    const test::CliRun r = test::runCli({"phantom", "--help"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("tg119"));
  }

  void tg119WrittenAndReadBack() {
    const fs::path out = tmp_ / "tg119";
    const test::CliRun r = test::runCli({"phantom", "tg119", "--out", arg(out), "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));

    // The JSON summary.
    QJsonParseError error;
    const QJsonObject root = QJsonDocument::fromJson(r.out.toUtf8(), &error).object();
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    QCOMPARE(root["format"].toString(), QString("beamlet-phantom"));
    QCOMPARE(root["version"].toInt(), 1);
    QCOMPARE(root["phantom"].toString(), QString("tg119"));
    const QJsonObject ct = root["ct"].toObject();
    QCOMPARE(ct["dims"].toArray(), (QJsonArray{110, 61, 126}));
    QCOMPARE(ct["spacingMm"].toArray(), (QJsonArray{3.0, 3.0, 2.5}));
    QCOMPARE(ct["originMm"].toArray(), (QJsonArray{-163.5, -90.0, -156.25}));
    QCOMPARE(ct["files"].toArray().size(), 126);
    QCOMPARE(ct["files"].toArray()[0].toString(), QString("CT/CT0001.dcm"));
    QCOMPARE(root["rtstruct"].toObject()["path"].toString(), QString("RS.dcm"));
    const QJsonArray rois = root["structures"].toArray();
    QCOMPARE(rois.size(), 3);
    QCOMPARE(rois[1].toObject()["name"].toString(), QString("PTV_C"));
    QVERIFY(std::abs(rois[1].toObject()["volumeCc"].toDouble() - 168.782) < 0.02 * 168.782);
    QVERIFY(std::abs(rois[2].toObject()["volumeCc"].toDouble() - 31.416) < 0.02 * 31.416);

    // The files, through the library: one CT series and an RTSTRUCT referencing it.
    const dicom::DicomIndex index = dicom::scanFolder(out.string());
    QVERIFY(index.skipped.empty());
    const std::vector<const dicom::SeriesEntry*> all = index.allSeries();
    QCOMPARE(all.size(), std::size_t(1));
    const dicom::SeriesEntry& series = *all[0];
    QCOMPARE(series.seriesInstanceUid, ct["seriesInstanceUid"].toString().toStdString());
    QCOMPARE(series.files.size(), std::size_t(126));
    QCOMPARE(index.rtObjects.size(), std::size_t(1));
    QCOMPARE(index.rtObjects[0].kind, dicom::RtKind::Structures);
    QCOMPARE(index.rtObjects[0].file.referencedSeriesUids,
             std::vector<std::string>{series.seriesInstanceUid});

    Image image;
    BEAMLET_NO_THROW(image = dicom::loadSeries(series));
    const ImageGeometry& g = image.geometry();
    QCOMPARE(g.dims, (Index3{110, 61, 126}));
    QVERIFY(g.spacing.isApprox(Vec3(3.0, 3.0, 2.5)));
    QVERIFY(g.origin.isApprox(Vec3(-163.5, -90.0, -156.25)));
    QVERIFY(g.direction.isIdentity());
    QCOMPARE(image.units, std::string("HU"));
    QCOMPARE(huAt(image, Vec3(1.5, 0, 1.25)), 0.0);
    QCOMPARE(huAt(image, Vec3(0, -90, 0)), -1000.0);
    QCOMPARE(huAt(image, Vec3(-163.5, 0, 0)), -1000.0);

    StructureSet set;
    BEAMLET_NO_THROW(set = dicom::readRtStruct((out / "RS.dcm").string()));
    BEAMLET_NO_THROW(dicom::checkAgainstImage(set, "RS.dcm", image, &series));
    QVERIFY2(set.warnings.empty(), set.warnings.empty() ? "" : set.warnings[0].c_str());
    QCOMPARE(set.frameOfReferenceUid, series.frameOfReferenceUid);
    QCOMPARE(set.structures.size(), std::size_t(3));
    const Structure* external = set.findByName("External");
    const Structure* ptv = set.findByName("PTV_C");
    const Structure* core = set.findByName("Core");
    QVERIFY(external != nullptr && ptv != nullptr && core != nullptr);
    QCOMPARE(external->type, std::string("EXTERNAL"));
    QCOMPARE(ptv->type, std::string("PTV"));
    QCOMPARE(core->type, std::string("AVOIDANCE"));
    QCOMPARE(ptv->contours.size(), std::size_t(32));
    QCOMPARE(core->contours.size(), std::size_t(40));

    // Volumes rasterised on the CT grid against the analytic ones (docs/phantoms.md): Core
    // pi 10^2 mm2 x 100 mm = 31.416 cm3, PTV_C 2109.777 mm2 x 80 mm = 168.782 cm3, External
    // 300 x 153 x 315 mm = 14458.5 cm3.
    const double coreCc = rasterizedVolumeCc(*core, g);
    const double ptvCc = rasterizedVolumeCc(*ptv, g);
    const double externalCc = rasterizedVolumeCc(*external, g);
    qInfo("read back: Core %.3f cc, PTV_C %.3f cc, External %.3f cc", coreCc, ptvCc, externalCc);
    QVERIFY(std::abs(coreCc - 31.416) < 0.02 * 31.416);
    QVERIFY(std::abs(ptvCc - 168.782) < 0.02 * 168.782);
    QVERIFY(std::abs(externalCc - 14458.5) < 0.001 * 14458.5);
  }

  // What a user gets passes dciodvfy (skipped without dicom3tools unless peers are required).
  void tg119PassesDciodvfy() {
    BEAMLET_REQUIRE_TOOL(test::dciodvfyProgram(), "dciodvfy (Debian dicom3tools)");
    const fs::path out = tmp_ / "tg119"; // written by tg119WrittenAndReadBack, else here
    if (!fs::exists(out / "RS.dcm")) {
      QCOMPARE(test::runCli({"phantom", "tg119", "--out", arg(out)}).exitCode, 0);
    }
    for (const fs::path& file :
         {out / "CT" / "CT0001.dcm", out / "CT" / "CT0126.dcm", out / "RS.dcm"}) {
      QStringList warnings;
      const QStringList errors = test::dciodvfyErrors(file.string(), &warnings);
      qInfo("dciodvfy %s: %d errors, %d warnings", file.filename().c_str(), int(errors.size()),
            int(warnings.size()));
      QVERIFY2(errors.isEmpty(), qPrintable(errors.join("\n")));
    }
  }

  void waterTextOutput() {
    const fs::path out = tmp_ / "water";
    const test::CliRun r = test::runCli({"phantom", "water", "--out", arg(out)});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QStringList lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines[0].contains("200 CT files") && lines[0].contains("220x220x200"),
             qPrintable(lines[0]));
    QVERIFY2(lines[1].contains("RS.dcm") && lines[1].contains("External"), qPrintable(lines[1]));
    const dicom::DicomIndex index = dicom::scanFolder(out.string());
    QCOMPARE(index.allSeries().size(), std::size_t(1));
    QCOMPARE(index.allSeries()[0]->files.size(), std::size_t(200));
    QCOMPARE(index.rtObjects.size(), std::size_t(1));
    const std::optional<Vec3> spacing = index.allSeries()[0]->spacing();
    QVERIFY(spacing && spacing->isApprox(Vec3(2.0, 2.0, 2.0)));
  }

  void refusesNonEmptyFolder() {
    const fs::path out = tmp_ / "busy";
    fs::create_directories(out);
    std::ofstream(out / "keep.txt") << "mine\n";
    const test::CliRun r = test::runCli({"phantom", "tg119", "--out", arg(out)});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err.trimmed().count('\n'), 0);
    QVERIFY2(r.err.startsWith("beamlet-cli: error: " + arg(out) + ": "), qPrintable(r.err));
    QVERIFY(r.err.contains("not empty"));
    QVERIFY(!fs::exists(out / "CT"));
    QVERIFY(!fs::exists(out / "RS.dcm"));

    const test::CliRun unknown = test::runCli({"phantom", "sphere", "--out", arg(tmp_ / "x")});
    QVERIFY(unknown.exitCode != 0);
    QVERIFY(!fs::exists(tmp_ / "x"));
  }
};

QTEST_GUILESS_MAIN(TestPhantomCli)
#include "TestPhantomCli.moc"
