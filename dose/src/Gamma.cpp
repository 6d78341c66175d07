// Gamma index (Low et al. 1998, Med Phys 25:656, doi:10.1118/1.598248) with the interpolated
// search of Wendling et al. 2007 (Med Phys 34:1647, doi:10.1118/1.2721657). Conventions are in
// Gamma.h and docs/gamma.md.

#include "beamlet/dose/Gamma.h"

#include "GammaInternal.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/Parallel.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <limits>

namespace beamlet::dose {

namespace {

bool positiveFinite(double v) {
  return std::isfinite(v) && v > 0.0;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// Totals of one reference row, summed in row order afterwards so that the result does not depend
// on how rows were spread over threads.
struct RowStats {
  std::size_t evaluated = 0;
  std::size_t passed = 0;
  std::size_t belowCutoff = 0;
  std::size_t outside = 0;
  double sum = 0.0;
  float max = 0.0f;
};

// Linear interpolation across a search line at node p (see SearchLines::Segment).
inline float acrossLine(const float* p, const detail::SearchLines::Segment& s) {
  const float a0 = p[0] + s.f1 * (p[s.s1] - p[0]);
  const float a1 = p[s.s2] + s.f1 * (p[s.s2 + s.s1] - p[s.s2]);
  return a0 + s.f2 * (a1 - a0);
}

// The search of one reference point: smallest gamma^2 over the line segments, visited by
// increasing distance until the distance term alone reaches the best value (gamma >= r / DTA).
// Starts from the point itself (or maxGamma^2) so segments beyond the radius are never visited
// and the value comes out capped. Along a segment the interpolated dose is linear, so
//     gamma^2(x) = rho^2 + x^2 + (d0 + beta (x - x0))^2     (distances / DTA, doses / dD)
// is a parabola whose minimum over [x0, x0 + length] is found in closed form.
inline float searchGamma2(const float* eval, const detail::SearchLines& lines, float dose,
                          float inv, float maxGamma2) {
  const float d = (eval[0] - dose) * inv;
  float best = std::min(maxGamma2, d * d);
  const float* bound = lines.bound.data();
  const detail::SearchLines::Segment* seg = lines.segments.data();
  const std::size_t n = lines.size();
  for (std::size_t c = 0; c < n && bound[c] < best; ++c) {
    const detail::SearchLines::Segment& s = seg[c];
    const float* p = eval + s.base;
    const float d0 = (acrossLine(p, s) - dose) * inv;
    const float d1 = (acrossLine(p + s.along, s) - dose) * inv;
    const float beta = (d1 - d0) * s.invLength;
    const float x =
        std::clamp(beta * (beta * s.x0 - d0) / (1.0f + beta * beta), s.x0, s.x0 + s.length);
    const float dd = d0 + beta * (x - s.x0);
    const float g2 = s.rho2 + x * x + dd * dd;
    if (g2 < best) {
      best = g2;
    } else if (std::isnan(g2)) {
      // An end beyond EVAL's edge: only the other end (a node of the fine grid) is defined.
      const float e0 = s.rho2 + s.x0 * s.x0 + d0 * d0;
      const float x1 = s.x0 + s.length;
      const float e1 = s.rho2 + x1 * x1 + d1 * d1;
      best = std::min(best, std::min(std::isnan(e0) ? best : e0, std::isnan(e1) ? best : e1));
    }
  }
  return best;
}

} // namespace

void GammaSettings::validate() const {
  if (!positiveFinite(doseDifferencePercent) || doseDifferencePercent > 100.0) {
    throw InvalidArgumentError("gamma: dose difference must be > 0 and <= 100 % (got " +
                               number(doseDifferencePercent) + ")");
  }
  if (!positiveFinite(dtaMm)) {
    throw InvalidArgumentError("gamma: distance to agreement must be > 0 mm (got " + number(dtaMm) +
                               ")");
  }
  if (!std::isfinite(cutoffPercent) || cutoffPercent < 0.0 || cutoffPercent >= 100.0) {
    throw InvalidArgumentError("gamma: cut-off must be >= 0 and < 100 % (got " +
                               number(cutoffPercent) + ")");
  }
  if (!std::isfinite(maxGamma) || maxGamma < 1.0) {
    throw InvalidArgumentError("gamma: max gamma must be >= 1 (got " + number(maxGamma) + ")");
  }
  if (!std::isfinite(normalisationDoseGy) || normalisationDoseGy < 0.0) {
    throw InvalidArgumentError("gamma: normalisation dose must be > 0 Gy, or 0 for the "
                               "reference maximum (got " +
                               number(normalisationDoseGy) + ")");
  }
  if (!std::isfinite(searchStepMm) || searchStepMm < 0.0 ||
      searchStepMm > dtaMm / 10.0 * (1.0 + 1e-9)) {
    throw InvalidArgumentError(
        "gamma: search step must be > 0 and <= DTA/10 = " + number(dtaMm / 10.0) +
        " mm, or 0 for DTA/10 (got " + number(searchStepMm) + ")");
  }
}

std::string GammaSettings::describe() const {
  std::string s =
      number(doseDifferencePercent) + "%/" + number(dtaMm) + " mm " + (local ? "local" : "global");
  if (!local && normalisationDoseGy > 0.0) {
    s += " (of " + number(normalisationDoseGy) + " Gy)";
  }
  s += ", cut-off " + number(cutoffPercent) + "% of reference max, max gamma " + number(maxGamma);
  return s;
}

GammaResult computeGamma(const VolumeF32& reference, const VolumeF32& evaluated,
                         const GammaSettings& settings, ProgressMonitor* monitor) {
  settings.validate();
  std::string why;
  if (!reference.geometry().isValid(&why)) {
    throw GeometryError(withContext("gamma reference", why));
  }
  if (!evaluated.geometry().isValid(&why)) {
    throw GeometryError(withContext("gamma evaluated dose", why));
  }
  if (reference.size() != reference.geometry().voxelCount() ||
      evaluated.size() != evaluated.geometry().voxelCount()) {
    throw InvalidArgumentError("gamma: a dose volume has no voxels for its grid");
  }
  ProgressScope scope(monitor, 0.0, 1.0, "Gamma analysis");

  const ImageGeometry& g = reference.geometry();
  GammaResult result;
  float refMax = -std::numeric_limits<float>::infinity();
  for (const float v : reference.voxels()) {
    if (std::isfinite(v)) {
      refMax = std::max(refMax, v);
    }
  }
  if (!(refMax > 0.0f)) {
    throw DataError("gamma: the reference dose has no positive value");
  }
  result.referenceMaxGy = refMax;
  result.normalisationDoseGy =
      settings.normalisationDoseGy > 0.0 ? settings.normalisationDoseGy : refMax;
  result.cutoffDoseGy = settings.cutoffPercent / 100.0 * refMax;

  // 2-D: an axis with a single voxel (a plane) is not searched.
  std::array<bool, 3> searched{};
  for (int d = 0; d < 3; ++d) {
    searched[d] = g.dims[d] > 1;
    result.twoD = result.twoD || !searched[d];
  }
  const double radius = settings.dtaMm * settings.maxGamma;
  const double step = settings.searchStepMm > 0.0 ? settings.searchStepMm : settings.dtaMm / 10.0;
  const Index3 pad = detail::searchPadding(g, searched, radius);

  const detail::PaddedEval eval = detail::resampleOntoReference(
      evaluated, g, pad, settings.threads, ProgressScope(scope, 0.0, 0.1, "Gamma: resampling"));
  const detail::SearchLines lines =
      detail::buildSearchLines(g, searched, settings.dtaMm, settings.maxGamma, step, eval);
  result.searchStepMm = lines.step;
  result.searchSegments = lines.size();
  // Every node a search touches lies within ceil(radius / spacing) = pad - 1 voxels per axis.
  Index3 window{};
  for (int d = 0; d < 3; ++d) {
    window[d] = std::max(0, pad[d] - 1);
  }
  const detail::EvalRange range = detail::evalRange(
      eval, window, settings.threads, ProgressScope(scope, 0.1, 0.15, "Gamma: dose range"));

  const ProgressScope search(scope, 0.15, 1.0, "Gamma: searching");
  result.gamma = VolumeF32(g, kGammaBelowCutoff);
  const float cutoff = static_cast<float>(result.cutoffDoseGy);
  const float ddFraction = static_cast<float>(settings.doseDifferencePercent / 100.0);
  const float globalInvTolerance = static_cast<float>(
      1.0 / (settings.doseDifferencePercent / 100.0 * result.normalisationDoseGy));
  const float maxGamma = static_cast<float>(settings.maxGamma);
  const float maxGamma2 = maxGamma * maxGamma;
  const std::size_t rows =
      static_cast<std::size_t>(g.dims[1]) * static_cast<std::size_t>(g.dims[2]);
  std::vector<RowStats> stats(rows);
  std::atomic<std::size_t> done{0};

  parallelFor(
      rows,
      [&](std::size_t row) {
        search.throwIfCancelled();
        const int j = static_cast<int>(row % static_cast<std::size_t>(g.dims[1]));
        const int k = static_cast<int>(row / static_cast<std::size_t>(g.dims[1]));
        const float* ref = &reference(0, j, k);
        float* out = &result.gamma(0, j, k);
        const std::ptrdiff_t row0 = eval.index(0, j, k);
        const float* e = eval.values.data() + row0;
        const float* lo = range.lo.data() + row0;
        const float* hi = range.hi.data() + row0;
        RowStats& st = stats[row];
        for (int i = 0; i < g.dims[0]; ++i) {
          const float dose = ref[i];
          // Not evaluated: below the cut-off (or NaN); local gamma is undefined for zero dose.
          if (!(dose >= cutoff) || (settings.local && !(dose > 0.0f))) {
            ++st.belowCutoff;
            continue;
          }
          if (std::isnan(e[i])) {
            out[i] = kGammaOutsideEval;
            ++st.outside;
            continue;
          }
          const float inv = settings.local ? 1.0f / (ddFraction * dose) : globalInvTolerance;
          const bool outOfReach =
              (lo[i] - dose) * inv >= maxGamma || (dose - hi[i]) * inv >= maxGamma;
          const float gamma =
              outOfReach
                  ? maxGamma
                  : std::min(std::sqrt(searchGamma2(e + i, lines, dose, inv, maxGamma2)), maxGamma);
          out[i] = gamma;
          ++st.evaluated;
          st.passed += gamma <= 1.0f ? 1 : 0;
          st.sum += gamma;
          st.max = std::max(st.max, gamma);
        }
        const std::size_t n = ++done;
        if (n % 64 == 0 || n == rows) {
          search.step(n, rows);
        }
      },
      settings.threads);

  double sum = 0.0;
  for (const RowStats& st : stats) {
    result.pointsEvaluated += st.evaluated;
    result.pointsPassed += st.passed;
    result.pointsBelowCutoff += st.belowCutoff;
    result.pointsOutsideEval += st.outside;
    sum += st.sum;
    result.maxGamma = std::max(result.maxGamma, static_cast<double>(st.max));
  }
  if (result.pointsEvaluated > 0) {
    result.passRatePercent = 100.0 * static_cast<double>(result.pointsPassed) /
                             static_cast<double>(result.pointsEvaluated);
    result.meanGamma = sum / static_cast<double>(result.pointsEvaluated);
  }
  return result;
}

GammaResult computeGamma(const Image& reference, const Image& evaluated,
                         const GammaSettings& settings, ProgressMonitor* monitor) {
  return computeGamma(reference.toFloat(), evaluated.toFloat(), settings, monitor);
}

} // namespace beamlet::dose
