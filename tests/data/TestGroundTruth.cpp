// Loaded volumes against ground truth: dicom2nifti's expected NIfTI volumes, the IBSI reference
// images, the TotalSegmentator segmentation grid, and (for the sheared and irregular series that
// dicom2nifti refuses) an independent reading of every slice by ITK's GDCM reader.

#include "ItkPeer.h"
#include "TestData.h"
#include "VolumeCompare.h"

#include "beamlet/core/Error.h"
#include "beamlet/dicom/DicomScanner.h"
#include "beamlet/dicom/SeriesLoader.h"
#include "beamlet/dicom/VolumeFile.h"

#include <QtTest/QtTest>

#include <filesystem>

using namespace beamlet;
namespace fs = std::filesystem;

namespace {

Image loadOnlySeries(const std::string& folder) {
  const dicom::DicomIndex index = dicom::scanFolder(folder);
  const auto series = index.allSeries();
  if (series.size() != 1) {
    throw DataError(folder + ": expected one series, found " + std::to_string(series.size()));
  }
  return dicom::loadSeries(*series.front());
}

} // namespace

class TestGroundTruth : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void dicom2nifti_data() {
    QTest::addColumn<QString>("series");
    QTest::addColumn<QString>("truth");
    QTest::addColumn<double>("valueTolerance");
    const QString a = "dicom/dicom2nifti/";
    auto row = [&](const std::string& s, const std::string& t, double tol = 1e-3) {
      QTest::newRow(s.c_str()) << a + QString::fromStdString(s) << a + QString::fromStdString(t)
                               << tol;
    };
    for (const std::string vendor : {"ge", "generic", "hitachi", "philips", "siemens"}) {
      const std::string base = vendor + "/anatomical/001";
      row(base, base + "_ground_truth.nii.gz");
      row(base + "_implicit", base + "_implicit_ground_truth.nii.gz");
    }
    row("generic/anatomical/002_non_isotropic",
        "generic/anatomical/002_non_isotropic_ground_truth.nii.gz");
    row("generic/compressed/001", "generic/compressed/001_ground_truth.nii.gz");
    row("generic/compressed_j2k/001", "generic/compressed_j2k/001_ground_truth.nii.gz");
    row("generic/compressed_jpegls/001", "generic/compressed_jpegls/001_ground_truth.nii.gz");
    row("generic/compressed_rle/001", "generic/compressed_rle/001_ground_truth.nii.gz");
    row("generic/compressed_jpeg/001", "generic/compressed_jpeg/001_ground_truth.nii.gz");
    row("hyperfine/anatomical/001", "hyperfine/anatomical/001_ground_truth.nii.gz");
    row("philips_enhanced/anatomical/001", "philips_enhanced/anatomical/001_ground_truth.nii.gz");
    row("philips_enhanced/anatomical/001_implicit",
        "philips_enhanced/anatomical/001_implicit_ground_truth.nii.gz");
    row("siemens_multiframe/anatomical/001",
        "siemens_multiframe/anatomical/001_ground_truth.nii.gz");
    row("failing/slicecount/001", "failing/slicecount/001_ground_truth.nii.gz");
  }

  void dicom2nifti() {
    QFETCH(QString, series);
    QFETCH(QString, truth);
    QFETCH(double, valueTolerance);
    BEAMLET_REQUIRE_DATA(series.toStdString());
    Image ours;
    Image reference;
    BEAMLET_NO_THROW(ours = loadOnlySeries(test::dataPath(series.toStdString())));
    BEAMLET_NO_THROW(reference = dicom::readVolumeFile(test::dataPath(truth.toStdString())));
    const test::Comparison c = test::compareOnVoxelCentres(ours, reference, 0.01, valueTolerance);
    QVERIFY2(c.sameCentres && c.valueMismatches == 0, c.describe().c_str());
  }

  void refusedWithReason_data() {
    QTest::addColumn<QString>("series");
    QTest::addColumn<QString>("reason");
    QTest::newRow("single slice") << "dicom/dicom2nifti/ge/anatomical/001_single_slice"
                                  << "a single slice";
    QTest::newRow("colour") << "dicom/dicom2nifti/generic/rgb/001"
                            << "colour image";
    QTest::newRow("not a volume") << "dicom/dicom2nifti/failing/notavolume/001"
                                  << "all at one position";
    QTest::newRow("orientation") << "dicom/dicom2nifti/failing/sliceorientation/001"
                                 << "mixed orientations";
  }

  void refusedWithReason() {
    QFETCH(QString, series);
    QFETCH(QString, reason);
    BEAMLET_REQUIRE_DATA(series.toStdString());
    const std::string folder = test::dataPath(series.toStdString());
    try {
      loadOnlySeries(folder);
      QFAIL("loaded a series that must be refused");
    } catch (const Error& e) {
      const QString message = e.what();
      QVERIFY2(message.contains(reason), e.what());
      const std::string absolute = fs::absolute(folder).lexically_normal().string();
      QVERIFY2(message.startsWith(QString::fromStdString(absolute)), e.what());
      QVERIFY(!message.contains('\n'));
    }
  }

  // Sheared (gantry tilt) and irregularly spaced series: every output voxel inside the acquired
  // slices must equal the linear interpolation, in patient space, of the slices as ITK reads them.
  void resampledAgainstItkPeer_data() {
    QTest::addColumn<QString>("series");
    QTest::addColumn<QString>("note");
    QTest::newRow("gantry tilt") << "dicom/dicom2nifti/failing/gantrytilting/001"
                                 << "sheared";
    QTest::newRow("slice increment 1") << "dicom/dicom2nifti/failing/sliceincrement/001"
                                       << "not uniform";
    QTest::newRow("slice increment 2") << "dicom/dicom2nifti/failing/sliceincrement/002"
                                       << "not uniform";
  }

  void resampledAgainstItkPeer() {
    QFETCH(QString, series);
    QFETCH(QString, note);
    BEAMLET_REQUIRE_DATA(series.toStdString());
    const std::string folder = test::dataPath(series.toStdString());
    Image ours;
    BEAMLET_NO_THROW(ours = loadOnlySeries(folder));
    QVERIFY(!ours.warnings.empty());
    bool noted = false;
    for (const auto& w : ours.warnings) {
      noted = noted || QString::fromStdString(w).contains(note);
    }
    QVERIFY2(noted, ours.warnings.front().c_str());

    std::vector<test::ItkSlice> slices;
    for (const auto& entry : fs::directory_iterator(folder)) {
      slices.push_back(test::readWithItk(entry.path().string()));
    }
    const Vec3 normal = slices.front().row.cross(slices.front().column);
    std::sort(slices.begin(), slices.end(), [&](const test::ItkSlice& x, const test::ItkSlice& y) {
      return x.origin.dot(normal) < y.origin.dot(normal);
    });
    const ImageGeometry& g = ours.geometry();
    QVERIFY((g.direction.col(2) - normal).norm() < 1e-6);
    std::size_t compared = 0;
    double maxDiff = 0.0;
    for (int k = 0; k < g.dims[2]; ++k) {
      for (int j = 0; j < g.dims[1]; ++j) {
        for (int i = 0; i < g.dims[0]; ++i) {
          const Vec3 p = g.indexToPatient(Vec3(i, j, k));
          const double s = p.dot(normal);
          std::size_t m = 0;
          while (m + 2 < slices.size() && slices[m + 1].origin.dot(normal) <= s + 1e-6) {
            ++m;
          }
          const double s0 = slices[m].origin.dot(normal);
          const double s1 = slices[m + 1].origin.dot(normal);
          const double w = std::clamp((s - s0) / (s1 - s0), 0.0, 1.0);
          double expected = 0.0;
          bool inside = true;
          for (int n = 0; n < 2; ++n) {
            const test::ItkSlice& sl = slices[m + static_cast<std::size_t>(n)];
            const double weight = n == 0 ? 1 - w : w;
            if (weight < 1e-9) {
              continue;
            }
            const double u = (p - sl.origin).dot(sl.row) / sl.spacingI;
            const double v = (p - sl.origin).dot(sl.column) / sl.spacingJ;
            if (u < -1e-6 || v < -1e-6 || u > sl.columns - 1 + 1e-6 || v > sl.rows - 1 + 1e-6) {
              inside = false;
              break;
            }
            expected += weight * sl.sample(std::clamp(u, 0.0, sl.columns - 1.0),
                                           std::clamp(v, 0.0, sl.rows - 1.0));
          }
          if (!inside) {
            continue;
          }
          ++compared;
          maxDiff = std::max(maxDiff, std::abs(expected - ours.valueAt(g.linearIndex(i, j, k))));
        }
      }
    }
    QVERIFY2(compared > g.voxelCount() / 2, "too few voxels inside the acquired slices");
    QVERIFY2(maxDiff < 0.01, ("max difference " + std::to_string(maxDiff)).c_str());
  }

  void ibsi_data() {
    QTest::addColumn<QString>("modality");
    QTest::addColumn<double>("valueTolerance");
    QTest::newRow("CT") << "CT" << 1e-3;
    QTest::newRow("MR_T1") << "MR_T1" << 1e-3;
    QTest::newRow("PET") << "PET" << 1e-3;
  }

  void ibsi() {
    QFETCH(QString, modality);
    QFETCH(double, valueTolerance);
    const std::string base = "dicom/ibsi-sts/STS_001/";
    BEAMLET_REQUIRE_DATA(base + "dicom/" + modality.toStdString() + "/image");
    Image ours;
    Image reference;
    BEAMLET_NO_THROW(
        ours = loadOnlySeries(test::dataPath(base + "dicom/" + modality.toStdString() + "/image")));
    BEAMLET_NO_THROW(reference = dicom::readVolumeFile(test::dataPath(
                         base + "nifti/" + modality.toStdString() + "_image.nii.gz")));
    const test::Comparison c = test::compareOnVoxelCentres(ours, reference, 0.01, valueTolerance);
    QVERIFY2(c.sameCentres && c.valueMismatches == 0, c.describe().c_str());
  }

  // The 20-slice JPEG 2000 CT lands on the grid of its segmentation, and so does what convert
  // writes.
  void totalSegmentatorJpeg2000() {
    const std::string base = "dicom/totalsegmentator/";
    BEAMLET_REQUIRE_DATA(base + "example_ct_dicom");
    Image ct;
    BEAMLET_NO_THROW(ct = loadOnlySeries(test::dataPath(base + "example_ct_dicom")));
    QCOMPARE(ct.geometry().dims[0], 512);
    QCOMPARE(ct.geometry().dims[2], 20);
    QCOMPARE(ct.units, std::string("HU"));
    QCOMPARE(ct.voxelType(), VoxelType::Int16);
    Image seg;
    BEAMLET_NO_THROW(seg =
                         dicom::readVolumeFile(test::dataPath(base + "example_seg_dicom.nii.gz")));
    const double anyValue = 1e9;
    const test::Comparison c = test::compareOnVoxelCentres(ct, seg, 0.01, anyValue);
    QVERIFY2(c.sameCentres, c.describe().c_str());

    const std::string out = (fs::temp_directory_path() / "beamlet-ts-ct.nii.gz").string();
    dicom::writeVolumeFile(ct, out);
    const Image written = dicom::readVolumeFile(out);
    fs::remove(out);
    const test::Comparison w = test::compareOnVoxelCentres(written, seg, 0.01, anyValue);
    QVERIFY2(w.sameCentres, w.describe().c_str());
    const test::Comparison same = test::compareOnVoxelCentres(written, ct, 0.01, 0.0);
    QVERIFY2(same.sameCentres && same.valueMismatches == 0, same.describe().c_str());
    // Air outside the body, soft tissue at the centre of the body (labelled in the segmentation).
    QCOMPARE(ct.valueAt(0), -1024.0);
  }
};

QTEST_APPLESS_MAIN(TestGroundTruth)
#include "TestGroundTruth.moc"
