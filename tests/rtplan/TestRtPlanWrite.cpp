// Writing RT plans: 3D-CRT and step-and-shoot IMRT plans made in code are written, validated with
// dciodvfy, read by pydicom and read back by Beamlet field by field. Inconsistent plans are
// refused before anything is written, and a file is never left half-written.

#include "ExternalTools.h"
#include "PlanCompare.h"
#include "PlanFixtures.h"
#include "TestData.h"

#include "beamlet/core/Error.h"
#include "beamlet/dicom/RtPlan.h"

#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>

namespace fs = std::filesystem;
using namespace beamlet;

class TestRtPlanWrite : public QObject {
  Q_OBJECT

  fs::path tmp_;

  fs::path writeAndCheck(const Plan& plan, const std::string& fileName,
                         const std::string& structureSetUid = "") {
    const fs::path file = tmp_ / fileName;
    std::string sop;
    try {
      sop = dicom::writeRtPlan(plan, test::makeContext(), file.string(), structureSetUid);
    } catch (const std::exception& e) {
      QTest::qFail(e.what(), __FILE__, __LINE__);
      return {};
    }
    if (!fs::is_regular_file(file) || sop.empty()) {
      QTest::qFail("no file written", __FILE__, __LINE__);
      return {};
    }
    Plan back;
    try {
      back = dicom::readRtPlan(file.string());
    } catch (const std::exception& e) {
      QTest::qFail(e.what(), __FILE__, __LINE__);
      return {};
    }
    if (back.sopInstanceUid != sop) {
      QTest::qFail("SOP instance UID not returned", __FILE__, __LINE__);
      return {};
    }
    test::comparePlans(back, plan);
    return QTest::currentTestFailed() ? fs::path() : file;
  }

private Q_SLOTS:
  void initTestCase() {
    tmp_ = fs::temp_directory_path() /
           ("beamlet-rtplan-test-" + std::to_string(QCoreApplication::applicationPid()));
    fs::create_directories(tmp_);
  }
  void cleanupTestCase() {
    // BEAMLET_KEEP_TEST_FILES=1 keeps the written plans for inspection (dcmdump, dciodvfy).
    if (std::getenv("BEAMLET_KEEP_TEST_FILES") == nullptr) {
      fs::remove_all(tmp_);
    } else {
      qInfo("written plans kept in %s", tmp_.c_str());
    }
  }

  void fixturesAreWhatTheTestsClaim() {
    const Plan crt = test::make3dCrtPlan();
    QCOMPARE(crt.beams.size(), std::size_t(4));
    for (const Beam& beam : crt.beams) {
      QCOMPARE(beam.controlPoints.size(), std::size_t(2));
      QCOMPARE(beam.segmentCount(), 1);
    }
    const Plan imrt = test::makeImrtPlan();
    QCOMPARE(imrt.beams.size(), std::size_t(5));
    for (const Beam& beam : imrt.beams) {
      QVERIFY(beam.segmentCount() >= 2 && beam.segmentCount() <= 4);
      QCOMPARE(beam.controlPoints.size(), std::size_t(2 * beam.segmentCount()));
      QCOMPARE(beam.leafPairs, 60);
      CHECK_NEAR(beam.controlPoints.back().cumulativeMetersetWeight, 1.0);
    }
  }

  void threeDimensionalConformalRoundTrip() { writeAndCheck(test::make3dCrtPlan(), "crt.dcm"); }

  void stepAndShootImrtRoundTrip() {
    const Plan plan = test::makeImrtPlan();
    const fs::path file = writeAndCheck(plan, "imrt.dcm", "1.2.826.0.1.3680043.9.7133.1.3");
    QVERIFY(!file.empty());
    const Plan back = dicom::readRtPlan(file.string());
    QCOMPARE(back.referencedStructureSetUid, std::string("1.2.826.0.1.3680043.9.7133.1.3"));
    QCOMPARE(back.frameOfReferenceUid, test::makeContext().frameOfReferenceUid);
    // Within a segment the shape holds while the weight rises; between segments it changes at a
    // constant weight (beam off).
    const Beam& beam = back.beams[3];
    for (std::size_t k = 0; k + 1 < beam.controlPoints.size(); k += 2) {
      QCOMPARE(beam.controlPoints[k].mlcPositions, beam.controlPoints[k + 1].mlcPositions);
      QVERIFY(beam.controlPoints[k + 1].cumulativeMetersetWeight >
              beam.controlPoints[k].cumulativeMetersetWeight);
      if (k + 2 < beam.controlPoints.size()) {
        QVERIFY(beam.controlPoints[k + 2].mlcPositions != beam.controlPoints[k + 1].mlcPositions);
        CHECK_NEAR(beam.controlPoints[k + 2].cumulativeMetersetWeight,
                   beam.controlPoints[k + 1].cumulativeMetersetWeight);
      }
    }
  }

