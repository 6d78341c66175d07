// Fluence optimisation on a small synthetic dose-influence matrix built here: a 24 x 24 voxel
// slice, a round target in the middle and two organs at risk beside it, five beams of eight
// bixels with Gaussian lateral profiles and exponential attenuation. Convergence to the
// prescription, the organ-at-risk objective's pull, w >= 0, warm start, cancel, a max-dose
// constraint, and the three algorithms side by side.

#include "beamlet/core/Error.h"
#include "beamlet/dose/FluenceOptimizer.h"

#include <QtTest/QtTest>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

using namespace beamlet;
using namespace beamlet::dose;

namespace {

constexpr double kPrescriptionGy = 60.0;

struct Phantom {
  Dij dij;
  std::vector<std::uint32_t> target;
  std::vector<std::uint32_t> oar;  ///< above the target, 0.5 voxel away
  std::vector<std::uint32_t> oar2; ///< below and to the left
};

Phantom makePhantom() {
  const int nx = 24;
  const int ny = 24;
  const ImageGeometry grid({nx, ny, 1}, Vec3::Zero(), Vec3(4, 4, 4));
  std::vector<std::uint32_t> voxels(static_cast<std::size_t>(nx * ny));
  std::iota(voxels.begin(), voxels.end(), 0u);
  const int beams = 5;
  const int perBeam = 8;
  std::vector<Bixel> bixels;
  for (int b = 0; b < beams; ++b) {
    for (int k = 0; k < perBeam; ++k) {
      Bixel bixel;
      bixel.beam = b;
      bixel.xMm = 8.0 * (k - 3.5);
      bixels.push_back(bixel);
    }
  }
  Phantom p{Dij(grid, voxels, bixels), {}, {}, {}};
  const double cx = 11.5;
  const double cy = 11.5;
  for (std::size_t j = 0; j < bixels.size(); ++j) {
    const double angle = 2.0 * M_PI * bixels[j].beam / beams;
    const double ux = std::cos(angle);
    const double uy = std::sin(angle);
    const double offset = bixels[j].xMm / 4.0; // voxels
    std::vector<std::uint32_t> rows;
    std::vector<float> values;
    for (int y = 0; y < ny; ++y) {
      for (int x = 0; x < nx; ++x) {
        const double px = x - cx;
        const double py = y - cy;
        const double depth = px * ux + py * uy + 17.0;
        const double lateral = -px * uy + py * ux;
        const double value = std::exp(-0.03 * depth) *
                             std::exp(-(lateral - offset) * (lateral - offset) / (2.0 * 1.3 * 1.3));
        if (value > 1e-3) {
          rows.push_back(static_cast<std::uint32_t>(y * nx + x));
          values.push_back(static_cast<float>(value));
        }
      }
    }
    p.dij.setColumn(j, std::move(rows), std::move(values));
  }
  p.dij.finalize();
  for (int y = 0; y < ny; ++y) {
    for (int x = 0; x < nx; ++x) {
      const double px = x - cx;
      const double py = y - cy;
      const auto row = static_cast<std::uint32_t>(y * nx + x);
      if (std::hypot(px, py) <= 5.5) {
        p.target.push_back(row);
      } else if (std::hypot(px, py - 9.0) <= 3.0) {
        p.oar.push_back(row);
      } else if (std::hypot(px + 7.0, py + 7.0) <= 3.0) {
        p.oar2.push_back(row);
      }
    }
  }
  return p;
}

/// Counts the products, to show where the work goes.
class CountingMultiplier final : public DoseMultiplier {
public:
  explicit CountingMultiplier(const DoseMultiplier& inner) : inner_(inner) {}
  std::size_t rows() const override { return inner_.rows(); }
  std::size_t columns() const override { return inner_.columns(); }
  std::vector<double> multiply(const std::vector<double>& w) const override {
    ++forward;
    return inner_.multiply(w);
  }
  std::vector<double> multiplyTransposed(const std::vector<double>& d) const override {
    ++transposed;
    return inner_.multiplyTransposed(d);
  }
  mutable int forward = 0;
  mutable int transposed = 0;

private:
  const DoseMultiplier& inner_;
};

struct Stats {
  double mean = 0.0;
  double min = HUGE_VAL;
  double max = 0.0;
};

Stats stats(const std::vector<double>& dose, const std::vector<std::uint32_t>& rows) {
  Stats s;
  for (std::uint32_t r : rows) {
    s.mean += dose[r];
    s.min = std::min(s.min, dose[r]);
    s.max = std::max(s.max, dose[r]);
  }
  s.mean /= static_cast<double>(rows.size());
  return s;
}

using Objectives = std::vector<std::unique_ptr<Objective>>;
using Constraints = std::vector<std::unique_ptr<Constraint>>;

Objectives targetObjectives(const Phantom& p) {
  Objectives o;
  o.push_back(std::make_unique<SquaredDeviation>(p.target, kPrescriptionGy, 100.0));
  return o;
}

/// Target uniformity, a pull on the second organ's mean dose, and a 40 Gy cap on everything.
Objectives planObjectives(const Phantom& p) {
  Objectives o = targetObjectives(p);
  o.push_back(std::make_unique<MeanDose>(p.oar2, 0.0, 1.0));
  std::vector<std::uint32_t> body(p.dij.rows());
  std::iota(body.begin(), body.end(), 0u);
  o.push_back(std::make_unique<SquaredOverdose>(body, 40.0, 10.0));
  return o;
}

const char* algorithmName(OptimizerAlgorithm a) {
  switch (a) {
  case OptimizerAlgorithm::Lbfgs:
    return "L-BFGS + Beamlet AL";
  case OptimizerAlgorithm::NloptAuglag:
    return "NLopt AUGLAG + L-BFGS";
  case OptimizerAlgorithm::Mma:
    return "NLopt MMA";
  }
  return "";
}

} // namespace

