#pragma once
// Dose-volume histograms of contoured structures.
//
// Geometry model: between neighbouring contour planes (no farther apart than 1.5 slices) the
// cross-section is interpolated with cubic Hermite curves through the planes: each scanline
// crossing and the extent of the shape follow a Catmull-Rom-like curve over four planes, so a
// surface that curves across the slices (a sphere, a cylinder lying across them) is followed
// rather than cut into a staircase; where the planes disagree on the topology the nearer plane's
// shape is kept. The first and last planes (and isolated ones) extend by half-slice end caps (the
// convention of Nelms et al. 2015, Med Phys 42:4435, doi:10.1118/1.4923175). The slice thickness
// is the image's slice spacing when known, else the spacing of the contour planes. The slabs are
// sampled on a fine lattice (exact along each row, sampled across rows and through the slab), the
// dose is interpolated trilinearly at every sample, and the histogram has 20000 bins up to the
// grid's maximum dose. D-metrics interpolate inside their bin. Parts of a structure outside the
// dose grid are left out of the DVH (as Eclipse does) and reported in outsideDoseGridCc and a
// warning, never counted as zero dose.

#include "beamlet/core/Image.h"
#include "beamlet/core/Structure.h"

#include <string>
#include <vector>

namespace beamlet::dose {

/// How a structure ends beyond its first and last contour planes (over endCapSlices).
enum class EndCapShape {
  /// The end contour's shape throughout the cap (Nelms et al. 2015's analytic volumes).
  Flat,
  /// The cap closes onto the end contour's medial axis: each point of the end contour extends
  /// outward in proportion to its depth inside the outline (a cone over a disc, a wedge over a
  /// strip), as SlicerRT's closed-surface end capping does (Sunderland et al. 2015, Proc SPIE
  /// 9415, doi:10.1117/12.2081436); Eclipse's structure volumes agree with it.
  Pinched,
};

struct DvhOptions {
  /// Slab thickness in mm; 0 = the spacing of the structure's contour planes.
  double sliceThicknessMm = 0.0;
  /// Sample spacing in mm; 0 = chosen from the structure volume (about sampleBudget samples) and
  /// at most half the dose grid spacing.
  double sampleSpacingMm = 0.0;
  std::size_t sampleBudget = 1'000'000;
  /// End caps: how far, in slices, the structure extends beyond its first and last contour
  /// planes. 0.5 (half a slice, the Nelms convention) by default; 0 ends it at the outermost
  /// contours. Treatment planning systems differ here, which shows on small structures.
  double endCapSlices = 0.5;
  EndCapShape endCapShape = EndCapShape::Flat;
  /// Between neighbouring contour planes, interpolate the cross-section with cubic curves through
  /// the planes (following surfaces that curve across the slices); false: slabs of constant shape
  /// (half a slice either side of each plane).
  bool interpolateBetweenPlanes = true;
  int bins = 20000;
};

struct Dvh {
  std::string structure;
  double volumeCc = 0.0;          ///< the part of the structure inside the dose grid
  double outsideDoseGridCc = 0.0; ///< the part outside the dose grid: not in the DVH (a warning)
  double minGy = 0.0;
  double maxGy = 0.0;
  double meanGy = 0.0;
  double binWidthGy = 0.0;
  std::vector<double> differentialCc; ///< volume in [n w, (n+1) w) for bin n
  double sampleSpacingMm = 0.0;
  std::vector<std::string> warnings;

  /// Minimum dose received by the hottest `percent` % (D95% = doseAtVolumePercent(95)).
  double doseAtVolumePercent(double percent) const;
  /// Minimum dose received by the hottest `cc` cubic centimetres (D2cc, D0.03cc).
  double doseAtVolumeCc(double cc) const;
  /// Volume receiving at least `gy` (V20Gy), in cc and in % of the structure.
  double volumeAtDoseCc(double gy) const;
  double volumeAtDosePercent(double gy) const;
  /// Cumulative DVH: (dose Gy, volume cc receiving at least that dose) at every bin edge.
  std::vector<std::pair<double, double>> cumulative() const;
};

/// The DVH of a structure in a dose (Gy). Throws DataError when the structure has no contours.
Dvh computeDvh(const Structure& structure, const Image& dose, const DvhOptions& options = {});

/// A metric such as "D95%", "D2cc", "D0.03cc", "V20Gy", "V20Gy%", "Dmean", "Dmin", "Dmax",
/// "Volume". Returns the value and sets unit ("Gy", "cc", "%"). Throws InvalidArgumentError for a
/// metric it does not know.
double evaluateMetric(const Dvh& dvh, const std::string& metric, std::string* unit = nullptr);

} // namespace beamlet::dose
