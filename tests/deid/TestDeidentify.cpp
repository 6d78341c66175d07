// De-identification (DICOM PS3.15 Basic Application Level Confidentiality Profile): an imaging set
// with structure sets (CT, MR, PET + RTSTRUCT) and an RT set (RTSTRUCT, RTPLAN, RTDOSE) are
// de-identified, then checked with Beamlet's scanner and loader, with DCMTK element by element,
// and with pydicom as an independent reader; refusals, broken input and the CLI.

#include "DeidTestSupport.h"
#include "TestData.h"
#include "VolumeCompare.h"

#include "beamlet/core/Error.h"
#include "beamlet/dicom/Deidentify.h"
#include "beamlet/dicom/DicomScanner.h"
#include "beamlet/dicom/SeriesLoader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest/QtTest>

#include <filesystem>
#include <regex>

namespace fs = std::filesystem;
using namespace beamlet;
using beamlet::test::DicomWalk;

namespace {

constexpr const char* kImagingSet = "dicom/ibsi-sts/STS_001";
constexpr const char* kRtSet = "rt/multivendor/BrainSRSRaystationIMRT";

struct Run {
  int exitCode = -1;
  QString out;
  QString err;
};

Run runProcess(const QString& program, const QStringList& args) {
  QProcess p;
  p.start(program, args);
  p.waitForFinished(300000);
  Run r;
  r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}

Run cli(const QStringList& args) {
  return runProcess(QString(BEAMLET_BINARY_DIR) + "/bin/beamlet-cli", args);
}

/// A Python 3 that has pydicom (Debian's python3-pydicom lives in /usr/bin/python3, which a pyenv
/// shim may hide), or empty.
QString pythonWithPydicom() {
  for (const QString& python : {QString("python3"), QString("/usr/bin/python3")}) {
    if (runProcess(python, {"-c", "import pydicom"}).exitCode == 0) {
      return python;
    }
  }
  return {};
}

void copyInto(const fs::path& from, const fs::path& folder) {
  fs::create_directories(folder);
  fs::copy_file(from, folder / from.filename());
}

} // namespace

class TestDeidentify : public QObject {
  Q_OBJECT

  fs::path tmp_;

  /// De-identifies a data set into a fresh folder and checks everything that must hold for any
  /// set; returns the report.
  dicom::DeidentifyReport deidentifyAndCheck(const std::string& relative, const fs::path& out) {
    const fs::path in = beamlet::test::dataPath(relative);
    const auto before = beamlet::test::snapshot(in);
    dicom::DeidentifyReport report;
    try {
      report = dicom::deidentify(in.string(), out.string());
    } catch (const std::exception& e) {
      QTest::qFail(e.what(), __FILE__, __LINE__);
      return report;
    }
    // Never writes into IN: every input file has the same size, time and content.
    if (beamlet::test::snapshot(in) != before) {
      QTest::qFail("the input folder changed", __FILE__, __LINE__);
    }
    return report;
  }

