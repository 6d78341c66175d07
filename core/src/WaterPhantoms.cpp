// The planning phantoms of Phantom.h: water boxes in air with analytic structures.

#include "beamlet/core/Phantom.h"

#include <algorithm>
#include <cmath>

namespace beamlet {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr std::int16_t kAirHu = -1000;
constexpr std::int16_t kWaterHu = 0;
/// Largest distance (mm) between an arc and the chords that approximate it.
constexpr double kChordErrorMm = 0.01;

// An axial grid whose voxels tile the box [lo, hi] exactly (extents are multiples of spacing).
ImageGeometry gridCovering(const Vec3& lo, const Vec3& hi, const Vec3& spacing) {
  Index3 dims{};
  for (int a = 0; a < 3; ++a) {
    dims[a] = static_cast<int>(std::lround((hi[a] - lo[a]) / spacing[a]));
  }
  return ImageGeometry(dims, lo + 0.5 * spacing, spacing);
}

// Water inside the box [lo, hi], air elsewhere (decided at voxel centres).
Image waterBoxCt(const ImageGeometry& grid, const Vec3& lo, const Vec3& hi,
                 const std::string& description) {
  VolumeI16 ct(grid, kAirHu);
  for (int k = 0; k < grid.dims[2]; ++k) {
    for (int j = 0; j < grid.dims[1]; ++j) {
      for (int i = 0; i < grid.dims[0]; ++i) {
        const Vec3 p = grid.indexToPatient(Vec3(i, j, k));
        if ((p.array() > lo.array()).all() && (p.array() < hi.array()).all()) {
          ct(i, j, k) = kWaterHu;
        }
      }
    }
  }
  Image image{std::move(ct)};
  image.modality = "CT";
  image.units = "HU";
  image.description = description;
  return image;
}

// z of the slice centres strictly inside (zMin, zMax).
std::vector<double> slicesWithin(const ImageGeometry& grid, double zMin, double zMax) {
  std::vector<double> zs;
  for (int k = 0; k < grid.dims[2]; ++k) {
    const double z = grid.indexToPatient(Vec3(0, 0, k)).z();
    if (z > zMin && z < zMax) {
      zs.push_back(z);
    }
  }
  return zs;
}

Structure makeStructure(int roiNumber, const std::string& name, const std::string& type,
                        std::array<std::uint8_t, 3> color) {
  Structure s;
  s.roiNumber = roiNumber;
  s.name = name;
  s.type = type;
  s.color = color;
  return s;
}

// Counter-clockwise rectangle [x0, x1] x [y0, y1] in the plane z.
Contour rectangle(double x0, double x1, double y0, double y1, double z) {
  Contour c;
  c.points = {Vec3(x0, y0, z), Vec3(x1, y0, z), Vec3(x1, y1, z), Vec3(x0, y1, z)};
  return c;
}

// Number of chords for an arc of `angle` radians and radius r within the chord error.
int chordsFor(double r, double angle) {
  const double maxStep = 2.0 * std::acos(1.0 - kChordErrorMm / r);
  return std::max(1, static_cast<int>(std::ceil(std::abs(angle) / maxStep)));
}

// Appends the points of the arc of radius r around the z axis from angle a0 to a1 (radians, either
// direction), both ends included. Angle 0 is +x, pi/2 is +y (posterior).
void appendArc(std::vector<Vec3>& points, double r, double a0, double a1, double z) {
  const int n = chordsFor(r, a1 - a0);
  for (int m = 0; m <= n; ++m) {
    const double a = a0 + (a1 - a0) * m / n;
    points.emplace_back(r * std::cos(a), r * std::sin(a), z);
  }
}

Contour circle(double r, double z) {
  Contour c;
  const int n = chordsFor(r, 2.0 * kPi);
  for (int m = 0; m < n; ++m) {
    const double a = 2.0 * kPi * m / n;
    c.points.emplace_back(r * std::cos(a), r * std::sin(a), z);
  }
  return c;
}

// The annulus rInner..rOuter with everything at y > cutY removed (cutY < rInner): one C-shaped
// polygon. Each arc keeps the angles whose sine is at most cutY / r, i.e. from pi - asin(cutY / r)
// through 3 pi / 2 (anterior) to 2 pi + asin(cutY / r); both arcs end exactly on y = cutY.
Contour openAnnulus(double rInner, double rOuter, double cutY, double z) {
  Contour c;
  const double outer = std::asin(cutY / rOuter);
  const double inner = std::asin(cutY / rInner);
  appendArc(c.points, rOuter, kPi - outer, 2.0 * kPi + outer, z);
  appendArc(c.points, rInner, 2.0 * kPi + inner, kPi - inner, z);
  // Pin the cut ends onto y = cutY (sin(asin(t)) may differ in the last bit).
  for (Vec3& p : c.points) {
    if (std::abs(p.y() - cutY) < 1e-9) {
      p.y() = cutY;
    }
  }
  return c;
}

} // namespace

