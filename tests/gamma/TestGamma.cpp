// Gamma analysis on analytic dose distributions with literal expected values: identical doses,
// scaled plateaus (global and local), shifted ramps, the cut-off, a 2-D plane, non-cubic grids
// with an EVAL grid of another origin, spacing and orientation, and a brute-force cross-check of
// the sorted, early-stopping search (Low et al. 1998; Wendling et al. 2007).

#include "beamlet/core/Error.h"
#include "beamlet/core/Progress.h"
#include "beamlet/dose/Gamma.h"

#include "TestData.h"

#include <QtTest/QtTest>

#include <algorithm>
#include <cmath>
#include <functional>

using namespace beamlet;
using beamlet::dose::computeGamma;
using beamlet::dose::GammaResult;
using beamlet::dose::GammaSettings;

namespace {

using DoseFunction = std::function<double(const Vec3&)>;

// A dose volume whose voxel centres carry f(patient position).
VolumeF32 makeDose(const ImageGeometry& g, const DoseFunction& f) {
  VolumeF32 v(g);
  for (int k = 0; k < g.dims[2]; ++k) {
    for (int j = 0; j < g.dims[1]; ++j) {
      for (int i = 0; i < g.dims[0]; ++i) {
        v(i, j, k) = static_cast<float>(f(g.indexToPatient(Vec3(i, j, k))));
      }
    }
  }
  return v;
}

bool near(double a, double b, double tol) {
  return std::abs(a - b) <= tol;
}

// Gamma at reference voxel (i, j, k).
double gammaAt(const GammaResult& r, int i, int j, int k) {
  return r.gamma(i, j, k);
}

// Naive gamma for a pair on the same grid, for the cross-check: trilinear interpolation written
// out independently, every piece of fine grid line (from each fine point one step along each axis,
// where the interpolated dose is linear) minimised in closed form, no sorting, no early stop.
double naiveGamma(const VolumeF32& ref, const VolumeF32& eval, int i, int j, int k, double dd,
                  double dta, double maxGamma, double step) {
  const ImageGeometry& g = ref.geometry();
  auto sample = [&](double x, double y, double z) -> double {
    // Positions a rounding error beyond the last voxel centre are on it.
    auto snap = [](double& c, int n) {
      if (c > n - 1 && c < n - 1 + 1e-9) {
        c = n - 1;
      }
      if (c < 0 && c > -1e-9) {
        c = 0;
      }
    };
    snap(x, g.dims[0]);
    snap(y, g.dims[1]);
    snap(z, g.dims[2]);
    if (x < 0 || y < 0 || z < 0 || x > g.dims[0] - 1 || y > g.dims[1] - 1 || z > g.dims[2] - 1) {
      return std::nan("");
    }
    const int x0 = std::min(static_cast<int>(x), g.dims[0] - 2);
    const int y0 = std::min(static_cast<int>(y), g.dims[1] - 2);
    const int z0 = std::min(static_cast<int>(z), g.dims[2] - 2);
    const double fx = x - x0;
    const double fy = y - y0;
    const double fz = z - z0;
    double v = 0;
    for (int c = 0; c < 8; ++c) {
      const int dx = c & 1;
      const int dy = (c >> 1) & 1;
      const int dz = (c >> 2) & 1;
      const double w = (dx ? fx : 1 - fx) * (dy ? fy : 1 - fy) * (dz ? fz : 1 - fz);
      if (w != 0.0) {
        v += w * eval(x0 + dx, y0 + dy, z0 + dz);
      }
    }
    return v;
  };
  const double radius = dta * maxGamma;
  int m[3];
  double h[3];
  int reach[3];
  for (int d = 0; d < 3; ++d) {
    m[d] = static_cast<int>(std::ceil(g.spacing[d] / step - 1e-9));
    h[d] = g.spacing[d] / m[d];
    reach[d] = static_cast<int>(std::floor(radius / h[d] + 1e-9));
  }
  const double dose = ref(i, j, k);
  double best = maxGamma * maxGamma;
  // gamma^2 at fine point (a, b, c) plus t steps along axis `axis`.
  auto point = [&](const int(&n)[3], int axis, double t, double& pos2) {
    double x[3];
    double r2 = 0;
    for (int d = 0; d < 3; ++d) {
      x[d] = (n[d] + (d == axis ? t : 0.0)) * h[d];
      r2 += x[d] * x[d];
    }
    pos2 = r2 / (dta * dta);
    return sample(i + x[0] / g.spacing[0], j + x[1] / g.spacing[1], k + x[2] / g.spacing[2]);
  };
  // One step more on the negative side: the pieces start at each fine point and go up.
  for (int c = -reach[2] - 1; c <= reach[2]; ++c) {
    for (int b = -reach[1] - 1; b <= reach[1]; ++b) {
      for (int a = -reach[0] - 1; a <= reach[0]; ++a) {
        const int n[3] = {a, b, c};
        double p0 = 0;
        const double v0 = point(n, 0, 0.0, p0);
        if (!std::isnan(v0)) {
          best = std::min(best, p0 + std::pow((v0 - dose) / dd, 2));
        }
        for (int axis = 0; axis < 3; ++axis) {
          if (g.dims[axis] == 1) {
            continue;
          }
          double p1 = 0;
          const double v1 = point(n, axis, 1.0, p1);
          if (std::isnan(v0) || std::isnan(v1)) {
            continue; // the defined end is a fine point of its own
          }
          double xs[3] = {a * h[0], b * h[1], c * h[2]};
          const double x0 = xs[axis];
          double rho2 = 0;
          for (int d = 0; d < 3; ++d) {
            rho2 += d == axis ? 0.0 : xs[d] * xs[d];
          }
          const double len = h[axis];
          auto f = [&](double t) {
            const double x = x0 + t * len;
            const double v = v0 + t * (v1 - v0);
            return (rho2 + x * x) / (dta * dta) + std::pow((v - dose) / dd, 2);
          };
          // f(t) = f0 + p t + q t^2; its minimum over [0, 1] at t = -p / 2q, clamped.
          const double f0 = f(0.0);
          const double fh = f(0.5);
          const double f1 = f(1.0);
          const double q = 2 * (f0 - 2 * fh + f1);
          const double p = f1 - f0 - q;
          const double t = q > 0 ? std::clamp(-p / (2 * q), 0.0, 1.0) : 0.0;
          best = std::min({best, f(t), f0, f1});
        }
      }
    }
  }
  return std::min(std::sqrt(best), maxGamma);
}

// A box plateau of `high` Gy (|x|, |y|, |z| < halfWidth) falling linearly to 0 over 10 mm.
DoseFunction plateau(double high, double halfWidth) {
  return [=](const Vec3& p) {
    const double outside =
        std::max({std::abs(p.x()), std::abs(p.y()), std::abs(p.z())}) - halfWidth;
    return high * std::clamp(1.0 - outside / 10.0, 0.0, 1.0);
  };
}

} // namespace

