// beamlet-cli compare-structures as a user runs it: an OpenKBP patient's masks against themselves
// and against a copy with one mask moved by a known number of voxels, an RTSTRUCT against the mask
// folder made from it (and the round trip masks -> rtstruct), and one-line errors.

#include "CliRunner.h"
#include "TestData.h"

#include "beamlet/core/Image.h"
#include "beamlet/dicom/VolumeFile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest/QtTest>

#include <filesystem>

namespace fs = std::filesystem;

using beamlet::test::CliRun;
using beamlet::test::dataArg;
using beamlet::test::runCli;

namespace {

QJsonObject parse(const CliRun& r) {
  QJsonParseError error;
  const QJsonDocument doc = QJsonDocument::fromJson(r.out.toUtf8(), &error);
  if (error.error != QJsonParseError::NoError) {
    qWarning("%s\n%s", qPrintable(error.errorString()), qPrintable(r.out));
    return {};
  }
  return doc.object();
}

QJsonObject row(const QJsonObject& root, const QString& name) {
  for (const QJsonValue& v : root["structures"].toArray()) {
    if (v.toObject()["name"].toString() == name) {
      return v.toObject();
    }
  }
  return {};
}

} // namespace

class TestCompareStructures : public QObject {
  Q_OBJECT

  fs::path tmp_;

private Q_SLOTS:
  void initTestCase() {
    tmp_ = fs::temp_directory_path() /
           ("beamlet-compare-test-" + std::to_string(QCoreApplication::applicationPid()));
    fs::create_directories(tmp_);
  }
  void cleanupTestCase() { fs::remove_all(tmp_); }

  void maskFolderAgainstItself() {
    BEAMLET_REQUIRE_DATA("openkbp/train/pt_1");
    const QString patient = dataArg("openkbp/train/pt_1");
    const CliRun r = runCli({"compare-structures", patient, patient, "--json"});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject root = parse(r);
    QCOMPARE(root["format"].toString(), QString("beamlet-structure-comparison"));
    QCOMPARE(root["version"].toInt(), 1);
    QCOMPARE(root["reference"].toObject()["kind"].toString(), QString("masks"));
    // 8 structures + possible_dose_mask; ct and dose are not binary masks (notes).
    QCOMPARE(root["structures"].toArray().size(), 9);
    for (const QJsonValue& v : root["structures"].toArray()) {
      const QJsonObject s = v.toObject();
      QCOMPARE(s["dice"].toDouble(), 1.0);
      QCOMPARE(s["hd95Mm"].toDouble(), 0.0);
      QCOMPARE(s["hausdorffMm"].toDouble(), 0.0);
      QCOMPARE(s["meanSurfaceDistanceMm"].toDouble(), 0.0);
      QCOMPARE(s["volumeDifferenceCc"].toDouble(), 0.0);
    }
    QCOMPARE(row(root, "Brainstem")["referenceVoxels"].toInt(), 251);
    QCOMPARE(root["notes"].toArray().size(), 2);

    const CliRun text =
        runCli({"compare-structures", patient, patient, "--structures", "brainstem,PTV70"});
    QCOMPARE(text.exitCode, 0);
    QVERIFY(text.out.contains("Brainstem: Dice 1.000, HD95 0.00 mm, HD 0.00 mm, MSD 0.00 mm, "
                              "volume 9.57 cc ref, 9.57 cc eval, difference +0.00 cc (+0.0%)"));
    QVERIFY(text.out.contains("PTV70: Dice 1.000"));
    QVERIFY(!text.out.contains("Mandible"));
  }

