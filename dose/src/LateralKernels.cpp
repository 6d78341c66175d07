#include "beamlet/dose/LateralKernels.h"

#include "beamlet/core/Error.h"

#include <unsupported/Eigen/FFT>

#include <algorithm>
#include <cmath>
#include <complex>

namespace beamlet::dose {

namespace {

// Smallest n >= minimum whose only prime factors are 2, 3 and 5 (fast sizes for the FFT).
int fftSize(int minimum) {
  for (int n = std::max(minimum, 8);; ++n) {
    int r = n;
    for (int p : {2, 3, 5}) {
      while (r % p == 0) {
        r /= p;
      }
    }
    if (r == 1) {
      return n;
    }
  }
}

// In-place 2-D FFT of an n x n row-major array, rows then columns.
void fft2(std::vector<std::complex<double>>& a, int n, bool inverse) {
  Eigen::FFT<double> fft;
  std::vector<std::complex<double>> in(n);
  std::vector<std::complex<double>> out(n);
  for (int pass = 0; pass < 2; ++pass) {
    for (int line = 0; line < n; ++line) {
      for (int t = 0; t < n; ++t) {
        in[t] = pass == 0 ? a[static_cast<std::size_t>(line) * n + t]
                          : a[static_cast<std::size_t>(t) * n + line];
      }
      if (inverse) {
        fft.inv(out, in);
      } else {
        fft.fwd(out, in);
      }
      for (int t = 0; t < n; ++t) {
        (pass == 0 ? a[static_cast<std::size_t>(line) * n + t]
                   : a[static_cast<std::size_t>(t) * n + line]) = out[t];
      }
    }
  }
}

// Radial kernel k at SSD row `row`, linearly interpolated at radius r (mm); zero beyond the table.
double kernelAt(const PhotonMachine& m, int row, int k, double r) {
  const double f = r / m.kernelRadiusStepMm;
  const int i = static_cast<int>(f);
  if (i >= m.kernelRadiusCount - 1) {
    return 0.0;
  }
  const float* K = m.kernel(row, k);
  return K[i] + (f - i) * (K[i + 1] - K[i]);
}

} // namespace

FluenceGrid bixelFluence(const PhotonMachine& machine, double widthMm) {
  const double c = machine.kernelCellMm;
  if (!(widthMm >= c)) {
    throw InvalidArgumentError("bixel width " + std::to_string(widthMm) +
                               " mm is below the kernel cell (" + std::to_string(c) + " mm)");
  }
  // Grid points x_i = i c carry the cell [x_i, x_i + c): the fraction of it inside [-w/2, w/2).
  const int first = static_cast<int>(std::floor(-0.5 * widthMm / c + 1e-9));
  const int last = static_cast<int>(std::ceil(0.5 * widthMm / c - 1e-9)) - 1;
  FluenceGrid f;
  f.cellMm = c;
  f.size = last - first + 1;
  f.x0 = f.y0 = first * c;
  std::vector<double> line(f.size);
  for (int i = 0; i < f.size; ++i) {
    const double lo = std::max((first + i) * c, -0.5 * widthMm);
    const double hi = std::min((first + i + 1) * c, 0.5 * widthMm);
    line[i] = std::max(0.0, hi - lo) / c;
  }
  f.values.resize(static_cast<std::size_t>(f.size) * f.size);
  for (int j = 0; j < f.size; ++j) {
    for (int i = 0; i < f.size; ++i) {
      f.values[static_cast<std::size_t>(j) * f.size + i] = static_cast<float>(line[i] * line[j]);
    }
  }
  return f;
}

LateralKernelTable lateralKernelTable(const PhotonMachine& m, const FluenceGrid& fluence,
                                      double ssdMm, double halfExtentMm) {
  const double c = m.kernelCellMm;
  if (std::abs(fluence.cellMm - c) > 1e-9 || fluence.size <= 0) {
    throw InvalidArgumentError("fluence grid does not match the machine's kernel cell");
  }
  const int row =
      std::clamp(static_cast<int>(std::lround((ssdMm - m.kernelSsdFirstMm) / m.kernelSsdStepMm)), 0,
                 m.kernelSsdCount - 1);

  // Source penumbra: Gaussian with the machine's FWHM, separable, normalised to sum 1 on the grid.
  const double sigma = m.penumbraFwhmAtIsoMm / (2.0 * std::sqrt(2.0 * std::log(2.0))) / c;
  const int rg = static_cast<int>(std::ceil(4.0 * sigma));
  std::vector<double> g(2 * rg + 1);
  double gsum = 0.0;
  for (int t = -rg; t <= rg; ++t) {
    g[t + rg] = std::exp(-0.5 * t * t / (sigma * sigma));
    gsum += g[t + rg];
  }
  for (double& v : g) {
    v /= gsum;
  }
  const int nb = fluence.size + 2 * rg; // blurred fluence, from (x0 - rg c)
  // Grid indices of the blurred fluence's first point along x and y.
  const int fbFirstX = static_cast<int>(std::lround(fluence.x0 / c)) - rg;
  const int fbFirstY = static_cast<int>(std::lround(fluence.y0 / c)) - rg;
  std::vector<double> rows(static_cast<std::size_t>(nb) * fluence.size, 0.0);
  for (int j = 0; j < fluence.size; ++j) {
    for (int i = 0; i < fluence.size; ++i) {
      const double v = fluence.values[static_cast<std::size_t>(j) * fluence.size + i];
      if (v == 0.0) {
        continue;
      }
      for (int t = 0; t <= 2 * rg; ++t) {
        rows[static_cast<std::size_t>(j) * nb + i + t] += v * g[t];
      }
    }
  }

  // Output points -H .. H; the FFT size keeps every output-input separation below n / 2.
  const int half = static_cast<int>(std::ceil(halfExtentMm / c - 1e-9));
  const int outCount = 2 * half + 1;
  const int lo = -half - (std::max(fbFirstX, fbFirstY) + nb - 1);
  const int hi = half - std::min(fbFirstX, fbFirstY);
  const int n = fftSize(2 * std::max(std::abs(lo), std::abs(hi)) + 2);
  auto wrap = [n](int v) { return ((v % n) + n) % n; };

  std::vector<std::complex<double>> fb(static_cast<std::size_t>(n) * n, 0.0);
  for (int j = 0; j < fluence.size; ++j) {
    for (int t = 0; t <= 2 * rg; ++t) {
      for (int i = 0; i < nb; ++i) {
        fb[static_cast<std::size_t>(j + t) * n + i] +=
            rows[static_cast<std::size_t>(j) * nb + i] * g[t];
      }
    }
  }
  fft2(fb, n, false);

  std::vector<Eigen::Vector4f> table(static_cast<std::size_t>(outCount) * outCount,
                                     Eigen::Vector4f::Zero());
  std::vector<std::complex<double>> kernel(static_cast<std::size_t>(n) * n);
  for (int k = 0; k < 3; ++k) {
    for (int v = 0; v < n; ++v) {
      const int dy = v < n / 2 ? v : v - n;
      for (int u = 0; u < n; ++u) {
        const int dx = u < n / 2 ? u : u - n;
        kernel[static_cast<std::size_t>(v) * n + u] =
            kernelAt(m, row, k, c * std::sqrt(static_cast<double>(dx * dx + dy * dy)));
      }
    }
    fft2(kernel, n, false);
    for (std::size_t s = 0; s < kernel.size(); ++s) {
      kernel[s] *= fb[s];
    }
    fft2(kernel, n, true);
    // Output point (x, y) = (p c, q c) sits at index (p - fbFirstX, q - fbFirstY) of the blurred
    // fluence's frame.
    for (int q = -half; q <= half; ++q) {
      for (int p = -half; p <= half; ++p) {
        table[static_cast<std::size_t>(q + half) * outCount + (p + half)][k] = static_cast<float>(
            kernel[static_cast<std::size_t>(wrap(q - fbFirstY)) * n + wrap(p - fbFirstX)].real());
      }
    }
  }
  return LateralKernelTable(-half * c, c, outCount, std::move(table));
}

} // namespace beamlet::dose
