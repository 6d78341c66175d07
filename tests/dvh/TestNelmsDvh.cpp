// The Nelms et al. 2015 analytic DVH benchmark (Med Phys 42:4435, doi:10.1118/1.4923175): every
// structure x dose grid x gradient case with its grid in the shared data. Doses are compared with
// the analytic value relative to that value (|ours - analytic| <= 3% of analytic), volumes within
// 2%.

#include "NelmsCases.h"
#include "TestData.h"

#include "beamlet/core/Error.h"
#include "beamlet/dicom/RtDose.h"
#include "beamlet/dicom/RtStruct.h"
#include "beamlet/dose/Dvh.h"

#include <QtTest/QtTest>

#include <cmath>
#include <map>

using namespace beamlet;

class TestNelmsDvh : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void analyticBenchmark() {
    BEAMLET_REQUIRE_DATA("dvh/nelms/analytical.csv");
    const auto cases = test::nelmsCases(test::dataPath("dvh/nelms/analytical.csv"));
    QVERIFY(cases.size() >= 80);
    std::map<std::string, Image> doses;
    int within = 0;
    int total = 0;
    int volumesWithin = 0;
    double worstVolume = 0.0;
    for (const auto& c : cases) {
      if (doses.count(c.doseFile) == 0) {
        BEAMLET_NO_THROW(doses[c.doseFile] = dicom::readRtDose(test::dataPath(c.doseFile)));
      }
      StructureSet set;
      BEAMLET_NO_THROW(set = dicom::readRtStruct(test::dataPath(c.structureFile)));
      // Each file holds the shape and a point of interest; the shape is the ROI with contours.
      const Structure* shape = nullptr;
      for (const Structure& s : set.structures) {
        if (!s.contours.empty()) {
          shape = &s;
        }
      }
      QVERIFY2(shape != nullptr, c.structureFile.c_str());
      dose::Dvh dvh;
      BEAMLET_NO_THROW(dvh = dose::computeDvh(*shape, doses[c.doseFile]));
      QString line = QString("%1 %2mm %3: V %4 (%5)")
                         .arg(QString::fromStdString(c.structure))
                         .arg(QString::fromStdString(c.doseVoxelMm))
                         .arg(QString::fromStdString(c.gradient))
                         .arg(dvh.volumeCc, 0, 'f', 3)
                         .arg(c.volumeCc, 0, 'f', 3);
      const double volumeError = std::abs(dvh.volumeCc - c.volumeCc) / c.volumeCc;
      volumesWithin += volumeError <= 0.02 ? 1 : 0;
      worstVolume = std::max(worstVolume, volumeError);
      for (std::size_t m = 0; m < 8; ++m) {
        if (m == 7) {
          continue; // D0.03cc is reported in the table but not part of the 95% criterion
        }
        const double ours = dose::evaluateMetric(dvh, test::nelmsMetrics()[m]);
        const bool ok = std::abs(ours - c.doses[m]) <= 0.03 * c.doses[m];
        within += ok ? 1 : 0;
        ++total;
        line += QString(" %1 %2(%3)%4")
                    .arg(test::nelmsMetrics()[m])
                    .arg(ours, 0, 'f', 2)
                    .arg(c.doses[m], 0, 'f', 2)
                    .arg(ok ? "" : "!");
      }
      qInfo("%s", qPrintable(line));
    }
    const double fraction = static_cast<double>(within) / total;
    qInfo("%d of %d dose values within 3%% (%.1f%%); %d of %zu volumes within 2%%", within, total,
          100.0 * fraction, volumesWithin, cases.size());
    QVERIFY2(fraction >= 0.95, qPrintable(QString("only %1% within 3%").arg(100 * fraction)));
    // Every volume within 2% (the closed ends of spheres and of cylinders lying across the slices
    // follow the apex model in Dvh.cpp; without it the 3 mm cylinder was 2.9% short).
    QCOMPARE(volumesWithin, static_cast<int>(cases.size()));
    QVERIFY2(worstVolume <= 0.02, qPrintable(QString("worst volume error %1").arg(worstVolume)));
  }
};

QTEST_APPLESS_MAIN(TestNelmsDvh)
#include "TestNelmsDvh.moc"
