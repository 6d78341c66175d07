// masks -> RTSTRUCT (writeRtStruct) -> masks, on the IBSI STS_001 CT mask and OpenKBP patients
// (CT series written here from their NIfTI): Dice >= 0.99 per ROI with our reader (readRtStruct +
// rasterize) and with plastimatch; dciodvfy without errors (RTSTRUCT, and the CT written here);
// pydicom reads it; dicompyler-core computes a DVH with it and an RTDOSE written from the OpenKBP
// dose.

#include "RtStructTestSupport.h"
#include "TestData.h"

#include "beamlet/core/ContourRasterizer.h"
#include "beamlet/core/Error.h"
#include "beamlet/core/MaskContours.h"
#include "beamlet/core/Tg263.h"
#include "beamlet/dicom/DicomScanner.h"
#include "beamlet/dicom/RtDose.h"
#include "beamlet/dicom/RtStruct.h"
#include "beamlet/dicom/RtStructWriter.h"
#include "beamlet/dicom/SeriesLoader.h"
#include "beamlet/dicom/VolumeFile.h"

#include <QtTest/QtTest>

#include <filesystem>
#include <map>

using namespace beamlet;
namespace fs = std::filesystem;

namespace {

const char* kDicompyler = R"(
import sys
from dicompylercore import dicomparser, dvhcalc
rs, rd = sys.argv[1], sys.argv[2]
for key, s in dicomparser.DicomParser(rs).GetStructures().items():
    d = dvhcalc.get_dvh(rs, rd, key)
    print("DVH|%s|%.4f|%.4f|%d" % (s["name"], d.volume, d.max, len(d.counts)))
)";

struct NamedMask {
  std::string name;
  Mask mask;
};

} // namespace

class TestRtStructRoundTrip : public QObject {
  Q_OBJECT

  fs::path tmp_;