class TestGamma : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void identicalDosesPass() {
    const ImageGeometry g({30, 26, 14}, Vec3(-29, -25, -19.5), Vec3(2, 2, 3));
    const VolumeF32 ref = makeDose(
        g, [](const Vec3& p) { return 60.0 * std::exp(-(p.squaredNorm()) / (2 * 15.0 * 15.0)); });
    GammaResult r;
    BEAMLET_NO_THROW(r = computeGamma(ref, ref, GammaSettings{}));
    // The grid has no voxel at the centre: the maximum is below 60 Gy.
    const float max = *std::max_element(ref.voxels().begin(), ref.voxels().end());
    const float cutoff = static_cast<float>(0.1 * max);
    std::size_t above = 0;
    for (const float v : ref.voxels()) {
      above += v >= cutoff ? 1 : 0;
    }
    QCOMPARE(r.pointsEvaluated, above);
    QCOMPARE(r.pointsBelowCutoff, ref.size() - above);
    QCOMPARE(r.pointsOutsideEval, std::size_t{0});
    QCOMPARE(r.passRatePercent, 100.0);
    QCOMPARE(r.meanGamma, 0.0);
    QCOMPARE(r.maxGamma, 0.0);
    QCOMPARE(r.referenceMaxGy, static_cast<double>(max));
    QVERIFY(near(r.cutoffDoseGy, 0.1 * max, 1e-12));
    QVERIFY(!r.twoD);
    // Step DTA/10 refined to divide the spacing: 2 mm / 10 steps, 3 mm / 15 steps.
    QVERIFY(near(r.searchStepMm[0], 0.2, 1e-12));
    QVERIFY(near(r.searchStepMm[2], 0.2, 1e-12));
    for (std::size_t n = 0; n < ref.size(); ++n) {
      QCOMPARE(r.gamma[n], ref[n] >= cutoff ? 0.0f : dose::kGammaBelowCutoff);
    }
  }

  void scaledPlateau_data() {
    QTest::addColumn<double>("scale");
    QTest::addColumn<double>("maxGamma");
    QTest::addColumn<double>("expected");
    QTest::newRow("2% of 3%") << 1.02 << 2.0 << 2.0 / 3.0;
    QTest::newRow("5% of 3%") << 1.05 << 2.0 << 5.0 / 3.0;
    QTest::newRow("5% capped at 1.5") << 1.05 << 1.5 << 1.5;
  }
  void scaledPlateau() {
    QFETCH(double, scale);
    QFETCH(double, maxGamma);
    QFETCH(double, expected);
    // 10 Gy box of half-width 12 mm, 1 mm voxels.
    const ImageGeometry g({41, 41, 41}, Vec3(-20, -20, -20), Vec3(1, 1, 1));
    const VolumeF32 ref = makeDose(g, plateau(10.0, 12.0));
    const VolumeF32 eval =
        makeDose(g, [&](const Vec3& p) { return scale * plateau(10.0, 12.0)(p); });
    GammaSettings s;
    s.maxGamma = maxGamma;
    GammaResult r;
    BEAMLET_NO_THROW(r = computeGamma(ref, eval, s));
    // Interior: farther than the search radius from the fall-off, the dose difference decides.
    for (int k = 13; k <= 27; k += 2) {
      for (int j = 13; j <= 27; j += 7) {
        for (int i = 13; i <= 27; ++i) {
          QVERIFY2(
              near(gammaAt(r, i, j, k), expected, 2e-6),
              qPrintable(
                  QString("gamma(%1,%2,%3) = %4").arg(i).arg(j).arg(k).arg(gammaAt(r, i, j, k))));
        }
      }
    }
    QVERIFY(r.maxGamma <= maxGamma + 1e-6);
    QVERIFY(r.maxGamma >= expected - 2e-6);
  }

  void shiftedSteepRampIsHalf() {
    // Dose rises G = 20 Gy/mm along x; EVAL is the same ramp shifted by s = 1 mm; dD = 3% of a
    // 10 Gy normalisation dose = 0.3 Gy. Continuous minimum over r of r^2/DTA^2 + G^2 (r - s)^2 /
    // dD^2: gamma^2 = s^2 a b / (a + b), a = 1/DTA^2, b = G^2/dD^2: 0.4999859, just under the
    // 1 mm / 2 mm = 0.5 of the exact match (the search is exact along grid lines).
    const ImageGeometry g({61, 5, 5}, Vec3(0, 0, 0), Vec3(1, 1, 1));
    const VolumeF32 ref = makeDose(g, [](const Vec3& p) { return 10.0 + 20.0 * p.x(); });
    const VolumeF32 eval = makeDose(g, [](const Vec3& p) { return 10.0 + 20.0 * (p.x() - 1.0); });
    GammaSettings s;
    s.cutoffPercent = 0;
    s.normalisationDoseGy = 10;
    GammaResult r;
    BEAMLET_NO_THROW(r = computeGamma(ref, eval, s));
    const double a = 0.25;
    const double b = 400 / 0.09;
    const double expected = std::sqrt(a * b / (a + b));
    for (int i = 5; i <= 55; ++i) {
      QVERIFY2(near(gammaAt(r, i, 2, 2), expected, 2e-6),
               qPrintable(QString::number(gammaAt(r, i, 2, 2), 'g', 8)));
    }
    // All pass but the last column (x = 60 mm), whose matching EVAL dose lies beyond EVAL's grid.
    QCOMPARE(r.pointsEvaluated, std::size_t{61 * 25});
    QCOMPARE(r.pointsPassed, std::size_t{60 * 25});
  }

  void shiftedGentleRamp() {
    // 1 Gy/mm ramp from 10 to 70 Gy, shifted by 1 mm; 3% of 70 Gy = 2.1 Gy. Continuous minimum:
    // gamma^2 = min_r r^2/4 + (r - 1)^2 / 2.1^2 = 1 / 8.41 (gamma 0.344828 at r = 0.476 mm). The
    // fine points alone (every 0.2 mm) would give 0.348759 at r = 0.4 mm; the minimum lies on the
    // grid line through the point, where the search is exact.
    const ImageGeometry g({61, 5, 5}, Vec3(0, 0, 0), Vec3(1, 1, 1));
    const VolumeF32 ref = makeDose(g, [](const Vec3& p) { return 10.0 + p.x(); });
    const VolumeF32 eval = makeDose(g, [](const Vec3& p) { return 10.0 + (p.x() - 1.0); });
    GammaSettings s;
    s.cutoffPercent = 0;
    GammaResult r;
    BEAMLET_NO_THROW(r = computeGamma(ref, eval, s));
    const double expected = std::sqrt(1 / 8.41); // 0.344828
    for (int i = 5; i <= 55; ++i) {
      QVERIFY2(near(gammaAt(r, i, 2, 2), expected, 2e-6),
               qPrintable(QString::number(gammaAt(r, i, 2, 2), 'g', 8)));
    }
    // Same with a finer step.
    s.searchStepMm = 0.05;
    BEAMLET_NO_THROW(r = computeGamma(ref, eval, s));
    QVERIFY(near(r.searchStepMm[0], 0.05, 1e-12));
    QVERIFY2(near(gammaAt(r, 30, 2, 2), expected, 2e-6),
             qPrintable(QString::number(gammaAt(r, 30, 2, 2), 'g', 8)));
  }

  void localVersusGlobal() {
    // Two plateaus, 10 Gy (x < 0) and 2 Gy (x >= 0), EVAL 4% higher everywhere.
    // Global 3% of 10 Gy = 0.3 Gy: high 0.4/0.3 = 4/3 (fails), low 0.08/0.3 = 0.2667 (passes).
    // Local 3%: high 0.4/0.3 = 4/3, low 0.08/0.06 = 4/3 (both fail).
    const ImageGeometry g({40, 12, 12}, Vec3(-19.5, 0, 0), Vec3(1, 1, 1));
    auto dose = [](const Vec3& p) { return p.x() < 0 ? 10.0 : 2.0; };
    const VolumeF32 ref = makeDose(g, dose);
    const VolumeF32 eval = makeDose(g, [&](const Vec3& p) { return 1.04 * dose(p); });
    GammaSettings s;
    GammaResult global;
    GammaResult local;
    BEAMLET_NO_THROW(global = computeGamma(ref, eval, s));
    s.local = true;
    BEAMLET_NO_THROW(local = computeGamma(ref, eval, s));
    const int highI = 5; // x = -14.5 mm
    const int lowI = 34; // x = 14.5 mm
    QVERIFY(near(gammaAt(global, highI, 6, 6), 4.0 / 3.0, 2e-6));
    QVERIFY(near(gammaAt(global, lowI, 6, 6), 0.08 / 0.3, 2e-6));
    QVERIFY(near(gammaAt(local, highI, 6, 6), 4.0 / 3.0, 2e-6));
    QVERIFY(near(gammaAt(local, lowI, 6, 6), 4.0 / 3.0, 2e-6));
    // Every point is above the 1 Gy cut-off. EVAL falls from 10.4 Gy (x = -0.5 mm) to 2.08 Gy
    // (x = 0.5 mm), crossing 10 Gy at x = -0.452 mm: the high plateau passes within 2 mm of it
    // (x = -0.5 and -1.5 mm: 2 of 20 columns), both globally and locally. The low plateau passes
    // globally only (EVAL never comes down to 2 Gy): 22/40 = 55% global, 2/40 = 5% local.
    QCOMPARE(global.pointsEvaluated, ref.size());
    QCOMPARE(global.passRatePercent, 55.0);
    QCOMPARE(local.passRatePercent, 5.0);
    QVERIFY(near(gammaAt(global, 19, 6, 6), 0.4 / 8.32 / 2, 1e-4)); // 0.048 mm from the crossing
  }

  void localGammaScalesWithDose() {
    // EVAL 2% higher: local 3% gives 2/3 at every dose level, global 3% of the max gives 2/3 *
    // D/Dmax.
    const ImageGeometry g({9, 9, 60}, Vec3(0, 0, 0), Vec3(1, 1, 1));
    auto dose = [](const Vec3& p) { return p.z() < 20 ? 10.0 : (p.z() < 40 ? 5.0 : 2.5); };
    const VolumeF32 ref = makeDose(g, dose);
    const VolumeF32 eval = makeDose(g, [&](const Vec3& p) { return 1.02 * dose(p); });
    GammaSettings s;
    s.local = true;
    GammaResult r;
    BEAMLET_NO_THROW(r = computeGamma(ref, eval, s));
    for (int k : {10, 30, 50}) {
      QVERIFY(near(gammaAt(r, 4, 4, k), 2.0 / 3.0, 2e-6));
    }
    s.local = false;
    BEAMLET_NO_THROW(r = computeGamma(ref, eval, s));
    QVERIFY(near(gammaAt(r, 4, 4, 10), 2.0 / 3.0, 2e-6));
    QVERIFY(near(gammaAt(r, 4, 4, 30), 1.0 / 3.0, 2e-6));
    QVERIFY(near(gammaAt(r, 4, 4, 50), 1.0 / 6.0, 2e-6));
  }

  void cutoffExcludesLowDose() {
    // 10 Gy in the first 10 slices, 0.5 Gy (5% of max) in the last 10; EVAL is 0 in the low part.
    const ImageGeometry g({8, 8, 20}, Vec3(0, 0, 0), Vec3(1, 1, 2));
    const VolumeF32 ref = makeDose(g, [](const Vec3& p) { return p.z() < 19 ? 10.0 : 0.5; });
    const VolumeF32 eval = makeDose(g, [](const Vec3& p) { return p.z() < 19 ? 10.0 : 0.0; });
    GammaSettings s; // 10% cut-off: 1 Gy
    GammaResult r;
    BEAMLET_NO_THROW(r = computeGamma(ref, eval, s));
    QCOMPARE(r.pointsEvaluated, std::size_t{640});
    QCOMPARE(r.pointsBelowCutoff, std::size_t{640});
    QCOMPARE(r.passRatePercent, 100.0);
    QCOMPARE(gammaAt(r, 3, 3, 15), static_cast<double>(dose::kGammaBelowCutoff));
    QCOMPARE(gammaAt(r, 3, 3, 2), 0.0);
    // 4% cut-off (0.4 Gy): the low part is evaluated and fails, 0.5 Gy against 0 is 0.5/0.3 = 5/3,
    // except next to the high part: at z = 20 mm EVAL (falling 5 Gy/mm from z = 18 mm) crosses
    // 0.5 Gy 0.1 mm away: gamma 0.05. Pass: 640 + 64 of 1280.
    s.cutoffPercent = 4;
    BEAMLET_NO_THROW(r = computeGamma(ref, eval, s));
    QCOMPARE(r.pointsEvaluated, std::size_t{1280});
    QCOMPARE(r.pointsBelowCutoff, std::size_t{0});
    QVERIFY(near(gammaAt(r, 3, 3, 15), 5.0 / 3.0, 2e-6));
    QVERIFY(near(gammaAt(r, 3, 3, 10), 0.05, 1e-4));
    QCOMPARE(r.passRatePercent, 55.0);
  }

  void twoDimensionalSearchIsInPlane() {
    // REF: one axial plane of 10 Gy at z = 0. EVAL: three planes, 10.5 Gy at z = 0 but exactly
    // 10 Gy 1 mm above and below. A 3-D search would find gamma 0.5 off-plane; the 2-D search
    // stays in the plane: 0.5 / 0.3 = 5/3.
    const ImageGeometry g2({20, 16, 1}, Vec3(0, 0, 0), Vec3(1, 1.5, 3));
    const VolumeF32 ref = makeDose(g2, [](const Vec3&) { return 10.0; });
    const ImageGeometry g3({20, 16, 3}, Vec3(0, 0, -1), Vec3(1, 1.5, 1));
    const VolumeF32 eval = makeDose(g3, [](const Vec3& p) { return p.z() == 0 ? 10.5 : 10.0; });
    GammaResult r;
    BEAMLET_NO_THROW(r = computeGamma(ref, eval, GammaSettings{}));
    QVERIFY(r.twoD);
    QCOMPARE(r.searchStepMm[2], 0.0);
    QVERIFY(near(r.searchStepMm[1], 0.1875, 1e-12)); // 1.5 mm / 8
    QCOMPARE(r.pointsEvaluated, std::size_t{320});
    QVERIFY(near(r.meanGamma, 5.0 / 3.0, 2e-6));
    QCOMPARE(r.passRatePercent, 0.0);

    // In-plane shift of a steep ramp, EVAL a single plane too: as in 3-D (0.4999859).
    const VolumeF32 ramp = makeDose(g2, [](const Vec3& p) { return 10.0 + 20.0 * p.x(); });
    const VolumeF32 shifted =
        makeDose(g2, [](const Vec3& p) { return 10.0 + 20.0 * (p.x() - 1.0); });
    GammaSettings s;
    s.cutoffPercent = 0;
    s.normalisationDoseGy = 10;
    BEAMLET_NO_THROW(r = computeGamma(ramp, shifted, s));
    for (int i = 5; i <= 14; ++i) {
      QVERIFY(near(gammaAt(r, i, 8, 0), std::sqrt(0.25 * 4444.4444 / 4444.6944), 2e-6));
    }
  }

  void differentGridsNonCubic() {
    // REF: 23x17x11 voxels of 1.5x2x2.5 mm from (0, 0, 0): x 0..33, y 0..32, z 0..25 mm.
    // EVAL: 30x40x12 voxels of 1.1x0.9x1.7 mm from (-3.1, -2.7, 5.2): x to 28.8, y to 32.4,
    // z to 23.9 mm. REF centres inside EVAL: i <= 19 (20), all 17 j, k = 3..9 (7): 2380.
    const ImageGeometry gr({23, 17, 11}, Vec3(0, 0, 0), Vec3(1.5, 2.0, 2.5));
    const ImageGeometry ge({30, 40, 12}, Vec3(-3.1, -2.7, 5.2), Vec3(1.1, 0.9, 1.7));
    GammaSettings s;
    s.cutoffPercent = 0;
    GammaResult r;

    // Flat 10 Gy against 10.2 Gy: 2/3 wherever evaluated.
    BEAMLET_NO_THROW(r = computeGamma(makeDose(gr, [](const Vec3&) { return 10.0; }),
                                      makeDose(ge, [](const Vec3&) { return 10.2; }), s));
    QCOMPARE(r.pointsEvaluated, std::size_t{2380});
    QCOMPARE(r.pointsOutsideEval, std::size_t{4301 - 2380});
    QCOMPARE(gammaAt(r, 20, 5, 5), static_cast<double>(dose::kGammaOutsideEval));
    QCOMPARE(gammaAt(r, 5, 5, 2), static_cast<double>(dose::kGammaOutsideEval));
    QVERIFY(near(r.meanGamma, 2.0 / 3.0, 2e-6));
    QVERIFY(near(r.maxGamma, 2.0 / 3.0, 2e-6));

    // The same linear dose on both grids (trilinear interpolation reproduces it exactly): 0.
    auto linear = [](const Vec3& p) { return 20.0 + 0.5 * p.x() + 0.3 * p.y() - 0.2 * p.z(); };
    BEAMLET_NO_THROW(r = computeGamma(makeDose(gr, linear), makeDose(ge, linear), s));
    QCOMPARE(r.pointsEvaluated, std::size_t{2380});
    QVERIFY2(r.maxGamma < 1e-4, qPrintable(QString::number(r.maxGamma)));

    // A 20 Gy/mm ramp along x shifted by one REF voxel (1.5 mm = 8 search steps of 0.1875 mm),
    // 3% of a 10 Gy normalisation dose: the exact match 1.5 mm away gives 1.5 / 2 = 0.75.
    s.normalisationDoseGy = 10.0;
    const VolumeF32 ramp = makeDose(gr, [](const Vec3& p) { return 50.0 + 20.0 * p.x(); });
    const VolumeF32 shifted =
        makeDose(ge, [](const Vec3& p) { return 50.0 + 20.0 * (p.x() - 1.5); });
    BEAMLET_NO_THROW(r = computeGamma(ramp, shifted, s));
    QVERIFY(near(r.searchStepMm[0], 0.1875, 1e-12));
    QVERIFY(near(r.normalisationDoseGy, 10.0, 0));
    for (int i = 2; i <= 17; ++i) {
      for (int k = 3; k <= 9; k += 3) {
        QVERIFY2(near(gammaAt(r, i, 8, k), 0.75, 1e-4),
                 qPrintable(QString("i=%1 k=%2 gamma %3").arg(i).arg(k).arg(gammaAt(r, i, 8, k))));
      }
    }
  }

  void obliqueEvalGrid() {
    // EVAL on a grid rotated 20 degrees about z, covering REF: a linear dose agrees exactly.
    const ImageGeometry gr({16, 12, 9}, Vec3(-12, -9, -10), Vec3(1.6, 1.5, 2.5));
    const double c = std::cos(20 * M_PI / 180);
    const double sn = std::sin(20 * M_PI / 180);
    Mat3 d;
    d << c, -sn, 0, //
        sn, c, 0,   //
        0, 0, 1;
    const ImageGeometry ge({60, 60, 30}, Vec3(-20, -35, -15), Vec3(1, 1, 1), d);
    auto linear = [](const Vec3& p) { return 30.0 + 0.4 * p.x() - 0.6 * p.y() + 0.25 * p.z(); };
    GammaSettings s;
    s.cutoffPercent = 0;
    GammaResult r;
    BEAMLET_NO_THROW(r = computeGamma(makeDose(gr, linear), makeDose(ge, linear), s));
    QCOMPARE(r.pointsOutsideEval, std::size_t{0});
    QCOMPARE(r.pointsEvaluated, gr.voxelCount());
    QVERIFY2(r.maxGamma < 1e-4, qPrintable(QString::number(r.maxGamma)));
  }

  void matchesBruteForceSearch() {
    // A lumpy dose against a shifted, rescaled and distorted copy: every gamma equals the naive
    // exhaustive search over the same candidates (checks stencils, ordering and early stop).
    const ImageGeometry g({18, 15, 12}, Vec3(0, 0, 0), Vec3(1.3, 1.1, 2.0));
    auto lumpy = [](const Vec3& p) {
      return 40.0 * std::exp(-((p - Vec3(11, 8, 11)).squaredNorm()) / 60.0) +
             15.0 * std::exp(-((p - Vec3(16, 5, 14)).squaredNorm()) / 20.0) + 0.3 * p.x();
    };
    const VolumeF32 ref = makeDose(g, lumpy);
    const VolumeF32 eval = makeDose(g, [&](const Vec3& p) {
      return 1.03 * lumpy(p - Vec3(0.7, -0.4, 0.9)) + 0.5 * std::sin(p.y());
    });
    for (const bool local : {false, true}) {
      GammaSettings s;
      s.doseDifferencePercent = 2;
      s.dtaMm = 1.5;
      s.maxGamma = 1.5;
      s.local = local;
      GammaResult r;
      BEAMLET_NO_THROW(r = computeGamma(ref, eval, s));
      QVERIFY(r.pointsEvaluated > 500);
      QVERIFY2(r.passRatePercent > 5 && r.passRatePercent < 99,
               qPrintable(QString::number(r.passRatePercent)));
      std::size_t compared = 0;
      for (int k = 0; k < g.dims[2]; ++k) {
        for (int j = 0; j < g.dims[1]; ++j) {
          for (int i = 0; i < g.dims[0]; ++i) {
            const double got = gammaAt(r, i, j, k);
            if (got < 0 || (i + 2 * j + 3 * k) % 11 != 0) {
              continue; // every 11th point: the naive search is slow
            }
            const double dd = (local ? ref(i, j, k) : r.normalisationDoseGy) * 0.02;
            const double want = naiveGamma(ref, eval, i, j, k, dd, 1.5, 1.5, 0.15);
            QVERIFY2(near(got, want, 1e-4),
                     qPrintable(QString("(%1,%2,%3) local %4: %5 vs naive %6")
                                    .arg(i)
                                    .arg(j)
                                    .arg(k)
                                    .arg(local)
                                    .arg(got)
                                    .arg(want)));
            ++compared;
          }
        }
      }
      QVERIFY(compared > r.pointsEvaluated / 20);
    }
  }

  void threadCountDoesNotChangeResults() {
    const ImageGeometry g({24, 20, 16}, Vec3(0, 0, 0), Vec3(2, 2, 2.5));
    auto f = [](const Vec3& p) {
      return 30.0 * std::exp(-((p - Vec3(22, 20, 20)).squaredNorm()) / 200.0);
    };
    const VolumeF32 ref = makeDose(g, f);
    const VolumeF32 eval =
        makeDose(g, [&](const Vec3& p) { return f(p + Vec3(1.2, 0, 0)) * 1.01; });
    GammaSettings s;
    s.threads = 1;
    GammaResult one;
    GammaResult four;
    BEAMLET_NO_THROW(one = computeGamma(ref, eval, s));
    s.threads = 4;
    BEAMLET_NO_THROW(four = computeGamma(ref, eval, s));
    QCOMPARE(one.pointsEvaluated, four.pointsEvaluated);
    QCOMPARE(one.meanGamma, four.meanGamma);
    QVERIFY(one.gamma.voxels() == four.gamma.voxels());
  }

  void imageOverloadConvertsTypes() {
    const ImageGeometry g({10, 10, 10}, Vec3(0, 0, 0), Vec3(2, 2, 2));
    VolumeI16 ref(g, std::int16_t{100});
    VolumeF32 eval(g, 102.0f);
    GammaResult r;
    BEAMLET_NO_THROW(r = computeGamma(Image(ref), Image(eval), GammaSettings{}));
    QVERIFY(near(r.meanGamma, 2.0 / 3.0, 2e-6));
    QCOMPARE(r.pointsEvaluated, std::size_t{1000});
  }

  void progressAndCancellation() {
    const ImageGeometry g({20, 20, 20}, Vec3(0, 0, 0), Vec3(2, 2, 2));
    const VolumeF32 ref(g, 5.0f);
    std::vector<double> seen;
    ProgressMonitor monitor([&](double f, const std::string&) { seen.push_back(f); });
    BEAMLET_NO_THROW(computeGamma(ref, ref, GammaSettings{}, &monitor));
    QVERIFY(!seen.empty());
    QCOMPARE(seen.back(), 1.0);

    ProgressMonitor cancelled;
    cancelled.cancel();
    QVERIFY_THROWS_EXCEPTION(CancelledError, computeGamma(ref, ref, GammaSettings{}, &cancelled));
  }

  void badSettingsAreRefused() {
    const ImageGeometry g({4, 4, 4}, Vec3(0, 0, 0), Vec3(1, 1, 1));
    const VolumeF32 ref(g, 5.0f);
    auto refused = [&](const std::function<void(GammaSettings&)>& change, const char* word) {
      GammaSettings s;
      change(s);
      try {
        computeGamma(ref, ref, s);
      } catch (const InvalidArgumentError& e) {
        return QString(e.what()).contains(word);
      }
      return false;
    };
    QVERIFY(refused([](GammaSettings& s) { s.doseDifferencePercent = 0; }, "dose difference"));
    QVERIFY(refused([](GammaSettings& s) { s.dtaMm = -1; }, "distance to agreement"));
    QVERIFY(refused([](GammaSettings& s) { s.cutoffPercent = 100; }, "cut-off"));
    QVERIFY(refused([](GammaSettings& s) { s.maxGamma = 0.5; }, "max gamma"));
    QVERIFY(refused([](GammaSettings& s) { s.searchStepMm = 0.5; }, "search step"));
    QVERIFY(refused([](GammaSettings& s) { s.searchStepMm = 1e-4; }, "too fine"));
    QVERIFY(refused([](GammaSettings& s) { s.normalisationDoseGy = NAN; }, "normalisation"));
    QVERIFY_THROWS_EXCEPTION(DataError, computeGamma(VolumeF32(g, 0.0f), ref, GammaSettings{}));
    const ImageGeometry bad({4, 4, 4}, Vec3(0, 0, 0), Vec3(1, 0, 1));
    QVERIFY_THROWS_EXCEPTION(GeometryError,
                             computeGamma(ref, VolumeF32(bad, 1.0f), GammaSettings{}));
    QCOMPARE(QString::fromStdString(GammaSettings{}.describe()),
             QString("3%/2 mm global, cut-off 10% of reference max, max gamma 2"));
  }
};

QTEST_GUILESS_MAIN(TestGamma)
#include "TestGamma.moc"
