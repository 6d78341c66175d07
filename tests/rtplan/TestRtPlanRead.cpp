// Reading RT plans from many planning systems (Eclipse, RayStation, Monaco, Pinnacle, Brainlab,
// Halcyon, TomoTherapy, Gamma Knife, electron beams): every plan reads, control points are
// complete after carrying unchanged values forward, the numbers match the files (dcmdump), beams
// Beamlet cannot use are listed with a reason, and broken files give a one-line DataError.

#include "ExternalTools.h"
#include "PlanCompare.h"
#include "TestData.h"

#include "beamlet/core/Error.h"
#include "beamlet/dicom/DicomScanner.h"
#include "beamlet/dicom/RtPlan.h"
#include "beamlet/dicom/StudyContext.h"

#include <QtTest/QtTest>

#include <filesystem>
#include <map>
#include <set>

namespace fs = std::filesystem;
using namespace beamlet;

namespace {

/// The only file directly in a folder whose name starts with `prefix`.
std::string fileIn(const std::string& folder, const std::string& prefix) {
  std::string found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(test::dataPath(folder), ec)) {
    if (entry.path().filename().string().rfind(prefix, 0) == 0) {
      found = entry.path().string();
    }
  }
  return found;
}

bool isPlanClass(const std::string& sopClass) {
  return sopClass == "1.2.840.10008.5.1.4.1.1.481.5" || sopClass == "1.2.840.10008.5.1.4.1.1.481.8";
}

} // namespace

/// Reads a plan into a new variable; a thrown error fails the test with its message.
#define READ_PLAN(variable, path)                                                                  \
  Plan variable;                                                                                   \
  try {                                                                                            \
    variable = dicom::readRtPlan(path);                                                            \
  } catch (const std::exception& readError_) {                                                     \
    QFAIL(readError_.what());                                                                      \
  }

class TestRtPlanRead : public QObject {
  Q_OBJECT

  fs::path tmp_;

private Q_SLOTS:
  void initTestCase() {
    tmp_ = fs::temp_directory_path() /
           ("beamlet-rtplan-read-" + std::to_string(QCoreApplication::applicationPid()));
    fs::create_directories(tmp_);
  }
  void cleanupTestCase() { fs::remove_all(tmp_); }

  /// Every RT plan under rt/ and dicom/ reads; every file that is not readable DICOM is refused
  /// by readRtPlan with a one-line error naming it. Only the Gamma Knife, TomoTherapy and Halcyon
  /// plans have beams Beamlet cannot use.
  void everyPlanInTheCorpusReads() {
    BEAMLET_REQUIRE_DATA("rt");
    BEAMLET_REQUIRE_DATA("dicom");
    int plans = 0;
    int beams = 0;
    int refused = 0;
    bool truncatedRefused = false;
    std::map<std::string, std::set<std::string>> unsupported; // file name -> reasons
    for (const char* root : {"rt", "dicom"}) {
      for (const auto& entry : fs::recursive_directory_iterator(test::dataPath(root))) {
        if (!entry.is_regular_file()) {
          continue;
        }
        const std::string path = entry.path().string();
        bool planFile = false;
        try {
          const dicom::DicomFileInfo info = dicom::readFileInfo(path);
          planFile = info.modality == "RTPLAN" || isPlanClass(info.sopClassUid);
        } catch (const Error&) {
          // Not readable DICOM: the plan reader must refuse it in one line, never crash.
          try {
            dicom::readRtPlan(path);
            QFAIL(qPrintable(QString::fromStdString(path) + ": unreadable file read as a plan"));
          } catch (const Error& e) {
            const QString message = e.what();
            QVERIFY2(message.startsWith(QString::fromStdString(path) + ": "), e.what());
            QVERIFY2(!message.contains('\n'), e.what());
            ++refused;
            truncatedRefused =
                truncatedRefused || path.find("rtplan_truncated.dcm") != std::string::npos;
          }
          continue;
        }
        if (!planFile) {
          continue;
        }
        Plan plan;
        BEAMLET_NO_THROW(plan = dicom::readRtPlan(path));
        ++plans;
        for (const Beam& beam : plan.beams) {
          ++beams;
          // Complete control points: every one has the full machine state.
          for (const ControlPoint& cp : beam.controlPoints) {
            if (beam.supported) {
              QVERIFY2(cp.isocenter.has_value(), path.c_str());
              QVERIFY2(cp.jawX || cp.jawY || !cp.mlcPositions.empty(), path.c_str());
              QCOMPARE(cp.mlcPositions.size(), 2 * static_cast<std::size_t>(beam.leafPairs));
            }
          }
          if (!beam.supported) {
            QVERIFY2(!beam.unsupportedReason.empty(), path.c_str());
            unsupported[entry.path().filename().string()].insert(beam.unsupportedReason);
          }
        }
      }
    }
    qInfo("%d RT plans, %d beams read; %d unreadable files refused", plans, beams, refused);
    QVERIFY2(plans >= 28, qPrintable(QString::number(plans)));
    QVERIFY2(beams >= 136, qPrintable(QString::number(beams)));
    QVERIFY(truncatedRefused);
    for (const auto& [file, reasons] : unsupported) {
      for (const std::string& reason : reasons) {
        qInfo("unsupported beams in %s: %s", file.c_str(), reason.c_str());
      }
    }
    QCOMPARE(unsupported.size(), std::size_t(3));
    QVERIFY(unsupported.count("RTPLAN.dcm") == 1); // Gamma Knife
    QVERIFY(unsupported.count("RP.1.2.826.0.1.3680043.2.200.535245767.18.44281.1806.dcm") == 1);
    QVERIFY(unsupported.count("RP.1.2.246.352.71.5.818656424269.463732.20180308211117.dcm") == 1);
  }

