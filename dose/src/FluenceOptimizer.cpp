// Fluence optimisation with NLopt (docs/optimization.md).
//
// The inner solver is NLopt's LD_LBFGS, a limited-memory quasi-Newton method (Nocedal 1980,
// doi:10.1090/S0025-5718-1980-0572855-7; Liu & Nocedal 1989, doi:10.1007/BF01589116) in
// Luksan's implementation, which honours the bounds w >= 0. Constraint conditions c_k(d) <= 0 are
// handled by the Powell-Hestenes-Rockafellar augmented Lagrangian with the multiplier and penalty
// updates of Birgin & Martinez 2008 (doi:10.1080/10556780701577730), as NLopt's AUGLAG does
// (Conn, Gould & Toint 1991, doi:10.1137/0728030), but written here in dose space: the gradient of
//   L(w) = f(d) / f0 + rho/2 sum_k max(0, c_k(d) + mu_k / rho)^2,   d = Dij w,
// is Dij^T applied once to the summed dose gradients, so an evaluation costs one Dij w and one
// Dij^T g however many conditions there are, and a max-dose constraint can keep one multiplier
// per voxel (NLopt's AUGLAG and MMA ask for every condition's weight gradient: one Dij^T each).
//
// The bounds w >= 0: Luksan's method stops every line search at the first bound it meets, so it
// adds one bound per iteration; on a plan where a third of the bixels end at zero (TG-119: about
// 900 of 2856) it spends most of its evaluations finding them (docs/optimization.md). Each solve
// therefore runs first on the substitution w = x^2 without bounds (any number of bixels can
// approach zero in one step; the gradient is 2 x dL/dw), then from there with the bounds on w
// itself: that second run's convergence test decides, and bixels the first left near zero (where
// the substitution's gradient vanishes) can come back.

#include "beamlet/dose/FluenceOptimizer.h"

#include "beamlet/core/Error.h"

#include <nlopt.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <limits>

namespace beamlet::dose {

CorrectedDoseMultiplier::CorrectedDoseMultiplier(const DoseMultiplier& inner,
                                                 std::vector<double> offset)
    : inner_(inner), offset_(std::move(offset)) {
  if (offset_.size() != inner_.rows()) {
    throw InvalidArgumentError("dose correction: " + std::to_string(offset_.size()) +
                               " offsets for " + std::to_string(inner_.rows()) + " rows");
  }
}

std::vector<double> CorrectedDoseMultiplier::multiply(const std::vector<double>& w) const {
  std::vector<double> d = inner_.multiply(w);
  for (std::size_t r = 0; r < d.size(); ++r) {
    d[r] += offset_[r];
  }
  return d;
}

namespace {

using Clock = std::chrono::steady_clock;
using Objectives = std::vector<std::unique_ptr<Objective>>;
using Constraints = std::vector<std::unique_ptr<Constraint>>;

// Birgin & Martinez 2008's parameters (also NLopt's): the penalty grows tenfold when the
// infeasibility measure did not halve; starting penalty within [1e-6, 10]; multiplier cap.
constexpr double kTau = 0.5;
constexpr double kGamma = 10.0;
constexpr double kRhoMin = 1e-6;
constexpr double kRhoMax = 10.0;
constexpr double kMuMax = 1e20;
/// The augmented Lagrangian's first inner tolerance (relative objective change).
constexpr double kFirstInnerTolerance = 1e-2;
/// The loosest relative tolerance of the run on w = x^2 (runLbfgs).
constexpr double kSquaredTolerance = 1e-3;
/// NLopt's AUGLAG and MMA take one Dij^T per condition and evaluation: refused beyond this.
constexpr std::size_t kMaxNloptConditions = 2000;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// NLopt's relative-change test (nlopt_stop_ftol with ftol_abs = 0).
bool relativeChangeBelow(double previous, double current, double tolerance) {
  return std::abs(current - previous) <
             tolerance * 0.5 * (std::abs(current) + std::abs(previous)) ||
         (tolerance > 0.0 && current == previous);
}

/// What the NLopt callbacks need: the matrix, the goals, the last dose (NLopt asks for the
/// objective and the constraints at the same point), counters, progress, and the first exception
/// a callback caught (rethrown after NLopt has returned; NLopt's C core must not be unwound).
class Problem {
public:
  Problem(const DoseMultiplier& dij, const Objectives& objectives, const Constraints& constraints,
          const OptimizerOptions& options, ProgressMonitor* progress)
      : dij_(dij), objectives_(objectives), constraints_(constraints), options_(options),
        progress_(progress) {}

