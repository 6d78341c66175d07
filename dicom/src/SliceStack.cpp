#include "beamlet/dicom/SliceStack.h"

#include "beamlet/core/Error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace beamlet::dicom {

namespace {

// Direction cosines of one series may differ by rounding in the last written digit; anything
// beyond 1e-3 (about 0.06 degrees) is a different orientation.
constexpr double kOrientationTolerance = 1e-3;
// Two frames closer than this along the normal are at the same position.
constexpr double kSamePositionMm = 1e-3;

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

// A position tolerance for deciding "uniform" and "not sheared": 0.01 mm, or 0.1% of the spacing
// for coarse grids. Deviations below it change no voxel centre by more than the accuracy DICOM
// positions are usually written with.
double positionTolerance(double spacing) {
  return std::max(0.01, 1e-3 * spacing);
}

} // namespace

SliceStack planSliceStack(const std::vector<StackFrame>& frames) {
  if (frames.empty()) {
    throw GeometryError("no images in the series");
  }
  const StackFrame& ref = frames.front();
  SliceStack stack;
  stack.rowDir = ref.rowDir.normalized();
  stack.columnDir = ref.columnDir.normalized();
  const double skew = std::abs(stack.rowDir.dot(stack.columnDir));
  if (skew > 1e-3) {
    throw GeometryError(withContext(ref.label, "ImageOrientationPatient row and column directions "
                                               "are not perpendicular"));
  }
  if (skew > 1e-5) {
    // Rounded direction cosines: the grid needs orthonormal axes, so the column direction is made
    // perpendicular to the row direction (at most 0.06 degrees), and the user is told.
    stack.notes.push_back("ImageOrientationPatient row and column directions are " + fmt(skew) +
                          " from perpendicular (rounded cosines): column direction adjusted");
  }
  stack.normal = stack.rowDir.cross(stack.columnDir).normalized();
  stack.columnDir = stack.normal.cross(stack.rowDir).normalized();
  stack.spacingI = ref.spacingI;
  stack.spacingJ = ref.spacingJ;
  stack.columns = ref.columns;
  stack.rows = ref.rows;

  for (const StackFrame& f : frames) {
    if ((f.rowDir.normalized() - stack.rowDir).cwiseAbs().maxCoeff() > kOrientationTolerance ||
        (f.columnDir.normalized() - ref.columnDir.normalized()).cwiseAbs().maxCoeff() >
            kOrientationTolerance) {
      throw GeometryError(withContext(f.label, "orientation differs from " + ref.label +
                                                   ": mixed orientations in one series"));
    }
    if (f.columns != ref.columns || f.rows != ref.rows) {
      throw GeometryError(withContext(f.label, "image size " + std::to_string(f.columns) + "x" +
                                                   std::to_string(f.rows) + " differs from " +
                                                   ref.label + " in the same series"));
    }
    if (std::abs(f.spacingI - ref.spacingI) > 1e-4 || std::abs(f.spacingJ - ref.spacingJ) > 1e-4) {
      throw GeometryError(
          withContext(f.label, "pixel spacing differs from " + ref.label + " in the same series"));
    }
  }
  if (!(stack.spacingI > 0) || !(stack.spacingJ > 0)) {
    throw GeometryError(withContext(ref.label, "pixel spacing must be positive"));
  }

  // Sort along the slice normal (never by InstanceNumber or file name).
  std::vector<std::size_t> order(frames.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::vector<double> along(frames.size());
  for (std::size_t n = 0; n < frames.size(); ++n) {
    along[n] = frames[n].position.dot(stack.normal);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return along[a] < along[b]; });
  for (std::size_t n : order) {
    if (!stack.slotFrames.empty() &&
        along[n] - along[stack.slotFrames.back().front()] < kSamePositionMm) {
      stack.slotFrames.back().push_back(n);
    } else {
      stack.slotFrames.push_back({n});
    }
  }
  if (stack.slotFrames.size() < 2) {
    const std::string what = frames.size() == 1
                                 ? "a single slice"
                                 : std::to_string(frames.size()) + " images all at one position";
    throw GeometryError(withContext(ref.label, what + ": a volume needs images at two or more "
                                                      "positions along the slice normal"));
  }

  const Vec3 p0 = frames[stack.slotFrames.front().front()].position;
  const std::size_t nSlots = stack.slotFrames.size();
  for (const auto& slot : stack.slotFrames) {
    const Vec3 d = frames[slot.front()].position - p0;
    stack.slotPosition.push_back(d.dot(stack.normal));
    stack.slotOffsetI.push_back(d.dot(stack.rowDir));
    stack.slotOffsetJ.push_back(d.dot(stack.columnDir));
  }

  // Uniform spacing: every slot within tolerance of the straight line from the first to the last.
  const double total = stack.slotPosition.back();
  const double meanGap = total / static_cast<double>(nSlots - 1);
  double maxDeviation = 0.0;
  double minGap = total;
  double maxGap = 0.0;
  for (std::size_t n = 0; n < nSlots; ++n) {
    maxDeviation =
        std::max(maxDeviation, std::abs(stack.slotPosition[n] - meanGap * static_cast<double>(n)));
    if (n > 0) {
      const double gap = stack.slotPosition[n] - stack.slotPosition[n - 1];
      minGap = std::min(minGap, gap);
      maxGap = std::max(maxGap, gap);
    }
  }
  const bool uniform = maxDeviation <= positionTolerance(meanGap);
  int nOut = static_cast<int>(nSlots);
  double spacingK = meanGap;
  if (!uniform) {
    // Keep the finest acquired resolution: the output spacing is the smallest gap, adjusted so
    // that the first and last acquired slices stay on the grid.
    nOut = static_cast<int>(std::lround(total / minGap)) + 1;
    spacingK = total / static_cast<double>(nOut - 1);
    stack.needsResampling = true;
    stack.notes.push_back("slice spacing is not uniform (gaps " + fmt(minGap) + " to " +
                          fmt(maxGap) + " mm): resampled linearly along the slice normal onto " +
                          std::to_string(nOut) + " slices " + fmt(spacingK) + " mm apart");
  }

  // Shear (gantry tilt): slice origins move within the slice plane from one slice to the next.
  double maxShift = 0.0;
  for (std::size_t n = 0; n < nSlots; ++n) {
    maxShift = std::max(maxShift, std::hypot(stack.slotOffsetI[n], stack.slotOffsetJ[n]));
  }
  if (maxShift > positionTolerance(std::min(stack.spacingI, stack.spacingJ))) {
    const double shiftPerMm =
        std::hypot(stack.slotOffsetI.back(), stack.slotOffsetJ.back()) / std::max(total, 1e-9);
    const double tiltDeg = std::atan(shiftPerMm) * 180.0 / 3.14159265358979323846;
    const auto [minI, maxI] =
        std::minmax_element(stack.slotOffsetI.begin(), stack.slotOffsetI.end());
    const auto [minJ, maxJ] =
        std::minmax_element(stack.slotOffsetJ.begin(), stack.slotOffsetJ.end());
    const double eps = 1e-6;
    stack.firstI = static_cast<int>(std::floor(*minI / stack.spacingI + eps));
    stack.firstJ = static_cast<int>(std::floor(*minJ / stack.spacingJ + eps));
    const int lastI = static_cast<int>(std::ceil(*maxI / stack.spacingI - eps)) + stack.columns - 1;
    const int lastJ = static_cast<int>(std::ceil(*maxJ / stack.spacingJ - eps)) + stack.rows - 1;
    stack.needsResampling = true;
    stack.notes.push_back("slices are sheared (gantry tilt " + fmt(tiltDeg) +
                          " degrees): resampled onto an orthogonal grid of " +
                          std::to_string(lastI - stack.firstI + 1) + "x" +
                          std::to_string(lastJ - stack.firstJ + 1) +
                          " pixels; voxels outside the acquired slices are filled with the "
                          "series minimum");
    stack.grid.dims = {lastI - stack.firstI + 1, lastJ - stack.firstJ + 1, nOut};
  } else {
    stack.grid.dims = {stack.columns, stack.rows, nOut};
  }
  stack.grid.spacing = Vec3(stack.spacingI, stack.spacingJ, spacingK);
  stack.grid.direction.col(0) = stack.rowDir;
  stack.grid.direction.col(1) = stack.columnDir;
  stack.grid.direction.col(2) = stack.normal;
  stack.grid.origin = p0 + stack.firstI * stack.spacingI * stack.rowDir +
                      stack.firstJ * stack.spacingJ * stack.columnDir;
  return stack;
}

