// RTSTRUCT reading on every structure set of the shared data, with the vendor quirks tolerated as
// warnings, the frame-of-reference check, and volumes against dicompyler-core's reference values.

#include "TestData.h"

#include "beamlet/core/Error.h"
#include "beamlet/dicom/DicomScanner.h"
#include "beamlet/dicom/RtStruct.h"
#include "beamlet/dicom/SeriesLoader.h"
#include "beamlet/dose/Dvh.h"

#include <QtTest/QtTest>

#include <filesystem>

using namespace beamlet;
namespace fs = std::filesystem;

namespace {

bool hasWarning(const StructureSet& set, const char* text) {
  for (const auto& w : set.warnings) {
    if (w.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

// A uniform 1 Gy dose covering every contour of the set, for volumes through the DVH.
Image uniformDoseAround(const StructureSet& set) {
  Vec3 lo = Vec3::Constant(1e300);
  Vec3 hi = Vec3::Constant(-1e300);
  for (const auto& s : set.structures) {
    for (const auto& c : s.contours) {
      for (const auto& p : c.points) {
        lo = lo.cwiseMin(p);
        hi = hi.cwiseMax(p);
      }
    }
  }
  lo -= Vec3::Constant(10);
  hi += Vec3::Constant(10);
  const Vec3 spacing(2, 2, 2);
  const Vec3 extent = (hi - lo).cwiseQuotient(spacing);
  const Index3 dims{static_cast<int>(extent.x()) + 1, static_cast<int>(extent.y()) + 1,
                    static_cast<int>(extent.z()) + 1};
  return Image(VolumeF32(ImageGeometry(dims, lo, spacing), 1.0f));
}

} // namespace

class TestRtStruct : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void readsEveryStructureSet() {
    BEAMLET_REQUIRE_DATA("rt");
    int read = 0;
    // The scanner already tells RT objects apart (by SOP class and modality).
    for (const char* folder : {"rt", "dicom", "dvh"}) {
      for (const auto& rt : dicom::scanFolder(test::dataPath(folder)).rtObjects) {
        if (rt.kind != dicom::RtKind::Structures) {
          continue;
        }
        const std::string path = rt.file.path;
        try {
          const StructureSet set = dicom::readRtStruct(path);
          QVERIFY(!set.structures.empty());
          ++read;
        } catch (const Error& err) {
          QFAIL(err.what());
        }
      }
    }
    QVERIFY(read >= 50);
  }

  void vendorQuirksAreWarnings() {
    BEAMLET_REQUIRE_DATA("dicom/pydicom/rtstruct.dcm");
    StructureSet points;
    BEAMLET_NO_THROW(points = dicom::readRtStruct(test::dataPath("dicom/pydicom/rtstruct.dcm")));
    QVERIFY(hasWarning(points, "not closed polygons"));
    QVERIFY(hasWarning(points, "has no contours"));

    StructureSet set;
    BEAMLET_NO_THROW(set = dicom::readRtStruct(test::dataPath("rt/dicompyler-core/rtss.dcm")));
    QCOMPARE(set.structures.size(), std::size_t{10});
    QVERIFY(hasWarning(set, "'Areola' (number 2) has no contours"));
    // ROIs are matched by number: the interpreted type and colour of a known ROI.
    const Structure* heart = set.findByName("Heart");
    QVERIFY(heart != nullptr);
    QCOMPARE(heart->type, std::string("ORGAN"));
  }

  void referencesToMissingImagesAreWarned() {
    const std::string dir = "dicom/rt-utils/mock_data";
    BEAMLET_REQUIRE_DATA(dir);
    const dicom::DicomIndex index = dicom::scanFolder(test::dataPath(dir));
    QCOMPARE(index.allSeries().size(), std::size_t{1});
    const dicom::SeriesEntry& series = *index.allSeries().front();
    Image ct;
    BEAMLET_NO_THROW(ct = dicom::loadSeries(series));
    const std::string rs = test::dataPath(dir + "/non_existent_reference_rt.dcm");
    StructureSet set;
    BEAMLET_NO_THROW(set = dicom::readRtStruct(rs));
    BEAMLET_NO_THROW(dicom::checkAgainstImage(set, rs, ct, &series));
    QVERIFY(hasWarning(set, "referenced images are not in the series"));
  }

  void otherFrameOfReferenceIsRefused() {
    const std::string base = "dicom/ibsi-sts/STS_001/dicom/CT/";
    BEAMLET_REQUIRE_DATA(base + "image");
    const dicom::DicomIndex index = dicom::scanFolder(test::dataPath(base + "image"));
    Image ct;
    BEAMLET_NO_THROW(ct = dicom::loadSeries(*index.allSeries().front()));
    const std::string rs = test::dataPath(base + "mask/RS.dcm");
    StructureSet set;
    BEAMLET_NO_THROW(set = dicom::readRtStruct(rs));
    BEAMLET_NO_THROW(dicom::checkAgainstImage(set, rs, ct, index.allSeries().front()));
    QCOMPARE(set.frameOfReferenceUid, ct.frameOfReferenceUid);
    ct.frameOfReferenceUid = "1.2.3.4.5.6.7.8.9"; // the same voxels in another patient frame
    try {
      dicom::checkAgainstImage(set, rs, ct);
      QFAIL("a structure set of another frame of reference was accepted");
    } catch (const GeometryError& e) {
      QVERIFY(QString(e.what()).startsWith(QString::fromStdString(rs)));
      QVERIFY(QString(e.what()).contains("frame of reference"));
    }
  }

  // dicompyler-core's reference volumes for its breast case (computed from the contours; the lung
  // has holes, which the even-odd rule removes).
  void dicompylerReferenceVolumes() {
    BEAMLET_REQUIRE_DATA("rt/dicompyler-core/rtss.dcm");
    StructureSet set;
    BEAMLET_NO_THROW(set = dicom::readRtStruct(test::dataPath("rt/dicompyler-core/rtss.dcm")));
    const Image dose = uniformDoseAround(set);
    for (const auto& [name, cc] : {std::pair<const char*, double>{"Heart", 432.84},
                                   std::pair<const char*, double>{"Lt Lung", 1995.18}}) {
      const Structure* s = set.findByName(name);
      QVERIFY2(s != nullptr, name);
      const dose::Dvh dvh = dose::computeDvh(*s, dose);
      qInfo("%s: %.2f cc (dicompyler-core %.2f cc)", name, dvh.volumeCc, cc);
      QVERIFY2(std::abs(dvh.volumeCc - cc) <= 0.02 * cc, name);
      QCOMPARE(dvh.outsideDoseGridCc, 0.0);
      QVERIFY(std::abs(dvh.meanGy - 1.0) < 1e-6);
    }
  }

  void truncatedOrWrongFilesAreOneLineErrors() {
    BEAMLET_REQUIRE_DATA("dicom/pydicom/rtplan_truncated.dcm");
    for (const char* file : {"dicom/pydicom/rtplan_truncated.dcm", "dicom/pydicom/CT_small.dcm",
                             "dicom/pydicom/README.txt"}) {
      try {
        dicom::readRtStruct(test::dataPath(file));
        QFAIL("accepted as RTSTRUCT");
      } catch (const DataError& e) {
        QVERIFY(QString(e.what()).contains(file));
        QVERIFY(!QString(e.what()).contains('\n'));
      }
    }
  }
};

QTEST_APPLESS_MAIN(TestRtStruct)
#include "TestRtStruct.moc"
