#include "VoxelReadout.h"

#include "beamlet/core/Image.h"

namespace beamlet::gui {

namespace {

QString unitsSuffix(const Image& image) {
  return image.units.empty() ? QString()
                             : QStringLiteral(" ") + QString::fromStdString(image.units);
}

QString formatNumber(double value) {
  // %g keeps small float values (SUV, ADC) readable without a fixed number of decimals.
  return QString::number(value, 'g', 6);
}

} // namespace

QString formatValue(const Image& image, double value) {
  const QString number = image.voxelType() == VoxelType::Float32
                             ? formatNumber(value)
                             : QString::number(static_cast<long long>(value));
  return number + unitsSuffix(image);
}

QString formatVoxelReadout(const Image& image, int i, int j, int k) {
  const ImageGeometry& geometry = image.geometry();
  if (!geometry.contains(i, j, k)) {
    return {};
  }
  const Vec3 p = geometry.indexToPatient(Vec3(i, j, k));
  const double value = image.valueAt(geometry.linearIndex(i, j, k));
  return QStringLiteral("voxel (%1, %2, %3)   %4 %5 %6 mm (LPS)   %7")
      .arg(i)
      .arg(j)
      .arg(k)
      .arg(p.x(), 0, 'f', 1)
      .arg(p.y(), 0, 'f', 1)
      .arg(p.z(), 0, 'f', 1)
      .arg(formatValue(image, value));
}

double slicePositionMm(const Image& image, int k) {
  const ImageGeometry& geometry = image.geometry();
  // The slice normal is i x j, not the k column: for a gantry-tilted or flipped grid they differ,
  // and the normal is what DICOM's slice location measures along.
  const Vec3 normal = geometry.direction.col(0).cross(geometry.direction.col(1)).normalized();
  return normal.dot(geometry.indexToPatient(Vec3(0, 0, k)));
}

QString formatViewInfo(const Image& image, int k, const WindowLevel& windowLevel) {
  const QString units = unitsSuffix(image);
  return QStringLiteral("W %1%2  L %3%4   slice %5/%6 at %7 mm")
      .arg(formatNumber(windowLevel.width), units, formatNumber(windowLevel.level), units)
      .arg(k)
      .arg(image.geometry().dims[2] - 1)
      .arg(slicePositionMm(image, k), 0, 'f', 1);
}

} // namespace beamlet::gui
