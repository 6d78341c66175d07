// Local dose range of the padded EVAL, used to skip the search where no interpolated EVAL dose can
// come within maxGamma * dD of the reference dose (see EvalRange in GammaInternal.h).

#include "GammaInternal.h"

#include "beamlet/core/Parallel.h"

#include <algorithm>
#include <limits>

namespace beamlet::dose::detail {

namespace {

// Running min and max over [n - w, n + w] along one axis of every line, in place; a line buffer
// keeps the input. Separable: three passes give the box.
void filterAxis(EvalRange& range, const PaddedEval& eval, int axis, int w, unsigned threads,
                const ProgressScope& scope) {
  if (w == 0) {
    return;
  }
  const std::ptrdiff_t stride[3] = {1, eval.strideJ, eval.strideK};
  const int n = eval.dims[axis];
  const int a1 = axis == 0 ? 1 : 0;
  const int a2 = axis == 2 ? 1 : 2;
  const std::size_t lines = static_cast<std::size_t>(eval.dims[a1]) * eval.dims[a2];
  parallelFor(
      lines,
      [&](std::size_t line) {
        if (line % 256 == 0) {
          scope.throwIfCancelled();
        }
        const std::ptrdiff_t start =
            static_cast<std::ptrdiff_t>(line % static_cast<std::size_t>(eval.dims[a1])) *
                stride[a1] +
            static_cast<std::ptrdiff_t>(line / static_cast<std::size_t>(eval.dims[a1])) *
                stride[a2];
        std::vector<float> lo(static_cast<std::size_t>(n));
        std::vector<float> hi(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
          lo[static_cast<std::size_t>(i)] =
              range.lo[static_cast<std::size_t>(start + i * stride[axis])];
          hi[static_cast<std::size_t>(i)] =
              range.hi[static_cast<std::size_t>(start + i * stride[axis])];
        }
        for (int i = 0; i < n; ++i) {
          float mn = std::numeric_limits<float>::infinity();
          float mx = -std::numeric_limits<float>::infinity();
          for (int k = std::max(0, i - w); k <= std::min(n - 1, i + w); ++k) {
            mn = std::min(mn, lo[static_cast<std::size_t>(k)]);
            mx = std::max(mx, hi[static_cast<std::size_t>(k)]);
          }
          const auto at = static_cast<std::size_t>(start + i * stride[axis]);
          range.lo[at] = mn;
          range.hi[at] = mx;
        }
      },
      threads);
}

} // namespace

EvalRange evalRange(const PaddedEval& eval, const Index3& window, unsigned threads,
                    const ProgressScope& scope) {
  EvalRange range;
  range.lo.resize(eval.values.size());
  range.hi.resize(eval.values.size());
  // NaN (outside EVAL) becomes an empty range, so it never narrows or widens anything.
  for (std::size_t n = 0; n < eval.values.size(); ++n) {
    const float v = eval.values[n];
    const bool defined = v == v;
    range.lo[n] = defined ? v : std::numeric_limits<float>::infinity();
    range.hi[n] = defined ? v : -std::numeric_limits<float>::infinity();
  }
  for (int axis = 0; axis < 3; ++axis) {
    filterAxis(range, eval, axis, window[axis], threads, scope);
  }
  return range;
}

} // namespace beamlet::dose::detail
