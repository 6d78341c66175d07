#pragma once
// Geometry of a regular 3-D grid in patient coordinates (DICOM LPS, millimetres).
//
// Voxel (i, j, k) has its centre at  origin + D * diag(spacing) * (i, j, k)^T,  where the columns
// of the direction matrix D are the unit vectors of the i, j and k axes in LPS. This is the DICOM
// and ITK convention: origin is the centre of the first voxel, not its corner.

#include <Eigen/Core>
#include <Eigen/Geometry>

#include <array>
#include <cstddef>
#include <string>

namespace beamlet {

using Vec3 = Eigen::Vector3d;
using Mat3 = Eigen::Matrix3d;
using Index3 = std::array<int, 3>;

struct ImageGeometry {
  Index3 dims{0, 0, 0};              ///< voxels along i (columns), j (rows), k (slices)
  Vec3 origin = Vec3::Zero();        ///< LPS mm of the centre of voxel (0, 0, 0)
  Vec3 spacing = Vec3::Ones();       ///< mm between voxel centres along i, j, k
  Mat3 direction = Mat3::Identity(); ///< columns: unit i, j, k axes in LPS

  ImageGeometry() = default;
  ImageGeometry(Index3 dims_, Vec3 origin_, Vec3 spacing_, Mat3 direction_ = Mat3::Identity());

  std::size_t voxelCount() const {
    return static_cast<std::size_t>(dims[0]) * static_cast<std::size_t>(dims[1]) *
           static_cast<std::size_t>(dims[2]);
  }
  std::size_t linearIndex(int i, int j, int k) const {
    return (static_cast<std::size_t>(k) * static_cast<std::size_t>(dims[1]) +
            static_cast<std::size_t>(j)) *
               static_cast<std::size_t>(dims[0]) +
           static_cast<std::size_t>(i);
  }
  bool contains(int i, int j, int k) const {
    return i >= 0 && j >= 0 && k >= 0 && i < dims[0] && j < dims[1] && k < dims[2];
  }

  /// Continuous index -> patient LPS mm.
  Vec3 indexToPatient(const Vec3& ijk) const;
  /// Patient LPS mm -> continuous index (may lie outside the grid).
  Vec3 patientToIndex(const Vec3& lps) const;
  /// The 4x4 homogeneous index-to-patient matrix.
  Eigen::Matrix4d indexToPatientMatrix() const;

  /// Volume of one voxel in mm^3.
  double voxelVolumeMm3() const { return spacing.prod(); }

  /// True when spacing is positive, dims positive and the direction matrix is orthonormal.
  bool isValid(std::string* why = nullptr) const;
  /// True when the direction matrix is a signed permutation of the identity (an axial, coronal or
  /// sagittal grid, possibly flipped).
  bool isAxisAligned(double tolerance = 1e-6) const;

  /// Same dims, and origin/spacing within toleranceMm, direction within 1e-6.
  bool sameGrid(const ImageGeometry& other, double toleranceMm = 1e-3) const;

  /// One-line human-readable summary with units, e.g. "512x512x120 voxels, 0.98x0.98x3.00 mm".
  std::string describe() const;
};

} // namespace beamlet