  // The whole check for one image series and its masks (files on any grid).
  void roundTrip(const std::string& caseName, const std::string& ctDir,
                 const std::vector<std::pair<std::string, std::string>>& maskFiles,
                 const std::string& doseFile) {
    const fs::path out = tmp_ / caseName;
    fs::create_directories(out);
    const dicom::DicomIndex index = dicom::scanFolder(ctDir);
    const std::vector<const dicom::SeriesEntry*> all = index.allSeries();
    QCOMPARE(all.size(), std::size_t(1));
    const dicom::SeriesEntry& series = *all[0];
    const Image image = dicom::loadSeries(series);
    const ImageGeometry& grid = image.geometry();

    std::vector<NamedMask> masks;
    StructureSet set;
    for (const auto& [name, file] : maskFiles) {
      NamedMask m{tg263Name(name), resampleNearest(selectLabel(dicom::readVolumeFile(file)), grid)};
      set.structures.push_back(
          dicom::structureFromMask(m.mask, static_cast<int>(set.structures.size()) + 1, m.name));
      masks.push_back(std::move(m));
    }
    const std::string rs = (out / "RS.dcm").string();
    BEAMLET_NO_THROW(dicom::writeRtStruct(set, series, rs, "RoundTrip"));

    // dciodvfy: no errors.
    int warnings = 0;
    const QStringList errors = test::dciodvfyErrors(rs, &warnings);
    qInfo("%s: dciodvfy %d errors, %d warnings", caseName.c_str(), int(errors.size()), warnings);
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join("\n")));

    // Our reader.
    StructureSet back;
    BEAMLET_NO_THROW(back = dicom::readRtStruct(rs));
    QCOMPARE(back.structures.size(), masks.size());
    QCOMPARE(back.frameOfReferenceUid, series.frameOfReferenceUid);
    for (const NamedMask& m : masks) {
      const Structure* s = back.findByName(m.name);
      QVERIFY2(s != nullptr, m.name.c_str());
      const double d = test::dice(m.mask, rasterize(*s, grid));
      qInfo("%s: %s Dice (Beamlet reader) %.6f", caseName.c_str(), m.name.c_str(), d);
      QVERIFY2(d >= 0.99, m.name.c_str());
    }

    // plastimatch, an independent reader and rasteriser.
    const fs::path plast = out / "plastimatch";
    const test::Run p = test::runProgram(
        "plastimatch", {"convert", "--input", QString::fromStdString(rs), "--referenced-ct",
                        QString::fromStdString(ctDir), "--output-prefix",
                        QString::fromStdString(plast.string() + "/"), "--prefix-format", "nii.gz"});
    if (!p.started && !test::testDataRequired()) {
      QSKIP("plastimatch missing");
    }
    QVERIFY2(p.exitCode == 0, qPrintable(p.output.right(2000)));
    for (const NamedMask& m : masks) {
      const fs::path file = plast / (m.name + ".nii.gz");
      QVERIFY2(fs::exists(file), file.c_str());
      const Mask theirs = resampleNearest(selectLabel(dicom::readVolumeFile(file.string())), grid);
      const double d = test::dice(m.mask, theirs);
      qInfo("%s: %s Dice (plastimatch) %.6f", caseName.c_str(), m.name.c_str(), d);
      QVERIFY2(d >= 0.99, m.name.c_str());
    }

    // pydicom reads it.
    const test::Run py = test::runProgram(
        test::kSystemPython, {"-c",
                              "import pydicom, sys; d = pydicom.dcmread(sys.argv[1]); "
                              "print(len(d.StructureSetROISequence), len(d.ROIContourSequence))",
                              QString::fromStdString(rs)});
    QVERIFY2(py.exitCode == 0, qPrintable(py.output));
    QCOMPARE(py.output.trimmed(), QString("%1 %1").arg(masks.size()));

    if (doseFile.empty()) {
      return;
    }
    // dicompyler-core: a DVH from our RTSTRUCT and an RTDOSE on the CT grid.
    Image dose(dicom::readVolumeFile(doseFile).toFloat());
    for (float& v : dose.as<float>().voxels()) {
      v = std::max(v, 0.0f);
    }
    dicom::RtDoseWriteOptions options;
    options.referencedPlanUid = dicom::newUid();
    const std::string rd = (out / "RD.dcm").string();
    BEAMLET_NO_THROW(
        dicom::writeRtDose(dose, dicom::readStudyContext(series.files.front().path), rd, options));
    const test::Run dvh =
        test::runProgram(test::kSystemPython, {"-c", kDicompyler, QString::fromStdString(rs),
                                               QString::fromStdString(rd)});
    QVERIFY2(dvh.exitCode == 0, qPrintable(dvh.output.right(2000)));
    std::map<std::string, double> volumes;
    for (const QString& line : dvh.output.split('\n', Qt::SkipEmptyParts)) {
      const QStringList f = line.split('|');
      if (f.size() == 5 && f[0] == "DVH") {
        QVERIFY2(f[4].toInt() > 0, qPrintable(line));
        volumes[f[1].toStdString()] = f[2].toDouble();
      }
    }
    QCOMPARE(volumes.size(), masks.size());
    for (const NamedMask& m : masks) {
      std::size_t count = 0;
      for (std::uint8_t v : m.mask.voxels()) {
        count += v != 0 ? 1 : 0;
      }
      const double ours = static_cast<double>(count) * grid.voxelVolumeMm3() / 1000.0;
      const double theirs = volumes[m.name];
      qInfo("%s: %s volume %.2f cm3 (mask), %.2f cm3 (dicompyler-core DVH)", caseName.c_str(),
            m.name.c_str(), ours, theirs);
      QVERIFY2(theirs > 0.0, m.name.c_str());
      if (ours > 10.0) {
        QVERIFY2(std::abs(theirs - ours) < 0.25 * ours, m.name.c_str());
      }
    }
  }

  void openKbp(const std::string& patient) {
    const std::string folder = "openkbp/train/" + patient;
    BEAMLET_REQUIRE_DATA(folder);
    const fs::path dir = test::dataPath(folder);
    const Image ct = dicom::readVolumeFile((dir / "ct.nii.gz").string());
    std::string ctDir;
    BEAMLET_NO_THROW(ctDir = test::writeCtSeries(ct, tmp_ / (patient + "-ct"), patient));
    // The CT written here (dicom::writeCtSeries) passes dciodvfy as the RTSTRUCT does.
    const QStringList ctErrors = test::dciodvfyErrors((fs::path(ctDir) / "CT0001.dcm").string());
    QVERIFY2(ctErrors.isEmpty(), qPrintable(ctErrors.join("\n")));
    std::vector<std::pair<std::string, std::string>> masks;
    for (const char* name : {"Brainstem", "SpinalCord", "RightParotid", "LeftParotid", "Esophagus",
                             "Larynx", "Mandible", "PTV56", "PTV63", "PTV70"}) {
      const fs::path file = dir / (std::string(name) + ".nii.gz");
      if (fs::exists(file)) {
        masks.emplace_back(name, file.string());
      }
    }
    QVERIFY(!masks.empty());
    roundTrip("openkbp-" + patient, ctDir, masks, (dir / "dose.nii.gz").string());
  }

private Q_SLOTS:
  void initTestCase() {
    tmp_ = fs::temp_directory_path() /
           ("beamlet-rtstruct-" + std::to_string(QCoreApplication::applicationPid()));
    fs::create_directories(tmp_);
  }
  void cleanupTestCase() {
    if (qgetenv("BEAMLET_KEEP_TEST_OUTPUT").isEmpty()) {
      fs::remove_all(tmp_);
    }
  }

  void ibsiCtMask() {
    BEAMLET_REQUIRE_DATA("dicom/ibsi-sts/STS_001");
    const fs::path dir = test::dataPath("dicom/ibsi-sts/STS_001");
    roundTrip("ibsi-sts-001", (dir / "dicom/CT/image").string(),
              {{"GTV", (dir / "nifti/CT_mask.nii.gz").string()}}, "");
  }

  void openKbpPatient1() { openKbp("pt_1"); }
  void openKbpPatient13() { openKbp("pt_13"); }

  void refusesToOverwriteAnInput() {
    BEAMLET_REQUIRE_DATA("dicom/ibsi-sts/STS_001");
    const dicom::DicomIndex index =
        dicom::scanFolder(test::dataPath("dicom/ibsi-sts/STS_001/dicom/CT/image"));
    const dicom::SeriesEntry& series = *index.allSeries().at(0);
    StructureSet set;
    Structure s;
    s.name = "x";
    set.structures.push_back(s);
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError,
                             dicom::writeRtStruct(set, series, series.files[0].path, "x"));
  }
};

QTEST_GUILESS_MAIN(TestRtStructRoundTrip)
#include "TestRtStructRoundTrip.moc"