  std::size_t bixels() const { return dij_.columns(); }
  std::size_t constraintCount() const { return constraints_.size(); }
  /// Conditions of all constraints together (one per voxel for max and min dose).
  std::size_t conditionCount() const {
    std::size_t m = 0;
    for (const auto& c : constraints_) {
      m += c->size();
    }
    return m;
  }
  int evaluations() const { return evaluations_; }

  /// The objective is divided by this in what the solvers see (its value at the start), so that
  /// the augmented Lagrangian's starting penalty rule is free of the objective's scale.
  double objectiveScale = 1.0;
  /// Augmented Lagrangian state: penalty and multipliers (empty: constraints not penalised).
  double rho = 0.0;
  std::vector<double> mu;

  const std::vector<double>& doseAt(const double* w) {
    const std::size_t n = dij_.columns();
    if (!haveDose_ || std::memcmp(w, lastWeights_.data(), n * sizeof(double)) != 0) {
      lastWeights_.assign(w, w + n);
      dose_ = dij_.multiply(lastWeights_);
      haveDose_ = true;
    }
    return dose_;
  }
  const std::vector<double>& doseAt(const std::vector<double>& w) { return doseAt(w.data()); }

  /// Sum of the weighted objectives; adds their dose gradient into `doseGradient` when given.
  double objective(const std::vector<double>& dose, std::vector<double>* doseGradient) const {
    double f = 0.0;
    for (const auto& o : objectives_) {
      f += doseGradient != nullptr ? o->evaluate(dose, *doseGradient) : o->value(dose);
    }
    return f;
  }

  /// Each constraint's value (its largest condition).
  std::vector<double> constraintValues(const std::vector<double>& dose) const {
    std::vector<double> c(constraints_.size());
    for (std::size_t i = 0; i < c.size(); ++i) {
      c[i] = constraints_[i]->value(dose);
    }
    return c;
  }

  /// All conditions' values, constraint after constraint.
  std::vector<double> conditionValues(const std::vector<double>& dose) const {
    std::vector<double> c;
    c.reserve(conditionCount());
    for (const auto& k : constraints_) {
      const std::vector<double> v = k->values(dose);
      c.insert(c.end(), v.begin(), v.end());
    }
    return c;
  }

  int goalsMet(const std::vector<double>& dose) const {
    int met = 0;
    for (const auto& o : objectives_) {
      met += o->met(dose, options_.goalTolerance) ? 1 : 0;
    }
    for (const auto& c : constraints_) {
      met += c->value(dose) <= options_.constraintTolerance ? 1 : 0;
    }
    return met;
  }

  int goalCount() const { return static_cast<int>(objectives_.size() + constraints_.size()); }

  /// "Optimising fluence: [prefix]iteration N, objective F, goals met K/M".
  void report(double fraction, const char* prefix, double f, const std::vector<double>& dose) {
    if (progress_ == nullptr) {
      return;
    }
    char text[160];
    std::snprintf(text, sizeof text,
                  "Optimising fluence: %siteration %d, objective %.4g, goals met %d/%d", prefix,
                  evaluations_, f, goalsMet(dose), goalCount());
    progress_->report(fraction, text);
  }

  /// The solver currently running (force_stop on an exception), and whether to keep the best
  /// point it evaluates (the augmented Lagrangian's inner runs).
  void start(nlopt::opt* solver, bool keepBest) {
    solver_ = solver;
    keepBest_ = keepBest;
    bestValue_ = HUGE_VAL;
    bestWeights_.clear();
  }
  /// The lowest-valued point of the run (replaces `w` when it is lower than w's value).
  const std::vector<double>& bestWeights() const { return bestWeights_; }
  double bestValue() const { return bestValue_; }

  /// Rethrows what a callback caught.
  void rethrow() const {
    if (error_) {
      std::rethrow_exception(error_);
    }
  }

