#pragma once
// Clinical goals of a protocol evaluated on a dose: each goal's metric is read from the DVH of the
// whole structure (computeDvh, Dvh.h), whatever the overlap priorities used for optimisation.

#include "beamlet/core/Image.h"
#include "beamlet/core/Structure.h"
#include "beamlet/dose/Dvh.h"
#include "beamlet/dose/Protocol.h"

#include <string>
#include <vector>

namespace beamlet::dose {

struct GoalResult {
  ClinicalGoal goal;
  double achieved = 0.0; ///< in goal.unit; NaN when the goal could not be evaluated
  bool met = false;      ///< false also when it could not be evaluated
  bool evaluated = false;
  std::string setName; ///< the structure of the set the goal was evaluated on
  std::string note;    ///< why it was not evaluated, DVH warnings (outside the dose grid)
};

/// Goals are met when the achieved value satisfies the comparison within 1e-6 of the goal value
/// (relative, at least 1e-6 absolute), so a uniform 50 Gy meets "D95% >= 50 Gy" despite rounding.
bool goalMet(const ClinicalGoal& goal, double achieved);

/// Every goal of the protocol, in protocol order, on the set's structures matched as
/// matchStructures does. A goal on a structure the set lacks (or one without contours) is not met,
/// with a note. `dose` is in Gy.
std::vector<GoalResult> evaluateGoals(const Protocol& protocol, const StructureSet& structures,
                                      const Image& dose, const DvhOptions& options = {});

} // namespace beamlet::dose
