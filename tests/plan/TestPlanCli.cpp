// `beamlet-cli plan --demo tg119` end to end: the TG-119 C-shape goals met on the deliverable
// (sequenced) plan, the files it writes, and its RTDOSE reproduced by `beamlet-cli dose` on its
// RTPLAN (gamma 2%/2 mm); the same protocol on research data (a CT volume file and a folder of
// masks without an External), and one-line errors for such input that cannot be planned.

#include "CliRunner.h"

#include "beamlet/core/ContourRasterizer.h"
#include "beamlet/core/Phantom.h"
#include "beamlet/dicom/RtDose.h"
#include "beamlet/dicom/RtPlan.h"
#include "beamlet/dicom/RtStruct.h"
#include "beamlet/dicom/VolumeFile.h"
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

  void researchCaseFromVolumeFiles() {
    // The TG-119 phantom as OpenKBP ships its patients: ct.nii.gz and one mask file per
    // structure in one folder, no External; plus a dose-like file and an empty mask, both skipped.
    QTemporaryDir dir;
    const fs::path root(dir.path().toStdString());
    const fs::path folder = root / "case_7";
    fs::create_directories(folder);
    const PhantomCase phantom = makeTg119Phantom();
    const ImageGeometry& grid = phantom.ct.geometry();
    dicom::writeVolumeFile(phantom.ct, (folder / "ct.nii.gz").string());
    for (const char* name : {"PTV_C", "Core"}) {
      dicom::writeVolumeFile(Image{rasterize(*phantom.structures.findByName(name), grid)},
                             (folder / (std::string(name) + ".nii.gz")).string());
    }
    Image doseLike{VolumeF32(grid, 0.0f)};
    doseLike.as<float>()[100] = 12.5f;
    doseLike.as<float>()[200] = 3.0f;
    dicom::writeVolumeFile(doseLike, (folder / "dose.nii.gz").string());
    dicom::writeVolumeFile(Image{Mask(grid, 0)}, (folder / "Empty.nii.gz").string());

    const fs::path out = root / "plan";
    const test::CliRun r =
        test::runCli({"-q", "plan", "tg119-cshape", "--image",
                      QString::fromStdString((folder / "ct.nii.gz").string()), "--structures",
                      QString::fromStdString(folder.string()), "--out",
                      QString::fromStdString(out.string()), "--threads", "2"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    qInfo("%s", qPrintable(r.out));
    QVERIFY(r.out.contains("dose.nii.gz: not a binary mask, skipped"));
    QVERIFY(r.out.contains("Empty.nii.gz: empty mask, skipped"));
    QVERIFY(r.out.contains("External: no mask for it; made from the CT"));
    QVERIFY(r.out.contains("fluence optimisation: Dij products on "));
    QCOMPARE(r.out.count("  met "), 3);
    QVERIFY(fs::is_directory(out / "CT"));
    QCOMPARE(static_cast<int>(
                 std::distance(fs::directory_iterator(out / "CT"), fs::directory_iterator{})),
             grid.dims[2]);

    // The RTSTRUCT written holds the two masks and the External made from the CT: the water box,
    // 100 x 51 x 126 = 642600 voxels of 3 x 3 x 2.5 mm (its faces lie on voxel boundaries), the
    // note's 14458.5 cc. Voxel centres round-trip exactly through the contours.
    const StructureSet rs = dicom::readRtStruct((out / "RS.dcm").string());
    QCOMPARE(rs.structures.size(), std::size_t{3});
    const Structure* external = rs.findByName("External");
    QVERIFY(external != nullptr);
    QCOMPARE(external->type, std::string("EXTERNAL"));
    QVERIFY(r.out.contains("14458.5 cc"));
    const Mask externalMask = rasterize(*external, grid);
    QCOMPARE(std::count(externalMask.voxels().begin(), externalMask.voxels().end(), 1), 642600L);
    QVERIFY(rasterize(*rs.findByName("Core"), grid).voxels() ==
            rasterize(*phantom.structures.findByName("Core"), grid).voxels());
    QCOMPARE(rs.findByName("PTV_C")->type, std::string("PTV"));
  }

  void researchCaseErrors() {
    QTemporaryDir dir;
    const fs::path root(dir.path().toStdString());
    const fs::path folder = root / "nomasks";
    fs::create_directories(folder);
    const PhantomCase phantom = makeTg119Phantom();
    dicom::writeVolumeFile(phantom.ct, (folder / "ct.nii.gz").string());
    const QString ct = QString::fromStdString((folder / "ct.nii.gz").string());

    // A folder holding only the CT: nothing to plan on, and no output folder left behind.
    const fs::path out = root / "out";
    test::CliRun r = test::runCli({"-q", "plan", "tg119-cshape", "--image", ct, "--structures",
                                   QString::fromStdString(folder.string()), "--out",
                                   QString::fromStdString(out.string())});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("no binary mask file in the folder"), qPrintable(r.err));
    QCOMPARE(r.err.trimmed().count('\n'), 0);
    QVERIFY(!fs::exists(out));

    // A volume image with an RTSTRUCT file as --structures.
    r = test::runCli({"-q", "plan", "tg119-cshape", "--image", ct, "--structures", ct, "--out",
                      QString::fromStdString(out.string())});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("mask folder does not exist"), qPrintable(r.err));
    QVERIFY(!fs::exists(out));
  }
};

QTEST_APPLESS_MAIN(TestPlanCli)
#include "TestPlanCli.moc"
