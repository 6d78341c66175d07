#pragma once
// The dose-influence matrix: dose in voxel i per unit weight of bixel j, the input of fluence
// optimisation (dose = Dij w). Stored by column (one column per bixel, compressed sparse
// column): row indices are compact (positions in the list of computed voxels, 32-bit), values are
// float32 or, optionally, IEEE half precision (fp16, half the memory, ~0.05% rounding).

#include "beamlet/core/Volume.h"

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

namespace beamlet::dose {

/// One bixel (beamlet): a square of fluence in one beam, BEV position at the isocentre plane.
struct Bixel {
  int beam = 0;     ///< index into the problem's beams
  double xMm = 0.0; ///< centre along X_b at the isocentre plane
  double yMm = 0.0; ///< centre along Y_b
  double widthMm = 5.0;
  double ssdMm = 0.0; ///< source-to-surface distance along the bixel's central ray
};

enum class DijPrecision { Float32, Float16 };

class Dij {
public:
  Dij() = default;
  /// `voxels`: linear indices into `doseGrid` of the computed voxels (rows), ascending.
  Dij(ImageGeometry doseGrid, std::vector<std::uint32_t> voxels, std::vector<Bixel> bixels,
      DijPrecision precision = DijPrecision::Float32);

  const ImageGeometry& doseGrid() const { return doseGrid_; }
  const std::vector<std::uint32_t>& voxels() const { return voxels_; }
  const std::vector<Bixel>& bixels() const { return bixels_; }
  std::size_t rows() const { return voxels_.size(); }
  std::size_t columns() const { return bixels_.size(); }
  DijPrecision precision() const { return precision_; }

  /// Sets column j (compact row indices, any order). Columns may be set in any order and from
  /// any thread, each once; finalize() then indexes them. Each column keeps its own arrays, so a
  /// matrix never needs room for two copies of itself.
  void setColumn(std::size_t j, std::vector<std::uint32_t> rows, std::vector<float> values);
  /// Indexes the columns (call once after all setColumn).
  void finalize();

  std::size_t nonZeros() const { return columnStart_.empty() ? 0 : columnStart_.back(); }
  /// Bytes held by the matrix (indices, values and column offsets).
  std::size_t bytes() const;

  /// d = Dij w (length rows()); uses all cores.
  std::vector<double> multiply(const std::vector<double>& w) const;
  /// g = Dij^T d (length columns()).
  std::vector<double> multiplyTransposed(const std::vector<double>& d) const;
  /// Dose on the dose grid for weights w (zero outside the computed voxels).
  VolumeF32 doseVolume(const std::vector<double>& w) const;

  /// Entries numbered across the matrix: column j holds entries columnBegin(j) .. columnEnd(j).
  std::size_t columnBegin(std::size_t j) const { return columnStart_[j]; }
  std::size_t columnEnd(std::size_t j) const { return columnStart_[j + 1]; }
  std::uint32_t rowAt(std::size_t n) const;
  float valueAt(std::size_t n) const;
  /// Column j directly: its k-th entry's compact row and value.
  std::size_t columnSize(std::size_t j) const { return columns_[j].rows.size(); }
  std::uint32_t row(std::size_t j, std::size_t k) const { return columns_[j].rows[k]; }
  float value(std::size_t j, std::size_t k) const;
  double columnMax(std::size_t j) const;

private:
  ImageGeometry doseGrid_;
  std::vector<std::uint32_t> voxels_;
  std::vector<Bixel> bixels_;
  DijPrecision precision_ = DijPrecision::Float32;
  struct Column {
    std::vector<std::uint32_t> rows;
    std::vector<float> values32;
    std::vector<std::uint16_t> values16; ///< IEEE half bit patterns
  };
  std::vector<Column> columns_;
  std::vector<std::size_t> columnStart_;
  /// The column holding entry n.
  std::size_t columnOf(std::size_t n) const;
  /// d[row] += w * value over the column's entries.
  void scatterColumn(const Column& col, double w, double* d) const;
  /// sum of d[row] * value over the column's entries.
  double gatherColumn(const Column& col, const double* d) const;
};

} // namespace beamlet::dose
