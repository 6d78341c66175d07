#include "beamlet/segmentation/ExternalContour.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/Morphology.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace beamlet::segmentation {

Mask externalContourCt(const Image& ct, const ExternalCtOptions& options) {
  if (ct.geometry().voxelCount() == 0) {
    throw InvalidArgumentError("external: the image is empty");
  }
  if (!ct.modality.empty() && ct.modality != "CT") {
    throw InvalidArgumentError("external: needs a CT in HU, not " + ct.modality);
  }
  Mask tissue(ct.geometry(), 0);
  for (std::size_t n = 0; n < tissue.size(); ++n) {
    tissue[n] = ct.valueAt(n) > options.thresholdHu ? 1 : 0;
  }
  if (countVoxels(tissue) == 0) {
    throw DataError("external: no voxel above " + std::to_string(options.thresholdHu) + " HU");
  }
  // Opening (erosion then dilation by the same ball; Serra, "Image Analysis and Mathematical
  // Morphology", 1982): removes every part of the thresholded set that a ball of this radius cannot
  // fit in, so a couch or a mask board that touches the skin along a strip or a few points becomes
  // a component of its own. The ball is in mm via exact distance transforms, whatever the spacing.
  const Mask opened = dilateMm(erodeMm(tissue, options.openingRadiusMm), options.openingRadiusMm);
  Mask body = largestComponent(opened);
  if (countVoxels(body) == 0) {
    // Nothing as thick as the ball (a tiny phantom or a very coarse crop): no opening at all.
    body = largestComponent(tissue);
    fillHolesPerSlice(body);
    return body;
  }
  // Restoration: the opening also took the body's own thin parts (nose, ears, fingers, the skin
  // over a rib edge). Every thresholded voxel near the opened body comes back unless an opened
  // device is nearer (a Voronoi split of the contact strip between the two), so thin skin comes
  // back and the couch does not. Devices thinner than the ball (thermoplastic shells lying on the
  // skin) cannot be told from skin by this and stay in within restoreRadiusMm.
  Mask devices(ct.geometry(), 0);
  for (std::size_t n = 0; n < devices.size(); ++n) {
    devices[n] = opened[n] != 0 && body[n] == 0 ? 1 : 0;
  }
  const std::vector<float> toBody = squaredDistanceMm(body);
  const std::vector<float> toDevices = squaredDistanceMm(devices);
  const auto restore2 = static_cast<float>(options.restoreRadiusMm * options.restoreRadiusMm);
  Mask restored(ct.geometry(), 0);
  for (std::size_t n = 0; n < restored.size(); ++n) {
    restored[n] = tissue[n] != 0 && toBody[n] <= restore2 && toBody[n] < toDevices[n] ? 1 : 0;
  }
  Mask external = largestComponent(restored);
  fillHolesPerSlice(external);
  return external;
}

double otsuThreshold(const Image& image, int bins) {
  if (image.geometry().voxelCount() == 0) {
    throw InvalidArgumentError("otsu threshold: the image is empty");
  }
  if (bins < 2) {
    throw InvalidArgumentError("otsu threshold: needs at least 2 histogram bins");
  }
  const auto [lo, hi] = image.range();
  if (!(hi > lo)) {
    return lo;
  }
  const double width = (hi - lo) / bins;
  std::vector<double> histogram(static_cast<std::size_t>(bins), 0.0);
  const std::size_t count = image.geometry().voxelCount();
  for (std::size_t n = 0; n < count; ++n) {
    auto b = static_cast<int>((image.valueAt(n) - lo) / width);
    b = std::min(std::max(b, 0), bins - 1);
    histogram[static_cast<std::size_t>(b)] += 1.0;
  }
  // Otsu: maximise w0 w1 (mu0 - mu1)^2 over the split after bin t, with bin centres as values.
  double total = 0.0;
  double sum = 0.0;
  for (int b = 0; b < bins; ++b) {
    total += histogram[static_cast<std::size_t>(b)];
    sum += histogram[static_cast<std::size_t>(b)] * (b + 0.5);
  }
  double w0 = 0.0;
  double sum0 = 0.0;
  double best = -1.0;
  int split = 0;
  for (int t = 0; t + 1 < bins; ++t) {
    w0 += histogram[static_cast<std::size_t>(t)];
    sum0 += histogram[static_cast<std::size_t>(t)] * (t + 0.5);
    const double w1 = total - w0;
    if (w0 <= 0.0 || w1 <= 0.0) {
      continue;
    }
    const double mu0 = sum0 / w0;
    const double mu1 = (sum - sum0) / w1;
    const double between = w0 * w1 * (mu0 - mu1) * (mu0 - mu1);
    if (between > best) {
      best = between;
      split = t;
    }
  }
  return lo + (split + 1) * width;
}

Mask externalContourMr(const Image& mr, int histogramBins) {
  if (mr.geometry().voxelCount() == 0) {
    throw InvalidArgumentError("external (MR): the image is empty");
  }
  const auto [lo, hi] = mr.range();
  if (!(hi > lo)) {
    throw DataError("external (MR): the image is constant");
  }
  const double threshold = otsuThreshold(mr, histogramBins);
  Mask above(mr.geometry(), 0);
  for (std::size_t n = 0; n < above.size(); ++n) {
    above[n] = mr.valueAt(n) >= threshold ? 1 : 0;
  }
  Mask external = largestComponent(above);
  fillHolesPerSlice(external);
  return external;
}

} // namespace beamlet::segmentation
