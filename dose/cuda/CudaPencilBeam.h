#pragma once
// The SVD pencil beam (SvdPencilBeam.h) with its dose-influence matrix built on a CUDA device.
// Host-only header (no CUDA types), included by DoseEngine.cpp when the build has CUDA.
//
// Per beam, the host does what the CPU engine does (bixel SSDs, radiological depths, kernel
// tables: PencilBeamSetup.h); the device evaluates the matrix entries (PencilBeamKernels.cuh) and
// keeps the finished matrix. computeDij copies it back into a Dij, so both engines return the
// same type; the device copy stays available as a DeviceDij for the optimiser.

#include "beamlet/dose/DoseEngine.h"
#include "beamlet/dose/SvdPencilBeam.h"

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace beamlet::dose::cuda {

/// Whether a CUDA device usable by this build is present; `why` (if given) says why not.
bool deviceAvailable(std::string* why);

namespace gpu {
struct Csc;
}

/// A dose-influence matrix in GPU memory (CSC, float32 values, compact rows as in Dij), for the
/// optimiser's products. Thread-safe; the products run one at a time.
class DeviceDij {
public:
  explicit DeviceDij(std::shared_ptr<const gpu::Csc> csc);

  std::size_t rows() const;
  std::size_t columns() const;
  std::size_t nonZeros() const;
  /// Device bytes held by the matrix.
  std::size_t bytes() const;
  /// d = Dij w (length rows()), on the GPU with double accumulation.
  std::vector<double> multiply(const std::vector<double>& w) const;
  /// g = Dij^T d (length columns()), on the GPU with double accumulation.
  std::vector<double> multiplyTransposed(const std::vector<double>& d) const;
  /// Sets every column of `dij` (rows() x columns(), from the same problem) from the device and
  /// finalizes it.
  void copyTo(Dij& dij) const;

private:
  std::shared_ptr<const gpu::Csc> csc_;
};

class CudaPencilBeam : public DoseEngine {
public:
  /// Throws UnsupportedError when no usable device is present.
  explicit CudaPencilBeam(PhotonMachine machine);

  std::string name() const override { return "svd-pencil-beam"; }
  std::string device() const override { return "cuda"; }
  /// "CUDA device 0: <name> (compute capability x.y, n GiB)".
  std::string deviceDescription() const;

  /// Built on the GPU and copied back; the device copy is kept (lastDeviceDij()).
  Dij computeDij(const DoseProblem& problem, std::vector<Bixel> bixels, const DijOptions& options,
                 ProgressMonitor* progress = nullptr) const override;
  /// The matrix on the GPU only (fills in the bixels' ssdMm). options.precision is ignored: the
  /// device copy is float32.
  std::shared_ptr<DeviceDij> computeDeviceDij(const DoseProblem& problem,
                                              std::vector<Bixel>& bixels, const DijOptions& options,
                                              ProgressMonitor* progress = nullptr) const;
  /// The device copy of the matrix of the last computeDij (null before the first).
  std::shared_ptr<DeviceDij> lastDeviceDij() const;

  /// Computed by the CPU engine (a single table look-up per voxel and beam: not worth the
  /// transfers yet).
  VolumeF32 computeFluenceDose(const DoseProblem& problem, const std::vector<BeamFluence>& fluences,
                               ProgressMonitor* progress = nullptr) const override;
  double weightPerMu() const override { return cpu_.weightPerMu(); }
  /// The device copy of the last computeDij when `dij` is that matrix (same rows, columns and
  /// entries), else the CPU's products.
  std::unique_ptr<DoseMultiplier> multiplierFor(const Dij& dij) const override;

  /// The CPU engine with the same machine (host-side set-up, fluence dose).
  const SvdPencilBeam& cpuEngine() const { return cpu_; }

private:
  SvdPencilBeam cpu_;
  std::string description_;
  mutable std::mutex mutex_;
  mutable std::shared_ptr<DeviceDij> last_;
};

} // namespace beamlet::dose::cuda
