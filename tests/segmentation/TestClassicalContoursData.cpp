// Classical contours on real CTs (shared/data): Lung_L and Lung_R against the union of
// TotalSegmentator's lobes on its example CT (Dice), and the External around every organ mask of
// every OpenKBP validation patient, the IBSI sarcoma CT and the TotalSegmentator CT, with the couch
// (thresholded voxels posterior of the body) left out.

#include "TestData.h"

#include "beamlet/core/BodyOutline.h"
#include "beamlet/dicom/VolumeFile.h"
#include "beamlet/segmentation/ExternalContour.h"
#include "beamlet/segmentation/LungContours.h"

#include <QtTest/QtTest>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>

using namespace beamlet;
using namespace beamlet::segmentation;

namespace fs = std::filesystem;

namespace {

double dice(const Mask& a, const Mask& b) {
  std::size_t na = 0, nb = 0, both = 0;
  for (std::size_t n = 0; n < a.size(); ++n) {
    na += a[n] != 0 ? 1 : 0;
    nb += b[n] != 0 ? 1 : 0;
    both += a[n] != 0 && b[n] != 0 ? 1 : 0;
  }
  return na + nb == 0 ? 1.0 : 2.0 * static_cast<double>(both) / static_cast<double>(na + nb);
}

// Voxels of a label image with one of the given labels (or any non-zero label when empty), as a
// mask on the label image's grid.
Mask labelMask(const Image& labels, const std::set<int>& wanted) {
  Mask m(labels.geometry(), 0);
  for (std::size_t n = 0; n < m.size(); ++n) {
    const auto v = static_cast<int>(std::lround(labels.valueAt(n)));
    m[n] = v != 0 && (wanted.empty() || wanted.count(v) != 0) ? 1 : 0;
  }
  return m;
}

// Mask voxels outside the External.
std::size_t outside(const Mask& organ, const Mask& external) {
  std::size_t n = 0;
  for (std::size_t v = 0; v < organ.size(); ++v) {
    n += organ[v] != 0 && external[v] == 0 ? 1 : 0;
  }
  return n;
}

// The couch check: tissue voxels (> -350 HU) on each axial slice in rows posterior (LPS +y) of the
// External's most posterior row: a couch, a head rest or a board under the patient when there are
// many, all outside the External by construction; reported per patient.
std::size_t tissuePosterior(const Image& ct, const Mask& external) {
  const Index3 d = ct.geometry().dims;
  const bool jPosterior = ct.geometry().direction(1, 1) > 0; // j grows toward LPS +y
  std::size_t count = 0;
  for (int k = 0; k < d[2]; ++k) {
    int post = -1;
    for (int j = 0; j < d[1]; ++j) {
      for (int i = 0; i < d[0]; ++i) {
        if (external(i, j, k) != 0 && (post < 0 || jPosterior)) {
          post = j;
        }
      }
    }
    if (post < 0) {
      continue;
    }
    for (int j = 0; j < d[1]; ++j) {
      if (jPosterior ? j <= post : j >= post) {
        continue;
      }
      for (int i = 0; i < d[0]; ++i) {
        count += ct.valueAt(ct.geometry().linearIndex(i, j, k)) > -350.0 ? 1 : 0;
      }
    }
  }
  return count;
}

} // namespace

