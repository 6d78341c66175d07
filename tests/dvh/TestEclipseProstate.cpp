// SlicerRT's Eclipse prostate phantom: the RTSTRUCT and the plan's dose (NRRD) give each ROI's
// volume and mean dose within 1% of the DVH table Eclipse itself exported (with pinched end caps,
// the convention Eclipse follows).

#include "NelmsCases.h"
#include "TestData.h"

#include "beamlet/core/Error.h"
#include "beamlet/dicom/RtDose.h"
#include "beamlet/dicom/RtStruct.h"
#include "beamlet/dose/Dvh.h"

#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>
#include <regex>

using namespace beamlet;
namespace fs = std::filesystem;

namespace {

struct EclipseDvh {
  std::string name;
  double volumeCc = 0.0;
  double meanGy = 0.0;
};

// Columns come in pairs "<ROI>_DvhArray Dose (Gy)", "<ROI>_DvhArray Value (% of V cc)"; the mean
// dose is the area under the normalised cumulative curve.
std::vector<EclipseDvh> readEclipseTable(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = test::splitCsv(line);
  std::vector<EclipseDvh> rois;
  const std::regex volume(R"(^(.*)_DvhArray Value \(% of ([0-9.]+) cc\)$)");
  for (std::size_t c = 1; c < header.size(); c += 2) {
    std::smatch m;
    if (std::regex_match(header[c], m, volume)) {
      rois.push_back({m[1].str(), std::stod(m[2].str()), 0.0});
    }
  }
  std::vector<double> lastDose(rois.size(), 0.0);
  std::vector<double> lastValue(rois.size(), 100.0);
  while (std::getline(in, line)) {
    const std::vector<std::string> f = test::splitCsv(line);
    for (std::size_t r = 0; r < rois.size() && 2 * r + 1 < f.size(); ++r) {
      if (f[2 * r].empty()) {
        continue;
      }
      const double dose = std::stod(f[2 * r]);
      const double value = std::stod(f[2 * r + 1]);
      rois[r].meanGy += 0.5 * (value + lastValue[r]) / 100.0 * (dose - lastDose[r]);
      lastDose[r] = dose;
      lastValue[r] = value;
    }
  }
  return rois;
}

} // namespace

class TestEclipseProstate : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void volumesAndMeanDoses() {
    const std::string base = "rt/eclipse-prostate/";
    BEAMLET_REQUIRE_DATA(base + "EclipseProstate_DvhTable_Eclipse.csv");
    std::string rsPath;
    for (const auto& e : fs::directory_iterator(test::dataPath(base + "dicom"))) {
      if (e.path().filename().string().rfind("RS", 0) == 0) {
        rsPath = e.path().string();
      }
    }
    StructureSet set;
    Image dose;
    BEAMLET_NO_THROW(set = dicom::readRtStruct(rsPath));
    BEAMLET_NO_THROW(dose = dicom::readDose(test::dataPath(base + "EclipseProstate_Dose.nrrd")));
    const auto table =
        readEclipseTable(test::dataPath(base + "EclipseProstate_DvhTable_Eclipse.csv"));
    QCOMPARE(table.size(), std::size_t{6});
    for (const EclipseDvh& roi : table) {
      const Structure* s = set.findByName(roi.name);
      if (s == nullptr) {
        // Eclipse exports names without spaces ("FemoralHeadLt" for "Femoral Head Lt").
        for (const Structure& candidate : set.structures) {
          std::string squeezed = candidate.name;
          squeezed.erase(std::remove(squeezed.begin(), squeezed.end(), ' '), squeezed.end());
          if (QString::fromStdString(squeezed).compare(QString::fromStdString(roi.name),
                                                       Qt::CaseInsensitive) == 0) {
            s = &candidate;
          }
        }
      }
      QVERIFY2(s != nullptr, roi.name.c_str());
      // Eclipse closes a structure beyond its end contours with pinched caps (measured: flat
      // half-slice caps put the PTV 1.4% and the rectum 1.5% over Eclipse's volumes, no caps 0.8%
      // and 1.2% under; pinched caps are within 0.4% for every ROI).
      dose::DvhOptions pinched;
      pinched.endCapShape = dose::EndCapShape::Pinched;
      dose::Dvh dvh;
      BEAMLET_NO_THROW(dvh = dose::computeDvh(*s, dose, pinched));
      const double flat = dose::computeDvh(*s, dose).volumeCc;
      qInfo("%-14s volume %8.2f cc (flat end caps %8.2f; Eclipse %8.2f, %+.2f%%)  mean %6.3f Gy "
            "(Eclipse %6.3f)  outside the dose grid %.2f cc",
            roi.name.c_str(), dvh.volumeCc, flat, roi.volumeCc,
            100.0 * (dvh.volumeCc - roi.volumeCc) / roi.volumeCc, dvh.meanGy, roi.meanGy,
            dvh.outsideDoseGridCc);
      QVERIFY2(std::abs(dvh.meanGy - roi.meanGy) <= 0.01 * roi.meanGy, roi.name.c_str());
      QVERIFY2(std::abs(dvh.volumeCc - roi.volumeCc) <= 0.01 * roi.volumeCc, roi.name.c_str());
    }
  }
};

QTEST_APPLESS_MAIN(TestEclipseProstate)
#include "TestEclipseProstate.moc"
