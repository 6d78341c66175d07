#pragma once
// Inverse planning from a protocol, the whole dataflow after the structures:
// plan (beams from the protocol) -> beamlets -> dij -> fluence (optimised) -> segments (leaf
// sequencing) -> dose (recomputed from the segments) -> evaluation (clinical goals).

#include "beamlet/core/Image.h"
#include "beamlet/core/Plan.h"
#include "beamlet/core/Progress.h"
#include "beamlet/dose/ClinicalGoals.h"
#include "beamlet/dose/DoseEngine.h"
#include "beamlet/dose/ElectronDensity.h"
#include "beamlet/dose/FluenceOptimizer.h"
#include "beamlet/dose/LeafSequencer.h"
#include "beamlet/dose/Protocol.h"
#include "beamlet/dose/VoxelSampling.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace beamlet::dose {

/// The optimiser settings the planner starts from: OptimizerOptions with a relative tolerance of
/// 1e-3. On the planner's Dij, whose small entries are sampled (dijThreshold), iterating further
/// fits that sampling's noise: the objective on the exact dose is lowest about there and rises as
/// the optimiser converges tighter (docs/optimization.md, "Stopping criteria"). matRad stops at
/// the same relative change (IPOPT's acceptable_obj_change_tol = 1e-3).
inline OptimizerOptions plannerOptimizerOptions() {
  OptimizerOptions options;
  options.relativeTolerance = 1e-3;
  return options;
}

struct PlanningOptions {
  Device device = Device::Auto;
  std::string machineJson; ///< empty: the shipped generic 6 MV
  OptimizerOptions optimizer = plannerOptimizerOptions();
  SequencingOptions sequencing;
  MlcModel mlc = millennium120();
  std::vector<DensityOverride> overrides;
  double bixelMarginMm = 5.0;
  /// Dij entries below this fraction of their bixel's maximum are left out of the optimisation
  /// (the final dose is recomputed from the segments in full).
  double dijThreshold = 0.01;
  /// Bixel dose is computed out to this distance beyond the bixel (DijOptions::lateralCutoffMm).
  double dijLateralCutoffMm = 50.0;
  /// Rounds of dose correction (makePlan): the deliverable dose's difference from Dij w added as
  /// an offset and the optimisation continued; 0 = none.
  int doseCorrectionRounds = 0;
  /// The optimisation's Dij rows: normal tissue far from the targets only on a lattice
  /// (VoxelSampling.h); stride 1 keeps every voxel.
  VoxelSamplingOptions voxelSampling;
};

struct PlanningResult {
  Plan plan;                     ///< step-and-shoot beams, MU per fraction
  Image dose;                    ///< whole course, Gy, recomputed from the segments
  std::vector<GoalResult> goals; ///< evaluated on `dose`
  OptimizerResult optimizer;
  std::vector<SequencedBeam> sequenced;
  /// MU (and dose) were scaled by this so that the prescribed target's D95% is 100.5% of the
  /// prescription.
  double normalisation = 1.0;
  std::size_t bixels = 0;
  std::size_t dijNonZeros = 0;
  std::size_t dijBytes = 0;
  /// Ideal (optimised fluence, Dij w) against deliverable (segments) dose in the prescribed
  /// target: mean and maximum absolute difference, Gy.
  double idealVsDeliverableMeanGy = 0.0;
  double idealVsDeliverableMaxGy = 0.0;
  std::string device;
  std::vector<std::pair<std::string, double>> secondsPerStage;
  std::vector<std::string> notes;
};

/// The planner's stages up to the Dij, for the planner and for whoever times or tests a stage on
/// its own (tests/bench): structures -> patient model, plan -> beamlets.
struct PlanningSetup {
  DoseProblem problem;                 ///< the protocol's beams; voxels: all computed voxels
  std::vector<StructureMatch> matches; ///< protocol order
  std::vector<Mask> masks;             ///< per match, on the dose grid (all 0 when missing)
  Mask targets;                        ///< union of the targets' masks
  std::size_t prescribed = 0;          ///< the prescribed structure's index in matches
  std::vector<Bixel> bixels;
  std::vector<std::string> notes;
};

/// Patient model, structure masks, beams at the prescribed structure's centroid and their bixels.
/// Throws DataError when a required target or the prescribed structure is missing.
PlanningSetup preparePlanning(const Image& image, const StructureSet& structures,
                              const Protocol& protocol, const PlanningOptions& options = {});

/// The voxels the optimisation sees (the Dij's rows) and, per structure, the rows its objectives
/// apply to (the overlap priority rule, docs/protocols.md).
struct OptimizationVoxels {
  std::vector<std::uint32_t> voxels; ///< dose-grid indices, ascending: the Dij's rows
  /// Per match: the structure's rows kept in full, and those kept on the sampling lattice.
  std::vector<std::vector<std::uint32_t>> fullRows;
  std::vector<std::vector<std::uint32_t>> sampledRows;
  /// Per match: the structure's voxels, all of them, in the full problem (kept or not).
  std::vector<std::size_t> structureVoxels;
  /// Per match: the structure's voxels in the sampled region (what sampledRows stand for).
  std::vector<std::size_t> sampledRegionVoxels;
};

/// Selects the optimisation's voxels (docs/optimization.md): every voxel of targets and organs at
/// risk and within sampling.targetMarginMm of a target; the others (normal tissue, whose
/// structures have only voxel-sum objectives: squared over/underdose or deviation, no constraint)
/// on the lattice of sampling.stride.
OptimizationVoxels selectOptimizationVoxels(const PlanningSetup& setup, const Protocol& protocol,
                                            const VoxelSamplingOptions& sampling);

/// The Dij of the setup's bixels on the selected voxels.
Dij computeOptimizationDij(const DoseEngine& engine, const PlanningSetup& setup,
                           const OptimizationVoxels& voxels, const PlanningOptions& options,
                           ProgressMonitor* progress = nullptr);

/// The protocol's objectives and constraints on the selected rows. A structure with sampled rows
/// gets each objective twice, on the full and on the sampled rows, weighted by the share of the
/// structure's voxels each part stands for, so that the sum estimates the objective on all of its
/// voxels (each sampled voxel counts for about stride^3).
struct FluenceGoals {
  std::vector<std::unique_ptr<Objective>> objectives;
  std::vector<std::unique_ptr<Constraint>> constraints;
};
FluenceGoals makeFluenceGoals(const PlanningSetup& setup, const Protocol& protocol,
                              const OptimizationVoxels& voxels);

/// Plans `protocol` on the image and its structures. Throws DataError when a required target is
/// missing or the structures do not fit the image; CancelledError when cancelled.
PlanningResult makePlan(const Image& image, const StructureSet& structures,
                        const Protocol& protocol, const PlanningOptions& options = {},
                        ProgressMonitor* progress = nullptr);

} // namespace beamlet::dose
