// Objectives and constraints of fluence optimisation: literal values on hand-made doses, the
// analytic gradients against central finite differences on random doses, goals met, argument
// checks.

#include "beamlet/core/Error.h"
#include "beamlet/dose/Objectives.h"

#include <QtTest/QtTest>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <numeric>
#include <random>

using namespace beamlet;
using namespace beamlet::dose;

namespace {

std::vector<std::uint32_t> allRows(std::size_t n) {
  std::vector<std::uint32_t> rows(n);
  std::iota(rows.begin(), rows.end(), 0u);
  return rows;
}

/// Doses 10, 20, ..., 100 Gy.
std::vector<double> tenLevels() {
  std::vector<double> d(10);
  for (int i = 0; i < 10; ++i) {
    d[static_cast<std::size_t>(i)] = 10.0 * (i + 1);
  }
  return d;
}

/// A dose vector of `n` entries uniform in [20, 80] Gy, and a structure of `rows` of them in
/// shuffled order (the others belong to no structure).
struct RandomCase {
  std::vector<double> dose;
  std::vector<std::uint32_t> rows;
};

RandomCase randomCase() {
  std::mt19937 random(20240611);
  std::uniform_real_distribution<double> uniform(20.0, 80.0);
  RandomCase c;
  c.dose.resize(300);
  for (double& d : c.dose) {
    d = uniform(random);
  }
  c.rows = allRows(300);
  std::shuffle(c.rows.begin(), c.rows.end(), random);
  c.rows.resize(170);
  return c;
}

/// The largest |analytic - central difference| over all dose entries, relative to the largest
/// |central difference|. `value(d)` is the function, `gradient(d, g)` adds its gradient into g.
double gradientError(
    const std::vector<double>& dose, const std::function<double(const std::vector<double>&)>& value,
    const std::function<void(const std::vector<double>&, std::vector<double>&)>& gradient) {
  std::vector<double> analytic(dose.size(), 0.0);
  gradient(dose, analytic);
  const double h = 1e-4;
  double worst = 0.0;
  double largest = 0.0;
  std::vector<double> d = dose;
  for (std::size_t i = 0; i < dose.size(); ++i) {
    d[i] = dose[i] + h;
    const double up = value(d);
    d[i] = dose[i] - h;
    const double down = value(d);
    d[i] = dose[i];
    const double numeric = (up - down) / (2.0 * h);
    worst = std::max(worst, std::abs(analytic[i] - numeric));
    largest = std::max(largest, std::abs(numeric));
  }
  return largest > 0.0 ? worst / largest : worst;
}

} // namespace

class TestObjectives : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void squaredPenaltiesLiteral() {
    const std::vector<double> dose{48.0, 52.0, 55.0};
    std::vector<double> g(3, 0.0);
    const SquaredOverdose over(allRows(3), 50.0, 2.0);
    QCOMPARE(over.value(dose), 2.0 * (0.0 + 4.0 + 25.0) / 3.0);
    QCOMPARE(over.evaluate(dose, g), 2.0 * 29.0 / 3.0);
    QCOMPARE(g[0], 0.0);
    QCOMPARE(g[1], 2.0 * 2.0 * 2.0 / 3.0);
    QCOMPARE(g[2], 2.0 * 2.0 * 5.0 / 3.0);
    // The gradient is added, not assigned.
    over.evaluate(dose, g);
    QCOMPARE(g[2], 2.0 * 2.0 * 2.0 * 5.0 / 3.0);

