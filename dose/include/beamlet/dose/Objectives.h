#pragma once
// Planning objectives and constraints of fluence optimisation (docs/optimization.md). Each one
// looks at the dose of one structure's voxels, given as compact rows of the dose-influence matrix
// (positions in Dij::voxels()), and has an analytic gradient with respect to that dose; the
// optimiser turns it into a gradient on the bixel weights with Dij^T.
//
// Objectives are penalties (0 when the goal is met, else positive; a deviation is 0 only when
// exact) normalised per voxel: a sum over the structure's voxels is divided by their number, or the
// penalty is built from averages (mean dose, gEUD), so that weights compare across structures of
// different sizes. Doses are in Gy, objective values in Gy^2 times the weight.
//
// Constraints are conditions c_k(dose) <= 0 in relative units (a fraction of their dose level),
// so that one tolerance fits them all.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace beamlet::dose {

/// A penalty on the dose of one structure.
class Objective {
public:
  /// `rows`: the structure's compact row indices (not empty); `weight` >= 0.
  Objective(std::vector<std::uint32_t> rows, double weight);
  virtual ~Objective() = default;

  /// What the objective asks, e.g. "squared overdose above 50 Gy".
  virtual std::string name() const = 0;
  /// The structure's name, for messages and progress (optional).
  const std::string& structure() const { return structure_; }
  void setStructure(std::string structure) { structure_ = std::move(structure); }

  const std::vector<std::uint32_t>& rows() const { return rows_; }
  double weight() const { return weight_; }
  void setWeight(double weight);

  /// weight * value for the dose of all rows (`dose` is indexed by compact row); ADDS
  /// weight * d value / d dose[row] into gradient[row] (gradient has dose's length).
  double evaluate(const std::vector<double>& dose, std::vector<double>& gradient) const;
  /// weight * value, without the gradient.
  double value(const std::vector<double>& dose) const;

  /// Whether the goal is met, within `tolerance` (a fraction of the objective's dose level): e.g.
  /// an overdose objective above D is met when no voxel exceeds D * (1 + tolerance).
  virtual bool met(const std::vector<double>& dose, double tolerance = 0.01) const = 0;

  /// The dose the objective asks the structure to reach from below (a prescription: underdose,
  /// deviation, min-DVH, target gEUD), else 0. The optimiser scales its uniform start with it.
  virtual double referenceDose() const { return 0.0; }

protected:
  /// The unweighted value; when `gradient` is given, adds scale * d value / d dose[row] into it.
  virtual double compute(const std::vector<double>& dose, double scale,
                         std::vector<double>* gradient) const = 0;
  /// The structure's doses, in the order of rows().
  std::vector<double> gather(const std::vector<double>& dose) const;
  void checkDose(const std::vector<double>& dose) const;

private:
  std::vector<std::uint32_t> rows_;
  std::uint32_t maxRow_ = 0;
  double weight_ = 1.0;
  std::string structure_;
};

/// (1/N) sum max(0, d_i - D)^2: pulls the dose down to D.
class SquaredOverdose : public Objective {
public:
  SquaredOverdose(std::vector<std::uint32_t> rows, double doseGy, double weight = 1.0);
  std::string name() const override;
  bool met(const std::vector<double>& dose, double tolerance = 0.01) const override;

protected:
  double compute(const std::vector<double>& dose, double scale,
                 std::vector<double>* gradient) const override;

private:
  double doseGy_;
};

/// (1/N) sum max(0, D - d_i)^2: pushes the dose up to D.
class SquaredUnderdose : public Objective {
public:
  SquaredUnderdose(std::vector<std::uint32_t> rows, double doseGy, double weight = 1.0);
  std::string name() const override;
  bool met(const std::vector<double>& dose, double tolerance = 0.01) const override;
  double referenceDose() const override { return doseGy_; }

protected:
  double compute(const std::vector<double>& dose, double scale,
                 std::vector<double>* gradient) const override;

private:
  double doseGy_;
};