  void eclipseProstateIsAFourField15MvBox() {
    BEAMLET_REQUIRE_DATA("rt/eclipse-prostate/dicom");
    READ_PLAN(plan, fileIn("rt/eclipse-prostate/dicom", "RP"));
    QCOMPARE(plan.label, std::string("PROS"));
    QCOMPARE(plan.patientPosition, std::string("HFS"));
    QVERIFY(plan.prescribedDose().has_value());
    CHECK_NEAR(*plan.prescribedDose(), 46.0);
    QCOMPARE(plan.numberOfFractions(), 23);
    QCOMPARE(plan.fractionGroups.size(), std::size_t(1));
    QCOMPARE(plan.beams.size(), std::size_t(5)); // four fields and a CBCT without MU
    const double gantries[] = {0.0, 270.0, 180.0, 90.0};
    for (int n = 0; n < 4; ++n) {
      const Beam& beam = plan.beams[n];
      QVERIFY2(beam.supported, beam.unsupportedReason.c_str());
      QCOMPARE(beam.type, BeamType::Static);
      QCOMPARE(beam.radiation, RadiationType::Photon);
      QCOMPARE(beam.machineName, std::string("CL21B"));
      CHECK_NEAR(beam.sourceAxisDistance, 1000.0);
      QCOMPARE(beam.controlPoints.size(), std::size_t(2));
      QCOMPARE(beam.mlcType, std::string("MLCX"));
      QCOMPARE(beam.leafPairs, 60);
      CHECK_NEAR(beam.leafBoundaries.front(), -200.0);
      CHECK_NEAR(beam.leafBoundaries[11], -95.0);
      CHECK_NEAR(beam.leafBoundaries.back(), 200.0);
      for (const ControlPoint& cp : beam.controlPoints) {
        CHECK_NEAR(cp.gantryAngle, gantries[n]);
        CHECK_NEAR(cp.nominalEnergy, 15.0);
        CHECK_NEAR(cp.couchAngle, 0.0);
        QVERIFY(cp.isocenter->isApprox(Eigen::Vector3d(-1.31333e-4, 0.90895911, -3.333e-6), 1e-9));
      }
    }
    const Beam& ap = plan.beams[0];
    QCOMPARE(ap.name, std::string("AP PROS"));
    CHECK_NEAR(*ap.monitorUnits, 52.7393266658738);
    CHECK_NEAR(*plan.beams[1].monitorUnits, 64.0184683329255);
    CHECK_NEAR(ap.controlPoints[0].cumulativeMetersetWeight, 0.0);
    CHECK_NEAR(ap.controlPoints[1].cumulativeMetersetWeight, 1.0);
    CHECK_NEAR(*ap.controlPoints[0].doseRate, 400.0);
    CHECK_NEAR((*ap.controlPoints[0].jawX)[0], -70.0);
    CHECK_NEAR((*ap.controlPoints[0].jawX)[1], 65.0);
    CHECK_NEAR((*ap.controlPoints[0].jawY)[0], -115.0);
    CHECK_NEAR(ap.controlPoints[0].mlcPositions[0], -3.4800000190735);
    // The second control point only states its weight: everything else is carried forward.
    QCOMPARE(ap.controlPoints[1].mlcPositions, ap.controlPoints[0].mlcPositions);
    QCOMPARE(*ap.controlPoints[1].jawX, *ap.controlPoints[0].jawX);
    CHECK_NEAR(*ap.controlPoints[1].doseRate, 400.0);
    CHECK_NEAR(ap.cumulativeMonitorUnits(1), 52.7393266658738);
    const Beam& cbct = plan.beams[4];
    QCOMPARE(cbct.name, std::string("CBCT"));
    QVERIFY(!cbct.monitorUnits.has_value());
    QCOMPARE(cbct.jawXType, std::string("X"));
    QVERIFY(cbct.mlcType.empty());
    QCOMPARE(plan.doseReferences.size(), std::size_t(2));
    QCOMPARE(plan.doseReferences[1].structure, DoseReferenceStructure::Coordinates);
    QVERIFY(plan.doseReferences[1].point.has_value());
  }

