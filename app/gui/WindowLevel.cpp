#include "WindowLevel.h"

#include "beamlet/core/Image.h"

#include <algorithm>
#include <cmath>

namespace beamlet::gui {

std::uint8_t WindowLevel::grey(double value) const {
  const double w = std::max(width, 1.0);
  const double t = (value - (level - 0.5 * w)) / w;
  return static_cast<std::uint8_t>(std::lround(std::clamp(t, 0.0, 1.0) * 255.0));
}

const std::vector<WindowPreset>& windowPresets() {
  static const std::vector<WindowPreset> presets{
      {QStringLiteral("Soft tissue"), {400.0, 40.0}, false},
      {QStringLiteral("Lung"), {1500.0, -600.0}, false},
      {QStringLiteral("Bone"), {1800.0, 400.0}, false},
      {QStringLiteral("Brain"), {80.0, 40.0}, false},
      {QStringLiteral("Auto (1-99%)"), {}, true},
  };
  return presets;
}

WindowLevel autoWindowLevel(const Image& image) {
  const std::size_t count = image.geometry().voxelCount();
  if (count == 0) {
    return {};
  }
  // A strided sample of about a million voxels gives the percentiles to well under a grey level
  // and keeps this instant even for a 500-slice CT.
  constexpr std::size_t kMaxSamples = 1u << 20;
  const std::size_t stride = std::max<std::size_t>(1, count / kMaxSamples);
  std::vector<double> samples;
  samples.reserve(count / stride + 1);
  for (std::size_t n = 0; n < count; n += stride) {
    samples.push_back(image.valueAt(n));
  }
  const auto percentile = [&samples](double p) {
    const auto nth = samples.begin() +
                     static_cast<std::ptrdiff_t>(p * static_cast<double>(samples.size() - 1) + 0.5);
    std::nth_element(samples.begin(), nth, samples.end());
    return *nth;
  };
  const double lo = percentile(0.01);
  const double hi = percentile(0.99);
  // A constant image (or one dominated by a single value) still needs a usable, non-zero width.
  const double width = std::max(hi - lo, 1.0);
  return {width, 0.5 * (lo + hi)};
}

} // namespace beamlet::gui
