#pragma once
// A dense 3-D array of voxels on an ImageGeometry. x (i) varies fastest, then y (j), then z (k),
// matching DICOM pixel data, ITK and VTK memory layouts so views into those libraries need no copy.

#include "beamlet/core/Error.h"
#include "beamlet/core/ImageGeometry.h"

#include <cstdint>
#include <vector>

namespace beamlet {

template <typename T> class Volume {
public:
  using value_type = T;

  Volume() = default;
  explicit Volume(const ImageGeometry& geometry, T fill = T{})
      : geometry_(geometry), voxels_(geometry.voxelCount(), fill) {}
  Volume(const ImageGeometry& geometry, std::vector<T> voxels)
      : geometry_(geometry), voxels_(std::move(voxels)) {
    if (voxels_.size() != geometry_.voxelCount()) {
      throw InvalidArgumentError("Volume: voxel count does not match the grid");
    }
  }

  const ImageGeometry& geometry() const { return geometry_; }
  /// Changes origin/spacing/direction (not dims) of an existing volume.
  void setGeometry(const ImageGeometry& g) {
    if (g.dims != geometry_.dims) {
      throw InvalidArgumentError("Volume::setGeometry: dims must not change");
    }
    geometry_ = g;
  }
  const Index3& dims() const { return geometry_.dims; }
  std::size_t size() const { return voxels_.size(); }
  bool empty() const { return voxels_.empty(); }

  T& operator()(int i, int j, int k) { return voxels_[geometry_.linearIndex(i, j, k)]; }
  const T& operator()(int i, int j, int k) const { return voxels_[geometry_.linearIndex(i, j, k)]; }
  T& operator[](std::size_t n) { return voxels_[n]; }
  const T& operator[](std::size_t n) const { return voxels_[n]; }

  T* data() { return voxels_.data(); }
  const T* data() const { return voxels_.data(); }
  std::vector<T>& voxels() { return voxels_; }
  const std::vector<T>& voxels() const { return voxels_; }

  /// Pointer to the first voxel of slice k (dims[0] * dims[1] voxels).
  T* slice(int k) { return voxels_.data() + geometry_.linearIndex(0, 0, k); }
  const T* slice(int k) const { return voxels_.data() + geometry_.linearIndex(0, 0, k); }

private:
  ImageGeometry geometry_;
  std::vector<T> voxels_;
};

using VolumeI16 = Volume<std::int16_t>;
using VolumeF32 = Volume<float>;
using VolumeU8 = Volume<std::uint8_t>;

/// A binary or label mask: 0 outside, non-zero inside; same grid conventions as any volume.
using Mask = Volume<std::uint8_t>;

} // namespace beamlet