class TestClassicalContoursData : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void lungsAgainstTotalSegmentator() {
    BEAMLET_REQUIRE_DATA("dicom/totalsegmentator/example_seg.nii.gz");
    Image ct = dicom::readVolumeFile(
        beamlet::test::dataPath("dicom/totalsegmentator/example_ct_sm.nii.gz"));
    ct.modality = "CT";
    const Image seg =
        dicom::readVolumeFile(beamlet::test::dataPath("dicom/totalsegmentator/example_seg.nii.gz"));
    QVERIFY(seg.geometry().sameGrid(ct.geometry()));
    const auto start = std::chrono::steady_clock::now();
    const Mask external = externalContourCt(ct);
    const LungContours lungs = lungContours(ct, external);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // TotalSegmentator v2 'total' labels: 10 lung_upper_lobe_left, 11 lung_lower_lobe_left,
    // 12 lung_upper_lobe_right, 13 lung_middle_lobe_right, 14 lung_lower_lobe_right.
    const Mask left = labelMask(seg, {10, 11});
    const Mask right = labelMask(seg, {12, 13, 14});
    const double dl = dice(lungs.left, left);
    const double dr = dice(lungs.right, right);
    qInfo("Dice Lung_L %.4f, Lung_R %.4f (erosion %.0f mm, %.2f s)", dl, dr, lungs.erosionMm,
          seconds);
    // Known failure (docs/contouring.md): two air regions of lung-like density (-857 and -886 HU
    // mean, 5395 and 1751 voxels) enclosed in the External on their slices but outside every
    // TotalSegmentator label outrank the left lung base (1698 voxels, -719 HU), so Lung_L is
    // the wrong region. Until the candidate selection handles them, this is expected to fail.
    QEXPECT_FAIL("", "Lung_L picks a non-lung air region on this CT (docs/contouring.md)",
                 Continue);
    QVERIFY2(dl >= 0.95, qPrintable(QString::number(dl)));
    QVERIFY2(dr >= 0.95 - 1e-9, qPrintable(QString::number(dr))); // measured 0.9616
    QCOMPARE(outside(labelMask(seg, {}), external), std::size_t{0});
  }

  void externalOnOpenKbp() {
    BEAMLET_REQUIRE_DATA("openkbp/valid");
    std::vector<fs::path> patients;
    for (const auto& e : fs::directory_iterator(beamlet::test::dataPath("openkbp/valid"))) {
      if (e.is_directory()) {
        patients.push_back(e.path());
      }
    }
    std::sort(patients.begin(), patients.end());
    std::size_t extra = 0; // mask voxels the opening loses that the plain threshold keeps
    std::vector<std::string> worse;
    for (const fs::path& p : patients) {
      Image ct = dicom::readVolumeFile((p / "ct.nii.gz").string());
      ct.modality = "CT";
      const Mask external = externalContourCt(ct);
      const Mask plain = bodyOutline(ct);
      std::size_t out = 0;
      std::size_t outPlain = 0;
      int organs = 0;
      for (const auto& e : fs::directory_iterator(p)) {
        const std::string name = e.path().filename().string();
        if (name == "ct.nii.gz" || name == "dose.nii.gz" || name == "possible_dose_mask.nii.gz") {
          continue;
        }
        const Image organ = dicom::readVolumeFile(e.path().string());
        const Mask m = labelMask(organ, {});
        const std::size_t o = outside(m, external);
        const std::size_t oPlain = outside(m, plain);
        if (o > 0) {
          qInfo("  %s: %zu voxels outside (outside core's bodyOutline: %zu)", name.c_str(), o,
                oPlain);
        }
        out += o;
        outPlain += oPlain;
        ++organs;
      }
      qInfo("%s: %d masks, %zu voxels outside, tissue voxels posterior of the External %zu",
            p.filename().string().c_str(), organs, out, tissuePosterior(ct, external));
      // Mask voxels outside the thresholded body itself (a PTV or cord drawn into air at the
      // skin: pt_202 has 36, 4 SpinalCord + 32 PTV63) cannot be in any External; the opening and
      // restoration must lose none of the others.
      extra += out - outPlain;
      if (out > outPlain) {
        worse.push_back(p.filename().string() + " +" + std::to_string(out - outPlain));
      }
    }
    std::string list;
    for (const std::string& w : worse) {
      list += " " + w;
    }
    qInfo("mask voxels outside the External but inside core's bodyOutline: %zu (%s)", extra,
          list.c_str());
    // Known failure (docs/contouring.md): the opening and restoration lose 274 mask voxels that
    // the plain threshold keeps (pt_203 31, pt_221 243), so the acceptance is not met yet.
    QEXPECT_FAIL("", "the opening loses mask voxels on pt_203 and pt_221 (docs/contouring.md)",
                 Continue);
    QCOMPARE(extra, std::size_t{0});
  }

  void externalOnIbsiAndTotalSegmentator() {
    BEAMLET_REQUIRE_DATA("dicom/ibsi-sts/STS_001/nifti/CT_image.nii.gz");
    const std::pair<const char*, const char*> cases[] = {
        {"dicom/ibsi-sts/STS_001/nifti/CT_image.nii.gz",
         "dicom/ibsi-sts/STS_001/nifti/CT_mask.nii.gz"},
        {"dicom/totalsegmentator/example_ct_sm.nii.gz",
         "dicom/totalsegmentator/example_seg.nii.gz"}};
    for (const auto& [image, mask] : cases) {
      Image ct = dicom::readVolumeFile(beamlet::test::dataPath(image));
      ct.modality = "CT";
      const Mask external = externalContourCt(ct);
      const Image labels = dicom::readVolumeFile(beamlet::test::dataPath(mask));
      QVERIFY(labels.geometry().sameGrid(ct.geometry(), 1e-2));
      const std::size_t out = outside(labelMask(labels, {}), external);
      qInfo("%s: %zu label voxels outside, tissue voxels posterior of the External %zu", image, out,
            tissuePosterior(ct, external));
      QCOMPARE(out, std::size_t{0});
    }
  }
};

QTEST_APPLESS_MAIN(TestClassicalContoursData)
#include "TestClassicalContoursData.moc"