  /// Output naming, meta header, patient and profile attributes, no private or overlay data, no
  /// original UID anywhere in the output bytes, references resolved as in the input.
  void checkOutput(const std::string& relative, const fs::path& out,
                   const dicom::DeidentifyReport& report) {
    const fs::path in = beamlet::test::dataPath(relative);
    const auto outFiles = beamlet::test::filesUnder(out);
    QCOMPARE(outFiles.size(), report.written.size());
    const std::regex name(R"(ANON/study\d\d/[A-Z]+-series\d\d/2\.25\.\d+\.dcm)");
    for (const auto& f : report.written) {
      QVERIFY2(std::regex_match(f.output, name), f.output.c_str());
      QVERIFY2(fs::is_regular_file(out / f.output), f.output.c_str());
    }
    for (const fs::path& f : outFiles) {
      QVERIFY2(f.filename().string()[0] != '.', "a temporary file was left behind");
    }

    std::vector<fs::path> inFiles;
    for (const auto& f : report.written) {
      inFiles.push_back(f.source);
    }
    const DicomWalk original = beamlet::test::walk(inFiles);
    const DicomWalk result = beamlet::test::walk(outFiles);
    QCOMPARE(result.files, outFiles.size());
    QCOMPARE(result.unreadable, std::size_t{0});
    QCOMPARE(result.privateElements, std::size_t{0});
    QCOMPARE(result.overlayCurveElements, std::size_t{0});

    for (const auto& a : result.attributes) {
      QCOMPARE(a.at("PatientName"), std::string("ANONYMOUS^"));
      QCOMPARE(a.at("PatientID"), std::string("ANON"));
      QCOMPARE(a.at("PatientBirthDate"), std::string(""));
      QCOMPARE(a.at("PatientIdentityRemoved"), std::string("YES"));
      QCOMPARE(a.at("InstitutionName"), std::string("<absent>"));
      QCOMPARE(a.at("StudyDate"), std::string(""));
      QVERIFY(a.at("AccessionNumber").empty() || a.at("AccessionNumber") == "<absent>");
      QCOMPARE(a.at("LongitudinalTemporalInformationModified"), std::string("REMOVED"));
      QVERIFY2(a.at("DeidentificationMethodCodes").find("113100") != std::string::npos,
               a.at("DeidentificationMethodCodes").c_str());
      QCOMPARE(a.at("MediaStorageSOPInstanceUID"), a.at("SOPInstanceUID"));
    }

    // Every instance UID is new (2.25 form, at most 64 characters) and no original instance UID
    // is left anywhere in the output, in any attribute or text.
    QVERIFY(!original.instanceUids.empty());
    for (const std::string& uid : result.instanceUids) {
      QVERIFY2(uid.rfind("2.25.", 0) == 0 && uid.size() <= 64, uid.c_str());
      QVERIFY2(original.instanceUids.count(uid) == 0, uid.c_str());
    }
    for (const fs::path& f : outFiles) {
      for (const std::string& token : beamlet::test::uidLikeTokens(beamlet::test::readBytes(f))) {
        if (original.instanceUids.count(token) != 0) {
          QFAIL(qPrintable(
              QString("original UID %1 found in %2").arg(token.c_str(), f.string().c_str())));
        }
      }
    }
    // Image references (e.g. Contour Image Sequence -> CT images) resolve as often as before.
    QCOMPARE(beamlet::test::resolvedSopReferences(result),
             beamlet::test::resolvedSopReferences(original));
    QCOMPARE(result.referencedSops.size(), original.referencedSops.size());

    // RT references, as Beamlet's own scanner sees them, resolve exactly as in the input.
    const dicom::DicomIndex inIndex = dicom::scanFolder(in.string());
    const dicom::DicomIndex outIndex = dicom::scanFolder(out.string());
    QCOMPARE(outIndex.rtObjects.size(), inIndex.rtObjects.size());
    QCOMPARE(outIndex.allSeries().size(), inIndex.allSeries().size());
    const auto inSignatures = beamlet::test::rtReferenceSignatures(inIndex);
    const auto outSignatures = beamlet::test::rtReferenceSignatures(outIndex);
    for (std::size_t n = 0; n < inSignatures.size() && n < outSignatures.size(); ++n) {
      QCOMPARE(outSignatures[n], inSignatures[n]);
    }
    QCOMPARE(outSignatures.size(), inSignatures.size());
  }

private Q_SLOTS:
  void initTestCase() {
    tmp_ = fs::temp_directory_path() /
           ("beamlet-deid-test-" + std::to_string(QCoreApplication::applicationPid()));
    fs::remove_all(tmp_);
    fs::create_directories(tmp_);
  }
  void cleanupTestCase() { fs::remove_all(tmp_); }