  /// f / f0 plus, when `penalised`, the augmented Lagrangian's constraint terms; the gradient on
  /// the weights when `grad` is given (one Dij^T).
  double lagrangian(const double* w, double* grad, bool penalised) {
    if (progress_ != nullptr && progress_->isCancelled()) {
      throw CancelledError();
    }
    const std::vector<double>& dose = doseAt(w);
    std::vector<double> doseGradient;
    if (grad != nullptr) {
      doseGradient.assign(dose.size(), 0.0);
    }
    const double f = objective(dose, grad != nullptr ? &doseGradient : nullptr);
    double value = f / objectiveScale;
    for (double& g : doseGradient) {
      g /= objectiveScale;
    }
    if (penalised) {
      std::size_t k = 0;
      std::vector<double> coefficients;
      for (const auto& constraint : constraints_) {
        const std::vector<double> c = constraint->values(dose);
        coefficients.assign(c.size(), 0.0);
        bool active = false;
        for (std::size_t j = 0; j < c.size(); ++j, ++k) {
          const double shifted = c[j] + mu[k] / rho;
          if (shifted > 0.0) {
            value += 0.5 * rho * shifted * shifted;
            coefficients[j] = rho * shifted;
            active = true;
          }
        }
        if (active && grad != nullptr) {
          constraint->addGradients(dose, coefficients, doseGradient);
        }
      }
    }
    if (grad != nullptr) {
      const std::vector<double> g = dij_.multiplyTransposed(doseGradient);
      std::copy(g.begin(), g.end(), grad);
    }
    ++evaluations_;
    if (keepBest_ && value < bestValue_) {
      bestValue_ = value;
      bestWeights_.assign(w, w + dij_.columns());
    }
    report(static_cast<double>(evaluations_) / options_.maxIterations, "", f, dose);
    return value;
  }

  /// Every condition's value and, when `grad` is given, its weight gradient (row k of the
  /// m x n matrix; one Dij^T per condition).
  void conditionsWithGradients(unsigned m, double* result, const double* w, double* grad) {
    const std::vector<double>& dose = doseAt(w);
    const std::vector<double> c = conditionValues(dose);
    std::copy(c.begin(), c.begin() + m, result);
    if (grad == nullptr) {
      return;
    }
    const std::size_t n = dij_.columns();
    std::size_t k = 0;
    for (const auto& constraint : constraints_) {
      std::vector<double> unit(constraint->size(), 0.0);
      for (std::size_t j = 0; j < unit.size(); ++j, ++k) {
        unit[j] = 1.0;
        std::vector<double> doseGradient(dose.size(), 0.0);
        constraint->addGradients(dose, unit, doseGradient);
        unit[j] = 0.0;
        const std::vector<double> g = dij_.multiplyTransposed(doseGradient);
        std::copy(g.begin(), g.end(), grad + k * n);
      }
    }
  }

  // NLopt callbacks. An exception is kept and the solver stopped; once stopped, callbacks
  // return at once (NLopt's AUGLAG may evaluate a little more before it notices).
  static double penalisedCallback(unsigned, const double* w, double* grad, void* data) {
    auto* p = static_cast<Problem*>(data);
    return p->guard([&] { return p->lagrangian(w, grad, !p->mu.empty()); });
  }
  /// The same on the substitution w = x^2: NLopt sees x, the gradient is 2 x dL/dw.
  static double squaredCallback(unsigned n, const double* x, double* grad, void* data) {
    auto* p = static_cast<Problem*>(data);
    return p->guard([&] {
      p->squared_.resize(n);
      for (unsigned j = 0; j < n; ++j) {
        p->squared_[j] = x[j] * x[j];
      }
      const double value = p->lagrangian(p->squared_.data(), grad, !p->mu.empty());
      if (grad != nullptr) {
        for (unsigned j = 0; j < n; ++j) {
          grad[j] *= 2.0 * x[j];
        }
      }
      return value;
    });
  }
  static double objectiveCallback(unsigned, const double* w, double* grad, void* data) {
    auto* p = static_cast<Problem*>(data);
    return p->guard([&] { return p->lagrangian(w, grad, false); });
  }
  static void constraintsCallback(unsigned m, double* result, unsigned, const double* w,
                                  double* grad, void* data) {
    auto* p = static_cast<Problem*>(data);
    const double ok = p->guard([&] {
      p->conditionsWithGradients(m, result, w, grad);
      return 0.0;
    });
    if (ok != 0.0) {
      std::fill(result, result + m, HUGE_VAL);
    }
  }

private:
  double guard(const std::function<double()>& body) {
    if (error_) {
      return HUGE_VAL;
    }
    try {
      return body();
    } catch (...) {
      error_ = std::current_exception();
      if (solver_ != nullptr) {
        solver_->force_stop();
      }
      return HUGE_VAL;
    }
  }

