#pragma once
// The photon pencil-beam engine with SVD-decomposed kernels (Bortfeld, Schlegel & Rhein 1993,
// Med Phys 20:311, doi:10.1118/1.597070), engine name "svd-pencil-beam". The dose of bixel j in
// voxel i is
//
//   D_ij = (SAD / r)^2 * sum_k beta_k / (beta_k - m) * (exp(-m z) - exp(-beta_k z)) * C_k(x, y)
//
// with z the radiological depth of the voxel along the ray from the source (RadiologicalDepth.h),
// r its distance from the source, and C_k the bixel's fluence blurred by the source penumbra and
// convolved with kernel k of the machine (tabulated for the bixel's SSD; LateralKernels.h),
// evaluated at the voxel's offset from the bixel centre projected onto the isocentre plane, out
// to the lateral cut-off. The depth factors and (SAD / r)^2 depend on the voxel and the beam
// only, so they are computed once per beam; each matrix entry is then three table look-ups.
//
// Kernel tables are chosen per bixel by its SSD (the distance to the first voxel denser than
// 0.05 along its central ray), rounded to 10 mm: kernels change by less than 0.01% per 10 mm of
// SSD in the generic machine.

#include "beamlet/dose/DoseEngine.h"
#include "beamlet/dose/PhotonMachine.h"

#include <array>

namespace beamlet::dose {

/// beta_k / (beta_k - m) * (exp(-m z) - exp(-beta_k z)) for k = 0..2, computed without the
/// cancellation of the difference when beta_k is close to m.
std::array<double, 3> depthFactors(const PhotonMachine& machine, double radiologicalDepthMm);

class SvdPencilBeam : public DoseEngine {
public:
  explicit SvdPencilBeam(PhotonMachine machine);

  std::string name() const override { return "svd-pencil-beam"; }
  std::string device() const override { return "cpu"; }
  Dij computeDij(const DoseProblem& problem, std::vector<Bixel> bixels, const DijOptions& options,
                 ProgressMonitor* progress = nullptr) const override;
  VolumeF32 computeFluenceDose(const DoseProblem& problem, const std::vector<BeamFluence>& fluences,
                               ProgressMonitor* progress = nullptr) const override;
  double weightPerMu() const override { return weightPerMu_; }

  const PhotonMachine& machine() const { return machine_; }
  /// The SSD (mm) at which kernels are looked up for a surface at `ssdMm` (10 mm nodes).
  double kernelSsdNode(double ssdMm) const;

  /// Dose per unit weight of a square open field `fieldMm` wide at `ssdMm`, on the central axis
  /// at `depthMm` in water (the calibration condition; also a check against matRad's machine).
  double openFieldDoseInWater(double fieldMm, double ssdMm, double depthMm) const;

private:
  PhotonMachine machine_;
  double weightPerMu_ = 1.0;
};

} // namespace beamlet::dose
