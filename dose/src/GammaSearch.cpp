// The fine-search candidates of the interpolated gamma search (Wendling et al. 2007, Med Phys
// 34:1647, doi:10.1118/1.2721657): grid lines of step DTA/10 or finer within a sphere of radius
// DTA * maxGamma, cut into voxel-long segments sorted by distance, so the search can stop once the
// distance term alone reaches the best gamma found (Low et al. 1998, doi:10.1118/1.598248:
// gamma >= r / DTA).

#include "GammaInternal.h"

#include "beamlet/core/Error.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

namespace beamlet::dose::detail {

namespace {

// More segments than this would take gigabytes and hours; such a step is a mistake.
constexpr double kMaxSegments = 2.0e7;

int floorDiv(int a, int m) {
  return a >= 0 ? a / m : -((-a + m - 1) / m);
}

} // namespace

Index3 searchPadding(const ImageGeometry& reference, const std::array<bool, 3>& searched,
                     double radiusMm) {
  Index3 pad{0, 0, 0};
  for (int d = 0; d < 3; ++d) {
    if (searched[d]) {
      pad[d] = static_cast<int>(std::ceil(radiusMm / reference.spacing[d] - 1e-9)) + 1;
    }
  }
  return pad;
}

SearchLines buildSearchLines(const ImageGeometry& reference, const std::array<bool, 3>& searched,
                             double dtaMm, double maxGamma, double requestedStep,
                             const PaddedEval& eval) {
  const double radius = dtaMm * maxGamma;
  const double limit = radius * radius * (1.0 + 1e-9);
  SearchLines out;
  // Per axis: m fine steps per voxel (so voxel centres lie on the fine grid and every fine
  // position's fraction within its voxel is one of m values), reach fine steps, cells voxels.
  int m[3] = {1, 1, 1};
  int reach[3] = {0, 0, 0};
  int cells[3] = {0, 0, 0};
  for (int d = 0; d < 3; ++d) {
    if (searched[d]) {
      m[d] = std::max(1, static_cast<int>(std::ceil(reference.spacing[d] / requestedStep - 1e-9)));
      out.step[d] = reference.spacing[d] / m[d];
      reach[d] = static_cast<int>(std::floor(radius / out.step[d] + 1e-9));
      cells[d] = static_cast<int>(std::ceil(radius / reference.spacing[d] - 1e-9));
    }
  }
  double estimate = 0.0;
  for (int a = 0; a < 3; ++a) {
    if (searched[a]) {
      const int b = (a + 1) % 3;
      const int c = (a + 2) % 3;
      estimate += 2.0 * cells[a] * (2.0 * reach[b] + 1.0) * (2.0 * reach[c] + 1.0);
    }
  }
  if (estimate > kMaxSegments) {
    throw InvalidArgumentError("gamma: search step " + std::to_string(requestedStep) +
                               " mm is too fine for a search radius of " + std::to_string(radius) +
                               " mm (too many candidate positions)");
  }
  if (eval.strideK > INT32_MAX) {
    throw InvalidArgumentError("gamma: reference slice too large for the search");
  }
  const std::ptrdiff_t stride[3] = {1, eval.strideJ, eval.strideK};
  const double invDta = 1.0 / dtaMm;

  struct Candidate {
    double bound;
    SearchLines::Segment segment;
  };
  std::vector<Candidate> candidates;
  candidates.reserve(static_cast<std::size_t>(estimate));
  for (int a = 0; a < 3; ++a) {
    if (!searched[a]) {
      continue;
    }
    const int b = (a + 1) % 3;
    const int c = (a + 2) % 3;
    const double spacing = reference.spacing[a];
    for (int ic = -reach[c]; ic <= reach[c]; ++ic) {
      for (int ib = -reach[b]; ib <= reach[b]; ++ib) {
        const double y = ib * out.step[b];
        const double z = ic * out.step[c];
        const double rho2 = y * y + z * z;
        if (rho2 > limit) {
          continue;
        }
        // Position across the line: voxel below and fraction, per cross axis.
        const int lb = floorDiv(ib, m[b]);
        const int lc = floorDiv(ic, m[c]);
        const int rb = ib - lb * m[b];
        const int rc = ic - lc * m[c];
        for (int n = -cells[a]; n < cells[a]; ++n) {
          // Segment from node n to node n + 1 along a; nearest point to the reference point.
          const double x0 = n * spacing;
          const double x1 = x0 + spacing;
          const double gap = (x0 <= 0.0 && x1 >= 0.0) ? 0.0 : std::min(std::abs(x0), std::abs(x1));
          const double bound = gap * gap + rho2;
          if (bound > limit) {
            continue;
          }
          SearchLines::Segment s{};
          s.base = n * stride[a] + lb * stride[b] + lc * stride[c];
          s.along = static_cast<std::int32_t>(stride[a]);
          s.s1 = rb != 0 ? static_cast<std::int32_t>(stride[b]) : 0;
          s.s2 = rc != 0 ? static_cast<std::int32_t>(stride[c]) : 0;
          s.f1 = static_cast<float>(static_cast<double>(rb) / m[b]);
          s.f2 = static_cast<float>(static_cast<double>(rc) / m[c]);
          s.x0 = static_cast<float>(x0 * invDta);
          s.rho2 = static_cast<float>(rho2 * invDta * invDta);
          s.length = static_cast<float>(spacing * invDta);
          s.invLength = 1.0f / s.length;
          candidates.push_back({bound * invDta * invDta, s});
        }
      }
    }
  }
  // Stable order for equal bounds: results do not depend on the sort implementation.
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& l, const Candidate& r) { return l.bound < r.bound; });
  out.bound.reserve(candidates.size());
  out.segments.reserve(candidates.size());
  for (const Candidate& cand : candidates) {
    out.bound.push_back(static_cast<float>(cand.bound));
    out.segments.push_back(cand.segment);
  }
  return out;
}

} // namespace beamlet::dose::detail