  void rayStationCarriesUnchangedDevicesForward() {
    BEAMLET_REQUIRE_DATA("rt/multivendor/BrainSRSRaystationIMRT");
    READ_PLAN(plan, fileIn("rt/multivendor/BrainSRSRaystationIMRT", "RP"));
    QCOMPARE(plan.beams.size(), std::size_t(22));
    QCOMPARE(plan.fractionGroups[0].fractions, 5);
    int setup = 0;
    for (const Beam& beam : plan.beams) {
      setup += beam.delivery == DeliveryType::Setup ? 1 : 0;
      QVERIFY2(beam.supported, beam.unsupportedReason.c_str());
    }
    QCOMPARE(setup, 9);
    // Beam 3 (step-and-shoot, STATIC, 10 control points): ASYMX is only in the first control
    // point, ASYMY changes between segments.
    const Beam& beam = plan.beams[2];
    QCOMPARE(beam.number, 3);
    QCOMPARE(beam.type, BeamType::Static);
    QCOMPARE(beam.controlPoints.size(), std::size_t(10));
    QCOMPARE(beam.segmentCount(), 5);
    QCOMPARE(beam.leafPairs, 80);
    CHECK_NEAR(*beam.monitorUnits, 65.35238);
    for (const ControlPoint& cp : beam.controlPoints) {
      CHECK_NEAR((*cp.jawX)[0], -200.0);
      CHECK_NEAR((*cp.jawX)[1], 200.0);
      CHECK_NEAR(cp.gantryAngle, 220.0);
      CHECK_NEAR(cp.nominalEnergy, 6.0);
    }
    CHECK_NEAR((*beam.controlPoints[1].jawY)[0], -20.0);
    CHECK_NEAR((*beam.controlPoints[2].jawY)[0], -15.0);
    CHECK_NEAR((*beam.controlPoints[4].jawY)[0], 25.0);
    CHECK_NEAR(beam.controlPoints[3].cumulativeMetersetWeight, 0.1731642);
  }

  void vmatArcCarriesRotationForward() {
    BEAMLET_REQUIRE_DATA("rt/multivendor/VMAT_PLAN_WITH_SETUP_FIELDS.dcm");
    READ_PLAN(plan, test::dataPath("rt/multivendor/VMAT_PLAN_WITH_SETUP_FIELDS.dcm"));
    QCOMPARE(plan.beams.size(), std::size_t(5));
    const Beam& cw = plan.beams[0];
    QCOMPARE(cw.type, BeamType::Dynamic);
    QCOMPARE(cw.controlPoints.size(), std::size_t(178));
    CHECK_NEAR(cw.controlPoints[0].gantryAngle, 181.0);
    CHECK_NEAR(cw.controlPoints[100].gantryAngle, 23.3920454545454);
    CHECK_NEAR(cw.controlPoints[100].cumulativeMetersetWeight, 0.54440704);
    CHECK_NEAR(cw.controlPoints.back().gantryAngle, 179.0);
    QCOMPARE(cw.controlPoints[100].gantryRotation, RotationDirection::Clockwise);
    CHECK_NEAR(*cw.monitorUnits, 251.048399784827);
    QCOMPARE(plan.beams[1].controlPoints[0].gantryRotation, RotationDirection::CounterClockwise);
    for (std::size_t n = 2; n < 5; ++n) {
      QCOMPARE(plan.beams[n].delivery, DeliveryType::Setup);
      QVERIFY(!plan.beams[n].monitorUnits.has_value());
    }
  }