void resampleSliceStack(const SliceStack& stack, const std::vector<const float*>& slotPixels,
                        float padValue, float* out) {
  const int nx = stack.grid.dims[0];
  const int ny = stack.grid.dims[1];
  const int nz = stack.grid.dims[2];
  const int cols = stack.columns;
  const int rows = stack.rows;
  const double eps = 1e-6;

  // Bilinear sample of slot m at output pixel (i, j); false when outside that slot's image.
  auto sample = [&](std::size_t m, int i, int j, double& value) {
    const double u = ((i + stack.firstI) * stack.spacingI - stack.slotOffsetI[m]) / stack.spacingI;
    const double v = ((j + stack.firstJ) * stack.spacingJ - stack.slotOffsetJ[m]) / stack.spacingJ;
    if (u < -eps || v < -eps || u > cols - 1 + eps || v > rows - 1 + eps) {
      return false;
    }
    const int u0 = std::clamp(static_cast<int>(std::floor(u + eps)), 0, cols - 1);
    const int v0 = std::clamp(static_cast<int>(std::floor(v + eps)), 0, rows - 1);
    const int u1 = std::min(u0 + 1, cols - 1);
    const int v1 = std::min(v0 + 1, rows - 1);
    const double fu = std::clamp(u - u0, 0.0, 1.0);
    const double fv = std::clamp(v - v0, 0.0, 1.0);
    const float* img = slotPixels[m];
    const auto at = [&](int a, int b) {
      return static_cast<double>(img[static_cast<std::size_t>(b) * cols + a]);
    };
    value = (1 - fv) * ((1 - fu) * at(u0, v0) + fu * at(u1, v0)) +
            fv * ((1 - fu) * at(u0, v1) + fu * at(u1, v1));
    return true;
  };

  const std::size_t nSlots = stack.slotPosition.size();
  for (int k = 0; k < nz; ++k) {
    const double s = k * stack.grid.spacing[2];
    std::size_t m = 0;
    while (m + 2 < nSlots && stack.slotPosition[m + 1] <= s + eps) {
      ++m;
    }
    const double gap = stack.slotPosition[m + 1] - stack.slotPosition[m];
    const double w = std::clamp((s - stack.slotPosition[m]) / gap, 0.0, 1.0);
    float* slice = out + static_cast<std::size_t>(k) * nx * ny;
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i < nx; ++i) {
        double a = 0.0;
        double b = 0.0;
        const bool hasA = w < 1.0 - eps ? sample(m, i, j, a) : false;
        const bool hasB = w > eps ? sample(m + 1, i, j, b) : false;
        double value;
        if (w <= eps) {
          value = hasA ? a : padValue;
        } else if (w >= 1.0 - eps) {
          value = hasB ? b : padValue;
        } else if (hasA && hasB) {
          value = (1 - w) * a + w * b;
        } else {
          value = padValue;
        }
        slice[static_cast<std::size_t>(j) * nx + i] = static_cast<float>(value);
      }
    }
  }
}

} // namespace beamlet::dicom
