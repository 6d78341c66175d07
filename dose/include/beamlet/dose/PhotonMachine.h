#pragma once
// A photon treatment machine as the SVD pencil-beam model sees it (Bortfeld, Schlegel & Rhein
// 1993, Med Phys 20:311, doi:10.1118/1.597070): the primary attenuation m, three lateral kernels
// K_k(r) with their depth constants beta_k, tabulated per source-to-surface distance, the source
// penumbra, SAD, and the MU calibration. File format: docs/machines.md.

#include <array>
#include <string>
#include <vector>

namespace beamlet::dose {

struct PhotonMachine {
  std::string name;   ///< e.g. "Generic 6 MV"
  std::string source; ///< where the data came from
  std::string folder; ///< the folder the machine was loaded from
  double energyMV = 6.0;
  double sadMm = 1000.0;                ///< source-axis distance
  double scdMm = 500.0;                 ///< source-collimator distance
  double primaryAttenuationPerMm = 0.0; ///< m
  std::array<double, 3> betasPerMm{};   ///< beta_k
  double penumbraFwhmAtIsoMm = 0.0;     ///< source size, FWHM of a Gaussian at the isocentre
  double kernelSsdFirstMm = 0.0;
  double kernelSsdStepMm = 1.0;
  int kernelSsdCount = 0;
  double kernelRadiusStepMm = 0.5; ///< radii 0, step, 2 step, ...
  int kernelRadiusCount = 0;
  /// Kernel values are dose per unit fluence per square convolution cell of this size (mm).
  double kernelCellMm = 0.5;
  /// [ssd][kernel][radius]
  std::vector<float> kernels;

  /// Reference conditions of the MU calibration: a square field of calibrationFieldMm at
  /// calibrationSsdMm gives calibrationGyPerMu at calibrationDepthMm in water.
  double calibrationFieldMm = 100.0;
  double calibrationSsdMm = 1000.0;
  double calibrationDepthMm = 15.0;
  double calibrationGyPerMu = 0.01;

  /// Kernel k (0..2) tabulated at SSD row `ssdIndex`: kernelRadiusCount values.
  const float* kernel(int ssdIndex, int k) const {
    return kernels.data() + (static_cast<std::size_t>(ssdIndex) * 3 + static_cast<std::size_t>(k)) *
                                static_cast<std::size_t>(kernelRadiusCount);
  }
  double kernelSsdMm(int ssdIndex) const { return kernelSsdFirstMm + ssdIndex * kernelSsdStepMm; }
};

/// Loads machine.json and its kernel table; throws DataError naming the file on any problem.
PhotonMachine loadPhotonMachine(const std::string& machineJsonPath);

/// The machine shipped as resources/machines/<id>/machine.json (e.g. "generic-6mv").
PhotonMachine loadShippedMachine(const std::string& id = "generic-6mv");

} // namespace beamlet::dose
