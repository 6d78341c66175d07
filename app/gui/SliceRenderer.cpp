#include "SliceRenderer.h"

#include "beamlet/core/Image.h"

#include <variant>

namespace beamlet::gui {

QImage renderAxialSlice(const Image& image, int k, const WindowLevel& windowLevel) {
  const ImageGeometry& geometry = image.geometry();
  const Index3& dims = geometry.dims;
  if (k < 0 || k >= dims[2] || dims[0] <= 0 || dims[1] <= 0) {
    return {};
  }
  QImage out(dims[0], dims[1], QImage::Format_Grayscale8);
  std::visit(
      [&](const auto& volume) {
        const auto* voxels = volume.slice(k);
        for (int j = 0; j < dims[1]; ++j) {
          // QImage rows are padded to 32 bits, so write row by row through scanLine.
          uchar* row = out.scanLine(j);
          const auto* in = voxels + static_cast<std::size_t>(j) * static_cast<std::size_t>(dims[0]);
          for (int i = 0; i < dims[0]; ++i) {
            row[i] = windowLevel.grey(static_cast<double>(in[i]));
          }
        }
      },
      image.voxels());
  return out;
}

} // namespace beamlet::gui