  void imagingSetWithStructureSets() {
    BEAMLET_REQUIRE_DATA(kImagingSet);
    const fs::path out = tmp_ / "sts";
    const dicom::DeidentifyReport report = deidentifyAndCheck(kImagingSet, out);
    // 59 CT + 59 MR + 59 PET images and 3 RTSTRUCTs; the NIfTI files are not DICOM.
    QCOMPARE(report.written.size(), std::size_t{180});
    QCOMPARE(report.skipped.size(), std::size_t{6});
    for (const auto& s : report.skipped) {
      QVERIFY2(s.reason.find("not a DICOM file") != std::string::npos, s.reason.c_str());
    }
    QCOMPARE(report.patients, std::size_t{1});
    QVERIFY(report.uidsRemapped > 180);
    checkOutput(kImagingSet, out, report);

    // Each structure set still points at its image series.
    const dicom::DicomIndex index = dicom::scanFolder(out.string());
    QCOMPARE(index.rtObjects.size(), std::size_t{3});
    std::set<std::string> referencedModalities;
    for (const auto& rt : index.rtObjects) {
      QCOMPARE(rt.file.referencedSeriesUids.size(), std::size_t{1});
      const dicom::SeriesEntry* series = index.findSeries(rt.file.referencedSeriesUids[0]);
      QVERIFY(series != nullptr);
      referencedModalities.insert(series->modality);
    }
    QCOMPARE(referencedModalities, (std::set<std::string>{"CT", "MR", "PT"}));

    // Pixel data unchanged: each series loads to the same voxels on the same grid.
    const dicom::DicomIndex inIndex = dicom::scanFolder(beamlet::test::dataPath(kImagingSet));
    for (const std::string modality : {"CT", "MR", "PT"}) {
      const dicom::SeriesEntry* a = nullptr;
      const dicom::SeriesEntry* b = nullptr;
      for (const auto* s : inIndex.allSeries()) {
        a = s->modality == modality ? s : a;
      }
      for (const auto* s : index.allSeries()) {
        b = s->modality == modality ? s : b;
      }
      QVERIFY(a != nullptr && b != nullptr);
      Image before;
      Image after;
      BEAMLET_NO_THROW(before = dicom::loadSeries(*a));
      BEAMLET_NO_THROW(after = dicom::loadSeries(*b));
      const auto c = beamlet::test::compareOnVoxelCentres(after, before, 1e-6, 0.0);
      QVERIFY2(c.sameCentres && c.valueMismatches == 0, c.describe().c_str());
    }

    // The report lists what was changed, with the table's codes.
    auto find = [&](const std::string& tag, const std::string& action) {
      for (const auto& c : report.changes) {
        if (c.tag == tag && c.action == action) {
          return c;
        }
      }
      return dicom::AttributeChange{};
    };
    QCOMPARE(find("(0010,0010)", "replaced").count, std::size_t{180});
    QCOMPARE(find("(0010,0010)", "replaced").name, std::string("PatientName"));
    QCOMPARE(find("(0010,0010)", "replaced").profile, std::string("Z"));
    QCOMPARE(find("(0008,0018)", "uid-remapped").count, std::size_t{180});
    QCOMPARE(find("(0008,0018)", "uid-remapped").profile, std::string("U"));
    QCOMPARE(find("(0008,1030)", "removed").count, std::size_t{180}); // Study Description: X
    QCOMPARE(find("(0008,0020)", "emptied").count, std::size_t{180}); // Study Date: Z
  }

  void rtPlanDoseAndStructures() {
    BEAMLET_REQUIRE_DATA(kRtSet);
    const fs::path out = tmp_ / "rt";
    const dicom::DeidentifyReport report = deidentifyAndCheck(kRtSet, out);
    QCOMPARE(report.written.size(), std::size_t{3});
    QVERIFY(report.skipped.empty());
    QVERIFY(report.privateAttributesRemoved > 0); // RayStation's private attributes
    checkOutput(kRtSet, out, report);

    // RTPLAN -> RTSTRUCT and RTDOSE -> RTPLAN resolve in the output.
    const dicom::DicomIndex index = dicom::scanFolder(out.string());
    std::set<std::string> sops;
    for (const auto& rt : index.rtObjects) {
      sops.insert(rt.file.sopInstanceUid);
    }
    int planToStructures = 0;
    int doseToPlan = 0;
    for (const auto& rt : index.rtObjects) {
      for (const auto& uid : rt.file.referencedStructureSetUids) {
        planToStructures += rt.kind == dicom::RtKind::Plan && sops.count(uid) ? 1 : 0;
      }
      for (const auto& uid : rt.file.referencedPlanUids) {
        doseToPlan += rt.kind == dicom::RtKind::Dose && sops.count(uid) ? 1 : 0;
      }
    }
    QCOMPARE(planToStructures, 1);
    QCOMPARE(doseToPlan, 1);
  }

