#include "beamlet/core/BodyOutline.h"

#include "beamlet/core/Error.h"

#include <cstdint>
#include <vector>

namespace beamlet {

namespace {

// Labels the 6-connected components of `inside` (non-zero voxels) with a breadth-first flood fill
// and keeps the largest; ties go to the first found in memory order.
Mask largestComponent(const Mask& inside) {
  const Index3 d = inside.dims();
  const std::size_t nx = static_cast<std::size_t>(d[0]);
  const std::size_t nxy = nx * static_cast<std::size_t>(d[1]);
  std::vector<std::int32_t> label(inside.size(), 0);
  std::vector<std::size_t> queue;
  std::int32_t current = 0;
  std::int32_t best = 0;
  std::size_t bestSize = 0;
  for (std::size_t seed = 0; seed < inside.size(); ++seed) {
    if (inside[seed] == 0 || label[seed] != 0) {
      continue;
    }
    ++current;
    queue.assign(1, seed);
    label[seed] = current;
    for (std::size_t head = 0; head < queue.size(); ++head) {
      const std::size_t n = queue[head];
      const auto i = static_cast<int>(n % nx);
      const auto j = static_cast<int>((n / nx) % static_cast<std::size_t>(d[1]));
      const auto k = static_cast<int>(n / nxy);
      const auto visit = [&](std::size_t m) {
        if (inside[m] != 0 && label[m] == 0) {
          label[m] = current;
          queue.push_back(m);
        }
      };
      if (i > 0)
        visit(n - 1);
      if (i + 1 < d[0])
        visit(n + 1);
      if (j > 0)
        visit(n - nx);
      if (j + 1 < d[1])
        visit(n + nx);
      if (k > 0)
        visit(n - nxy);
      if (k + 1 < d[2])
        visit(n + nxy);
    }
    if (queue.size() > bestSize) {
      bestSize = queue.size();
      best = current;
    }
  }
  Mask out(inside.geometry(), 0);
  for (std::size_t n = 0; n < out.size(); ++n) {
    out[n] = label[n] == best && best != 0 ? 1 : 0;
  }
  return out;
}

// Fills, on slice k, every background region that the slice border cannot reach (4-connected
// background, so a diagonal gap in the outline does not leak).
void fillSliceHoles(Mask& mask, int k) {
  const int nx = mask.dims()[0];
  const int ny = mask.dims()[1];
  std::uint8_t* s = mask.slice(k);
  std::vector<std::uint8_t> outside(static_cast<std::size_t>(nx) * ny, 0);
  std::vector<int> queue;
  const auto seed = [&](int i, int j) {
    const int n = j * nx + i;
    if (s[n] == 0 && outside[static_cast<std::size_t>(n)] == 0) {
      outside[static_cast<std::size_t>(n)] = 1;
      queue.push_back(n);
    }
  };
  for (int i = 0; i < nx; ++i) {
    seed(i, 0);
    seed(i, ny - 1);
  }
  for (int j = 0; j < ny; ++j) {
    seed(0, j);
    seed(nx - 1, j);
  }
  for (std::size_t head = 0; head < queue.size(); ++head) {
    const int i = queue[head] % nx;
    const int j = queue[head] / nx;
    if (i > 0)
      seed(i - 1, j);
    if (i + 1 < nx)
      seed(i + 1, j);
    if (j > 0)
      seed(i, j - 1);
    if (j + 1 < ny)
      seed(i, j + 1);
  }
  for (std::size_t n = 0; n < outside.size(); ++n) {
    if (outside[n] == 0) {
      s[n] = 1;
    }
  }
}

} // namespace

Mask bodyOutline(const Image& ct, const BodyOutlineOptions& options) {
  if (ct.geometry().voxelCount() == 0) {
    throw InvalidArgumentError("body outline: the image is empty");
  }
  if (!ct.modality.empty() && ct.modality != "CT") {
    throw InvalidArgumentError("body outline: needs a CT in HU, not " + ct.modality);
  }
  Mask above(ct.geometry(), 0);
  std::size_t count = 0;
  for (std::size_t n = 0; n < above.size(); ++n) {
    if (ct.valueAt(n) > options.thresholdHu) {
      above[n] = 1;
      ++count;
    }
  }
  if (count == 0) {
    throw DataError("body outline: no voxel above " + std::to_string(options.thresholdHu) + " HU");
  }
  Mask body = largestComponent(above);
  for (int k = 0; k < body.dims()[2]; ++k) {
    fillSliceHoles(body, k);
  }
  return body;
}

} // namespace beamlet
