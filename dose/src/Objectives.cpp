#include "beamlet/dose/Objectives.h"

#include "beamlet/core/Error.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <sstream>

namespace beamlet::dose {

namespace {

/// "50 Gy", "47.5 Gy".
std::string gy(double dose) {
  std::ostringstream s;
  s.precision(4);
  s << dose << " Gy";
  return s.str();
}

std::string percent(double volumePercent) {
  std::ostringstream s;
  s.precision(4);
  s << volumePercent << "%";
  return s.str();
}

void checkRows(const std::vector<std::uint32_t>& rows, const char* what) {
  if (rows.empty()) {
    throw InvalidArgumentError(std::string(what) + ": the structure has no dose voxels");
  }
}

void checkDoseLevel(double doseGy, const char* what, bool positive) {
  if (!std::isfinite(doseGy) || doseGy < 0.0 || (positive && doseGy == 0.0)) {
    throw InvalidArgumentError(std::string(what) + ": dose level must be finite and " +
                               (positive ? "> 0" : ">= 0") + " Gy");
  }
}

void checkVolume(double volumePercent, const char* what) {
  if (!(volumePercent >= 0.0 && volumePercent <= 100.0)) {
    throw InvalidArgumentError(std::string(what) + ": volume must be within 0-100%");
  }
}

/// The k-th highest value (1-based, 1 <= k <= values.size()); reorders `values`.
double kthHighest(std::vector<double>& values, std::size_t k) {
  const auto nth = values.begin() + static_cast<std::ptrdiff_t>(k - 1);
  std::nth_element(values.begin(), nth, values.end(), std::greater<double>());
  return *nth;
}

/// Voxels that must get >= D for "at least V% at or above D": ceil(V N / 100) (the small
/// allowance keeps 95% of 100 voxels at 95 despite rounding of V N / 100).
std::size_t minDvhCount(double volumePercent, std::size_t n) {
  const double k = std::ceil(volumePercent * static_cast<double>(n) / 100.0 - 1e-9);
  return std::min(n, static_cast<std::size_t>(std::max(0.0, k)));
}

/// Voxels allowed above D for "at most V% above D": floor(V N / 100).
std::size_t maxDvhCount(double volumePercent, std::size_t n) {
  const double m = std::floor(volumePercent * static_cast<double>(n) / 100.0 + 1e-9);
  return std::min(n, static_cast<std::size_t>(std::max(0.0, m)));
}

/// Min-DVH: D_V, the lowest dose of the hottest ceil(V N) voxels; returns false when the
/// condition is vacuous (V = 0).
bool minDvhDose(const std::vector<double>& doses, double volumePercent, double& dv) {
  const std::size_t k = minDvhCount(volumePercent, doses.size());
  if (k == 0) {
    return false;
  }
  std::vector<double> sorted = doses;
  dv = kthHighest(sorted, k);
  return true;
}

/// Max-DVH: D_V, the highest dose once the floor(V N) hottest voxels are left out; false when all
/// voxels are allowed above D (V = 100).
bool maxDvhDose(const std::vector<double>& doses, double volumePercent, double& dv) {
  const std::size_t m = maxDvhCount(volumePercent, doses.size());
  if (m >= doses.size()) {
    return false;
  }
  std::vector<double> sorted = doses;
  dv = kthHighest(sorted, m + 1);
  return true;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Objective

Objective::Objective(std::vector<std::uint32_t> rows, double weight) : rows_(std::move(rows)) {
  checkRows(rows_, "objective");
  maxRow_ = *std::max_element(rows_.begin(), rows_.end());
  setWeight(weight);
}

void Objective::setWeight(double weight) {
  if (!std::isfinite(weight) || weight < 0.0) {
    throw InvalidArgumentError("objective: weight must be finite and >= 0");
  }
  weight_ = weight;
}

void Objective::checkDose(const std::vector<double>& dose) const {
  if (maxRow_ >= dose.size()) {
    throw InvalidArgumentError("objective " + name() + ": row " + std::to_string(maxRow_) +
                               " beyond the " + std::to_string(dose.size()) + " dose voxels");
  }
}

std::vector<double> Objective::gather(const std::vector<double>& dose) const {
  std::vector<double> d(rows_.size());
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    d[i] = dose[rows_[i]];
  }
  return d;
}

double Objective::evaluate(const std::vector<double>& dose, std::vector<double>& gradient) const {
  checkDose(dose);
  if (gradient.size() != dose.size()) {
    throw InvalidArgumentError("objective " + name() + ": gradient length differs from dose");
  }
  return weight_ * compute(dose, weight_, &gradient);
}

double Objective::value(const std::vector<double>& dose) const {
  checkDose(dose);
  return weight_ * compute(dose, weight_, nullptr);
}

// ---------------------------------------------------------------------------------------------
// Squared overdose, underdose, deviation

SquaredOverdose::SquaredOverdose(std::vector<std::uint32_t> rows, double doseGy, double weight)
    : Objective(std::move(rows), weight), doseGy_(doseGy) {
  checkDoseLevel(doseGy, "SquaredOverdose", false);
}

std::string SquaredOverdose::name() const {
  return "squared overdose above " + gy(doseGy_);
}

double SquaredOverdose::compute(const std::vector<double>& dose, double scale,
                                std::vector<double>* gradient) const {
  const double n = static_cast<double>(rows().size());
  double sum = 0.0;
  for (std::uint32_t r : rows()) {
    const double excess = dose[r] - doseGy_;
    if (excess > 0.0) {
      sum += excess * excess;
      if (gradient != nullptr) {
        (*gradient)[r] += scale * 2.0 * excess / n;
      }
    }
  }
  return sum / n;
}

bool SquaredOverdose::met(const std::vector<double>& dose, double tolerance) const {
  checkDose(dose);
  const double limit = doseGy_ * (1.0 + tolerance);
  return std::all_of(rows().begin(), rows().end(),
                     [&](std::uint32_t r) { return dose[r] <= limit; });
}

SquaredUnderdose::SquaredUnderdose(std::vector<std::uint32_t> rows, double doseGy, double weight)
    : Objective(std::move(rows), weight), doseGy_(doseGy) {
  checkDoseLevel(doseGy, "SquaredUnderdose", false);
}

std::string SquaredUnderdose::name() const {
  return "squared underdose below " + gy(doseGy_);
}

double SquaredUnderdose::compute(const std::vector<double>& dose, double scale,
                                 std::vector<double>* gradient) const {
  const double n = static_cast<double>(rows().size());
  double sum = 0.0;
  for (std::uint32_t r : rows()) {
    const double deficit = doseGy_ - dose[r];
    if (deficit > 0.0) {
      sum += deficit * deficit;
      if (gradient != nullptr) {
        (*gradient)[r] -= scale * 2.0 * deficit / n;
      }
    }
  }
  return sum / n;
}

bool SquaredUnderdose::met(const std::vector<double>& dose, double tolerance) const {
  checkDose(dose);
  const double limit = doseGy_ * (1.0 - tolerance);
  return std::all_of(rows().begin(), rows().end(),
                     [&](std::uint32_t r) { return dose[r] >= limit; });
}

SquaredDeviation::SquaredDeviation(std::vector<std::uint32_t> rows, double doseGy, double weight)
    : Objective(std::move(rows), weight), doseGy_(doseGy) {
  checkDoseLevel(doseGy, "SquaredDeviation", false);
}

std::string SquaredDeviation::name() const {
  return "squared deviation from " + gy(doseGy_);
}

double SquaredDeviation::compute(const std::vector<double>& dose, double scale,
                                 std::vector<double>* gradient) const {
  const double n = static_cast<double>(rows().size());
  double sum = 0.0;
  for (std::uint32_t r : rows()) {
    const double deviation = dose[r] - doseGy_;
    sum += deviation * deviation;
    if (gradient != nullptr) {
      (*gradient)[r] += scale * 2.0 * deviation / n;
    }
  }
  return sum / n;
}

bool SquaredDeviation::met(const std::vector<double>& dose, double tolerance) const {
  checkDose(dose);
  return std::sqrt(compute(dose, 0.0, nullptr)) <= tolerance * doseGy_;
}

// ---------------------------------------------------------------------------------------------
// DVH objectives (Wu & Mohan 2000, doi:10.1118/1.598932)

MinDvh::MinDvh(std::vector<std::uint32_t> rows, double doseGy, double volumePercent, double weight)
    : Objective(std::move(rows), weight), doseGy_(doseGy), volumePercent_(volumePercent) {
  checkDoseLevel(doseGy, "MinDvh", false);
  checkVolume(volumePercent, "MinDvh");
}

std::string MinDvh::name() const {
  return "min-DVH: at least " + percent(volumePercent_) + " at or above " + gy(doseGy_);
}

double MinDvh::compute(const std::vector<double>& dose, double scale,
                       std::vector<double>* gradient) const {
  double dv = 0.0;
  if (!minDvhDose(gather(dose), volumePercent_, dv) || dv >= doseGy_) {
    return 0.0;
  }
  const double n = static_cast<double>(rows().size());
  double sum = 0.0;
  for (std::uint32_t r : rows()) {
    const double d = dose[r];
    if (d >= dv && d < doseGy_) {
      sum += (doseGy_ - d) * (doseGy_ - d);
      if (gradient != nullptr) {
        (*gradient)[r] -= scale * 2.0 * (doseGy_ - d) / n;
      }
    }
  }
  return sum / n;
}

bool MinDvh::met(const std::vector<double>& dose, double tolerance) const {
  checkDose(dose);
  double dv = 0.0;
  return !minDvhDose(gather(dose), volumePercent_, dv) || dv >= doseGy_ * (1.0 - tolerance);
}

MaxDvh::MaxDvh(std::vector<std::uint32_t> rows, double doseGy, double volumePercent, double weight)
    : Objective(std::move(rows), weight), doseGy_(doseGy), volumePercent_(volumePercent) {
  checkDoseLevel(doseGy, "MaxDvh", false);
  checkVolume(volumePercent, "MaxDvh");
}

std::string MaxDvh::name() const {
  return "max-DVH: at most " + percent(volumePercent_) + " above " + gy(doseGy_);
}

double MaxDvh::compute(const std::vector<double>& dose, double scale,
                       std::vector<double>* gradient) const {
  double dv = 0.0;
  if (!maxDvhDose(gather(dose), volumePercent_, dv) || dv <= doseGy_) {
    return 0.0;
  }
  const double n = static_cast<double>(rows().size());
  double sum = 0.0;
  for (std::uint32_t r : rows()) {
    const double d = dose[r];
    if (d > doseGy_ && d <= dv) {
      sum += (d - doseGy_) * (d - doseGy_);
      if (gradient != nullptr) {
        (*gradient)[r] += scale * 2.0 * (d - doseGy_) / n;
      }
    }
  }
  return sum / n;
}

bool MaxDvh::met(const std::vector<double>& dose, double tolerance) const {
  checkDose(dose);
  double dv = 0.0;
  return !maxDvhDose(gather(dose), volumePercent_, dv) || dv <= doseGy_ * (1.0 + tolerance);
}

// ---------------------------------------------------------------------------------------------
// Mean dose and gEUD

MeanDose::MeanDose(std::vector<std::uint32_t> rows, double doseGy, double weight)
    : Objective(std::move(rows), weight), doseGy_(doseGy) {
  checkDoseLevel(doseGy, "MeanDose", false);
}

std::string MeanDose::name() const {
  return "mean dose above " + gy(doseGy_);
}

double MeanDose::compute(const std::vector<double>& dose, double scale,
                         std::vector<double>* gradient) const {
  const double n = static_cast<double>(rows().size());
  double sum = 0.0;
  for (std::uint32_t r : rows()) {
    sum += dose[r];
  }
  const double excess = sum / n - doseGy_;
  if (excess <= 0.0) {
    return 0.0;
  }
  if (gradient != nullptr) {
    for (std::uint32_t r : rows()) {
      (*gradient)[r] += scale * 2.0 * excess / n;
    }
  }
  return excess * excess;
}

bool MeanDose::met(const std::vector<double>& dose, double tolerance) const {
  checkDose(dose);
  double sum = 0.0;
  for (std::uint32_t r : rows()) {
    sum += dose[r];
  }
  return sum / static_cast<double>(rows().size()) <= doseGy_ * (1.0 + tolerance);
}

namespace {

constexpr double kEudDoseFloorGy = 1e-6;

/// gEUD = ((1/N) sum x_i^a)^(1/a) with x_i = max(d_i, floor) (Niemierko 1999,
/// doi:10.1118/1.598063), computed relative to m = max x (a > 0) or min x (a < 0) so that
/// (x_i / m)^a <= 1 never overflows. `derivative` (optional) gets d gEUD / d x_i =
/// (1/N) S^(1/a - 1) (x_i / m)^(a - 1) with S = (1/N) sum (x_i / m)^a (0 where d_i is below the
/// floor).
double generalizedEud(const std::vector<double>& doses, double a, std::vector<double>* derivative) {
  const double n = static_cast<double>(doses.size());
  double m = a > 0.0 ? 0.0 : HUGE_VAL;
  for (double d : doses) {
    const double x = std::max(d, kEudDoseFloorGy);
    m = a > 0.0 ? std::max(m, x) : std::min(m, x);
  }
  double s = 0.0;
  for (double d : doses) {
    s += std::pow(std::max(d, kEudDoseFloorGy) / m, a);
  }
  s /= n;
  if (derivative != nullptr) {
    derivative->resize(doses.size());
    const double factor = std::pow(s, 1.0 / a - 1.0) / n;
    for (std::size_t i = 0; i < doses.size(); ++i) {
      (*derivative)[i] =
          doses[i] < kEudDoseFloorGy ? 0.0 : factor * std::pow(doses[i] / m, a - 1.0);
    }
  }
  return m * std::pow(s, 1.0 / a);
}

} // namespace

GeneralizedEud::GeneralizedEud(std::vector<std::uint32_t> rows, double a, double eudGy,
                               double weight)
    : Objective(std::move(rows), weight), a_(a), eudGy_(eudGy) {
  if (!std::isfinite(a) || a == 0.0) {
    throw InvalidArgumentError("GeneralizedEud: the parameter a must be finite and non-zero");
  }
  checkDoseLevel(eudGy, "GeneralizedEud", false);
}

std::string GeneralizedEud::name() const {
  std::ostringstream s;
  s.precision(4);
  s << "gEUD (a = " << a_ << ") " << (a_ >= 1.0 ? "above " : "below ") << gy(eudGy_);
  return s.str();
}

double GeneralizedEud::eud(const std::vector<double>& dose) const {
  checkDose(dose);
  return generalizedEud(gather(dose), a_, nullptr);
}

double GeneralizedEud::compute(const std::vector<double>& dose, double scale,
                               std::vector<double>* gradient) const {
  std::vector<double> derivative;
  const double eudGy =
      generalizedEud(gather(dose), a_, gradient != nullptr ? &derivative : nullptr);
  // Excess for organs at risk (a >= 1), deficit for targets (a < 1).
  const double miss = a_ >= 1.0 ? eudGy - eudGy_ : eudGy_ - eudGy;
  if (miss <= 0.0) {
    return 0.0;
  }
  if (gradient != nullptr) {
    const double sign = a_ >= 1.0 ? 1.0 : -1.0;
    for (std::size_t i = 0; i < rows().size(); ++i) {
      (*gradient)[rows()[i]] += scale * sign * 2.0 * miss * derivative[i];
    }
  }
  return miss * miss;
}

bool GeneralizedEud::met(const std::vector<double>& dose, double tolerance) const {
  const double eudGy = eud(dose);
  return a_ >= 1.0 ? eudGy <= eudGy_ * (1.0 + tolerance) : eudGy >= eudGy_ * (1.0 - tolerance);
}

// ---------------------------------------------------------------------------------------------
// Constraint

Constraint::Constraint(std::vector<std::uint32_t> rows) : rows_(std::move(rows)) {
  checkRows(rows_, "constraint");
  maxRow_ = *std::max_element(rows_.begin(), rows_.end());
}

void Constraint::checkDose(const std::vector<double>& dose,
                           const std::vector<double>* gradient) const {
  if (maxRow_ >= dose.size()) {
    throw InvalidArgumentError("constraint " + name() + ": row " + std::to_string(maxRow_) +
                               " beyond the " + std::to_string(dose.size()) + " dose voxels");
  }
  if (gradient != nullptr && gradient->size() != dose.size()) {
    throw InvalidArgumentError("constraint " + name() + ": gradient length differs from dose");
  }
}

std::vector<double> Constraint::gather(const std::vector<double>& dose) const {
  std::vector<double> d(rows_.size());
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    d[i] = dose[rows_[i]];
  }
  return d;
}

std::vector<double> Constraint::values(const std::vector<double>& dose) const {
  checkDose(dose, nullptr);
  std::vector<double> v(size());
  computeValues(dose, v.data());
  return v;
}

void Constraint::addGradients(const std::vector<double>& dose,
                              const std::vector<double>& coefficients,
                              std::vector<double>& gradient) const {
  checkDose(dose, &gradient);
  if (coefficients.size() != size()) {
    throw InvalidArgumentError("constraint " + name() + ": " + std::to_string(coefficients.size()) +
                               " coefficients for " + std::to_string(size()) + " conditions");
  }
  computeGradients(dose, coefficients.data(), gradient);
}

double Constraint::value(const std::vector<double>& dose) const {
  const std::vector<double> v = values(dose);
  return *std::max_element(v.begin(), v.end());
}

double Constraint::evaluate(const std::vector<double>& dose, std::vector<double>& gradient,
                            double scale) const {
  checkDose(dose, &gradient);
  std::vector<double> v(size());
  computeValues(dose, v.data());
  const auto largest = std::max_element(v.begin(), v.end());
  const double result = *largest;
  std::vector<double> coefficients(v.size(), 0.0);
  coefficients[static_cast<std::size_t>(largest - v.begin())] = scale;
  computeGradients(dose, coefficients.data(), gradient);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Max and min dose: one linear condition per voxel

MaxDoseConstraint::MaxDoseConstraint(std::vector<std::uint32_t> rows, double doseGy)
    : Constraint(std::move(rows)), doseGy_(doseGy) {
  checkDoseLevel(doseGy, "MaxDoseConstraint", true);
}

std::string MaxDoseConstraint::name() const {
  return "max dose " + gy(doseGy_);
}

void MaxDoseConstraint::computeValues(const std::vector<double>& dose, double* values) const {
  for (std::size_t k = 0; k < rows().size(); ++k) {
    values[k] = (dose[rows()[k]] - doseGy_) / doseGy_;
  }
}

void MaxDoseConstraint::computeGradients(const std::vector<double>&, const double* coefficients,
                                         std::vector<double>& gradient) const {
  for (std::size_t k = 0; k < rows().size(); ++k) {
    gradient[rows()[k]] += coefficients[k] / doseGy_;
  }
}

MinDoseConstraint::MinDoseConstraint(std::vector<std::uint32_t> rows, double doseGy)
    : Constraint(std::move(rows)), doseGy_(doseGy) {
  checkDoseLevel(doseGy, "MinDoseConstraint", true);
}

std::string MinDoseConstraint::name() const {
  return "min dose " + gy(doseGy_);
}

void MinDoseConstraint::computeValues(const std::vector<double>& dose, double* values) const {
  for (std::size_t k = 0; k < rows().size(); ++k) {
    values[k] = (doseGy_ - dose[rows()[k]]) / doseGy_;
  }
}

void MinDoseConstraint::computeGradients(const std::vector<double>&, const double* coefficients,
                                         std::vector<double>& gradient) const {
  for (std::size_t k = 0; k < rows().size(); ++k) {
    gradient[rows()[k]] -= coefficients[k] / doseGy_;
  }
}

// ---------------------------------------------------------------------------------------------
// Mean dose and DVH constraints

MeanDoseConstraint::MeanDoseConstraint(std::vector<std::uint32_t> rows, double doseGy)
    : Constraint(std::move(rows)), doseGy_(doseGy) {
  checkDoseLevel(doseGy, "MeanDoseConstraint", true);
}

std::string MeanDoseConstraint::name() const {
  return "mean dose at most " + gy(doseGy_);
}

void MeanDoseConstraint::computeValues(const std::vector<double>& dose, double* values) const {
  double sum = 0.0;
  for (std::uint32_t r : rows()) {
    sum += dose[r];
  }
  values[0] = (sum / static_cast<double>(rows().size()) - doseGy_) / doseGy_;
}

void MeanDoseConstraint::computeGradients(const std::vector<double>&, const double* coefficients,
                                          std::vector<double>& gradient) const {
  const double g = coefficients[0] / (static_cast<double>(rows().size()) * doseGy_);
  for (std::uint32_t r : rows()) {
    gradient[r] += g;
  }
}

MaxDvhConstraint::MaxDvhConstraint(std::vector<std::uint32_t> rows, double doseGy,
                                   double volumePercent)
    : Constraint(std::move(rows)), doseGy_(doseGy), volumePercent_(volumePercent) {
  checkDoseLevel(doseGy, "MaxDvhConstraint", true);
  checkVolume(volumePercent, "MaxDvhConstraint");
}

std::string MaxDvhConstraint::name() const {
  return "at most " + percent(volumePercent_) + " above " + gy(doseGy_);
}

void MaxDvhConstraint::computeValues(const std::vector<double>& dose, double* values) const {
  values[0] = 0.0;
  double dv = 0.0;
  if (!maxDvhDose(gather(dose), volumePercent_, dv) || dv <= doseGy_) {
    return;
  }
  double sum = 0.0;
  for (std::uint32_t r : rows()) {
    if (dose[r] > doseGy_ && dose[r] <= dv) {
      sum += dose[r] - doseGy_;
    }
  }
  values[0] = sum / (static_cast<double>(rows().size()) * doseGy_);
}

void MaxDvhConstraint::computeGradients(const std::vector<double>& dose, const double* coefficients,
                                        std::vector<double>& gradient) const {
  double dv = 0.0;
  if (!maxDvhDose(gather(dose), volumePercent_, dv) || dv <= doseGy_) {
    return;
  }
  const double g = coefficients[0] / (static_cast<double>(rows().size()) * doseGy_);
  for (std::uint32_t r : rows()) {
    if (dose[r] > doseGy_ && dose[r] <= dv) {
      gradient[r] += g;
    }
  }
}

MinDvhConstraint::MinDvhConstraint(std::vector<std::uint32_t> rows, double doseGy,
                                   double volumePercent)
    : Constraint(std::move(rows)), doseGy_(doseGy), volumePercent_(volumePercent) {
  checkDoseLevel(doseGy, "MinDvhConstraint", true);
  checkVolume(volumePercent, "MinDvhConstraint");
}

std::string MinDvhConstraint::name() const {
  return "at least " + percent(volumePercent_) + " at or above " + gy(doseGy_);
}

void MinDvhConstraint::computeValues(const std::vector<double>& dose, double* values) const {
  values[0] = 0.0;
  double dv = 0.0;
  if (!minDvhDose(gather(dose), volumePercent_, dv) || dv >= doseGy_) {
    return;
  }
  double sum = 0.0;
  for (std::uint32_t r : rows()) {
    if (dose[r] >= dv && dose[r] < doseGy_) {
      sum += doseGy_ - dose[r];
    }
  }
  values[0] = sum / (static_cast<double>(rows().size()) * doseGy_);
}

void MinDvhConstraint::computeGradients(const std::vector<double>& dose, const double* coefficients,
                                        std::vector<double>& gradient) const {
  double dv = 0.0;
  if (!minDvhDose(gather(dose), volumePercent_, dv) || dv >= doseGy_) {
    return;
  }
  const double g = coefficients[0] / (static_cast<double>(rows().size()) * doseGy_);
  for (std::uint32_t r : rows()) {
    if (dose[r] >= dv && dose[r] < doseGy_) {
      gradient[r] -= g;
    }
  }
}

} // namespace beamlet::dose
