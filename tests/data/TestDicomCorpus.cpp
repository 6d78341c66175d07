// Every file of the shared DICOM corpus goes through the scanner without a crash, and every series
// found either loads into a valid volume or is refused with a one-line error naming a file of it.
// The AddressSanitizer build (make test-asan) runs this same test.

#include "TestData.h"

#include "beamlet/core/Error.h"
#include "beamlet/dicom/DicomScanner.h"
#include "beamlet/dicom/SeriesLoader.h"

#include <QtTest/QtTest>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>

using namespace beamlet;
namespace fs = std::filesystem;

namespace {

struct Tally {
  int loaded = 0;
  int refused = 0;
  std::map<std::string, std::string> outcome; ///< first file of the series -> "loaded" or error
};

// Loads every series of the index; returns a description of the first broken promise, if any.
std::string loadAll(const dicom::DicomIndex& index, Tally& tally) {
  for (const dicom::SeriesEntry* series : index.allSeries()) {
    try {
      const Image image = dicom::loadSeries(*series);
      const ImageGeometry& g = image.geometry();
      std::string why;
      if (!g.isValid(&why)) {
        return series->files.front().path + ": loaded with invalid geometry: " + why;
      }
      if (g.voxelCount() == 0) {
        return series->files.front().path + ": loaded an empty volume";
      }
      for (std::size_t n = 0; n < g.voxelCount(); n += 97) {
        if (!std::isfinite(image.valueAt(n))) {
          return series->files.front().path + ": non-finite voxel value";
        }
      }
      ++tally.loaded;
      tally.outcome[series->files.front().path] = "loaded";
    } catch (const Error& e) {
      const std::string message = e.what();
      if (message.find('\n') != std::string::npos || message.empty()) {
        return "error is not one line: " + message;
      }
      bool namesFile = false;
      for (const auto& f : series->files) {
        namesFile = namesFile || message.find(f.path) != std::string::npos;
      }
      if (!namesFile) {
        return "error names no file of the series: " + message;
      }
      ++tally.refused;
      tally.outcome[series->files.front().path] = message;
    }
  }
  return {};
}

} // namespace

class TestDicomCorpus : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void everyFileIsScanned() {
    BEAMLET_REQUIRE_DATA("dicom");
    const std::string root = test::dataPath("dicom");
    std::size_t files = 0;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      files += e.is_regular_file() ? 1 : 0;
    }
    dicom::DicomIndex index;
    BEAMLET_NO_THROW(index = dicom::scanFolder(root));
    QCOMPARE(index.filesExamined, files);
    // Each file is accounted for exactly once: in a series, as an RT object, or skipped.
    std::multiset<std::string> seen;
    for (const auto* s : index.allSeries()) {
      for (const auto& f : s->files) {
        seen.insert(f.path);
      }
    }
    for (const auto& rt : index.rtObjects) {
      seen.insert(rt.file.path);
    }
    for (const auto& sk : index.skipped) {
      seen.insert(sk.path);
      QVERIFY2(!sk.reason.empty() && sk.reason.find('\n') == std::string::npos, sk.path.c_str());
    }
    QCOMPARE(seen.size(), files);
    QCOMPARE(std::set<std::string>(seen.begin(), seen.end()).size(), files);
    // Known content: the RT objects of pydicom and rt-utils, truncated and non-DICOM files.
    QVERIFY(index.rtObjects.size() >= 10);
    bool truncatedSkipped = false;
    for (const auto& sk : index.skipped) {
      truncatedSkipped =
          truncatedSkipped || sk.path.find("rtplan_truncated.dcm") != std::string::npos;
    }
    QVERIFY(truncatedSkipped);
  }

  void truncatedFileIsListedAndRefused() {
    BEAMLET_REQUIRE_DATA("dicom/pydicom/MR_truncated.dcm");
    const dicom::DicomIndex index =
        dicom::scanFolder(test::dataPath("dicom/pydicom/MR_truncated.dcm"));
    QCOMPARE(index.allSeries().size(), std::size_t{1});
    try {
      dicom::loadSeries(*index.allSeries().front());
      QFAIL("truncated file loaded");
    } catch (const DataError& e) {
      QVERIFY2(QString(e.what()).contains("MR_truncated.dcm: truncated file"), e.what());
    }
  }

  void everyFileAloneIsScanned() {
    BEAMLET_REQUIRE_DATA("dicom");
    int files = 0;
    for (const auto& e : fs::recursive_directory_iterator(test::dataPath("dicom"))) {
      if (!e.is_regular_file()) {
        continue;
      }
      ++files;
      try {
        const dicom::DicomIndex index = dicom::scanFolder(e.path().string());
        QCOMPARE(index.filesExamined, std::size_t{1});
      } catch (const std::exception& ex) {
        QFAIL(ex.what());
      }
    }
    QVERIFY(files > 500);
  }

  // Series group differently depending on the folder scanned (several folders can share a series
  // UID), so every folder holding files is scanned and loaded on its own, and the whole corpus too.
  void everySeriesLoadsOrIsRefused() {
    BEAMLET_REQUIRE_DATA("dicom");
    const std::string root = test::dataPath("dicom");
    std::set<std::string> folders{root};
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (e.is_regular_file()) {
        folders.insert(e.path().parent_path().string());
      }
    }
    Tally tally;
    for (const auto& folder : folders) {
      try {
        const dicom::DicomIndex index = dicom::scanFolder(folder);
        const std::string broken = loadAll(index, tally);
        QVERIFY2(broken.empty(), broken.c_str());
      } catch (const std::exception& e) {
        QFAIL((folder + ": unexpected exception: " + e.what()).c_str());
      }
    }
    qInfo("%d series loaded, %d refused with a reason, over %zu folders", tally.loaded,
          tally.refused, folders.size());
    QVERIFY(tally.loaded >= 30);
    QVERIFY(tally.refused >= 20);

    // Spot checks of specific outcomes.
    auto outcomeOf = [&](const std::string& relative) {
      const std::string path = fs::absolute(test::dataPath("dicom/" + relative)).lexically_normal();
      const auto it = tally.outcome.find(path);
      return it == tally.outcome.end() ? std::string("(not seen)") : it->second;
    };
    QCOMPARE(QString::fromStdString(outcomeOf("pydicom/CT_small.dcm")).contains("single slice"),
             true);
    QCOMPARE(outcomeOf("pydicom-data/eCT_Supplemental.dcm"), std::string("loaded"));
    QCOMPARE(outcomeOf("dicom2nifti/siemens_multiframe/anatomical/001/IM-0001-0001-0001.dcm"),
             std::string("loaded"));
  }
};

QTEST_APPLESS_MAIN(TestDicomCorpus)
#include "TestDicomCorpus.moc"