/// (1/N) sum (d_i - D)^2: a uniform dose D. Met when the RMS deviation is within tolerance * D.
class SquaredDeviation : public Objective {
public:
  SquaredDeviation(std::vector<std::uint32_t> rows, double doseGy, double weight = 1.0);
  std::string name() const override;
  bool met(const std::vector<double>& dose, double tolerance = 0.01) const override;
  double referenceDose() const override { return doseGy_; }

protected:
  double compute(const std::vector<double>& dose, double scale,
                 std::vector<double>* gradient) const override;

private:
  double doseGy_;
};

/// Min-DVH: at least V% of the volume gets >= D. Wu & Mohan 2000 (doi:10.1118/1.598932): with
/// D_V the dose the hottest V% of the volume receives, the voxels with D_V <= d_i < D (the ones
/// closest to D among those that must rise) are penalised by (1/N) sum (D - d_i)^2; 0 when
/// D_V >= D.
class MinDvh : public Objective {
public:
  MinDvh(std::vector<std::uint32_t> rows, double doseGy, double volumePercent, double weight = 1.0);
  std::string name() const override;
  bool met(const std::vector<double>& dose, double tolerance = 0.01) const override;
  double referenceDose() const override { return doseGy_; }

protected:
  double compute(const std::vector<double>& dose, double scale,
                 std::vector<double>* gradient) const override;

private:
  double doseGy_;
  double volumePercent_;
};

/// Max-DVH: at most V% of the volume gets more than D. Wu & Mohan 2000 (doi:10.1118/1.598932):
/// with D_V the dose exceeded by no more than V% of the volume (the highest dose once the hottest
/// V% are left out), the voxels with D < d_i <= D_V are penalised by (1/N) sum (d_i - D)^2.
class MaxDvh : public Objective {
public:
  MaxDvh(std::vector<std::uint32_t> rows, double doseGy, double volumePercent, double weight = 1.0);
  std::string name() const override;
  bool met(const std::vector<double>& dose, double tolerance = 0.01) const override;

protected:
  double compute(const std::vector<double>& dose, double scale,
                 std::vector<double>* gradient) const override;

private:
  double doseGy_;
  double volumePercent_;
};

/// max(0, mean - D)^2: the squared excess of the mean dose above D (D = 0: the squared mean, a
/// steady pull on the mean dose of an organ at risk).
class MeanDose : public Objective {
public:
  MeanDose(std::vector<std::uint32_t> rows, double doseGy, double weight = 1.0);
  std::string name() const override;
  bool met(const std::vector<double>& dose, double tolerance = 0.01) const override;

protected:
  double compute(const std::vector<double>& dose, double scale,
                 std::vector<double>* gradient) const override;

private:
  double doseGy_;
};

/// Generalised equivalent uniform dose, gEUD = ((1/N) sum d_i^a)^(1/a) (Niemierko 1999,
/// doi:10.1118/1.598063); a != 0. For a >= 1 (organs at risk: a = 1 is the mean, large a
/// approaches the maximum) the objective is the squared excess max(0, gEUD - EUD0)^2; for a < 1
/// (targets, a < 0 approaches the minimum) the squared deficit max(0, EUD0 - gEUD)^2. Doses
/// below 1e-6 Gy count as 1e-6 Gy (d^a is singular at 0 for a < 1).
class GeneralizedEud : public Objective {
public:
  GeneralizedEud(std::vector<std::uint32_t> rows, double a, double eudGy, double weight = 1.0);
  std::string name() const override;
  bool met(const std::vector<double>& dose, double tolerance = 0.01) const override;
  double referenceDose() const override { return a_ < 1.0 ? eudGy_ : 0.0; }
  /// gEUD of the structure's dose.
  double eud(const std::vector<double>& dose) const;

protected:
  double compute(const std::vector<double>& dose, double scale,
                 std::vector<double>* gradient) const override;

private:
  double a_;
  double eudGy_;
};

/// A hard limit on the dose of one structure, made of one or more conditions c_k(dose) <= 0:
/// one per voxel for the maximum and minimum dose (linear in the dose, hence in the weights:
/// exact, no smoothing), one for the others.
class Constraint {
public:
  explicit Constraint(std::vector<std::uint32_t> rows);
  virtual ~Constraint() = default;

  virtual std::string name() const = 0;
  const std::string& structure() const { return structure_; }
  void setStructure(std::string structure) { structure_ = std::move(structure); }
  const std::vector<std::uint32_t>& rows() const { return rows_; }