  void shiftedMaskGivesKnownHausdorff() {
    BEAMLET_REQUIRE_DATA("openkbp/train/pt_1");
    // Brainstem moved by 2 voxels along i and 1 along k: every reference surface voxel has the
    // moved copy of itself on the evaluated surface at sqrt((2 sx)^2 + sz^2), and the extreme
    // voxels (lowest i + k) have nothing closer, so the Hausdorff distance is exactly that.
    const beamlet::Image ref = beamlet::dicom::readVolumeFile(
        beamlet::test::dataPath("openkbp/train/pt_1/Brainstem.nii.gz"));
    const beamlet::ImageGeometry& g = ref.geometry();
    beamlet::Mask moved(g, 0);
    std::size_t inside = 0;
    for (int k = 0; k + 1 < g.dims[2]; ++k) {
      for (int j = 0; j < g.dims[1]; ++j) {
        for (int i = 0; i + 2 < g.dims[0]; ++i) {
          if (ref.valueAt(g.linearIndex(i, j, k)) != 0.0) {
            moved(i + 2, j, k + 1) = 1;
            ++inside;
          }
        }
      }
    }
    QCOMPARE(inside, std::size_t{251});
    const fs::path folder = tmp_ / "shifted";
    fs::create_directories(folder);
    beamlet::dicom::writeVolumeFile(beamlet::Image{beamlet::Image::Voxels(moved)},
                                    (folder / "brainstem.nii.gz").string());
    const CliRun r = runCli({"compare-structures", dataArg("openkbp/train/pt_1"),
                             QString::fromStdString(folder.string()), "--json"});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject root = parse(r);
    QCOMPARE(root["structures"].toArray().size(), 1);
    const QJsonObject s = row(root, "Brainstem");
    QCOMPARE(s["evaluatedName"].toString(), QString("brainstem"));
    QCOMPARE(s["matchedBy"].toString(), QString("case-insensitive"));
    const double sx = g.spacing[0];
    const double sz = g.spacing[2];
    QVERIFY(std::abs(s["hausdorffMm"].toDouble() - std::sqrt(4 * sx * sx + sz * sz)) < 1e-6);
    QVERIFY(s["hd95Mm"].toDouble() <= s["hausdorffMm"].toDouble());
    QVERIFY(s["hd95Mm"].toDouble() > 0.0);
    QVERIFY(s["dice"].toDouble() < 1.0 && s["dice"].toDouble() > 0.0);
    QCOMPARE(s["volumeDifferenceCc"].toDouble(), 0.0);
    QCOMPARE(root["unmatchedReference"].toArray().size(), 8);
    QCOMPARE(root["unmatchedEvaluated"].toArray().size(), 0);

    const CliRun text = runCli({"compare-structures", dataArg("openkbp/train/pt_1"),
                                QString::fromStdString(folder.string())});
    QCOMPARE(text.exitCode, 0);
    QVERIFY(text.out.contains("Brainstem = brainstem (case-insensitive): Dice 0."));
    QVERIFY(text.out.contains("unmatched in reference: LeftParotid, Mandible,"));
  }

  void rtstructAgainstItsMasks() {
    // A generated phantom (CT series + RTSTRUCT), its masks (beamlet-cli masks), and an RTSTRUCT
    // made back from those masks (beamlet-cli rtstruct): all agree exactly on the CT grid.
    const QString dir = QString::fromStdString((tmp_ / "phantom").string());
    QCOMPARE(runCli({"phantom", "tg119", "--out", dir}).exitCode, 0);
    QCOMPARE(runCli({"masks", "--image", dir + "/CT", "--structures", dir + "/RS.dcm", "--out",
                     dir + "/masks"})
                 .exitCode,
             0);
    const CliRun r = runCli(
        {"compare-structures", dir + "/RS.dcm", dir + "/masks", "--image", dir + "/CT", "--json"});
    QCOMPARE(r.exitCode, 0);
    QJsonObject root = parse(r);
    QCOMPARE(root["reference"].toObject()["kind"].toString(), QString("rtstruct"));
    QCOMPARE(root["structures"].toArray().size(), 3);
    for (const QJsonValue& v : root["structures"].toArray()) {
      QCOMPARE(v.toObject()["dice"].toDouble(), 1.0);
      QCOMPARE(v.toObject()["hd95Mm"].toDouble(), 0.0);
    }

    QStringList args{"rtstruct", "--image", dir + "/CT", "--out", dir + "/RS2.dcm"};
    for (const char* name : {"External", "PTV_C", "Core"}) {
      args << "--mask" << QString("%1=%2/masks/%1.nii.gz").arg(name, dir);
    }
    QCOMPARE(runCli(args).exitCode, 0);
    const CliRun back = runCli(
        {"compare-structures", dir + "/masks", dir + "/RS2.dcm", "--image", dir + "/CT", "--json"});
    QCOMPARE(back.exitCode, 0);
    root = parse(back);
    QCOMPARE(root["structures"].toArray().size(), 3);
    for (const QJsonValue& v : root["structures"].toArray()) {
      QVERIFY(v.toObject()["dice"].toDouble() > 0.999);
      QCOMPARE(v.toObject()["hausdorffMm"].toDouble(), 0.0);
    }
  }

  void errorsAreOneLine() {
    const CliRun missing = runCli({"compare-structures", "/nonexistent/ref", "/nonexistent/eval"});
    QCOMPARE(missing.exitCode, 1);
    QCOMPARE(missing.err.trimmed().count('\n'), 0);
    QVERIFY(missing.err.startsWith("beamlet-cli: error: /nonexistent/ref: "));

    const fs::path rs = tmp_ / "phantom" / "RS.dcm";
    if (fs::exists(rs)) {
      const CliRun noImage =
          runCli({"-q", "compare-structures", QString::fromStdString(rs.string()),
                  QString::fromStdString(rs.string())});
      QCOMPARE(noImage.exitCode, 1);
      QVERIFY(noImage.err.contains("RS.dcm: an RTSTRUCT is compared on the image series"));
    }
  }
};

QTEST_MAIN(TestCompareStructures)
#include "TestCompareStructures.moc"
