#include "beamlet/dose/ClinicalGoals.h"

#include "beamlet/core/Error.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

namespace beamlet::dose {

namespace {

bool sameName(const std::string& a, const std::string& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

} // namespace

bool goalMet(const ClinicalGoal& goal, double achieved) {
  if (!std::isfinite(achieved)) {
    return false;
  }
  const double tolerance = 1e-6 * std::max(1.0, std::abs(goal.value));
  if (goal.comparison == ">=") {
    return achieved >= goal.value - tolerance;
  }
  if (goal.comparison == "<=") {
    return achieved <= goal.value + tolerance;
  }
  throw InvalidArgumentError(
      withContext("clinical goal '" + goal.text + "'",
                  "the comparison '" + goal.comparison + "' must be >= or <="));
}

std::vector<GoalResult> evaluateGoals(const Protocol& protocol, const StructureSet& structures,
                                      const Image& dose, const DvhOptions& options) {
  const std::vector<StructureMatch> matches = matchStructures(protocol, structures);
  // The set structure a goal refers to: through the protocol structure of that name, or (a goal
  // on a structure the protocol does not list) matched on its own.
  auto setIndexFor = [&](const ClinicalGoal& goal, std::string& why) {
    for (std::size_t p = 0; p < protocol.structures.size(); ++p) {
      bool named = sameName(protocol.structures[p].name, goal.structure);
      for (const std::string& alias : protocol.structures[p].aliases) {
        named = named || sameName(alias, goal.structure);
      }
      if (named) {
        if (!matches[p].found()) {
          why = "the structure set has no " + protocol.structures[p].name;
          if (!protocol.structures[p].aliases.empty()) {
            std::string aliases;
            for (const std::string& alias : protocol.structures[p].aliases) {
              aliases += (aliases.empty() ? "" : ", ") + alias;
            }
            why += " (nor " + aliases + ")";
          }
        }
        return matches[p].setIndex;
      }
    }
    Protocol single;
    ProtocolStructure s;
    s.name = goal.structure;
    single.structures.push_back(s);
    const StructureMatch m = matchStructures(single, structures).front();
    if (!m.found()) {
      why = "the structure set has no " + goal.structure;
    }
    return m.setIndex;
  };

  std::map<int, std::optional<Dvh>> dvhs; // per set structure; empty when it failed
  std::map<int, std::string> dvhErrors;
  std::vector<GoalResult> results;
  for (const ClinicalGoal& goal : protocol.goals) {
    GoalResult r;
    r.goal = goal;
    r.achieved = std::numeric_limits<double>::quiet_NaN();
    std::string why;
    const int index = setIndexFor(goal, why);
    if (index < 0) {
      r.note = why;
      results.push_back(std::move(r));
      continue;
    }
    const Structure& structure = structures.structures[static_cast<std::size_t>(index)];
    r.setName = structure.name;
    if (dvhs.count(index) == 0) {
      try {
        dvhs[index] = computeDvh(structure, dose, options);
      } catch (const Error& e) {
        dvhs[index] = std::nullopt;
        dvhErrors[index] = e.what();
      }
    }
    const std::optional<Dvh>& dvh = dvhs[index];
    if (!dvh) {
      r.note = "no DVH for " + structure.name + ": " + dvhErrors[index];
      results.push_back(std::move(r));
      continue;
    }
    if (dvh->volumeCc <= 0.0) {
      r.note = structure.name + " lies outside the dose grid";
      results.push_back(std::move(r));
      continue;
    }
    r.achieved = evaluateMetric(*dvh, goal.dvhMetric());
    r.met = goalMet(goal, r.achieved);
    r.evaluated = true;
    for (const std::string& warning : dvh->warnings) {
      r.note += (r.note.empty() ? "" : "; ") + warning;
    }
    results.push_back(std::move(r));
  }
  return results;
}

} // namespace beamlet::dose
