#pragma once
// A loaded medical image: a volume of one of the voxel types Beamlet supports plus what a physicist
// needs to read it correctly (modality, units, where it came from, what was done to it on loading).

#include "beamlet/core/Volume.h"

#include <string>
#include <variant>
#include <vector>

namespace beamlet {

enum class VoxelType { Int16, Float32, UInt8 };

const char* voxelTypeName(VoxelType type);

class Image {
public:
  using Voxels = std::variant<VolumeI16, VolumeF32, VolumeU8>;

  Image() = default;
  explicit Image(Voxels voxels) : voxels_(std::move(voxels)) {}

  VoxelType voxelType() const;
  const ImageGeometry& geometry() const;
  const Voxels& voxels() const { return voxels_; }
  Voxels& voxels() { return voxels_; }

  template <typename T> bool holds() const { return std::holds_alternative<Volume<T>>(voxels_); }
  template <typename T> const Volume<T>& as() const { return std::get<Volume<T>>(voxels_); }
  template <typename T> Volume<T>& as() { return std::get<Volume<T>>(voxels_); }

  /// Value of voxel n converted to double, whatever the voxel type.
  double valueAt(std::size_t n) const;
  /// Minimum and maximum voxel value.
  std::pair<double, double> range() const;
  /// A float copy (for algorithms that work in float).
  VolumeF32 toFloat() const;

  std::string modality; ///< "CT", "MR", "PT", ...
  std::string units;    ///< "HU" for CT, otherwise the rescale type or "stored value"
  std::string seriesInstanceUid;
  std::string frameOfReferenceUid;
  std::string description;           ///< series description
  std::vector<std::string> warnings; ///< what was done on loading that a user must know

private:
  Voxels voxels_;
};

} // namespace beamlet
