#include "beamlet/core/Morphology.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace beamlet {

namespace {

constexpr float kFar = 1e20f;

// One line of the Felzenszwalb-Huttenlocher transform: d[q] = min_p f[p] + (s (q - p))^2, with the
// lower envelope of the parabolas rooted at each p (v: their positions, z: envelope boundaries).
void distanceLine(const float* f, float* d, int n, double s, std::vector<int>& v,
                  std::vector<double>& z) {
  v.assign(static_cast<std::size_t>(n), 0);
  z.assign(static_cast<std::size_t>(n) + 1, 0.0);
  const double s2 = s * s;
  int k = -1;
  for (int q = 0; q < n; ++q) {
    if (f[q] >= kFar) {
      continue; // no parabola rooted here
    }
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -std::numeric_limits<double>::infinity();
      z[1] = std::numeric_limits<double>::infinity();
      continue;
    }
    // Where the parabolas of q and the envelope's last root meet (index units); pop roots that
    // q hides completely. z[0] is -infinity, so the loop stops at k == 0.
    const auto meet = [&](int p) {
      return ((f[q] + s2 * q * q) - (f[p] + s2 * p * p)) / (2.0 * s2 * (q - p));
    };
    double boundary = meet(v[static_cast<std::size_t>(k)]);
    while (boundary <= z[static_cast<std::size_t>(k)]) {
      --k;
      boundary = meet(v[static_cast<std::size_t>(k)]);
    }
    ++k;
    v[static_cast<std::size_t>(k)] = q;
    z[static_cast<std::size_t>(k)] = boundary;
    z[static_cast<std::size_t>(k) + 1] = std::numeric_limits<double>::infinity();
  }
  if (k < 0) {
    std::fill(d, d + n, kFar);
    return;
  }
  int j = 0;
  for (int q = 0; q < n; ++q) {
    while (z[static_cast<std::size_t>(j) + 1] < q) {
      ++j;
    }
    const int p = v[static_cast<std::size_t>(j)];
    d[q] = static_cast<float>(s2 * (q - p) * (q - p) + f[p]);
  }
}

} // namespace

std::vector<float> squaredDistanceMm(const Mask& mask) {
  const Index3 dims = mask.dims();
  const Vec3 spacing = mask.geometry().spacing;
  std::vector<float> dist(mask.size());
  for (std::size_t n = 0; n < mask.size(); ++n) {
    dist[n] = mask[n] != 0 ? 0.0f : kFar;
  }
  const int longest = std::max({dims[0], dims[1], dims[2]});
  std::vector<float> in(static_cast<std::size_t>(longest));
  std::vector<float> out(static_cast<std::size_t>(longest));
  std::vector<int> v;
  std::vector<double> z;
  const std::size_t strides[3] = {1, static_cast<std::size_t>(dims[0]),
                                  static_cast<std::size_t>(dims[0]) * dims[1]};
  for (int axis = 0; axis < 3; ++axis) {
    const int a = (axis + 1) % 3;
    const int b = (axis + 2) % 3;
    for (int ib = 0; ib < dims[b]; ++ib) {
      for (int ia = 0; ia < dims[a]; ++ia) {
        const std::size_t base = ia * strides[a] + ib * strides[b];
        const std::size_t stride = strides[axis];
        for (int q = 0; q < dims[axis]; ++q) {
          in[static_cast<std::size_t>(q)] = dist[base + q * stride];
        }
        distanceLine(in.data(), out.data(), dims[axis], spacing[axis], v, z);
        for (int q = 0; q < dims[axis]; ++q) {
          dist[base + q * stride] = out[static_cast<std::size_t>(q)];
        }
      }
    }
  }
  return dist;
}

Mask dilateMm(const Mask& mask, double radiusMm) {
  const std::vector<float> d = squaredDistanceMm(mask);
  const double r2 = radiusMm * radiusMm;
  Mask out(mask.geometry(), 0);
  for (std::size_t n = 0; n < out.size(); ++n) {
    out[n] = d[n] <= r2 ? 1 : 0;
  }
  return out;
}

Mask erodeMm(const Mask& mask, double radiusMm) {
  // Erosion is the complement of the dilation of the complement; the complement includes a
  // one-voxel frame around the grid so that voxels near the edge erode as if outside were empty.
  const Index3 d = mask.dims();
  ImageGeometry g = mask.geometry();
  g.dims = {d[0] + 2, d[1] + 2, d[2] + 2};
  Mask outside(g, 1);
  for (int k = 0; k < d[2]; ++k) {
    for (int j = 0; j < d[1]; ++j) {
      for (int i = 0; i < d[0]; ++i) {
        outside(i + 1, j + 1, k + 1) = mask(i, j, k) != 0 ? 0 : 1;
      }
    }
  }
  const std::vector<float> dist = squaredDistanceMm(outside);
  const double r2 = radiusMm * radiusMm;
  Mask out(mask.geometry(), 0);
  for (int k = 0; k < d[2]; ++k) {
    for (int j = 0; j < d[1]; ++j) {
      for (int i = 0; i < d[0]; ++i) {
        out(i, j, k) = dist[g.linearIndex(i + 1, j + 1, k + 1)] > r2 ? 1 : 0;
      }
    }
  }
  return out;
}

Components components6(const Mask& mask) {
  const Index3 d = mask.dims();
  Components c;
  c.label.assign(mask.size(), 0);
  c.size.assign(1, 0);
  std::vector<std::size_t> queue;
  std::int32_t current = 0;
  for (std::size_t seed = 0; seed < mask.size(); ++seed) {
    if (mask[seed] == 0 || c.label[seed] != 0) {
      continue;
    }
    ++current;
    queue.assign(1, seed);
    c.label[seed] = current;
    for (std::size_t head = 0; head < queue.size(); ++head) {
      const std::size_t n = queue[head];
      const auto visit = [&](std::size_t m) {
        if (mask[m] != 0 && c.label[m] == 0) {
          c.label[m] = current;
          queue.push_back(m);
        }
      };
      forEachFaceNeighbour(n, d, visit);
    }
    c.size.push_back(queue.size());
  }
  return c;
}

Mask largestComponent(const Mask& mask) {
  const Components c = components6(mask);
  std::size_t best = 0;
  for (std::size_t l = 1; l < c.size.size(); ++l) {
    if (c.size[l] > (best == 0 ? 0 : c.size[best])) {
      best = l;
    }
  }
  Mask out(mask.geometry(), 0);
  for (std::size_t n = 0; n < out.size(); ++n) {
    out[n] = best != 0 && c.label[n] == static_cast<std::int32_t>(best) ? 1 : 0;
  }
  return out;
}

void fillHolesPerSlice(Mask& mask) {
  const int nx = mask.dims()[0];
  const int ny = mask.dims()[1];
  std::vector<std::uint8_t> outside(static_cast<std::size_t>(nx) * ny);
  std::vector<int> queue;
  for (int k = 0; k < mask.dims()[2]; ++k) {
    std::uint8_t* s = mask.slice(k);
    std::fill(outside.begin(), outside.end(), std::uint8_t{0});
    queue.clear();
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
}

std::size_t countVoxels(const Mask& mask) {
  return static_cast<std::size_t>(
      std::count_if(mask.voxels().begin(), mask.voxels().end(), [](std::uint8_t v) { return v; }));
}

} // namespace beamlet
