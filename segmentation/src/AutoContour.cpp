#include "beamlet/segmentation/AutoContour.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/MaskContours.h"
#include "beamlet/core/Morphology.h"

#include <algorithm>
#include <cmath>

namespace beamlet::segmentation {

VolumeF32 resampleLinear(const Image& image, const Vec3& spacing) {
  const ImageGeometry& g = image.geometry();
  Index3 dims;
  for (int a = 0; a < 3; ++a) {
    const double extent = g.spacing[a] * g.dims[a]; // voxel edges to voxel edges
    dims[a] = std::max(1, static_cast<int>(std::lround(extent / spacing[a])));
  }
  // The first voxel centre half a new voxel inside the old first voxel's outer edge, so both grids
  // cover the same box.
  Vec3 corner = Vec3::Zero();
  for (int a = 0; a < 3; ++a) {
    corner[a] = -0.5 * g.spacing[a] + 0.5 * spacing[a];
  }
  const ImageGeometry out(dims, g.origin + g.direction * corner, spacing, g.direction);
  const VolumeF32 in = image.toFloat();
  const float background = *std::min_element(in.voxels().begin(), in.voxels().end());
  VolumeF32 result(out, background);
  for (int k = 0; k < dims[2]; ++k) {
    for (int j = 0; j < dims[1]; ++j) {
      for (int i = 0; i < dims[0]; ++i) {
        const Vec3 p = g.patientToIndex(out.indexToPatient(Vec3(i, j, k)));
        // Clamped to the outermost voxel centres: edge voxels extend to the grid's edge.
        double x[3];
        int i0[3];
        double f[3];
        for (int a = 0; a < 3; ++a) {
          x[a] = std::clamp(p[a], 0.0, static_cast<double>(g.dims[a] - 1));
          i0[a] = std::min(static_cast<int>(std::floor(x[a])), std::max(0, g.dims[a] - 2));
          f[a] = g.dims[a] > 1 ? x[a] - i0[a] : 0.0;
        }
        double v = 0.0;
        for (int c = 0; c < 8; ++c) {
          const int di = c & 1;
          const int dj = (c >> 1) & 1;
          const int dk = (c >> 2) & 1;
          const double w = (di != 0 ? f[0] : 1.0 - f[0]) * (dj != 0 ? f[1] : 1.0 - f[1]) *
                           (dk != 0 ? f[2] : 1.0 - f[2]);
          if (w == 0.0) {
            continue;
          }
          v += w * in(std::min(i0[0] + di, g.dims[0] - 1), std::min(i0[1] + dj, g.dims[1] - 1),
                      std::min(i0[2] + dk, g.dims[2] - 1));
        }
        result(i, j, k) = static_cast<float>(v);
      }
    }
  }
  return result;
}

std::vector<LabelMask> autoContour(const ModelRunner& model, const Image& image,
                                   ProgressMonitor* progress) {
  const ModelManifest& m = model.manifest();
  const std::string modality = image.modality.empty() ? "CT" : image.modality;
  if (modality != m.modality) {
    throw InvalidArgumentError("model '" + m.name + "' contours " + m.modality + " images, not " +
                               modality);
  }
  const ProgressScope scope(progress, 0.0, 1.0, "auto-contouring");
  VolumeF32 input = resampleLinear(image, m.spacingMm);
  if (m.normalisation == Normalisation::ClipScale) {
    const double range = m.clipMax - m.clipMin;
    for (float& v : input.voxels()) {
      v = static_cast<float>(
          (std::clamp(static_cast<double>(v), m.clipMin, m.clipMax) - m.clipMin) / range);
    }
  } else {
    double sum = 0.0;
    double sum2 = 0.0;
    for (float v : input.voxels()) {
      sum += v;
      sum2 += static_cast<double>(v) * v;
    }
    const double n = static_cast<double>(input.size());
    const double mean = sum / n;
    const double sd = std::sqrt(std::max(1e-12, sum2 / n - mean * mean));
    for (float& v : input.voxels()) {
      v = static_cast<float>((v - mean) / sd);
    }
  }
  scope.report(0.1);
  const ProgressScope inference(scope, 0.1, 0.9, "inference");
  const std::vector<VolumeF32> probabilities = model.predict(input, 2, inference.monitor());

  std::vector<LabelMask> result;
  const bool softmax = m.activation == Activation::Softmax;
  for (const ModelLabel& label : m.labels) {
    Mask mask(input.geometry(), 0);
    const std::size_t channel = static_cast<std::size_t>(label.value);
    for (std::size_t n = 0; n < mask.size(); ++n) {
      if (softmax) {
        // argmax: this label's channel beats every other channel, background included.
        bool best = true;
        for (std::size_t c = 0; c < probabilities.size() && best; ++c) {
          best = c == channel || probabilities[channel][n] > probabilities[c][n];
        }
        mask[n] = best ? 1 : 0;
      } else {
        mask[n] = probabilities[channel][n] > 0.5f ? 1 : 0;
      }
    }
    if (label.largestComponent) {
      mask = largestComponent(mask);
    }
    if (label.fillHoles) {
      fillHolesPerSlice(mask);
    }
    result.push_back({label, resampleNearest(mask, image.geometry())});
  }
  scope.report(1.0);
  return result;
}

} // namespace beamlet::segmentation
