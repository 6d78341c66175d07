#pragma once
// Dose engines, chosen by name (matRad style) so that others can follow the SVD pencil beam.
// An engine computes, for a patient model (relative electron density) and a set of beams,
// either the dose-influence matrix of their bixels or the dose of given fluences.

#include "beamlet/core/Progress.h"
#include "beamlet/core/Volume.h"
#include "beamlet/dose/BeamGeometry.h"
#include "beamlet/dose/Dij.h"
#include "beamlet/dose/LateralKernels.h"

#include <memory>
#include <string>
#include <vector>

namespace beamlet::dose {

struct BeamSetup {
  std::string name;
  BeamAngles angles;
  Vec3 isocenter = Vec3::Zero(); ///< LPS mm
};

/// What every engine needs: the patient and where dose is wanted.
struct DoseProblem {
  VolumeF32 density;                 ///< relative electron density on the image grid
  ImageGeometry doseGrid;            ///< where dose is computed
  std::vector<std::uint32_t> voxels; ///< dose-grid voxels computed (linear indices, ascending)
  std::vector<BeamSetup> beams;
  PatientPosition position = PatientPosition::HFS;
};

/// A beam's fluence (any unit: MU, or unit weight) on the machine's kernel cell grid, in the
/// beam's X_b, Y_b coordinates at the isocentre plane.
struct BeamFluence {
  int beam = 0;
  FluenceGrid fluence;
};

struct DijOptions {
  /// Bixel dose is computed out to this distance (mm, isocentre plane) beyond the bixel's edge
  /// (matRad's geometric lateral cut-off, 50 mm).
  double lateralCutoffMm = 50.0;
  DijPrecision precision = DijPrecision::Float32;
  /// Entries below this fraction of their bixel's maximum are sampled (0 = keep all): each
  /// survives with probability value / threshold and then counts as the threshold, so the
  /// expected dose is unchanged and the matrix much smaller (the idea of matRad's dij sampling).
  /// The planner uses it to speed up optimisation; the final dose is recomputed from the
  /// segments in full. The CUDA path keeps all entries.
  double relativeThreshold = 0.0;
  /// Refuse (DataError) when the matrix would exceed this many bytes; 0 = no limit.
  std::size_t memoryLimitBytes = 0;
};

enum class Device { Auto, Cpu, Cuda };
Device parseDevice(const std::string& name); ///< "auto", "cpu", "cuda"
const char* deviceName(Device device);

class DoseMultiplier; // FluenceOptimizer.h

class DoseEngine {
public:
  virtual ~DoseEngine() = default;
  virtual std::string name() const = 0;
  /// The device this engine instance computes on ("cpu" or "cuda").
  virtual std::string device() const = 0;

  /// The dose-influence matrix of `bixels` (their ssdMm is filled in).
  virtual Dij computeDij(const DoseProblem& problem, std::vector<Bixel> bixels,
                         const DijOptions& options, ProgressMonitor* progress = nullptr) const = 0;

  /// Dose on the problem's voxels (the rest of the grid 0) from the fluences, Gy per unit of
  /// fluence weight.
  virtual VolumeF32 computeFluenceDose(const DoseProblem& problem,
                                       const std::vector<BeamFluence>& fluences,
                                       ProgressMonitor* progress = nullptr) const = 0;

  /// Fluence weight per MU (from the machine's calibration conditions).
  virtual double weightPerMu() const = 0;
  /// The optimiser's products (Dij w, Dij^T g) for `dij`, which this engine computed, where its
  /// matrix lives: a GPU engine keeps a device copy of its last matrix and multiplies there; the
  /// default multiplies `dij` on all CPU cores. Keeps a reference to `dij`.
  virtual std::unique_ptr<DoseMultiplier> multiplierFor(const Dij& dij) const;
};

/// Limits the worker threads of the dose library (0 = all cores), for --threads.
void limitThreads(int threads);

/// Names of the engines built in ("svd-pencil-beam").
std::vector<std::string> availableEngines();

/// Whether a CUDA device is usable by this build (false when built without CUDA).
bool cudaAvailable(std::string* why = nullptr);

/// The engine `name` for the machine at `machineJson` (empty = the shipped generic 6 MV), on the
/// requested device: Auto picks CUDA when a device is present, else the CPU; Cuda without a device
/// throws UnsupportedError. Logs which device is used.
std::unique_ptr<DoseEngine> makeDoseEngine(const std::string& name, Device device = Device::Auto,
                                           const std::string& machineJson = "");

} // namespace beamlet::dose
