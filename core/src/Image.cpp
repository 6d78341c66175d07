#include "beamlet/core/Image.h"

#include <algorithm>
#include <limits>

namespace beamlet {

const char* voxelTypeName(VoxelType type) {
  switch (type) {
  case VoxelType::Int16:
    return "int16";
  case VoxelType::Float32:
    return "float32";
  case VoxelType::UInt8:
    return "uint8";
  }
  return "?";
}

VoxelType Image::voxelType() const {
  switch (voxels_.index()) {
  case 0:
    return VoxelType::Int16;
  case 1:
    return VoxelType::Float32;
  default:
    return VoxelType::UInt8;
  }
}

const ImageGeometry& Image::geometry() const {
  return std::visit([](const auto& v) -> const ImageGeometry& { return v.geometry(); }, voxels_);
}

double Image::valueAt(std::size_t n) const {
  return std::visit([n](const auto& v) { return static_cast<double>(v[n]); }, voxels_);
}

std::pair<double, double> Image::range() const {
  return std::visit(
      [](const auto& v) {
        if (v.empty()) {
          return std::pair<double, double>{0.0, 0.0};
        }
        const auto [lo, hi] = std::minmax_element(v.voxels().begin(), v.voxels().end());
        return std::pair<double, double>{static_cast<double>(*lo), static_cast<double>(*hi)};
      },
      voxels_);
}

VolumeF32 Image::toFloat() const {
  return std::visit(
      [](const auto& v) {
        VolumeF32 out(v.geometry());
        std::transform(v.voxels().begin(), v.voxels().end(), out.voxels().begin(),
                       [](auto x) { return static_cast<float>(x); });
        return out;
      },
      voxels_);
}

} // namespace beamlet
