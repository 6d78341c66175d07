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

#include <string>
#include <utility>
#include <vector>

namespace beamlet::dose {

struct PlanningOptions {
  Device device = Device::Auto;
  std::string machineJson; ///< empty: the shipped generic 6 MV
  OptimizerOptions optimizer;
  SequencingOptions sequencing;
  MlcModel mlc = millennium120();
  std::vector<DensityOverride> overrides;
  double bixelMarginMm = 5.0;
  /// Dij entries below this fraction of their bixel's maximum are left out of the optimisation
  /// (the final dose is recomputed from the segments in full).
  double dijThreshold = 0.01;
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

/// Plans `protocol` on the image and its structures. Throws DataError when a required target is
/// missing or the structures do not fit the image; CancelledError when cancelled.
PlanningResult makePlan(const Image& image, const StructureSet& structures,
                        const Protocol& protocol, const PlanningOptions& options = {},
                        ProgressMonitor* progress = nullptr);

} // namespace beamlet::dose
