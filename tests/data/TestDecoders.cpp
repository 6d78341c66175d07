// Pixel decoding for every transfer syntax: the same image in several encodings decodes to the same
// values, and every single-frame grey image in the corpus decodes to the values ITK's GDCM reader
// (an independent decoder for most encodings) gives.

#include "ItkPeer.h"
#include "TestData.h"

#include "beamlet/core/Error.h"
#include "beamlet/dicom/DicomScanner.h"
#include "beamlet/dicom/SeriesLoader.h"

#include <QtTest/QtTest>

#include <filesystem>

using namespace beamlet;
namespace fs = std::filesystem;

class TestDecoders : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void sameImageInEveryEncoding_data() {
    QTest::addColumn<QString>("reference");
    QTest::addColumn<QString>("encoded");
    for (const char* enc : {"MR_small_RLE.dcm", "MR_small_bigendian.dcm", "MR_small_expb.dcm",
                            "MR_small_implicit.dcm", "MR_small_jp2klossless.dcm",
                            "MR_small_jpeg_ls_lossless.dcm", "MR_small_padded.dcm"}) {
      QTest::newRow(enc) << "dicom/pydicom/MR_small.dcm" << QString("dicom/pydicom/") + enc;
    }
    QTest::newRow("MR2 J2K reversible") << "dicom/pydicom-data/MR2_UNCR.dcm"
                                        << "dicom/pydicom-data/MR2_J2KR.dcm";
    QTest::newRow("CT 693 J2K reversible") << "dicom/pydicom-data/693_UNCR.dcm"
                                           << "dicom/pydicom-data/693_J2KR.dcm";
  }

  void sameImageInEveryEncoding() {
    QFETCH(QString, reference);
    QFETCH(QString, encoded);
    BEAMLET_REQUIRE_DATA(reference.toStdString());
    BEAMLET_REQUIRE_DATA(encoded.toStdString());
    Image a;
    Image b;
    BEAMLET_NO_THROW(a = dicom::loadSlice(test::dataPath(reference.toStdString())));
    BEAMLET_NO_THROW(b = dicom::loadSlice(test::dataPath(encoded.toStdString())));
    QVERIFY(a.geometry().sameGrid(b.geometry(), 1e-6));
    std::size_t differ = 0;
    for (std::size_t n = 0; n < a.geometry().voxelCount(); ++n) {
      differ += a.valueAt(n) != b.valueAt(n) ? 1 : 0;
    }
    QCOMPARE(differ, std::size_t{0});
    const auto [lo, hi] = a.range();
    QVERIFY(hi > lo); // not a blank image
  }

  void everySingleFrameImageAgreesWithItk() {
    BEAMLET_REQUIRE_DATA("dicom");
    int compared = 0;
    int itkOnly = 0;
    int skippedMonochrome1 = 0;
    QStringList disagreements;
    for (const auto& e : fs::recursive_directory_iterator(test::dataPath("dicom"))) {
      if (!e.is_regular_file()) {
        continue;
      }
      const std::string path = e.path().string();
      dicom::DicomFileInfo info;
      try {
        info = dicom::readFileInfo(path);
      } catch (const Error&) {
        continue;
      }
      if (!info.hasPixelData || info.numberOfFrames != 1 || info.samplesPerPixel != 1 ||
          info.modality == "SEG" || info.modality == "RTDOSE" || !info.readProblem.empty() ||
          info.photometricInterpretation == "PALETTE COLOR") {
        continue;
      }
      // ITK inverts MONOCHROME1 images for display; Beamlet keeps the stored values (what HU and
      // other quantities are defined on), so MONOCHROME1 images are not compared.
      const bool monochrome1 = info.photometricInterpretation == "MONOCHROME1";
      std::vector<float> peer;
      try {
        peer = test::readWithItk(path).values;
      } catch (const itk::ExceptionObject&) {
        continue; // the peer cannot read it: nothing to compare with
      }
      Image ours;
      try {
        ours = dicom::loadSlice(path);
      } catch (const Error& err) {
        ++itkOnly;
        qInfo("ITK reads, Beamlet refuses: %s", err.what());
        continue;
      }
      if (peer.size() != ours.geometry().voxelCount()) {
        disagreements << QString::fromStdString(path + ": different pixel count");
        continue;
      }
      if (monochrome1) {
        ++skippedMonochrome1;
        continue;
      }
      double maxDiff = 0.0;
      for (std::size_t n = 0; n < peer.size(); ++n) {
        const double tolerance = 1e-4 * std::max(1.0, std::abs(static_cast<double>(peer[n])));
        const double d = std::abs(ours.valueAt(n) - peer[n]);
        if (d > tolerance) {
          maxDiff = std::max(maxDiff, d);
        }
      }
      if (maxDiff > 0.0) {
        disagreements << QString::fromStdString(path) + QString(": max difference %1").arg(maxDiff);
      }
      ++compared;
    }
    qInfo("%d single-frame images compared with ITK/GDCM; %d read by ITK but refused here; %d "
          "MONOCHROME1 not compared",
          compared, itkOnly, skippedMonochrome1);
    QVERIFY2(disagreements.isEmpty(), qPrintable(disagreements.join("; ")));
    QVERIFY(compared >= 40);
  }
};

QTEST_APPLESS_MAIN(TestDecoders)
#include "TestDecoders.moc"
