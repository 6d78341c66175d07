#include "beamlet/core/ImageGeometry.h"

#include <Eigen/LU>

#include <cmath>
#include <cstdio>

namespace beamlet {

ImageGeometry::ImageGeometry(Index3 dims_, Vec3 origin_, Vec3 spacing_, Mat3 direction_)
    : dims(dims_), origin(std::move(origin_)), spacing(std::move(spacing_)),
      direction(std::move(direction_)) {}

Vec3 ImageGeometry::indexToPatient(const Vec3& ijk) const {
  return origin + direction * spacing.cwiseProduct(ijk);
}

Vec3 ImageGeometry::patientToIndex(const Vec3& lps) const {
  // The direction is orthonormal for every valid grid, so its inverse is its transpose.
  return (direction.transpose() * (lps - origin)).cwiseQuotient(spacing);
}

Eigen::Matrix4d ImageGeometry::indexToPatientMatrix() const {
  Eigen::Matrix4d m = Eigen::Matrix4d::Identity();
  m.topLeftCorner<3, 3>() = direction * spacing.asDiagonal();
  m.topRightCorner<3, 1>() = origin;
  return m;
}

bool ImageGeometry::isValid(std::string* why) const {
  auto fail = [&](const char* reason) {
    if (why != nullptr) {
      *why = reason;
    }
    return false;
  };
  if (dims[0] <= 0 || dims[1] <= 0 || dims[2] <= 0) {
    return fail("grid has a zero or negative dimension");
  }
  if (!(spacing.array() > 0.0).all() || !spacing.allFinite()) {
    return fail("voxel spacing must be positive and finite");
  }
  if (!origin.allFinite()) {
    return fail("origin is not finite");
  }
  if (!(direction.transpose() * direction).isApprox(Mat3::Identity(), 1e-4)) {
    return fail("direction cosines are not orthonormal");
  }
  return true;
}

bool ImageGeometry::isAxisAligned(double tolerance) const {
  for (int c = 0; c < 3; ++c) {
    int ones = 0;
    for (int r = 0; r < 3; ++r) {
      const double a = std::abs(direction(r, c));
      if (std::abs(a - 1.0) <= tolerance) {
        ++ones;
      } else if (a > tolerance) {
        return false;
      }
    }
    if (ones != 1) {
      return false;
    }
  }
  return true;
}

bool ImageGeometry::sameGrid(const ImageGeometry& other, double toleranceMm) const {
  return dims == other.dims && (origin - other.origin).cwiseAbs().maxCoeff() <= toleranceMm &&
         (spacing - other.spacing).cwiseAbs().maxCoeff() <= toleranceMm &&
         (direction - other.direction).cwiseAbs().maxCoeff() <= 1e-6;
}

std::string ImageGeometry::describe() const {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%dx%dx%d voxels, %.3gx%.3gx%.3g mm", dims[0], dims[1], dims[2],
                spacing[0], spacing[1], spacing[2]);
  return buf;
}

} // namespace beamlet