  void writtenPlansPassDciodvfy() {
    BEAMLET_REQUIRE_TOOL(test::dciodvfyProgram(), "dciodvfy (Debian dicom3tools)");
    const std::vector<std::pair<Plan, std::string>> cases{
        {test::make3dCrtPlan(), ""}, {test::makeImrtPlan(), "1.2.826.0.1.3680043.9.7133.1.3"}};
    int n = 0;
    for (const auto& [plan, structureSet] : cases) {
      const fs::path file = tmp_ / ("dciodvfy" + std::to_string(n++) + ".dcm");
      BEAMLET_NO_THROW(dicom::writeRtPlan(plan, test::makeContext(), file.string(), structureSet));
      QStringList warnings;
      const QStringList errors = test::dciodvfyErrors(file.string(), &warnings);
      for (const QString& w : warnings) {
        qInfo("dciodvfy %s: %s", qPrintable(QString::fromStdString(plan.label)), qPrintable(w));
      }
      QVERIFY2(errors.isEmpty(), qPrintable(errors.join("\n")));
    }
  }

  void pydicomReadsWrittenPlan() {
    const QString python = test::pythonWithPydicom();
    BEAMLET_REQUIRE_TOOL(python, "python3 with pydicom");
    const Plan plan = test::makeImrtPlan();
    const fs::path file = tmp_ / "pydicom.dcm";
    BEAMLET_NO_THROW(dicom::writeRtPlan(plan, test::makeContext(), file.string()));
    const char* script = R"(
import sys, pydicom
ds = pydicom.dcmread(sys.argv[1])
b = ds.BeamSequence[1]
cp0 = b.ControlPointSequence[0]
mlc = [d for d in cp0.BeamLimitingDevicePositionSequence if d.RTBeamLimitingDeviceType == 'MLCX'][0]
ref = ds.FractionGroupSequence[0].ReferencedBeamSequence[1]
print(ds.SOPClassUID, ds.Modality, ds.RTPlanLabel, ds.RTPlanGeometry, len(ds.BeamSequence),
      ds.FractionGroupSequence[0].NumberOfFractionsPlanned, b.BeamName,
      b.NumberOfControlPoints, len(b.ControlPointSequence), float(cp0.GantryAngle),
      float(cp0.NominalBeamEnergy), len(mlc.LeafJawPositions),
      len(b.BeamLimitingDeviceSequence[2].LeafPositionBoundaries), float(ref.BeamMeterset),
      ds.PatientSetupSequence[0].PatientPosition, float(b.FinalCumulativeMetersetWeight), sep='|')
)";
    const test::ProcessResult r =
        test::runProcess(python, {"-c", script, QString::fromStdString(file.string())});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QStringList v = r.out.trimmed().split('|');
    QCOMPARE(v.size(), 16);
    QCOMPARE(v[0], QString("1.2.840.10008.5.1.4.1.1.481.5"));
    QCOMPARE(v[1], QString("RTPLAN"));
    QCOMPARE(v[2], QString("HN IMRT"));
    QCOMPARE(v[3], QString("TREATMENT_DEVICE")); // no structure set given
    QCOMPARE(v[4], QString("5"));
    QCOMPARE(v[5], QString("30"));
    QCOMPARE(v[6], QString("IMRT G72"));
    const Beam& beam = plan.beams[1];
    QCOMPARE(v[7].toInt(), static_cast<int>(beam.controlPoints.size()));
    QCOMPARE(v[8].toInt(), static_cast<int>(beam.controlPoints.size()));
    CHECK_NEAR(v[9].toDouble(), 72.0);
    CHECK_NEAR(v[10].toDouble(), 6.0);
    QCOMPARE(v[11], QString("120"));
    QCOMPARE(v[12], QString("61"));
    CHECK_NEAR(v[13].toDouble(), *beam.monitorUnits);
    QCOMPARE(v[14], QString("HFS"));
    CHECK_NEAR(v[15].toDouble(), 1.0);
  }

  void inconsistentPlansAreRefusedBeforeWriting() {
    struct Case {
      const char* what;
      std::function<void(Plan&)> spoil;
    };
    const std::vector<Case> cases{
        {"overlaps",
         [](Plan& p) {
           auto& cp = p.beams[0].controlPoints[0];
           cp.mlcPositions[30] = cp.mlcPositions[90] + 1.0;
         }},
        {"MLC positions", [](Plan& p) { p.beams[1].controlPoints[1].mlcPositions.pop_back(); }},
        {"meterset weight",
         [](Plan& p) { p.beams[2].controlPoints[1].cumulativeMetersetWeight = 0.5; }},
        {"positive MU",
         [](Plan& p) {
           p.beams[0].monitorUnits.reset();
           p.fractionGroups[0].beams[0].meterset.reset();
         }},
        {"patient position", [](Plan& p) { p.patientPosition = "FFS"; }},
        {"label", [](Plan& p) { p.label = "A LABEL LONGER THAN SIXTEEN"; }},
        {"not referenced", [](Plan& p) { p.fractionGroups[0].beams.pop_back(); }},
        {"not written", [](Plan& p) { p.beams[0].wedges = 1; }},
    };
    for (const Case& c : cases) {
      Plan plan = test::make3dCrtPlan();
      c.spoil(plan);
      const fs::path file = tmp_ / "refused.dcm";
      try {
        dicom::writeRtPlan(plan, test::makeContext(), file.string());
        QFAIL(qPrintable(QString("accepted a plan with: ") + c.what));
      } catch (const InvalidArgumentError& e) {
        const QString message = e.what();
        QVERIFY2(message.startsWith(QString::fromStdString(file.string()) + ": "), e.what());
        QVERIFY2(message.contains(c.what), e.what());
        QVERIFY(!message.contains('\n'));
      }
      QVERIFY(!fs::exists(file));
    }
  }

  void missingFolderThrowsIoErrorAndLeavesNothing() {
    const fs::path folder = tmp_ / "no-such-folder";
    const fs::path file = folder / "plan.dcm";
    try {
      dicom::writeRtPlan(test::make3dCrtPlan(), test::makeContext(), file.string());
      QFAIL("wrote into a missing folder");
    } catch (const IoError& e) {
      QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(file.string())), e.what());
    }
    QVERIFY(!fs::exists(folder));
  }

  void writingLeavesOnlyTheFinishedFile() {
    const fs::path folder = tmp_ / "atomic";
    fs::create_directories(folder);
    BEAMLET_NO_THROW(dicom::writeRtPlan(test::makeImrtPlan(), test::makeContext(),
                                        (folder / "RP.dcm").string()));
    // Writing again over it replaces it whole.
    BEAMLET_NO_THROW(dicom::writeRtPlan(test::make3dCrtPlan(), test::makeContext(),
                                        (folder / "RP.dcm").string()));
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(folder)) {
      names.push_back(entry.path().filename().string());
    }
    QCOMPARE(names, std::vector<std::string>{"RP.dcm"});
    BEAMLET_NO_THROW(
        QCOMPARE(dicom::readRtPlan((folder / "RP.dcm").string()).beams.size(), std::size_t(4)));
  }

  /// Cut and corrupted copies of a written plan: each either reads or throws a one-line
  /// beamlet::Error naming the file; none may crash.
  void damagedFilesNeverCrash() {
    const fs::path good = tmp_ / "intact.dcm";
    BEAMLET_NO_THROW(dicom::writeRtPlan(test::makeImrtPlan(), test::makeContext(), good.string()));
    std::ifstream in(good, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    QVERIFY(bytes.size() > 1000);
    const fs::path damaged = tmp_ / "damaged.dcm";
    int refused = 0;
    for (int n = 0; n < 60; ++n) {
      std::string copy = bytes;
      if (n < 30) {
        copy.resize(bytes.size() * n / 30); // truncated
      } else {
        for (std::size_t k = 132 + static_cast<std::size_t>(n) * 37; k < copy.size();
             k += 97 + static_cast<std::size_t>(n)) {
          copy[k] = static_cast<char>(copy[k] ^ (0x5a + n)); // garbled
        }
      }
      std::ofstream(damaged, std::ios::binary | std::ios::trunc) << copy;
      try {
        dicom::readRtPlan(damaged.string());
      } catch (const Error& e) {
        ++refused;
        const QString message = e.what();
        QVERIFY2(message.startsWith(QString::fromStdString(damaged.string()) + ": "), e.what());
        QVERIFY2(!message.contains('\n'), e.what());
      } catch (const std::exception& e) {
        QFAIL(qPrintable(QString("not a beamlet::Error: ") + e.what()));
      }
    }
    QVERIFY(refused > 20);
  }
};

QTEST_GUILESS_MAIN(TestRtPlanWrite)
#include "TestRtPlanWrite.moc"