  void otherVendors() {
    BEAMLET_REQUIRE_DATA("rt/multivendor");
    // Monaco 3D-CRT: three fraction groups, Agility head without X jaws.
    READ_PLAN(monaco, fileIn("rt/multivendor/Monaco_3DCRT/PH ONLY 1PLAN 1DOSE", "2018"));
    QCOMPARE(monaco.fractionGroups.size(), std::size_t(3));
    QCOMPARE(monaco.fractionGroups[1].fractions, 12);
    QCOMPARE(monaco.beams.size(), std::size_t(6));
    QVERIFY(monaco.beams[0].jawXType.empty());
    QVERIFY(!monaco.beams[0].controlPoints[0].jawX.has_value());
    QCOMPARE(monaco.beams[0].leafPairs, 80);
    CHECK_NEAR(monaco.beams[5].controlPoints[0].nominalEnergy, 15.0);
    CHECK_NEAR(*monaco.beams[2].monitorUnits, 113.351997);
    CHECK_NEAR(*monaco.prescribedDose(), 26.0);

    // Brainlab dynamic arcs with a Y-direction micro-MLC.
    READ_PLAN(brainlab, test::dataPath("rt/multivendor/brainlab_plan_ptv/RTPL0238.dcm"));
    QCOMPARE(brainlab.beams.size(), std::size_t(3));
    QCOMPARE(brainlab.beams[0].number, 10);
    QCOMPARE(brainlab.beams[0].mlcType, std::string("MLCY"));
    QCOMPARE(brainlab.beams[0].leafPairs, 26);
    CHECK_NEAR(*brainlab.beams[1].monitorUnits, 417.0);
    CHECK_NEAR(brainlab.beams[1].controlPoints[0].couchAngle, 90.0);
    CHECK_NEAR(brainlab.beams[1].controlPoints[0].collimatorAngle, 45.0);

    // Pinnacle step-and-shoot: 12 STATIC beams; beam 1 has 7 segments in 14 control points.
    READ_PLAN(pinnacle, fileIn("rt/multivendor/pinnacle/plan1", "RTPLAN"));
    QCOMPARE(pinnacle.beams.size(), std::size_t(12));
    QCOMPARE(pinnacle.beams[0].type, BeamType::Static);
    QCOMPARE(pinnacle.beams[0].controlPoints.size(), std::size_t(14));
    QCOMPARE(pinnacle.beams[0].segmentCount(), 7);
    CHECK_NEAR(*pinnacle.beams[0].monitorUnits, 205.2);

    // Electrons: 9 MeV with an applicator and a cut-out (block).
    READ_PLAN(electron,
              test::dataPath("rt/multivendor/left_chest_wall/photon_electron/"
                             "RP.1.2.246.352.71.5.584747638204.1041433.20180402145301.dcm"));
    QCOMPARE(electron.beams.size(), std::size_t(1));
    const Beam& e = electron.beams[0];
    QVERIFY2(e.supported, e.unsupportedReason.c_str());
    QCOMPARE(e.radiation, RadiationType::Electron);
    CHECK_NEAR(e.controlPoints[0].nominalEnergy, 9.0);
    QCOMPARE(e.applicators, 1);
    QCOMPARE(e.blocks, 1);
    CHECK_NEAR(*e.monitorUnits, 250.215160475265);

    // dicompyler-core's sliding-window plan.
    READ_PLAN(dicompyler, test::dataPath("rt/dicompyler-core/rtplan.dcm"));
    QCOMPARE(dicompyler.beams.size(), std::size_t(4));
    QCOMPARE(dicompyler.beams[0].type, BeamType::Dynamic);
    QCOMPARE(dicompyler.beams[0].controlPoints.size(), std::size_t(92));
    CHECK_NEAR(dicompyler.beams[0].controlPoints[0].nominalEnergy, 10.0);
    CHECK_NEAR(*dicompyler.beams[0].monitorUnits, 97.0);
    QCOMPARE(dicompyler.numberOfFractions(), 7);
    CHECK_NEAR(*dicompyler.prescribedDose(), 14.0);
  }