PhantomCase makeWaterPhantom() {
  const Vec3 boxLo(-200.0, -200.0, -200.0);
  const Vec3 boxHi(200.0, 200.0, 200.0);
  const ImageGeometry grid =
      gridCovering(Vec3(-220.0, -220.0, -200.0), Vec3(220.0, 220.0, 200.0), Vec3(2.0, 2.0, 2.0));
  PhantomCase c;
  c.description = "Water box 400 x 400 x 400 mm (0 HU) in air (-1000 HU), 2 mm voxels";
  c.ct = waterBoxCt(grid, boxLo, boxHi, "Beamlet water phantom 400 mm");
  c.structures.label = "Water phantom";
  Structure external = makeStructure(1, "External", "EXTERNAL", {0, 200, 0});
  for (double z : slicesWithin(grid, boxLo.z(), boxHi.z())) {
    external.contours.push_back(rectangle(boxLo.x(), boxHi.x(), boxLo.y(), boxHi.y(), z));
  }
  c.structures.structures.push_back(std::move(external));
  return c;
}

PhantomCase makeTg119Phantom() {
  const Vec3 boxLo(-150.0, -76.5, -157.5);
  const Vec3 boxHi(150.0, 76.5, 157.5);
  const ImageGeometry grid =
      gridCovering(Vec3(-165.0, -91.5, -157.5), Vec3(165.0, 91.5, 157.5), Vec3(3.0, 3.0, 2.5));
  PhantomCase c;
  c.description = "AAPM TG-119 C-shape: water box 300 x 153 x 315 mm (LR x AP x SI) in air, "
                  "PTV_C (radii 15-37 mm, 80 mm long, open posteriorly) around Core (radius "
                  "10 mm, 100 mm long)";
  c.ct = waterBoxCt(grid, boxLo, boxHi, "Beamlet TG-119 C-shape phantom");
  c.structures.label = "TG-119 C-shape";

  Structure external = makeStructure(1, "External", "EXTERNAL", {0, 200, 0});
  for (double z : slicesWithin(grid, boxLo.z(), boxHi.z())) {
    external.contours.push_back(rectangle(boxLo.x(), boxHi.x(), boxLo.y(), boxHi.y(), z));
  }
  Structure ptv = makeStructure(2, "PTV_C", "PTV", {255, 0, 0});
  for (double z : slicesWithin(grid, -40.0, 40.0)) {
    ptv.contours.push_back(openAnnulus(15.0, 37.0, 7.0, z));
  }
  Structure core = makeStructure(3, "Core", "AVOIDANCE", {0, 128, 255});
  for (double z : slicesWithin(grid, -50.0, 50.0)) {
    core.contours.push_back(circle(10.0, z));
  }
  c.structures.structures = {std::move(external), std::move(ptv), std::move(core)};
  return c;
}

} // namespace beamlet