  /// Number of conditions.
  virtual std::size_t size() const { return 1; }
  /// The conditions' values (size() of them).
  std::vector<double> values(const std::vector<double>& dose) const;
  /// ADDS sum_k coefficients[k] * d c_k / d dose[row] into gradient[row] (size() coefficients).
  void addGradients(const std::vector<double>& dose, const std::vector<double>& coefficients,
                    std::vector<double>& gradient) const;

  /// The largest condition value: <= 0 when the constraint is satisfied.
  double value(const std::vector<double>& dose) const;
  /// value(); ADDS scale * its gradient (that of the largest condition) into gradient[row].
  double evaluate(const std::vector<double>& dose, std::vector<double>& gradient,
                  double scale = 1.0) const;

protected:
  /// Writes the size() condition values.
  virtual void computeValues(const std::vector<double>& dose, double* values) const = 0;
  virtual void computeGradients(const std::vector<double>& dose, const double* coefficients,
                                std::vector<double>& gradient) const = 0;
  std::vector<double> gather(const std::vector<double>& dose) const;

private:
  void checkDose(const std::vector<double>& dose, const std::vector<double>* gradient) const;

  std::vector<std::uint32_t> rows_;
  std::uint32_t maxRow_ = 0;
  std::string structure_;
};

/// Maximum dose D: one condition per voxel, (d_i - D) / D <= 0. value() is (max - D) / D.
class MaxDoseConstraint : public Constraint {
public:
  MaxDoseConstraint(std::vector<std::uint32_t> rows, double doseGy);
  std::string name() const override;
  std::size_t size() const override { return rows().size(); }

protected:
  void computeValues(const std::vector<double>& dose, double* values) const override;
  void computeGradients(const std::vector<double>& dose, const double* coefficients,
                        std::vector<double>& gradient) const override;

private:
  double doseGy_;
};

/// Minimum dose D: one condition per voxel, (D - d_i) / D <= 0. value() is (D - min) / D.
class MinDoseConstraint : public Constraint {
public:
  MinDoseConstraint(std::vector<std::uint32_t> rows, double doseGy);
  std::string name() const override;
  std::size_t size() const override { return rows().size(); }

protected:
  void computeValues(const std::vector<double>& dose, double* values) const override;
  void computeGradients(const std::vector<double>& dose, const double* coefficients,
                        std::vector<double>& gradient) const override;

private:
  double doseGy_;
};

/// Mean dose at most D: (mean - D) / D <= 0.
class MeanDoseConstraint : public Constraint {
public:
  MeanDoseConstraint(std::vector<std::uint32_t> rows, double doseGy);
  std::string name() const override;

protected:
  void computeValues(const std::vector<double>& dose, double* values) const override;
  void computeGradients(const std::vector<double>& dose, const double* coefficients,
                        std::vector<double>& gradient) const override;

private:
  double doseGy_;
};

/// At most V% of the volume above D: (1/N) sum (d_i - D) / D over Wu & Mohan's voxels
/// (D < d_i <= D_V, those that must come down; doi:10.1118/1.598932), 0 when satisfied. A mean
/// relative excess rather than a squared one, so that the gradient does not vanish as the
/// constraint is approached.
class MaxDvhConstraint : public Constraint {
public:
  MaxDvhConstraint(std::vector<std::uint32_t> rows, double doseGy, double volumePercent);
  std::string name() const override;

protected:
  void computeValues(const std::vector<double>& dose, double* values) const override;
  void computeGradients(const std::vector<double>& dose, const double* coefficients,
                        std::vector<double>& gradient) const override;

private:
  double doseGy_;
  double volumePercent_;
};

/// At least V% of the volume at or above D: (1/N) sum (D - d_i) / D over the voxels with
/// D_V <= d_i < D (Wu & Mohan's set), 0 when satisfied.
class MinDvhConstraint : public Constraint {
public:
  MinDvhConstraint(std::vector<std::uint32_t> rows, double doseGy, double volumePercent);
  std::string name() const override;

protected:
  void computeValues(const std::vector<double>& dose, double* values) const override;
  void computeGradients(const std::vector<double>& dose, const double* coefficients,
                        std::vector<double>& gradient) const override;

private:
  double doseGy_;
  double volumePercent_;
};

} // namespace beamlet::dose
