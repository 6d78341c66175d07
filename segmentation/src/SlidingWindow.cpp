#include "beamlet/segmentation/SlidingWindow.h"

#include <algorithm>
#include <cmath>

namespace beamlet::segmentation {

std::vector<int> patchStarts(int size, int patch, double overlap) {
  if (size <= patch) {
    return {0};
  }
  const int step = std::max(1, static_cast<int>(std::floor(patch * (1.0 - overlap))));
  const int last = size - patch;
  // As many patches as needed at that step, then spread evenly so the last ends at the border.
  const int count = (last + step - 1) / step + 1;
  std::vector<int> starts(static_cast<std::size_t>(count));
  for (int n = 0; n < count; ++n) {
    starts[static_cast<std::size_t>(n)] =
        static_cast<int>(std::lround(static_cast<double>(last) * n / (count - 1)));
  }
  return starts;
}

std::vector<float> gaussianImportance(const std::array<int, 3>& patch) {
  std::array<std::vector<double>, 3> axis;
  for (std::size_t a = 0; a < 3; ++a) {
    const double sigma = patch[a] / 8.0;
    const double centre = 0.5 * (patch[a] - 1);
    for (int i = 0; i < patch[a]; ++i) {
      const double u = (i - centre) / sigma;
      axis[a].push_back(std::exp(-0.5 * u * u));
    }
    const double peak = *std::max_element(axis[a].begin(), axis[a].end());
    for (double& v : axis[a]) {
      v /= peak;
    }
  }
  std::vector<float> w;
  w.reserve(static_cast<std::size_t>(patch[0]) * patch[1] * patch[2]);
  for (int k = 0; k < patch[2]; ++k) {
    for (int j = 0; j < patch[1]; ++j) {
      for (int i = 0; i < patch[0]; ++i) {
        const double v = axis[0][static_cast<std::size_t>(i)] *
                         axis[1][static_cast<std::size_t>(j)] *
                         axis[2][static_cast<std::size_t>(k)];
        w.push_back(static_cast<float>(std::max(v, 1e-3)));
      }
    }
  }
  return w;
}

} // namespace beamlet::segmentation
