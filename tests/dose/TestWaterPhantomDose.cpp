// Water phantom, open 100 x 100 mm field, gantry 0, SSD 900 mm, 2 mm dose grid: central-axis depth
// dose and profiles at 50 and 100 mm depth, written as CSV for the comparison with measured 6 MV
// scans (tests/validation/water_dose.py, `make validate`, docs/validation/dose.md), with sanity
// checks of the beam's shape.
//
// CSVs go to $BEAMLET_VALIDATION_OUT, else <build>/validation/water.

#include "WaterBox.h"

#include <QtTest/QtTest>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace beamlet;
using namespace beamlet::dose;
namespace fs = std::filesystem;

namespace {

constexpr double kSurface = -100.0; // LPS y of the water surface; isocentre at y = 0 (100 mm)

struct Line {
  std::string file;
  std::string header;
  std::vector<std::pair<double, Vec3>> points; // (coordinate printed, LPS point)
};

} // namespace

class TestWaterPhantomDose : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void openFieldCurves() {
    const SvdPencilBeam engine(loadShippedMachine());
    // CT: water from y = -100 to 300 mm, |x|, |z| <= 201 mm, 2 mm voxels with a face on the
    // surface; air above.
    const ImageGeometry ct({201, 210, 201}, Vec3(-200, -119, -200), Vec3(2, 2, 2));
    DoseProblem p;
    p.density = VolumeF32(ct, 0.001f);
    for (int k = 0; k < ct.dims[2]; ++k) {
      for (int j = 0; j < ct.dims[1]; ++j) {
        for (int i = 0; i < ct.dims[0]; ++i) {
          if (ct.indexToPatient(Vec3(i, j, k)).y() > kSurface) {
            p.density(i, j, k) = 1.0f;
          }
        }
      }
    }
    // Dose grid: 2 mm, points at whole even depths and on the central axis.
    p.doseGrid = ImageGeometry({201, 201, 201}, Vec3(-200, kSurface, -200), Vec3(2, 2, 2));
    std::vector<Line> lines;
    lines.push_back({"pdd.csv", "depth_mm,dose_Gy", {}});
    for (int d = 0; d <= 300; d += 2) {
      lines.back().points.emplace_back(d, Vec3(0, kSurface + d, 0));
    }
    for (int depth : {50, 100}) {
      lines.push_back({"profile_" + std::to_string(depth) + "mm.csv", "offaxis_mm,dose_Gy", {}});
      lines.push_back({"inplane_" + std::to_string(depth) + "mm.csv", "offaxis_mm,dose_Gy", {}});
      for (int x = -150; x <= 150; x += 2) {
        lines[lines.size() - 2].points.emplace_back(x, Vec3(x, kSurface + depth, 0));
        lines.back().points.emplace_back(x, Vec3(0, kSurface + depth, x));
      }
    }
    for (const Line& line : lines) {
      for (const auto& [c, point] : line.points) {
        const Vec3 q = p.doseGrid.patientToIndex(point);
        p.voxels.push_back(static_cast<std::uint32_t>(p.doseGrid.linearIndex(
            static_cast<int>(std::lround(q.x())), static_cast<int>(std::lround(q.y())),
            static_cast<int>(std::lround(q.z())))));
      }
    }
    std::sort(p.voxels.begin(), p.voxels.end());
    p.voxels.erase(std::unique(p.voxels.begin(), p.voxels.end()), p.voxels.end());
    p.beams = {BeamSetup{"open 10x10", BeamAngles{0, 0, 0}, Vec3::Zero()}};
    const double mu = 100.0;
    const VolumeF32 dose = engine.computeFluenceDose(
        p, {test::openField(engine.machine(), 0, 100.0, mu * engine.weightPerMu())});
    auto at = [&](const Vec3& point) {
      const Vec3 q = p.doseGrid.patientToIndex(point);
      return static_cast<double>(dose(static_cast<int>(std::lround(q.x())),
                                      static_cast<int>(std::lround(q.y())),
                                      static_cast<int>(std::lround(q.z()))));
    };

    const char* env = std::getenv("BEAMLET_VALIDATION_OUT");
    const fs::path out = env != nullptr && *env != '\0'
                             ? fs::path(env)
                             : fs::path(BEAMLET_BINARY_DIR) / "validation" / "water";
    fs::create_directories(out);
    for (const Line& line : lines) {
      std::ofstream csv(out / line.file);
      csv << line.header << "\n";
      for (const auto& [c, point] : line.points) {
        csv << c << "," << at(point) << "\n";
      }
    }
    std::ofstream(out / "meta.json")
        << "{\"field_mm\": [100, 100], \"ssd_mm\": 900, \"grid_mm\": 2, \"mu\": " << mu
        << ", \"machine\": \"" << engine.machine().name << "\", \"engine\": \"" << engine.name()
        << "\"}\n";

    // Depth of maximum dose, and the dose fall-off, of a 6 MV 10 x 10 cm field.
    double dmax = 0.0;
    double peak = 0.0;
    for (const auto& [d, point] : lines[0].points) {
      if (at(point) > peak) {
        peak = at(point);
        dmax = d;
      }
    }
    const double ratio100 = at(Vec3(0, kSurface + 100, 0)) / peak;
    // 50% width of the crossplane profile at 100 mm depth (the isocentre plane): 100 mm.
    const double centre = at(Vec3(0, 0, 0));
    double left = 0.0;
    double right = 0.0;
    for (double x = 0; x < 150; x += 0.05) {
      // Linear interpolation between the 2 mm points.
      auto profile = [&](double u) {
        const double a = std::floor(u / 2.0) * 2.0;
        const double f = (u - a) / 2.0;
        return (1 - f) * at(Vec3(a, 0, 0)) + f * at(Vec3(a + 2, 0, 0));
      };
      if (right == 0.0 && profile(x) < 0.5 * centre) {
        right = x;
      }
      if (left == 0.0 && profile(-x) < 0.5 * centre) {
        left = x;
      }
    }
    qInfo("dmax %.0f mm, D(100 mm)/Dmax %.1f%%, 50%% width at 100 mm depth %.2f mm (centre "
          "%.2f mm), dose at dmax %.4f Gy for %.0f MU; CSVs in %s",
          dmax, 100 * ratio100, left + right, 0.5 * (right - left), peak, mu, out.string().c_str());
    QVERIFY(dmax >= 10 && dmax <= 20);
    QVERIFY(ratio100 > 0.60 && ratio100 < 0.72);
    QVERIFY(std::abs(left + right - 100.0) < 2.0);
    QVERIFY(std::abs(0.5 * (right - left)) < 0.5);
  }
};

QTEST_APPLESS_MAIN(TestWaterPhantomDose)
#include "TestWaterPhantomDose.moc"