    QCOMPARE(SquaredUnderdose(allRows(3), 50.0).value({48.0, 52.0, 45.0}), (4.0 + 25.0) / 3.0);
    QCOMPARE(SquaredDeviation(allRows(3), 50.0).value(dose), (4.0 + 4.0 + 25.0) / 3.0);
    QCOMPARE(MeanDose(allRows(3), 50.0).value(dose), (5.0 / 3.0) * (5.0 / 3.0));
    QCOMPARE(MeanDose(allRows(3), 52.0).value(dose), 0.0);
    // Only the structure's rows count, normalised by their number.
    QCOMPARE(SquaredOverdose({2}, 50.0).value(dose), 25.0);
    QCOMPARE(over.name(), std::string("squared overdose above 50 Gy"));
  }

  void dvhObjectivesLiteral() {
    const std::vector<double> dose = tenLevels();
    // At least 50% at >= 75 Gy: D_50% = 60 Gy (5th highest); 60 and 70 Gy are penalised.
    QCOMPARE(MinDvh(allRows(10), 75.0, 50.0).value(dose), (15.0 * 15.0 + 5.0 * 5.0) / 10.0);
    QCOMPARE(MinDvh(allRows(10), 55.0, 50.0).value(dose), 0.0);
    // At most 30% above 35 Gy: D_V = 70 Gy (4th highest); 40 .. 70 Gy are penalised, the hottest
    // 30% (80, 90, 100) are not.
    QCOMPARE(MaxDvh(allRows(10), 35.0, 30.0).value(dose),
             (5.0 * 5.0 + 15.0 * 15.0 + 25.0 * 25.0 + 35.0 * 35.0) / 10.0);
    QCOMPARE(MaxDvh(allRows(10), 70.0, 30.0).value(dose), 0.0);
    // 95% of 100 voxels is 95 voxels, not 96 (rounding of 0.95 * 100).
    std::vector<double> hundred(100, 60.0);
    for (int i = 0; i < 5; ++i) {
      hundred[static_cast<std::size_t>(i)] = 40.0;
    }
    QVERIFY(MinDvh(allRows(100), 60.0, 95.0).met(hundred, 0.0));
    QCOMPARE(MinDvh(allRows(100), 60.0, 95.0).value(hundred), 0.0);
    QVERIFY(!MinDvh(allRows(100), 60.0, 96.0).met(hundred, 0.0));
    // D_96% = 40 Gy: all five voxels at 40 Gy are in Wu & Mohan's set (ties included).
    QCOMPARE(MinDvh(allRows(100), 60.0, 96.0).value(hundred), 5.0 * 20.0 * 20.0 / 100.0);
  }

  void generalizedEudLiteral() {
    const std::vector<double> dose{10.0, 20.0};
    QCOMPARE(GeneralizedEud(allRows(2), 1.0, 0.0).eud(dose), 15.0);
    QVERIFY(std::abs(GeneralizedEud(allRows(2), 2.0, 0.0).eud(dose) - std::sqrt(250.0)) < 1e-12);
    QVERIFY(std::abs(GeneralizedEud(allRows(2), -1.0, 0.0).eud(dose) - 40.0 / 3.0) < 1e-12);
    QVERIFY(std::abs(GeneralizedEud(allRows(2), 40.0, 0.0).eud(dose) -
                     20.0 * std::pow(0.5 * (1.0 + std::pow(0.5, 40.0)), 1.0 / 40.0)) < 1e-9);
    // a >= 1: excess above EUD0; a < 1: deficit below it.
    QCOMPARE(GeneralizedEud(allRows(2), 1.0, 12.0).value(dose), 9.0);
    QCOMPARE(GeneralizedEud(allRows(2), 1.0, 16.0).value(dose), 0.0);
    QVERIFY(std::abs(GeneralizedEud(allRows(2), -1.0, 15.0).value(dose) -
                     (5.0 / 3.0) * (5.0 / 3.0)) < 1e-12);
    QCOMPARE(GeneralizedEud(allRows(2), -1.0, 12.0).value(dose), 0.0);
    // No dose at all: finite.
    QVERIFY(std::isfinite(GeneralizedEud(allRows(2), -10.0, 60.0).value({0.0, 0.0})));
  }

  void constraintsLiteral() {
    const std::vector<double> dose{48.0, 52.0, 55.0};
    // Max and min dose: one condition per voxel; value() is the largest.
    const MaxDoseConstraint maxDose(allRows(3), 50.0);
    QCOMPARE(maxDose.size(), std::size_t{3});
    const std::vector<double> conditions = maxDose.values(dose);
    QCOMPARE(conditions.size(), std::size_t{3});
    QVERIFY(std::abs(conditions[0] + 0.04) < 1e-15);
    QVERIFY(std::abs(conditions[1] - 0.04) < 1e-15);
    QVERIFY(std::abs(conditions[2] - 0.1) < 1e-15);
    QVERIFY(std::abs(maxDose.value(dose) - 0.1) < 1e-15);
    QCOMPARE(MaxDoseConstraint(allRows(3), 55.0).value(dose), 0.0);
    QVERIFY(std::abs(MinDoseConstraint(allRows(3), 50.0).value(dose) - 0.04) < 1e-15);
    QVERIFY(MinDoseConstraint(allRows(3), 47.0).value(dose) < 0.0);
    QCOMPARE(MeanDoseConstraint(allRows(3), 50.0).size(), std::size_t{1});
    QVERIFY(std::abs(MeanDoseConstraint(allRows(3), 50.0).value(dose) - 1.0 / 30.0) < 1e-15);
    const std::vector<double> levels = tenLevels();
    QVERIFY(std::abs(MaxDvhConstraint(allRows(10), 35.0, 30.0).value(levels) -
                     (5.0 + 15.0 + 25.0 + 35.0) / 350.0) < 1e-15);
    QCOMPARE(MaxDvhConstraint(allRows(10), 70.0, 30.0).value(levels), 0.0);
    QVERIFY(std::abs(MinDvhConstraint(allRows(10), 75.0, 50.0).value(levels) - 20.0 / 750.0) <
            1e-15);
    QCOMPARE(MinDvhConstraint(allRows(10), 60.0, 50.0).value(levels), 0.0);
  }

  void objectiveGradients() {
    const RandomCase c = randomCase();
    std::vector<std::unique_ptr<Objective>> objectives;
    objectives.push_back(std::make_unique<SquaredOverdose>(c.rows, 50.0, 3.0));
    objectives.push_back(std::make_unique<SquaredUnderdose>(c.rows, 50.0, 3.0));
    objectives.push_back(std::make_unique<SquaredDeviation>(c.rows, 50.0, 0.5));
    objectives.push_back(std::make_unique<MinDvh>(c.rows, 50.0, 95.0, 2.0));
    objectives.push_back(std::make_unique<MaxDvh>(c.rows, 50.0, 20.0, 2.0));
    objectives.push_back(std::make_unique<MeanDose>(c.rows, 30.0, 1.5));
    objectives.push_back(std::make_unique<GeneralizedEud>(c.rows, 8.0, 40.0, 1.0));
    objectives.push_back(std::make_unique<GeneralizedEud>(c.rows, 1.0, 40.0, 1.0));
    objectives.push_back(std::make_unique<GeneralizedEud>(c.rows, 0.5, 60.0, 1.0));
    objectives.push_back(std::make_unique<GeneralizedEud>(c.rows, -10.0, 60.0, 1.0));
    for (const auto& o : objectives) {
      // Every one is active on these doses (non-zero value and gradient).
      QVERIFY2(o->value(c.dose) > 0.0, o->name().c_str());
      const double error = gradientError(
          c.dose, [&](const std::vector<double>& d) { return o->value(d); },
          [&](const std::vector<double>& d, std::vector<double>& g) { o->evaluate(d, g); });
      qInfo("%-45s value %10.4f  gradient relative error %.2e", o->name().c_str(), o->value(c.dose),
            error);
      QVERIFY2(error < 1e-5, o->name().c_str());
    }
  }

  void constraintGradients() {
    const RandomCase c = randomCase();
    std::vector<std::unique_ptr<Constraint>> constraints;
    constraints.push_back(std::make_unique<MaxDoseConstraint>(c.rows, 60.0));
    constraints.push_back(std::make_unique<MinDoseConstraint>(c.rows, 40.0));
    constraints.push_back(std::make_unique<MeanDoseConstraint>(c.rows, 40.0));
    constraints.push_back(std::make_unique<MaxDvhConstraint>(c.rows, 50.0, 20.0));
    constraints.push_back(std::make_unique<MinDvhConstraint>(c.rows, 50.0, 95.0));
    std::mt19937 random(7);
    std::uniform_real_distribution<double> uniform(0.0, 2.0);
    for (const auto& k : constraints) {
      QVERIFY2(k->value(c.dose) > 0.0, k->name().c_str());
      // The largest condition (value and evaluate).
      const double error = gradientError(
          c.dose, [&](const std::vector<double>& d) { return k->value(d); },
          [&](const std::vector<double>& d, std::vector<double>& g) { k->evaluate(d, g, 1.0); });
      // Every condition: sum_k a_k c_k with random coefficients a_k (addGradients).
      std::vector<double> a(k->size());
      for (double& x : a) {
        x = uniform(random);
      }
      const double combinedError = gradientError(
          c.dose,
          [&](const std::vector<double>& d) {
            const std::vector<double> v = k->values(d);
            return std::inner_product(v.begin(), v.end(), a.begin(), 0.0);
          },
          [&](const std::vector<double>& d, std::vector<double>& g) { k->addGradients(d, a, g); });
      qInfo("%-45s value %8.4f  gradient relative error %.2e, %zu conditions %.2e",
            k->name().c_str(), k->value(c.dose), error, k->size(), combinedError);
      QVERIFY2(error < 1e-5, k->name().c_str());
      QVERIFY2(combinedError < 1e-5, k->name().c_str());
    }
    // The scale multiplies the gradient added.
    std::vector<double> g1(c.dose.size(), 0.0);
    std::vector<double> g3(c.dose.size(), 0.0);
    constraints[2]->evaluate(c.dose, g1, 1.0);
    constraints[2]->evaluate(c.dose, g3, 3.0);
    for (std::size_t i = 0; i < g1.size(); ++i) {
      QVERIFY(std::abs(g3[i] - 3.0 * g1[i]) <= 1e-15 * std::abs(g3[i]));
    }
  }

  void goalsMet() {
    QVERIFY(SquaredOverdose(allRows(2), 50.0).met({48.0, 50.4}));
    QVERIFY(!SquaredOverdose(allRows(2), 50.0).met({48.0, 50.6}));
    QVERIFY(!SquaredOverdose(allRows(2), 50.0).met({48.0, 50.4}, 0.0));
    QVERIFY(SquaredUnderdose(allRows(2), 50.0).met({49.6, 55.0}));
    QVERIFY(!SquaredUnderdose(allRows(2), 50.0).met({49.4, 55.0}));
    QVERIFY(SquaredDeviation(allRows(2), 50.0).met({49.6, 50.4}));
    QVERIFY(!SquaredDeviation(allRows(2), 50.0).met({49.0, 51.0}));
    QVERIFY(MeanDose(allRows(2), 50.0).met({40.0, 60.5}));
    QVERIFY(!MeanDose(allRows(2), 50.0).met({40.0, 62.0}));
    QVERIFY(MaxDvh(allRows(10), 70.0, 30.0).met(tenLevels()));
    QVERIFY(!MaxDvh(allRows(10), 60.0, 30.0).met(tenLevels()));
    QVERIFY(MinDvh(allRows(10), 60.0, 50.0).met(tenLevels()));
    QVERIFY(!MinDvh(allRows(10), 65.0, 50.0).met(tenLevels()));
    QVERIFY(GeneralizedEud(allRows(2), 1.0, 15.0).met({10.0, 20.0}));
    QVERIFY(!GeneralizedEud(allRows(2), 1.0, 14.0).met({10.0, 20.0}));
    QVERIFY(GeneralizedEud(allRows(2), -1.0, 13.0).met({10.0, 20.0}));
    QVERIFY(!GeneralizedEud(allRows(2), -1.0, 14.0).met({10.0, 20.0}));
  }

  void refusesBadArguments() {
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, SquaredOverdose({}, 50.0));
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, SquaredOverdose({0}, -1.0));
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, SquaredOverdose({0}, 50.0, -2.0));
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, MinDvh({0}, 50.0, 120.0));
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, GeneralizedEud({0}, 0.0, 50.0));
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, MaxDoseConstraint({0}, 0.0));
    std::vector<double> g1(1, 0.0);
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError,
                             MaxDoseConstraint({0}, 50.0).addGradients({1.0}, {1.0, 2.0}, g1));
    // A row beyond the dose vector.
    const SquaredOverdose o({0, 3}, 50.0);
    std::vector<double> g(3, 0.0);
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, o.evaluate({1.0, 2.0, 3.0}, g));
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, MeanDoseConstraint({5}, 50.0).value({1.0}));
  }
};

QTEST_APPLESS_MAIN(TestObjectives)
#include "TestObjectives.moc"
