#include "beamlet/dose/Dij.h"

#include "beamlet/core/Error.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>

namespace beamlet::dose {

Dij::Dij(ImageGeometry doseGrid, std::vector<std::uint32_t> voxels, std::vector<Bixel> bixels,
         DijPrecision precision)
    : doseGrid_(std::move(doseGrid)), voxels_(std::move(voxels)), bixels_(std::move(bixels)),
      precision_(precision), pendingRows_(bixels_.size()), pendingValues_(bixels_.size()) {
  if (voxels_.size() >= 0xffffffffu) {
    throw InvalidArgumentError("too many dose voxels for 32-bit row indices");
  }
}

void Dij::setColumn(std::size_t j, std::vector<std::uint32_t> rows, std::vector<float> values) {
  if (j >= bixels_.size() || rows.size() != values.size()) {
    throw InvalidArgumentError("Dij::setColumn: bad column");
  }
  pendingRows_[j] = std::move(rows);
  pendingValues_[j] = std::move(values);
}

void Dij::finalize() {
  columnStart_.assign(bixels_.size() + 1, 0);
  for (std::size_t j = 0; j < bixels_.size(); ++j) {
    columnStart_[j + 1] = columnStart_[j] + pendingRows_[j].size();
  }
  const std::size_t nnz = columnStart_.back();
  rowIndex_.resize(nnz);
  if (precision_ == DijPrecision::Float32) {
    values32_.resize(nnz);
  } else {
    values16_.resize(nnz);
  }
  tbb::parallel_for(std::size_t{0}, bixels_.size(), [&](std::size_t j) {
    std::copy(pendingRows_[j].begin(), pendingRows_[j].end(),
              rowIndex_.begin() + static_cast<std::ptrdiff_t>(columnStart_[j]));
    for (std::size_t n = 0; n < pendingValues_[j].size(); ++n) {
      if (precision_ == DijPrecision::Float32) {
        values32_[columnStart_[j] + n] = pendingValues_[j][n];
      } else {
        values16_[columnStart_[j] + n] = Eigen::half(pendingValues_[j][n]);
      }
    }
    std::vector<std::uint32_t>().swap(pendingRows_[j]);
    std::vector<float>().swap(pendingValues_[j]);
  });
}

std::size_t Dij::bytes() const {
  return rowIndex_.size() * sizeof(std::uint32_t) + values32_.size() * sizeof(float) +
         values16_.size() * sizeof(Eigen::half) + columnStart_.size() * sizeof(std::size_t) +
         voxels_.size() * sizeof(std::uint32_t);
}

float Dij::valueAt(std::size_t n) const {
  return precision_ == DijPrecision::Float32 ? values32_[n] : static_cast<float>(values16_[n]);
}

double Dij::columnMax(std::size_t j) const {
  double m = 0.0;
  for (std::size_t n = columnBegin(j); n < columnEnd(j); ++n) {
    m = std::max(m, static_cast<double>(valueAt(n)));
  }
  return m;
}

std::vector<double> Dij::multiply(const std::vector<double>& w) const {
  if (w.size() != columns()) {
    throw InvalidArgumentError("Dij::multiply: " + std::to_string(w.size()) + " weights for " +
                               std::to_string(columns()) + " bixels");
  }
  // Columns are scattered into per-chunk partial sums (no write conflicts), then added.
  const std::size_t chunks = std::max<std::size_t>(1, std::min<std::size_t>(columns(), 64));
  std::vector<std::vector<double>> partial(chunks);
  tbb::parallel_for(std::size_t{0}, chunks, [&](std::size_t c) {
    std::vector<double>& d = partial[c];
    d.assign(rows(), 0.0);
    for (std::size_t j = c * columns() / chunks; j < (c + 1) * columns() / chunks; ++j) {
      if (w[j] == 0.0) {
        continue;
      }
      for (std::size_t n = columnBegin(j); n < columnEnd(j); ++n) {
        d[rowIndex_[n]] += w[j] * valueAt(n);
      }
    }
  });
  std::vector<double> d(rows(), 0.0);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, rows()),
                    [&](const tbb::blocked_range<std::size_t>& r) {
                      for (const auto& p : partial) {
                        for (std::size_t i = r.begin(); i < r.end(); ++i) {
                          d[i] += p[i];
                        }
                      }
                    });
  return d;
}

std::vector<double> Dij::multiplyTransposed(const std::vector<double>& d) const {
  if (d.size() != rows()) {
    throw InvalidArgumentError("Dij::multiplyTransposed: dose vector length differs from rows");
  }
  std::vector<double> g(columns(), 0.0);
  tbb::parallel_for(std::size_t{0}, columns(), [&](std::size_t j) {
    double s = 0.0;
    for (std::size_t n = columnBegin(j); n < columnEnd(j); ++n) {
      s += d[rowIndex_[n]] * valueAt(n);
    }
    g[j] = s;
  });
  return g;
}

VolumeF32 Dij::doseVolume(const std::vector<double>& w) const {
  const std::vector<double> d = multiply(w);
  VolumeF32 dose(doseGrid_, 0.0f);
  for (std::size_t i = 0; i < d.size(); ++i) {
    dose[voxels_[i]] = static_cast<float>(d[i]);
  }
  return dose;
}

} // namespace beamlet::dose
