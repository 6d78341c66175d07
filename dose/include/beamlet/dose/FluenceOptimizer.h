#pragma once
// Fluence (bixel weight) optimisation: minimise the weighted sum of objectives on the dose
// d = Dij w subject to constraints and w >= 0, with NLopt's bound-constrained L-BFGS
// (docs/optimization.md). The matrix is used only through DoseMultiplier, so the products run
// wherever it lives (CPU threads for Dij, a GPU for a device-resident matrix).

#include "beamlet/core/Progress.h"
#include "beamlet/dose/Dij.h"
#include "beamlet/dose/Objectives.h"

#include <memory>
#include <string>
#include <vector>

namespace beamlet::dose {

/// The two products fluence optimisation needs. Implementations may compute on any device;
/// calls come from one thread at a time.
class DoseMultiplier {
public:
  virtual ~DoseMultiplier() = default;
  virtual std::size_t rows() const = 0;    ///< dose voxels (compact rows)
  virtual std::size_t columns() const = 0; ///< bixels
  /// d = Dij w (length rows()).
  virtual std::vector<double> multiply(const std::vector<double>& w) const = 0;
  /// g = Dij^T d (length columns()).
  virtual std::vector<double> multiplyTransposed(const std::vector<double>& d) const = 0;
  /// Where the products run: "cpu" or "cuda".
  virtual std::string device() const { return "cpu"; }
};

/// A Dij in memory, multiplied on all cores. Keeps a reference: the Dij must outlive it.
class DijMultiplier final : public DoseMultiplier {
public:
  explicit DijMultiplier(const Dij& dij) : dij_(dij) {}
  std::size_t rows() const override { return dij_.rows(); }
  std::size_t columns() const override { return dij_.columns(); }
  std::vector<double> multiply(const std::vector<double>& w) const override {
    return dij_.multiply(w);
  }
  std::vector<double> multiplyTransposed(const std::vector<double>& d) const override {
    return dij_.multiplyTransposed(d);
  }

private:
  const Dij& dij_;
};

/// Dij w plus a fixed dose per row: the correction-based optimisation of Siebers et al. 2002
/// (doi:10.1118/1.1446111), where the offset is what an accurate dose of the previous solution
/// has beyond the matrix's. The gradient is the matrix's own. Keeps a reference to `inner`.
class CorrectedDoseMultiplier final : public DoseMultiplier {
public:
  CorrectedDoseMultiplier(const DoseMultiplier& inner, std::vector<double> offset);
  std::size_t rows() const override { return inner_.rows(); }
  std::size_t columns() const override { return inner_.columns(); }
  std::vector<double> multiply(const std::vector<double>& w) const override;
  std::vector<double> multiplyTransposed(const std::vector<double>& d) const override {
    return inner_.multiplyTransposed(d);
  }
  std::string device() const override { return inner_.device(); }

private:
  const DoseMultiplier& inner_;
  std::vector<double> offset_;
};

enum class OptimizerAlgorithm {
  /// NLopt LD_LBFGS, each solve first on w = x^2 without bounds, then with the bounds w >= 0;
  /// constraints by Beamlet's augmented Lagrangian around it, in dose space: one Dij w and one
  /// Dij^T g per evaluation however many constraint conditions there are (default;
  /// docs/optimization.md).
  Lbfgs,
  /// NLopt AUGLAG around LD_LBFGS, NLopt's own augmented Lagrangian: one Dij^T per constraint
  /// condition and evaluation (at most 2000 conditions). Kept for comparison.
  NloptAuglag,
  /// NLopt LD_MMA (Svanberg 2002, doi:10.1137/S1052623499362822), constraints handled natively,
  /// one Dij^T per condition and evaluation (at most 2000 conditions). Kept for comparison.
  Mma,
};

struct OptimizerOptions {
  /// Most evaluations of the objective and its gradient (each one Dij w and one Dij^T g; NLopt
  /// may finish the one under way); an L-BFGS iteration takes one, occasionally a few.
  int maxIterations = 300;
  /// Stop when two successive iterations change the objective by less than this fraction of it
  /// (the planner uses 1e-3: plannerOptimizerOptions() in Planner.h).
  double relativeTolerance = 1e-6;
  /// A constraint condition counts as satisfied at value <= this (the values are relative: 1e-3
  /// is 0.1% of the dose level).
  double constraintTolerance = 1e-3;
  /// Goals counted as met in the progress text within this fraction of their dose level.
  double goalTolerance = 0.01;
  /// Wall-clock limit in seconds; 0 = none.
  double maxSeconds = 0.0;
  OptimizerAlgorithm algorithm = OptimizerAlgorithm::Lbfgs;
};

struct OptimizerResult {
  std::vector<double> weights; ///< bixel weights, all >= 0
  double objective = 0.0;      ///< sum of the weighted objectives at `weights`
  int iterations = 0;          ///< evaluations of objective and gradient
  double seconds = 0.0;
  /// The optimiser's convergence test was met and every constraint is satisfied (within
  /// constraintTolerance); false after the iteration or time limit.
  bool converged = false;
  std::vector<double> constraintValues; ///< at `weights`, in the constraints' order (<= 0: met)
  std::string stopReason;
};

/// Minimises sum of objectives(Dij w) subject to constraints(Dij w) <= 0 and w >= 0.
/// `initialWeights`: a warm start (length dij.columns(); negative entries are raised to 0), or
/// empty for a uniform start scaled so that the structures with a prescription (the objectives'
/// referenceDose) get it on average, else all 1. Reports "iteration N, objective F, goals met
/// K/M" on `progress` and polls its cancel flag at every evaluation (CancelledError).
/// Throws InvalidArgumentError for mismatched sizes or rows outside the matrix.
OptimizerResult optimizeFluence(const DoseMultiplier& dij,
                                const std::vector<std::unique_ptr<Objective>>& objectives,
                                const std::vector<std::unique_ptr<Constraint>>& constraints,
                                std::vector<double> initialWeights,
                                const OptimizerOptions& options = {},
                                ProgressMonitor* progress = nullptr);

} // namespace beamlet::dose
