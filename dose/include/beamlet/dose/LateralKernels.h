#pragma once
// The lateral part of the SVD pencil-beam model (Bortfeld, Schlegel & Rhein 1993, Med Phys
// 20:311, doi:10.1118/1.597070): for a fluence pattern F in the isocentre plane, the three
// tables C_k = (F * G) * K_k, with G the source Gaussian (penumbra) and K_k the machine's radial
// kernels at one SSD. Dose at a point is then sum_k C_k(x, y) D_k(z), with (x, y) the point's
// offset projected onto the isocentre plane and D_k the depth factors (SvdPencilBeam.h).
//
// Discretisation: fluence lives on the kernel cell grid (0.5 mm for the generic machine), the
// grid point x_i = i c carrying the fluence of the cell [x_i, x_i + c). For a bixel of width w
// this is the points -w/2 .. w/2 - c, exactly matRad's discretisation (its engine and its golden
// data agree with ours within 0.1% only with it; it places each bixel 0.25 mm towards -x, -y).
// The convolutions are done with FFTs sized so that nothing wraps around.

#include "beamlet/dose/PhotonMachine.h"

#include <Eigen/Core>

#include <vector>

namespace beamlet::dose {

/// Fluence on the kernel cell grid: values[j * size + i] at (x0 + i c, y0 + j c), zero outside;
/// x0 and y0 are multiples of the cell.
struct FluenceGrid {
  double x0 = 0.0;
  double y0 = 0.0;
  double cellMm = 0.5;
  int size = 0;
  std::vector<float> values;
};

class LateralKernelTable {
public:
  LateralKernelTable() = default;
  LateralKernelTable(double originMm, double cellMm, int size, std::vector<Eigen::Vector4f> values)
      : origin_(originMm), cell_(cellMm), size_(size), values_(std::move(values)) {}

  /// C_1..3 (and 0) at (x, y) mm in the isocentre plane, bilinear; zero outside the table.
  Eigen::Vector4f at(double x, double y) const {
    const double fx = (x - origin_) / cell_;
    const double fy = (y - origin_) / cell_;
    if (!(fx >= 0.0 && fy >= 0.0 && fx < size_ - 1 && fy < size_ - 1)) {
      return Eigen::Vector4f::Zero();
    }
    const int i = static_cast<int>(fx);
    const int j = static_cast<int>(fy);
    const float ax = static_cast<float>(fx - i);
    const float ay = static_cast<float>(fy - j);
    const Eigen::Vector4f* row = values_.data() + static_cast<std::size_t>(j) * size_ + i;
    const Eigen::Vector4f bottom = row[0] + ax * (row[1] - row[0]);
    const Eigen::Vector4f top = row[size_] + ax * (row[size_ + 1] - row[size_]);
    return bottom + ay * (top - bottom);
  }
  /// The table covers [-halfExtent, halfExtent] in x and y.
  double halfExtentMm() const { return -origin_; }
  bool empty() const { return values_.empty(); }
  const std::vector<Eigen::Vector4f>& values() const { return values_; }
  double originMm() const { return origin_; }
  double cellMm() const { return cell_; }
  int size() const { return size_; }

private:
  double origin_ = 0.0;
  double cell_ = 0.5;
  int size_ = 0;
  std::vector<Eigen::Vector4f> values_;
};

/// Fluence of one square bixel of width w centred on (0, 0).
FluenceGrid bixelFluence(const PhotonMachine& machine, double widthMm);

/// C_k of `fluence` with the kernels tabulated nearest to `ssdMm`, over [-halfExtent,
/// halfExtent]^2 (mm in the isocentre plane).
LateralKernelTable lateralKernelTable(const PhotonMachine& machine, const FluenceGrid& fluence,
                                      double ssdMm, double halfExtentMm);

} // namespace beamlet::dose