class TestFluenceOptimizer : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase() {
    phantom_ = std::make_unique<Phantom>(makePhantom());
    qInfo("phantom: %zu voxels, %zu bixels, %zu non-zeros; target %zu, OAR %zu, OAR2 %zu voxels",
          phantom_->dij.rows(), phantom_->dij.columns(), phantom_->dij.nonZeros(),
          phantom_->target.size(), phantom_->oar.size(), phantom_->oar2.size());
  }

  void uniformStartGetsThePrescription() {
    const DijMultiplier dij(phantom_->dij);
    OptimizerOptions options;
    options.maxIterations = 1;
    const OptimizerResult r = optimizeFluence(dij, targetObjectives(*phantom_), {}, {}, options);
    QCOMPARE(r.iterations, 1);
    QVERIFY(!r.converged);
    QVERIFY(r.stopReason.find("iteration limit") != std::string::npos);
    QVERIFY(std::all_of(r.weights.begin(), r.weights.end(),
                        [&](double w) { return w == r.weights.front(); }));
    const Stats t = stats(phantom_->dij.multiply(r.weights), phantom_->target);
    QVERIFY(std::abs(t.mean - kPrescriptionGy) < 1e-9 * kPrescriptionGy);
  }

  void convergesToThePrescription() {
    const DijMultiplier dij(phantom_->dij);
    // Target alone, then with an organ-at-risk objective.
    const OptimizerResult alone = optimizeFluence(dij, targetObjectives(*phantom_), {}, {});
    Objectives objectives = targetObjectives(*phantom_);
    objectives.push_back(std::make_unique<SquaredOverdose>(phantom_->oar, 20.0, 10.0));
    // About 260 evaluations; the exact count depends on the summation order of Dij w (threads),
    // so the budget leaves room.
    OptimizerOptions generous;
    generous.maxIterations = 1000;
    const OptimizerResult r = optimizeFluence(dij, objectives, {}, {}, generous);
    const std::vector<double> dose = phantom_->dij.multiply(r.weights);
    const Stats t = stats(dose, phantom_->target);
    const Stats o = stats(dose, phantom_->oar);
    const Stats oAlone = stats(phantom_->dij.multiply(alone.weights), phantom_->oar);
    qInfo("target only: %d iterations, %.3f s, OAR mean %.2f max %.2f Gy (%s)", alone.iterations,
          alone.seconds, oAlone.mean, oAlone.max, alone.stopReason.c_str());
    qInfo("with OAR objective: %d iterations, %.3f s, objective %.4g; target mean %.2f min %.2f "
          "max %.2f Gy; OAR mean %.2f max %.2f Gy (%s)",
          r.iterations, r.seconds, r.objective, t.mean, t.min, t.max, o.mean, o.max,
          r.stopReason.c_str());
    // The target alone has many near-optimal solutions, along which L-BFGS creeps (it converges
    // after about 460 evaluations): only the comparison is used.
    QVERIFY(r.converged);
    QVERIFY(std::all_of(r.weights.begin(), r.weights.end(), [](double w) { return w >= 0.0; }));
    QVERIFY(std::abs(t.mean - kPrescriptionGy) < 0.02 * kPrescriptionGy);
    QVERIFY(t.min > 0.95 * kPrescriptionGy);
    QVERIFY(t.max < 1.05 * kPrescriptionGy);
    // The organ-at-risk objective pulls its dose down.
    QVERIFY(o.mean < 0.8 * oAlone.mean);
    QVERIFY(o.max < oAlone.max);
    // Some bixels are held at the bound 0 (those aiming through the OAR).
    QVERIFY(std::count(r.weights.begin(), r.weights.end(), 0.0) > 0);

    // Warm start from the solution: converged again within a few evaluations.
    const OptimizerResult warm = optimizeFluence(dij, objectives, {}, r.weights);
    qInfo("warm start: %d iterations, objective %.6g (was %.6g), %s", warm.iterations,
          warm.objective, r.objective, warm.stopReason.c_str());
    QVERIFY(warm.converged);
    QVERIFY(warm.iterations <= 10);
    QVERIFY(warm.objective <= r.objective * (1.0 + 1e-6));
  }

  void progressAndCancel() {
    const DijMultiplier dij(phantom_->dij);
    Objectives objectives = targetObjectives(*phantom_);
    objectives.push_back(std::make_unique<SquaredOverdose>(phantom_->oar, 20.0, 10.0));
    std::vector<std::string> stages;
    ProgressMonitor monitor;
    monitor.setCallback([&](double, const std::string& stage) {
      stages.push_back(stage);
      if (stages.size() == 6) {
        monitor.cancel();
      }
    });
    QVERIFY_THROWS_EXCEPTION(CancelledError,
                             optimizeFluence(dij, objectives, {}, {}, {}, &monitor));
    QCOMPARE(stages.size(), std::size_t{6});
    qInfo("%s", stages.back().c_str());
    QVERIFY(stages.back().find("Optimising fluence: iteration 5, objective ") == 0);
    QVERIFY(stages.back().find("goals met ") != std::string::npos);
    QVERIFY(stages.back().find("/2") != std::string::npos);

    // Cancel while constrained, with every algorithm (NLopt's AUGLAG and MMA stop too).
    for (OptimizerAlgorithm a :
         {OptimizerAlgorithm::Lbfgs, OptimizerAlgorithm::NloptAuglag, OptimizerAlgorithm::Mma}) {
      Constraints constraints;
      constraints.push_back(std::make_unique<MaxDoseConstraint>(phantom_->oar, 25.0));
      ProgressMonitor cancelling;
      int calls = 0;
      cancelling.setCallback([&](double, const std::string&) {
        if (++calls == 4) {
          cancelling.cancel();
        }
      });
      OptimizerOptions options;
      options.algorithm = a;
      QVERIFY_THROWS_EXCEPTION(
          CancelledError, optimizeFluence(dij, objectives, constraints, {}, options, &cancelling));
      QCOMPARE(calls, 4);
    }

    // A monitor cancelled before the start.
    ProgressMonitor cancelled;
    cancelled.cancel();
    QVERIFY_THROWS_EXCEPTION(CancelledError,
                             optimizeFluence(dij, objectives, {}, {}, {}, &cancelled));
  }

  void maxDoseConstraint() {
    const DijMultiplier dij(phantom_->dij);
    const OptimizerResult free = optimizeFluence(dij, planObjectives(*phantom_), {}, {});
    QVERIFY(free.converged);
    const double freeMax = stats(phantom_->dij.multiply(free.weights), phantom_->oar).max;
    const double limit = std::round(0.6 * freeMax);
    qInfo("unconstrained: OAR max %.2f Gy, objective %.4g, %d evaluations; limit %.0f Gy", freeMax,
          free.objective, free.iterations, limit);
    for (OptimizerAlgorithm a :
         {OptimizerAlgorithm::Lbfgs, OptimizerAlgorithm::NloptAuglag, OptimizerAlgorithm::Mma}) {
      Constraints constraints;
      constraints.push_back(std::make_unique<MaxDoseConstraint>(phantom_->oar, limit));
      OptimizerOptions options;
      options.algorithm = a;
      const CountingMultiplier counting(dij);
      const OptimizerResult r =
          optimizeFluence(counting, planObjectives(*phantom_), constraints, {}, options);
      const std::vector<double> dose = phantom_->dij.multiply(r.weights);
      const Stats t = stats(dose, phantom_->target);
      const Stats o = stats(dose, phantom_->oar);
      qInfo("%-22s OAR max %.2f Gy, target mean %.2f min %.2f max %.2f Gy; objective %.6g; %d "
            "evaluations, %d Dij w, %d Dij^T g, %.3f s; %s",
            algorithmName(a), o.max, t.mean, t.min, t.max, r.objective, r.iterations,
            counting.forward, counting.transposed, r.seconds, r.stopReason.c_str());
      QVERIFY(std::all_of(r.weights.begin(), r.weights.end(), [](double w) { return w >= 0.0; }));
      if (a == OptimizerAlgorithm::Lbfgs) {
        QVERIFY(r.converged);
        QCOMPARE(r.constraintValues.size(), std::size_t{1});
        QVERIFY(r.constraintValues[0] <= 1e-3);
        QVERIFY(o.max <= 1.01 * limit);
        QVERIFY(std::abs(t.mean - kPrescriptionGy) < 0.03 * kPrescriptionGy);
        // One Dij^T per evaluation, however many voxels the constraint has.
        QCOMPARE(counting.transposed, r.iterations);
      }
    }
  }

  void severalConstraints() {
    const DijMultiplier dij(phantom_->dij);
    const OptimizerResult free = optimizeFluence(dij, planObjectives(*phantom_), {}, {});
    const double freeMean2 = stats(phantom_->dij.multiply(free.weights), phantom_->oar2).mean;
    const double mean2 = std::round(0.8 * freeMean2);
    qInfo("OAR2 mean %.2f Gy unconstrained, constrained to %.0f Gy", freeMean2, mean2);
    for (OptimizerAlgorithm a :
         {OptimizerAlgorithm::Lbfgs, OptimizerAlgorithm::NloptAuglag, OptimizerAlgorithm::Mma}) {
      Constraints constraints;
      constraints.push_back(std::make_unique<MaxDoseConstraint>(phantom_->oar, 30.0));
      constraints.push_back(std::make_unique<MinDoseConstraint>(phantom_->target, 58.0));
      constraints.push_back(std::make_unique<MeanDoseConstraint>(phantom_->oar2, mean2));
      constraints.push_back(std::make_unique<MaxDvhConstraint>(phantom_->oar, 20.0, 30.0));
      OptimizerOptions options;
      options.algorithm = a;
      // MMA does not get there in 1000 evaluations either (and takes a second).
      options.maxIterations = a == OptimizerAlgorithm::Mma ? 300 : 1000;
      const CountingMultiplier counting(dij);
      const OptimizerResult r =
          optimizeFluence(counting, planObjectives(*phantom_), constraints, {}, options);
      double worst = -HUGE_VAL;
      for (double c : r.constraintValues) {
        worst = std::max(worst, c);
      }
      qInfo("%-22s objective %.6g, worst constraint %+.2e; %d evaluations, %d Dij w, %d Dij^T g, "
            "%.3f s; %s",
            algorithmName(a), r.objective, worst, r.iterations, counting.forward,
            counting.transposed, r.seconds, r.stopReason.c_str());
      if (a == OptimizerAlgorithm::Lbfgs) {
        QVERIFY(r.converged);
        QVERIFY(worst <= 1e-3);
        const std::vector<double> dose = phantom_->dij.multiply(r.weights);
        QVERIFY(stats(dose, phantom_->oar).max <= 30.0 * 1.001);
        QVERIFY(stats(dose, phantom_->target).min >= 58.0 * 0.999);
        QVERIFY(stats(dose, phantom_->oar2).mean <= mean2 * 1.001);
      }
    }
  }

  void refusesBadInput() {
    const DijMultiplier dij(phantom_->dij);
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, optimizeFluence(dij, {}, {}, {}));
    QVERIFY_THROWS_EXCEPTION(
        InvalidArgumentError,
        optimizeFluence(dij, targetObjectives(*phantom_), {}, std::vector<double>(3, 1.0)));
    Objectives beyond;
    beyond.push_back(std::make_unique<SquaredOverdose>(
        std::vector<std::uint32_t>{static_cast<std::uint32_t>(phantom_->dij.rows())}, 1.0));
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, optimizeFluence(dij, beyond, {}, {}));
    // Negative warm-start weights are raised to the bound.
    OptimizerOptions options;
    options.maxIterations = 1;
    const OptimizerResult r = optimizeFluence(dij, targetObjectives(*phantom_), {},
                                              std::vector<double>(dij.columns(), -1.0), options);
    QVERIFY(std::all_of(r.weights.begin(), r.weights.end(), [](double w) { return w >= 0.0; }));
  }

private:
  std::unique_ptr<Phantom> phantom_;
};

QTEST_APPLESS_MAIN(TestFluenceOptimizer)
#include "TestFluenceOptimizer.moc"