  void unsupportedBeamsAreListedNotFatal() {
    BEAMLET_REQUIRE_DATA("rt/multivendor");
    READ_PLAN(gk, test::dataPath("rt/multivendor/GK_test_data/gkdosefile/RTPLAN.dcm"));
    QCOMPARE(gk.beams.size(), std::size_t(1));
    QVERIFY(!gk.beams[0].supported);
    QVERIFY2(QString::fromStdString(gk.beams[0].unsupportedReason).contains("Gamma Knife"),
             gk.beams[0].unsupportedReason.c_str());

    READ_PLAN(tomo, fileIn("rt/multivendor/tomo_plan_error", "RP"));
    QCOMPARE(tomo.beams.size(), std::size_t(1));
    QCOMPARE(tomo.unsupportedBeams().size(), std::size_t(1));
    QVERIFY(QString::fromStdString(tomo.beams[0].unsupportedReason).contains("TomoTherapy"));
    QCOMPARE(tomo.beams[0].controlPoints.size(), std::size_t(6579));
    CHECK_NEAR(*tomo.beams[0].monitorUnits, 76.743333);
    CHECK_NEAR(*tomo.prescribedDose(), 50.0);

    READ_PLAN(halcyon, fileIn("rt/multivendor/halcyon_plan", "RP"));
    QCOMPARE(halcyon.beams.size(), std::size_t(4));
    QCOMPARE(halcyon.unsupportedBeams().size(), std::size_t(4));
    QVERIFY(QString::fromStdString(halcyon.beams[2].unsupportedReason).contains("dual-layer"));
    QCOMPARE(halcyon.beams[0].deliveryName, std::string("IMAGE_BEAM"));
    QCOMPARE(halcyon.beams[0].delivery, DeliveryType::Other);
    CHECK_NEAR(*halcyon.beams[2].monitorUnits, 3560.98711530446);
  }