  const DoseMultiplier& dij_;
  const Objectives& objectives_;
  const Constraints& constraints_;
  const OptimizerOptions& options_;
  ProgressMonitor* progress_;
  std::vector<double> lastWeights_;
  std::vector<double> dose_;
  bool haveDose_ = false;
  int evaluations_ = 0;
  nlopt::opt* solver_ = nullptr;
  bool keepBest_ = false;
  double bestValue_ = HUGE_VAL;
  std::vector<double> bestWeights_;
  std::vector<double> squared_; ///< w = x^2 of squaredCallback
  std::exception_ptr error_;
};

/// Runs `solver` from `w` (updated in place); NLopt's exceptions become results or Beamlet
/// errors, a callback's exception is rethrown. `squared`: the solver works on x = sqrt(w)
/// (Problem::squaredCallback).
nlopt::result run(nlopt::opt& solver, std::vector<double>& w, Problem& problem, bool keepBest,
                  bool squared = false) {
  problem.start(&solver, keepBest);
  double value = 0.0;
  nlopt::result result = nlopt::FAILURE;
  if (squared) {
    for (double& x : w) {
      x = std::sqrt(x);
    }
  }
  try {
    result = solver.optimize(w, value);
  } catch (const nlopt::roundoff_limited&) {
    // Luksan's line search could not decrease the function further: as converged as double
    // precision allows; w holds the last accepted point.
    result = nlopt::ROUNDOFF_LIMITED;
  } catch (const std::bad_alloc&) {
    problem.start(nullptr, false);
    problem.rethrow();
    throw;
  } catch (const std::exception& e) {
    problem.start(nullptr, false);
    problem.rethrow();
    throw Error(std::string("fluence optimisation: NLopt: ") + e.what());
  }
  problem.rethrow();
  if (squared) {
    for (double& x : w) {
      x *= x;
    }
  }
  if (keepBest && !problem.bestWeights().empty() && problem.bestValue() < value) {
    w = problem.bestWeights();
  }
  problem.start(nullptr, false);
  return result;
}

bool convergedResult(nlopt::result r) {
  return r == nlopt::SUCCESS || r == nlopt::STOPVAL_REACHED || r == nlopt::FTOL_REACHED ||
         r == nlopt::XTOL_REACHED || r == nlopt::ROUNDOFF_LIMITED;
}

std::string describe(nlopt::result r, const OptimizerOptions& options) {
  char text[160];
  switch (r) {
  case nlopt::STOPVAL_REACHED:
    return "converged: every objective met exactly (objective 0)";
  case nlopt::FTOL_REACHED:
    std::snprintf(text, sizeof text,
                  "converged: the objective changed by less than %g (relative) in an iteration",
                  options.relativeTolerance);
    return text;
  case nlopt::XTOL_REACHED:
    return "converged: the weights stopped changing";
  case nlopt::ROUNDOFF_LIMITED:
    return "converged: the line search can improve no further (round-off limited)";
  case nlopt::MAXEVAL_REACHED:
    std::snprintf(text, sizeof text, "iteration limit reached (%d evaluations)",
                  options.maxIterations);
    return text;
  case nlopt::MAXTIME_REACHED:
    std::snprintf(text, sizeof text, "time limit reached (%g s)", options.maxSeconds);
    return text;
  default:
    return "converged";
  }
}

/// Sets the stopping criteria shared by every solver; the evaluation and time budgets are what is
/// left of the options' ones.
void setStopping(nlopt::opt& solver, const OptimizerOptions& options, int evaluationsLeft,
                 Clock::time_point start, bool bounded = true) {
  if (bounded) {
    solver.set_lower_bounds(0.0);
  }
  solver.set_ftol_rel(options.relativeTolerance);
  solver.set_maxeval(std::max(1, evaluationsLeft));
  if (options.maxSeconds > 0.0) {
    solver.set_maxtime(std::max(1e-3, options.maxSeconds - secondsSince(start)));
  }
}

struct Outcome {
  bool convergenceTestMet = false;
  std::string reason;
};

/// L-BFGS alone (no constraints), or inside the augmented Lagrangian.
Outcome runLbfgs(Problem& problem, std::vector<double>& w, const OptimizerOptions& options,
                 Clock::time_point start) {
  const std::size_t n = problem.bixels();
  const std::size_t m = problem.conditionCount();
  // One solve: on w = x^2 without bounds, then with the bounds on w (the header above says why).
  auto inner = [&](double tolerance) {
    nlopt::result r = nlopt::FAILURE;
    for (const bool squared : {true, false}) {
      nlopt::opt solver(nlopt::LD_LBFGS, static_cast<unsigned>(n));
      setStopping(solver, options, options.maxIterations - problem.evaluations(), start, !squared);
      // The substitution only has to find which bixels go to zero: a relative change of 1e-3
      // will do; the bounded run then meets the requested tolerance.
      solver.set_ftol_rel(squared ? std::max(tolerance, kSquaredTolerance) : tolerance);
      solver.set_min_objective(squared ? Problem::squaredCallback : Problem::penalisedCallback,
                               &problem);
      if (m == 0) {
        solver.set_stopval(0.0); // every objective is >= 0
      }
      r = run(solver, w, problem, true, squared);
      if (squared && r != nlopt::STOPVAL_REACHED &&
          problem.evaluations() >= options.maxIterations) {
        r = nlopt::MAXEVAL_REACHED; // the bounded run's test was not reached
      }
      if (r == nlopt::STOPVAL_REACHED || r == nlopt::MAXEVAL_REACHED ||
          r == nlopt::MAXTIME_REACHED || problem.evaluations() >= options.maxIterations) {
        break;
      }
    }
    return r;
  };
  if (m == 0) {
    const nlopt::result r = inner(options.relativeTolerance);
    return {convergedResult(r), describe(r, options)};
  }

  // Starting penalty (Birgin & Martinez): 2 |f| / sum max(0, c_k)^2 within [1e-6, 10], with f
  // scaled to 1 at the start.
  const std::vector<double>& dose0 = problem.doseAt(w);
  const double f0 = problem.objective(dose0, nullptr);
  std::vector<double> c = problem.conditionValues(dose0);
  double violation2 = 0.0;
  double bestPenalty = 0.0;
  bool bestFeasible = true;
  for (double ci : c) {
    violation2 += ci > 0.0 ? ci * ci : 0.0;
    bestPenalty += std::max(0.0, ci);
    bestFeasible = bestFeasible && ci <= options.constraintTolerance;
  }
  // (An objective of 0 at the start leaves the penalty alone in the first subproblem: any rho
  // does, the largest is quickest.)
  problem.rho = violation2 > 0.0 && f0 > 0.0
                    ? std::clamp(2.0 * f0 / problem.objectiveScale / violation2, kRhoMin, kRhoMax)
                    : kRhoMax;
  problem.mu.assign(m, 0.0);
  std::vector<double> best = w;
  double bestF = f0;
  double icm = HUGE_VAL;
  // Inexact inner solves first (Conn, Gould & Toint's decreasing inner tolerances): a loose
  // relative tolerance, tightened tenfold per outer iteration down to the requested one, so that
  // the multipliers and the penalty adapt before L-BFGS spends its budget on a poorly weighted
  // subproblem.
  double innerTolerance = std::max(options.relativeTolerance, kFirstInnerTolerance);
  double previousF = f0;
  while (true) {
    const double previousIcm = icm;
    inner(innerTolerance); // however the inner run ended, the outer loop's own tests decide
    const std::vector<double>& dose = problem.doseAt(w);
    const double f = problem.objective(dose, nullptr);
    c = problem.conditionValues(dose);
    icm = 0.0;
    double penalty = 0.0;
    bool feasible = true;
    for (std::size_t i = 0; i < m; ++i) {
      icm = std::max(icm, std::abs(std::max(c[i], -problem.mu[i] / problem.rho)));
      penalty += std::max(0.0, c[i]);
      feasible = feasible && c[i] <= options.constraintTolerance;
      problem.mu[i] = std::min(std::max(0.0, problem.mu[i] + problem.rho * c[i]), kMuMax);
    }
    if (icm > kTau * previousIcm) {
      problem.rho *= kGamma;
    }
    // Keep the better point: feasible and lower (or less infeasible), as NLopt's AUGLAG does.
    if ((feasible && (!bestFeasible || penalty < bestPenalty || f < bestF)) ||
        (!bestFeasible && penalty < bestPenalty)) {
      best = w;
      bestF = f;
      bestPenalty = penalty;
      bestFeasible = feasible;
    }
    // Converged: feasible, the last inner solve at full accuracy, and either no constraint active
    // (every multiplier 0) or the objective settled between two multiplier updates.
    if (feasible && innerTolerance <= options.relativeTolerance) {
      if (icm == 0.0) {
        return {true, describe(nlopt::FTOL_REACHED, options) + ", constraints inactive"};
      }
      if (relativeChangeBelow(previousF, f, options.relativeTolerance)) {
        return {true, describe(nlopt::FTOL_REACHED, options) + ", constraints satisfied"};
      }
    }
    previousF = f;
    // Nothing active: the next inner solve is the unconstrained problem, solved in full.
    innerTolerance = icm == 0.0 ? options.relativeTolerance
                                : std::max(options.relativeTolerance, 0.1 * innerTolerance);
    if (problem.evaluations() >= options.maxIterations) {
      w = best;
      return {false, describe(nlopt::MAXEVAL_REACHED, options)};
    }
    if (options.maxSeconds > 0.0 && secondsSince(start) >= options.maxSeconds) {
      w = best;
      return {false, describe(nlopt::MAXTIME_REACHED, options)};
    }
  }
}

/// NLopt's AUGLAG around LD_LBFGS, or LD_MMA, with the constraints given to NLopt.
Outcome runNloptConstrained(Problem& problem, std::vector<double>& w,
                            const OptimizerOptions& options, Clock::time_point start) {
  const auto n = static_cast<unsigned>(problem.bixels());
  const std::size_t m = problem.conditionCount();
  if (m > kMaxNloptConditions) {
    throw InvalidArgumentError(
        "fluence optimisation: " + std::to_string(m) +
        " constraint conditions (one per voxel for max and min dose) are too many for NLopt's "
        "constrained algorithms (one Dij^T each per evaluation); use the default algorithm");
  }
  const bool mma = options.algorithm == OptimizerAlgorithm::Mma;
  nlopt::opt solver(mma ? nlopt::LD_MMA : nlopt::AUGLAG, n);
  if (!mma) {
    nlopt::opt local(nlopt::LD_LBFGS, n);
    local.set_ftol_rel(options.relativeTolerance);
    solver.set_local_optimizer(local);
  }
  setStopping(solver, options, options.maxIterations, start);
  solver.set_min_objective(Problem::objectiveCallback, &problem);
  if (m > 0) {
    solver.add_inequality_mconstraint(Problem::constraintsCallback, &problem,
                                      std::vector<double>(m, options.constraintTolerance));
  }
  const nlopt::result r = run(solver, w, problem, false);
  return {convergedResult(r), describe(r, options)};
}

void checkInputs(const DoseMultiplier& dij, const Objectives& objectives,
                 const Constraints& constraints, const OptimizerOptions& options) {
  if (dij.columns() == 0 || dij.rows() == 0) {
    throw InvalidArgumentError("fluence optimisation: the dose-influence matrix is empty");
  }
  if (dij.columns() > std::numeric_limits<unsigned>::max() / 2) {
    throw InvalidArgumentError("fluence optimisation: too many bixels");
  }
  if (objectives.empty() && constraints.empty()) {
    throw InvalidArgumentError("fluence optimisation: no objectives");
  }
  if (options.maxIterations < 1 || !(options.relativeTolerance >= 0.0) ||
      !(options.constraintTolerance >= 0.0) || !(options.maxSeconds >= 0.0)) {
    throw InvalidArgumentError("fluence optimisation: invalid options");
  }
  auto checkRows = [&](const std::vector<std::uint32_t>& rows, const std::string& what) {
    if (*std::max_element(rows.begin(), rows.end()) >= dij.rows()) {
      throw InvalidArgumentError("fluence optimisation: " + what + ": rows beyond the matrix's " +
                                 std::to_string(dij.rows()));
    }
  };
  for (const auto& o : objectives) {
    if (!o) {
      throw InvalidArgumentError("fluence optimisation: null objective");
    }
    checkRows(o->rows(), o->name());
  }
  for (const auto& c : constraints) {
    if (!c) {
      throw InvalidArgumentError("fluence optimisation: null constraint");
    }
    checkRows(c->rows(), c->name());
  }
}

/// Uniform weights scaled so that the structures with a prescription get it on average (voxel-
/// weighted over the objectives with a reference dose), else all 1.
std::vector<double> uniformStart(const DoseMultiplier& dij, const Objectives& objectives) {
  std::vector<double> w(dij.columns(), 1.0);
  const std::vector<double> dose = dij.multiply(w);
  double wanted = 0.0;
  double given = 0.0;
  for (const auto& o : objectives) {
    const double reference = o->referenceDose();
    if (reference > 0.0) {
      wanted += reference * static_cast<double>(o->rows().size());
      for (std::uint32_t r : o->rows()) {
        given += dose[r];
      }
    }
  }
  if (wanted > 0.0 && given > 0.0) {
    const double scale = wanted / given;
    std::fill(w.begin(), w.end(), scale);
  }
  return w;
}

} // namespace

OptimizerResult optimizeFluence(const DoseMultiplier& dij, const Objectives& objectives,
                                const Constraints& constraints, std::vector<double> initialWeights,
                                const OptimizerOptions& options, ProgressMonitor* progress) {
  const Clock::time_point start = Clock::now();
  checkInputs(dij, objectives, constraints, options);
  std::vector<double> w;
  if (initialWeights.empty()) {
    w = uniformStart(dij, objectives);
  } else {
    if (initialWeights.size() != dij.columns()) {
      throw InvalidArgumentError("fluence optimisation: " + std::to_string(initialWeights.size()) +
                                 " initial weights for " + std::to_string(dij.columns()) +
                                 " bixels");
    }
    w = std::move(initialWeights);
    for (double& x : w) {
      if (!std::isfinite(x)) {
        throw InvalidArgumentError("fluence optimisation: initial weights must be finite");
      }
      x = std::max(0.0, x);
    }
  }

  Problem problem(dij, objectives, constraints, options, progress);
  {
    const std::vector<double>& dose = problem.doseAt(w);
    const double f0 = problem.objective(dose, nullptr);
    problem.objectiveScale = f0 > 0.0 ? f0 : 1.0;
    problem.report(0.0, "", f0, dose);
  }
  if (progress != nullptr) {
    progress->throwIfCancelled();
  }

  const bool nloptConstraints =
      options.algorithm == OptimizerAlgorithm::Mma ||
      (options.algorithm == OptimizerAlgorithm::NloptAuglag && !constraints.empty());
  const Outcome outcome = nloptConstraints ? runNloptConstrained(problem, w, options, start)
                                           : runLbfgs(problem, w, options, start);

  OptimizerResult result;
  const std::vector<double>& dose = problem.doseAt(w);
  result.objective = problem.objective(dose, nullptr);
  result.constraintValues = problem.constraintValues(dose);
  const bool feasible = std::all_of(result.constraintValues.begin(), result.constraintValues.end(),
                                    [&](double c) { return c <= options.constraintTolerance; });
  result.converged = outcome.convergenceTestMet && feasible;
  result.stopReason = outcome.reason;
  if (!feasible) {
    result.stopReason += "; constraints not satisfied";
  }
  result.iterations = problem.evaluations();
  problem.report(1.0, "done, ", result.objective, dose);
  result.weights = std::move(w);
  result.seconds = secondsSince(start);
  return result;
}

} // namespace beamlet::dose