  void independentReaderPydicom() {
    BEAMLET_REQUIRE_DATA(kRtSet);
    const QString python = pythonWithPydicom();
    if (python.isEmpty()) {
      QSKIP("pydicom not installed");
    }
    const fs::path out = tmp_ / "pydicom";
    const dicom::DeidentifyReport report = deidentifyAndCheck(kRtSet, out);
    QCOMPARE(report.written.size(), std::size_t{3});
    const char* script = R"(
import pathlib, sys, pydicom
n = 0
for path in sorted(pathlib.Path(sys.argv[1]).rglob('*.dcm')):
    ds = pydicom.dcmread(str(path))
    assert str(ds.PatientName) == 'ANONYMOUS^', ds.PatientName
    assert ds.PatientID == 'ANON', ds.PatientID
    assert 'InstitutionName' not in ds
    assert ds.PatientBirthDate == ''
    assert ds.PatientIdentityRemoved == 'YES'
    assert not any(e.tag.is_private for e in ds.iterall()), 'private tag left'
    assert ds.SOPInstanceUID.startswith('2.25.')
    assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
    assert '113100' in [c.CodeValue for c in ds.DeidentificationMethodCodeSequence]
    n += 1
print('checked', n)
)";
    const Run r = runProcess(python, {"-c", script, QString::fromStdString(out.string())});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(r.out.trimmed(), QString("checked 3"));
  }

  void uidsAreFreshEachRun() {
    BEAMLET_REQUIRE_DATA(kRtSet);
    const std::string in = beamlet::test::dataPath(kRtSet);
    dicom::DeidentifyReport a;
    dicom::DeidentifyReport b;
    BEAMLET_NO_THROW(a = dicom::deidentify(in, (tmp_ / "run1").string()));
    BEAMLET_NO_THROW(b = dicom::deidentify(in, (tmp_ / "run2").string()));
    QCOMPARE(a.written.size(), b.written.size());
    for (std::size_t n = 0; n < a.written.size(); ++n) {
      // Same source order, same folders, different new UIDs: runs cannot be linked.
      QCOMPARE(fs::path(a.written[n].output).parent_path(),
               fs::path(b.written[n].output).parent_path());
      QVERIFY(a.written[n].output != b.written[n].output);
    }
  }

  void options() {
    BEAMLET_REQUIRE_DATA(kRtSet);
    BEAMLET_REQUIRE_DATA(kImagingSet);
    // Two patients in one input get numbered dummies; dates kept with the Retain Longitudinal
    // Temporal Information Full Dates Option, the birth date still emptied.
    const fs::path in = tmp_ / "two-patients";
    copyInto(fs::path(beamlet::test::dataPath(kImagingSet)) / "dicom/CT/mask/RS.dcm", in / "a");
    for (const auto& f : fs::directory_iterator(beamlet::test::dataPath(kRtSet))) {
      if (f.path().filename().string().rfind("RP", 0) == 0) {
        copyInto(f.path(), in / "b");
      }
    }
    dicom::DeidentifyOptions options;
    options.patientName = "Trial^Subject";
    options.patientId = "T";
    options.retainLongitudinalFullDates = true;
    dicom::DeidentifyReport report;
    BEAMLET_NO_THROW(report = dicom::deidentify(in.string(), (tmp_ / "two-out").string(), options));
    QCOMPARE(report.patients, std::size_t{2});
    QCOMPARE(report.patientIds, (std::vector<std::string>{"T-1", "T-2"}));
    const DicomWalk w = beamlet::test::walk(beamlet::test::filesUnder(tmp_ / "two-out"));
    QCOMPARE(w.files, std::size_t{2});
    std::set<std::string> names;
    for (const auto& a : w.attributes) {
      names.insert(a.at("PatientName"));
      QVERIFY(!a.at("StudyDate").empty() && a.at("StudyDate") != "<absent>");
      QCOMPARE(a.at("PatientBirthDate"), std::string(""));
      QVERIFY(a.at("DeidentificationMethodCodes").find("113106") != std::string::npos);
    }
    QCOMPARE(names, (std::set<std::string>{"Trial-1^Subject", "Trial-2^Subject"}));
  }

  void refusals() {
    BEAMLET_REQUIRE_DATA(kRtSet);
    const fs::path in = tmp_ / "refuse-in";
    for (const auto& f : fs::directory_iterator(beamlet::test::dataPath(kRtSet))) {
      copyInto(f.path(), in);
    }
    const auto before = beamlet::test::snapshot(in);
    auto expectError = [&](const std::string& input, const std::string& output,
                           const std::string& words) {
      try {
        dicom::deidentify(input, output);
      } catch (const Error& e) {
        const std::string message = e.what();
        QVERIFY2(message.find('\n') == std::string::npos, message.c_str());
        QVERIFY2(message.find(words) != std::string::npos, message.c_str());
        return;
      }
      QFAIL(("no error for " + input + " -> " + output).c_str());
    };
    expectError(in.string(), (in / "out").string(), "inside the input folder");
    QVERIFY(!fs::exists(in / "out"));
    expectError(in.string(), (in / "deeper/still/out").string(), "inside the input folder");
    expectError(in.string(), in.string(), "output is the input itself");
    expectError(in.string(), (in / "sub/..").string(), "output is the input itself");
    expectError(in.string(), in.string() + "/", "output is the input itself");
    const fs::path full = tmp_ / "full";
    fs::create_directories(full);
    std::ofstream(full / "keep.txt") << "mine";
    expectError(in.string(), full.string(), "not empty");
    QCOMPARE(beamlet::test::readBytes(full / "keep.txt"), std::string("mine"));
    expectError(in.string(), (full / "keep.txt").string(), "not a folder");
    expectError((tmp_ / "no-such-input").string(), (tmp_ / "x").string(), "no such file");
    QVERIFY(beamlet::test::snapshot(in) == before);
    try {
      dicom::deidentify((tmp_ / "no-such-input").string(), (tmp_ / "x").string());
    } catch (const IoError& e) {
      QVERIFY(std::string(e.what()).rfind((tmp_ / "no-such-input").string() + ": ", 0) == 0);
    } catch (...) {
      QFAIL("missing input must be an IoError");
    }
  }

  void brokenFilesAreSkipped() {
    BEAMLET_REQUIRE_DATA("dicom/pydicom");
    const fs::path in = tmp_ / "broken";
    const fs::path pydicom = beamlet::test::dataPath("dicom/pydicom");
    for (const char* name : {"rtplan_truncated.dcm", "MR_truncated.dcm", "MR_small.dcm"}) {
      copyInto(pydicom / name, in);
    }
    // Cut inside the pixel data, garbage after a valid preamble, empty, and text.
    const std::string mr = beamlet::test::readBytes(pydicom / "MR_small.dcm");
    std::ofstream(in / "cut.dcm", std::ios::binary) << mr.substr(0, mr.size() * 6 / 10);
    std::string garbage(128, '\0');
    garbage += "DICM";
    for (int n = 0; n < 3000; ++n) {
      garbage += static_cast<char>((n * 37 + 11) % 256);
    }
    std::ofstream(in / "garbage.dcm", std::ios::binary) << garbage;
    std::ofstream(in / "empty.dcm", std::ios::binary).flush();
    std::ofstream(in / "notes.txt") << "not DICOM";

    const fs::path out = tmp_ / "broken-out";
    dicom::DeidentifyReport report;
    BEAMLET_NO_THROW(report = dicom::deidentify(in.string(), out.string()));
    QCOMPARE(report.filesExamined, std::size_t{7});
    QCOMPARE(report.written.size(), std::size_t{1});
    QCOMPARE(fs::path(report.written[0].source).filename().string(), std::string("MR_small.dcm"));
    QCOMPARE(beamlet::test::filesUnder(out).size(), std::size_t{1});
    QCOMPARE(report.skipped.size(), std::size_t{6});
    std::map<std::string, std::string> reasons;
    for (const auto& s : report.skipped) {
      reasons[fs::path(s.path).filename().string()] = s.reason;
      QVERIFY2(!s.reason.empty() && s.reason.find('\n') == std::string::npos, s.reason.c_str());
    }
    QVERIFY2(reasons["MR_truncated.dcm"].find("truncated") != std::string::npos,
             reasons["MR_truncated.dcm"].c_str());
    QVERIFY2(reasons["cut.dcm"].find("truncated") != std::string::npos ||
                 reasons["cut.dcm"].find("cannot be read completely") != std::string::npos,
             reasons["cut.dcm"].c_str());
    QVERIFY(reasons.count("rtplan_truncated.dcm") && reasons.count("garbage.dcm"));
    QVERIFY2(reasons["notes.txt"].find("not a DICOM file") != std::string::npos,
             reasons["notes.txt"].c_str());
    QVERIFY2(reasons["empty.dcm"].find("empty") != std::string::npos, reasons["empty.dcm"].c_str());
  }

  void nestedPrivateOverlayAndBurnedIn() {
    BEAMLET_REQUIRE_DATA("dicom/pydicom/MR_small.dcm");
    // MR_small with what the profile must find at any depth: a private block, an overlay, names
    // and UIDs inside sequences, and BurnedInAnnotation YES.
    const fs::path in = tmp_ / "nested";
    fs::create_directories(in);
    DcmFileFormat file;
    QVERIFY(file.loadFile(beamlet::test::dataPath("dicom/pydicom/MR_small.dcm").c_str()).good());
    DcmDataset* ds = file.getDataset();
    ds->putAndInsertString(DCM_BurnedInAnnotation, "YES");
    ds->putAndInsertString(DcmTag(0x0029, 0x0010, EVR_LO), "ACME 1.0");
    ds->putAndInsertString(DcmTag(0x0029, 0x1001, EVR_LO), "Doe^John");
    ds->putAndInsertUint16(DcmTag(0x6000, 0x0010, EVR_US), 8);
    ds->putAndInsertString(DcmTag(0x6000, 0x4000, EVR_LT), "overlay comment");
    DcmItem* item = nullptr;
    QVERIFY(ds->findOrCreateSequenceItem(DCM_ReferencedImageSequence, item, -2).good());
    item->putAndInsertString(DCM_ReferencedSOPClassUID, "1.2.840.10008.5.1.4.1.1.4");
    item->putAndInsertString(DCM_ReferencedSOPInstanceUID, "1.2.3.4.5.6.7.8.9");
    item->putAndInsertString(DCM_PatientName, "Doe^Jane");
    item->putAndInsertString(DCM_InstitutionName, "St Elsewhere");
    item->putAndInsertString(DcmTag(0x0029, 0x1002, EVR_LO), "private in item");
    DcmItem* other = nullptr;
    QVERIFY(ds->findOrCreateSequenceItem(DCM_OtherPatientIDsSequence, other, -2).good());
    other->putAndInsertString(DCM_PatientID, "12345");
    QVERIFY(file.saveFile((in / "mr.dcm").c_str(), EXS_LittleEndianExplicit).good());

    const fs::path out = tmp_ / "nested-out";
    dicom::DeidentifyReport report;
    BEAMLET_NO_THROW(report = dicom::deidentify(in.string(), out.string()));
    QCOMPARE(report.written.size(), std::size_t{1});
    QCOMPARE(report.warnings.size(), std::size_t{1});
    QVERIFY2(report.warnings[0].find("BurnedInAnnotation is YES") != std::string::npos,
             report.warnings[0].c_str());
    QCOMPARE(report.privateAttributesRemoved, std::size_t{3});
    QCOMPARE(report.overlayCurveAttributesRemoved, std::size_t{2});

    const auto outFiles = beamlet::test::filesUnder(out);
    const DicomWalk w = beamlet::test::walk(outFiles);
    QCOMPARE(w.privateElements, std::size_t{0});
    QCOMPARE(w.overlayCurveElements, std::size_t{0});
    const std::string bytes = beamlet::test::readBytes(outFiles.at(0));
    for (const char* gone : {"Doe", "St Elsewhere", "12345", "1.2.3.4.5.6.7.8.9", "ACME"}) {
      QVERIFY2(bytes.find(gone) == std::string::npos, gone);
    }
    DcmFileFormat result;
    QVERIFY(result.loadFile(outFiles.at(0).c_str()).good());
    DcmItem* ref = nullptr;
    QVERIFY(result.getDataset()->findAndGetSequenceItem(DCM_ReferencedImageSequence, ref).good());
    OFString value;
    ref->findAndGetOFString(DCM_PatientName, value);
    QCOMPARE(std::string(value.c_str()), std::string("ANONYMOUS^"));
    ref->findAndGetOFString(DCM_ReferencedSOPClassUID, value);
    QCOMPARE(std::string(value.c_str()), std::string("1.2.840.10008.5.1.4.1.1.4")); // class: kept
    ref->findAndGetOFString(DCM_ReferencedSOPInstanceUID, value);
    QVERIFY(std::string(value.c_str()).rfind("2.25.", 0) == 0);
    QVERIFY(!ref->tagExists(DCM_InstitutionName));
    QVERIFY(!result.getDataset()->tagExists(DCM_OtherPatientIDsSequence));
  }

  void commandLine() {
    BEAMLET_REQUIRE_DATA(kRtSet);
    const QString in = QString::fromStdString(beamlet::test::dataPath(kRtSet));
    const QString out = QString::fromStdString((tmp_ / "cli-json").string());
    const Run json = cli({"-q", "deidentify", in, out, "--json"});
    QVERIFY2(json.exitCode == 0, qPrintable(json.err));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json.out.toUtf8(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    const QJsonObject root = doc.object();
    QCOMPARE(root["format"].toString(), QString("beamlet-deidentify-report"));
    QCOMPARE(root["version"].toInt(), 1);
    QCOMPARE(root["filesWritten"].toInt(), 3);
    QCOMPARE(root["files"].toArray().size(), 3);
    QVERIFY(root["uidsRemapped"].toInt() > 3);
    QCOMPARE(root["patients"].toArray().size(), 1);
    bool patientName = false;
    for (const auto& a : root["attributes"].toArray()) {
      const QJsonObject o = a.toObject();
      patientName =
          patientName || (o["name"].toString() == "PatientName" &&
                          o["action"].toString() == "replaced" && o["count"].toInt() == 3);
    }
    QVERIFY(patientName);
    QCOMPARE(beamlet::test::filesUnder(out.toStdString()).size(), std::size_t{3});

    const Run text = cli({"deidentify", in, QString::fromStdString((tmp_ / "cli-text").string())});
    QCOMPARE(text.exitCode, 0);
    QVERIFY2(text.out.startsWith("de-identified 3 of 3 files"), qPrintable(text.out));
    QVERIFY(text.out.contains("UIDs replaced"));

    // Bad input: exit 1, one line on stderr.
    const Run missing = cli({"deidentify", "/nonexistent/beamlet", out + "-2"});
    QCOMPARE(missing.exitCode, 1);
    QCOMPARE(missing.err.trimmed().count('\n'), 0);
    QVERIFY2(missing.err.startsWith("beamlet-cli: error: /nonexistent/beamlet: "),
             qPrintable(missing.err));
    const Run notEmpty = cli({"deidentify", in, out});
    QCOMPARE(notEmpty.exitCode, 1);
    QCOMPARE(notEmpty.err.trimmed().count('\n'), 0);
    QVERIFY2(notEmpty.err.contains("not empty"), qPrintable(notEmpty.err));
    QCOMPARE(cli({"deidentify", "--help"}).exitCode, 0);
  }
};

QTEST_GUILESS_MAIN(TestDeidentify)
#include "TestDeidentify.moc"
