#pragma once
// Dose comparison by the gamma index (Low et al. 1998, Med Phys 25:656, doi:10.1118/1.598248),
// with the interpolated search of Wendling et al. 2007 (Med Phys 34:1647, doi:10.1118/1.2721657).
//
// For each reference point r with dose Dr, gamma is
//     gamma(r) = min over e of sqrt( |e - r|^2 / DTA^2 + (De(e) - Dr)^2 / dD^2 )
// where De is the evaluated dose and dD the dose-difference criterion in Gy: dd% of the
// normalisation dose (global: the reference maximum unless given) or dd% of Dr (local).
//
// Conventions (also in docs/gamma.md):
// - The result lives on the REFERENCE grid. EVAL is first resampled (trilinear, in patient LPS
//   coordinates) onto the reference grid extended by the search radius, so EVAL may have another
//   origin, spacing, size or orientation; when the grids coincide this step is an exact copy.
// - The search (Wendling 2007) interpolates the resampled EVAL trilinearly on a fine grid around
//   each reference point: step DTA/10 or finer (each axis' step divides the voxel spacing, so the
//   voxel centres are searched too), within a sphere of radius DTA * maxGamma. Between two fine
//   points along an axis the trilinear dose is linear, so along every fine grid line the minimum
//   is found in closed form rather than at the fine points only: never larger than the sampled
//   search, and exact at isodose crossings in gradients too steep for the step. Candidates are
//   visited in order of distance and the search stops as soon as the distance term alone reaches
//   the best gamma found, so gamma values above maxGamma are capped at maxGamma.
// - 2-D: an axis of the reference with one voxel (a single plane: dims[2] == 1) is not searched;
//   the search is in-plane only.
// - Evaluated points: reference dose >= cutoff% of the reference maximum (local gamma also needs
//   Dr > 0), and the reference voxel centre inside EVAL (within the box of EVAL's voxel centres;
//   a single-voxel EVAL axis counts half a voxel either side). Points outside EVAL are not
//   evaluated, not counted in the pass rate, and reported in pointsOutsideEval; search candidates
//   outside EVAL are skipped (no extrapolation).
// - Pass rate = 100 * (points with gamma <= 1) / (points evaluated).

#include "beamlet/core/Image.h"
#include "beamlet/core/Progress.h"
#include "beamlet/core/Volume.h"

#include <cstddef>
#include <string>

namespace beamlet::dose {

/// Gamma volume value of a reference voxel below the cut-off (or with zero dose in local mode).
constexpr float kGammaBelowCutoff = -1.0f;
/// Gamma volume value of a reference voxel whose centre lies outside the EVAL grid.
constexpr float kGammaOutsideEval = -2.0f;

struct GammaSettings {
  double doseDifferencePercent = 3.0; ///< dd, % (of the normalisation dose, or local dose)
  double dtaMm = 2.0;                 ///< distance to agreement, mm
  double cutoffPercent = 10.0;        ///< reference points below this % of the reference max skip
  bool local = false;                 ///< dd% of the local reference dose instead of global
  double maxGamma = 2.0;              ///< search radius DTA * maxGamma; gamma capped here (>= 1)
  double normalisationDoseGy = 0.0;   ///< global normalisation dose; 0 = reference maximum
  double searchStepMm = 0.0;          ///< fine-search step; 0 = DTA / 10 (coarser is refused)
  unsigned threads = 0;               ///< worker threads; 0 = defaultThreadCount()

  /// Throws InvalidArgumentError naming the first bad setting.
  void validate() const;
  /// One line, e.g. "3%/2 mm global, cut-off 10% of reference max, max gamma 2".
  std::string describe() const;
};

struct GammaResult {
  double passRatePercent = 0.0; ///< 100 * pointsPassed / pointsEvaluated (gamma <= 1 passes)
  double meanGamma = 0.0;       ///< over evaluated points (capped values)
  double maxGamma = 0.0;        ///< over evaluated points (<= settings.maxGamma)
  std::size_t pointsEvaluated = 0;
  std::size_t pointsPassed = 0;
  std::size_t pointsBelowCutoff = 0; ///< reference voxels skipped by the cut-off
  std::size_t pointsOutsideEval = 0; ///< reference voxels at or above the cut-off outside EVAL

  double referenceMaxGy = 0.0;      ///< maximum of the reference dose
  double normalisationDoseGy = 0.0; ///< global dD = dd% of this (reference max unless given)
  double cutoffDoseGy = 0.0;        ///< reference doses below this were not evaluated
  Vec3 searchStepMm = Vec3::Zero(); ///< fine-search step actually used along i, j, k (0: no search)
  std::size_t searchSegments = 0;   ///< grid-line segments searched around each point (at most)
  bool twoD = false;                ///< some reference axis has a single voxel (not searched)

  /// Gamma on the reference grid: >= 0 where evaluated (capped at maxGamma), kGammaBelowCutoff
  /// or kGammaOutsideEval where not.
  VolumeF32 gamma;
};

/// Gamma of `evaluated` against `reference` (float Gy). Uses all cores; reports progress to and
/// polls cancellation from `monitor` (CancelledError). Throws InvalidArgumentError for bad
/// settings, GeometryError for an invalid grid, DataError for a reference without positive dose.
GammaResult computeGamma(const VolumeF32& reference, const VolumeF32& evaluated,
                         const GammaSettings& settings, ProgressMonitor* monitor = nullptr);

/// Same, for images of any voxel type (converted to float).
GammaResult computeGamma(const Image& reference, const Image& evaluated,
                         const GammaSettings& settings, ProgressMonitor* monitor = nullptr);

} // namespace beamlet::dose