  /// An RT Ion Plan (made with pydicom: the shared data has none with beams) reads with its proton
  /// beam listed as unsupported.
  void ionBeamsAreListedNotFatal() {
    const QString python = test::pythonWithPydicom();
    BEAMLET_REQUIRE_TOOL(python, "python3 with pydicom");
    const fs::path file = tmp_ / "ionplan.dcm";
    const char* script = R"(
import sys
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
meta = FileMetaDataset()
meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.481.8'
meta.MediaStorageSOPInstanceUID = generate_uid()
meta.TransferSyntaxUID = ExplicitVRLittleEndian
ds = Dataset()
ds.file_meta = meta
ds.is_little_endian = True
ds.is_implicit_VR = False
ds.SOPClassUID = meta.MediaStorageSOPClassUID
ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
ds.Modality = 'RTPLAN'
ds.RTPlanLabel = 'PROTON'
def cp(index, weight):
    c = Dataset()
    c.ControlPointIndex = index
    c.CumulativeMetersetWeight = weight
    if index == 0:
        c.NominalBeamEnergy = 150
        c.GantryAngle = 90
        c.GantryRotationDirection = 'NONE'
        c.PatientSupportAngle = 0
        c.IsocenterPosition = [1, 2, 3]
    return c
b = Dataset()
b.BeamNumber = 1
b.BeamName = 'P1'
b.BeamType = 'STATIC'
b.RadiationType = 'PROTON'
b.TreatmentMachineName = 'GANTRY1'
b.NumberOfControlPoints = 2
b.IonControlPointSequence = Sequence([cp(0, 0), cp(1, 1)])
ds.IonBeamSequence = Sequence([b])
rb = Dataset()
rb.ReferencedBeamNumber = 1
rb.BeamMeterset = 1.5
fg = Dataset()
fg.FractionGroupNumber = 1
fg.NumberOfFractionsPlanned = 2
fg.ReferencedBeamSequence = Sequence([rb])
ds.FractionGroupSequence = Sequence([fg])
ds.save_as(sys.argv[1], write_like_original=False)
)";
    const test::ProcessResult r =
        test::runProcess(python, {"-c", script, QString::fromStdString(file.string())});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    READ_PLAN(plan, file.string());
    QCOMPARE(plan.beams.size(), std::size_t(1));
    const Beam& beam = plan.beams[0];
    QVERIFY(!beam.supported);
    QCOMPARE(beam.radiation, RadiationType::Proton);
    QVERIFY2(QString::fromStdString(beam.unsupportedReason).contains("ion beam"),
             beam.unsupportedReason.c_str());
    QCOMPARE(beam.controlPoints.size(), std::size_t(2));
    CHECK_NEAR(beam.controlPoints[1].gantryAngle, 90.0);
    CHECK_NEAR(beam.controlPoints[1].nominalEnergy, 150.0);
    CHECK_NEAR(*beam.monitorUnits, 1.5);
  }

  void brokenFilesGiveOneLineErrors() {
    BEAMLET_REQUIRE_DATA("dicom/pydicom/rtplan_truncated.dcm");
    const std::string truncated = test::dataPath("dicom/pydicom/rtplan_truncated.dcm");
    try {
      dicom::readRtPlan(truncated);
      QFAIL("truncated plan read");
    } catch (const DataError& e) {
      const QString message = e.what();
      QVERIFY2(message.startsWith(QString::fromStdString(truncated) + ": "), e.what());
      QVERIFY2(message.contains("truncated"), e.what());
      QVERIFY(!message.contains('\n'));
    }
    const std::string ct = test::dataPath("dicom/pydicom/CT_small.dcm");
    try {
      dicom::readRtPlan(ct);
      QFAIL("CT read as a plan");
    } catch (const DataError& e) {
      QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(ct) + ": not an RT plan"),
               e.what());
    }
    try {
      dicom::readRtPlan((tmp_ / "missing.dcm").string());
      QFAIL("missing file read");
    } catch (const IoError& e) {
      QVERIFY2(QString(e.what()).contains("missing.dcm: "), e.what());
    }
  }

  /// Vendor plans Beamlet can write again (step-and-shoot, VMAT arcs with setup fields, MLCY
  /// dynamic arcs, Agility without X jaws): read, write, dciodvfy, read back, compare.
  void vendorPlansSurviveRewriting() {
    BEAMLET_REQUIRE_DATA("rt/multivendor");
    const std::vector<std::string> files{
        fileIn("rt/multivendor/BrainSRSRaystationIMRT", "RP"),
        fileIn("rt/multivendor/BrainSRSRaystationVMAT", "RP"),
        test::dataPath("rt/multivendor/VMAT_PLAN_WITH_SETUP_FIELDS.dcm"),
        test::dataPath("rt/multivendor/brainlab_plan_ptv/RTPL0238.dcm"),
        fileIn("rt/multivendor/pinnacle/plan1", "RTPLAN"),
        fileIn("rt/multivendor/monaco_plans/IMRT", "2018"),
        test::dataPath("rt/multivendor/RP_FiF.dcm"),
    };
    const bool checkWithDciodvfy = !test::dciodvfyProgram().isEmpty();
    int n = 0;
    for (const std::string& path : files) {
      READ_PLAN(original, path);
      dicom::StudyContext context;
      BEAMLET_NO_THROW(context = dicom::readStudyContext(path));
      const fs::path copy = tmp_ / ("rewritten" + std::to_string(n++) + ".dcm");
      try {
        dicom::writeRtPlan(original, context, copy.string(), original.referencedStructureSetUid);
      } catch (const std::exception& e) {
        QFAIL(qPrintable(QString::fromStdString(path) + ": " + e.what()));
      }
      if (checkWithDciodvfy) {
        QStringList warnings;
        const QStringList errors = test::dciodvfyErrors(copy.string(), &warnings);
        QVERIFY2(errors.isEmpty(),
                 qPrintable(QString::fromStdString(path) + "\n" + errors.join("\n")));
      }
      READ_PLAN(back, copy.string());
      test::comparePlans(back, original);
      if (QTest::currentTestFailed()) {
        qWarning("while comparing %s", path.c_str());
        return;
      }
    }
  }

  /// pydicom's small plan: the numbers its rtplan.dump shows.
  void pydicomPlan() {
    BEAMLET_REQUIRE_DATA("dicom/pydicom/rtplan.dcm");
    READ_PLAN(plan, test::dataPath("dicom/pydicom/rtplan.dcm"));
    QCOMPARE(plan.label, std::string("Plan1"));
    QCOMPARE(plan.beams.size(), std::size_t(1));
    const Beam& beam = plan.beams[0];
    QCOMPARE(beam.jawXType, std::string("X"));
    QCOMPARE(beam.jawYType, std::string("Y"));
    CHECK_NEAR(*beam.monitorUnits, 116.0036697);
    QCOMPARE(plan.numberOfFractions(), 30);
    CHECK_NEAR(*plan.prescribedDose(), 30.826203);
    QVERIFY(beam.controlPoints[0].isocenter->isApprox(
        Eigen::Vector3d(235.711172833292, 244.135437110782, -724.97815409918), 1e-12));
  }
};

QTEST_GUILESS_MAIN(TestRtPlanRead)
#include "TestRtPlanRead.moc"
