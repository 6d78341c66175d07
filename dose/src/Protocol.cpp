#include "beamlet/dose/Protocol.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/Resources.h"
#include "beamlet/core/Tg263.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

namespace beamlet::dose {

namespace {

using Json = nlohmann::json;

std::string lower(std::string text) {
  for (char& c : text) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text;
}

bool equalsIgnoringCase(const std::string& a, const std::string& b) {
  return a.size() == b.size() && lower(a) == lower(b);
}

// Lower case without spaces, '_', '-' and '.': "PTV High" and "ptv_high" compare equal.
std::string withoutSeparators(const std::string& text) {
  std::string key;
  for (char c : text) {
    if (c != ' ' && c != '_' && c != '-' && c != '.') {
      key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return key;
}

// A whole string as a finite decimal number (locale-independent); false when it is not one.
bool parseNumber(const std::string& text, double& value) {
  if (text.empty() || text.find_first_not_of("0123456789.eE+-") != std::string::npos) {
    return false;
  }
  const char* first = text.data();
  const char* last = first + text.size();
  if (*first == '+') {
    ++first;
  }
  const auto [end, ec] = std::from_chars(first, last, value);
  return ec == std::errc() && end == last && std::isfinite(value);
}

const std::vector<std::string>& objectiveTypes() {
  static const std::vector<std::string> types = {"squared_overdose",
                                                 "squared_underdose",
                                                 "squared_deviation",
                                                 "min_dvh",
                                                 "max_dvh",
                                                 "mean_dose",
                                                 "geud"};
  return types;
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) {
    text += (text.empty() ? "" : ", ") + item;
  }
  return text;
}

// Why a metric/unit pair is not a goal Beamlet can evaluate; empty when it is fine.
std::string metricProblem(const std::string& metric, const std::string& unit) {
  auto endsWith = [&](const std::string& suffix) {
    return metric.size() > suffix.size() &&
           metric.compare(metric.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  auto numberBetween = [&](std::size_t from, std::size_t suffix, double& v) {
    return metric.size() > from + suffix &&
           parseNumber(metric.substr(from, metric.size() - from - suffix), v) && v >= 0.0;
  };
  auto needUnit = [&](const std::vector<std::string>& units) -> std::string {
    if (std::find(units.begin(), units.end(), unit) != units.end()) {
      return "";
    }
    return "the unit of " + metric + " must be " + joined(units) + ", not '" + unit + "'";
  };
  double v = 0.0;
  if (metric == "Dmean" || metric == "Dmin" || metric == "Dmax") {
    return needUnit({"Gy"});
  }
  if (metric == "Volume") {
    return needUnit({"cc"});
  }
  if (!metric.empty() && metric[0] == 'D' && endsWith("%") && numberBetween(1, 1, v)) {
    return v <= 100.0 ? needUnit({"Gy"}) : "the volume of " + metric + " exceeds 100%";
  }
  if (!metric.empty() && metric[0] == 'D' && endsWith("cc") && numberBetween(1, 2, v)) {
    return needUnit({"Gy"});
  }
  if (!metric.empty() && metric[0] == 'V' && endsWith("Gy%") && numberBetween(1, 3, v)) {
    return needUnit({"%"});
  }
  if (!metric.empty() && metric[0] == 'V' && endsWith("Gy") && numberBetween(1, 2, v)) {
    return needUnit({"%", "cc"});
  }
  return "unknown metric '" + metric +
         "' (use e.g. D95%, D2cc, Dmean, Dmax, Dmin, V20Gy, V20Gy%, Volume)";
}

// Parses a goal; returns the problem (empty on success).
std::string parseGoalInto(const std::string& text, ClinicalGoal& goal) {
  std::istringstream in(text);
  std::vector<std::string> tokens;
  for (std::string token; in >> token;) {
    tokens.push_back(token);
  }
  const char* form = "expected 'STRUCTURE METRIC OP VALUE UNIT', e.g. 'PTV70 D95% >= 66.5 Gy'";
  if (tokens.size() < 4) {
    return form;
  }
  goal = ClinicalGoal{};
  goal.text = text;
  std::size_t used = 0; // tokens taken from the end
  const std::string& last = tokens.back();
  const std::size_t unitStart = last.find_first_not_of("0123456789.eE+-");
  if (unitStart != 0 && unitStart != std::string::npos) {
    // Value and unit written together: "66.5Gy".
    if (!parseNumber(last.substr(0, unitStart), goal.value)) {
      return "'" + last + "' is not a value with a unit";
    }
    goal.unit = last.substr(unitStart);
    used = 1;
  } else {
    if (tokens.size() < 5) {
      return form;
    }
    goal.unit = last;
    const std::string& value = tokens[tokens.size() - 2];
    if (!parseNumber(value, goal.value)) {
      return "the value '" + value + "' is not a number";
    }
    used = 2;
  }
  if (goal.value < 0.0) {
    return "the value must not be negative";
  }
  goal.comparison = tokens[tokens.size() - used - 1];
  if (goal.comparison != ">=" && goal.comparison != "<=") {
    return "the comparison '" + goal.comparison + "' must be >= or <=";
  }
  goal.metric = tokens[tokens.size() - used - 2];
  if (goal.unit != "Gy" && goal.unit != "%" && goal.unit != "cc") {
    return "the unit '" + goal.unit + "' must be Gy, % or cc";
  }
  if (std::string problem = metricProblem(goal.metric, goal.unit); !problem.empty()) {
    return problem;
  }
  for (std::size_t n = 0; n + used + 2 < tokens.size(); ++n) {
    goal.structure += (n == 0 ? "" : " ") + tokens[n];
  }
  return "";
}

// Reading one file: every problem is a DataError "<file>: '<key>' <problem>".
class Reader {
public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
    throw DataError(withContext(path_, "'" + key + "' " + problem));
  }

  void onlyKeys(const Json& object, const std::string& prefix,
                const std::vector<std::string>& allowed) const {
    for (const auto& item : object.items()) {
      if (item.key() != "comment" &&
          std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end()) {
        fail(prefix + item.key(), "is not a known key here (known: " + joined(allowed) + ")");
      }
    }
  }

  const Json& object(const Json& parent, const std::string& key, const std::string& prefix) const {
    if (!parent.contains(key) || !parent[key].is_object()) {
      fail(prefix + key, "must be an object");
    }
    return parent[key];
  }

  const Json& array(const Json& parent, const std::string& key, const std::string& prefix,
                    bool nonEmpty) const {
    if (!parent.contains(key) || !parent[key].is_array()) {
      fail(prefix + key, "must be an array");
    }
    if (nonEmpty && parent[key].empty()) {
      fail(prefix + key, "must not be empty");
    }
    return parent[key];
  }

  std::string text(const Json& parent, const std::string& key, const std::string& prefix,
                   bool required) const {
    if (!parent.contains(key)) {
      if (required) {
        fail(prefix + key, "is missing");
      }
      return "";
    }
    if (!parent[key].is_string() || (required && parent[key].get<std::string>().empty())) {
      fail(prefix + key, required ? "must be a non-empty string" : "must be a string");
    }
    return parent[key].get<std::string>();
  }

  enum class Range { Any, NonNegative, Positive };

  double number(const Json& parent, const std::string& key, const std::string& prefix, Range range,
                const double* fallback = nullptr) const {
    if (!parent.contains(key)) {
      if (fallback == nullptr) {
        fail(prefix + key, "is missing");
      }
      return *fallback;
    }
    return numberValue(parent[key], prefix + key, range);
  }

  double numberValue(const Json& v, const std::string& key, Range range) const {
    const double value = v.is_number() ? v.get<double>() : std::nan("");
    const bool ok = std::isfinite(value) && (range != Range::NonNegative || value >= 0.0) &&
                    (range != Range::Positive || value > 0.0);
    if (!ok) {
      fail(key, range == Range::Positive      ? "must be a positive number"
                : range == Range::NonNegative ? "must be a number >= 0"
                                              : "must be a number");
    }
    return value;
  }

  int integer(const Json& parent, const std::string& key, const std::string& prefix,
              const int* fallback = nullptr) const {
    if (!parent.contains(key)) {
      if (fallback == nullptr) {
        fail(prefix + key, "is missing");
      }
      return *fallback;
    }
    const Json& v = parent[key];
    if (!v.is_number_integer() || v.get<long long>() < -1000000 || v.get<long long>() > 1000000) {
      fail(prefix + key, "must be an integer");
    }
    return v.get<int>();
  }

  bool flag(const Json& parent, const std::string& key, const std::string& prefix,
            bool fallback) const {
    if (!parent.contains(key)) {
      return fallback;
    }
    if (!parent[key].is_boolean()) {
      fail(prefix + key, "must be true or false");
    }
    return parent[key].get<bool>();
  }

  // An angle in [0, 360) degrees; absent: 0.
  double angle(const Json& v, const std::string& key) const {
    const double value = numberValue(v, key, Range::Any);
    if (value < 0.0 || value >= 360.0) {
      fail(key, "must be an angle in [0, 360) degrees");
    }
    return value;
  }

  ProtocolObjective objective(const Json& j, const std::string& prefix) const {
    if (!j.is_object()) {
      fail(prefix.substr(0, prefix.size() - 1), "must be an object");
    }
    ProtocolObjective o;
    o.type = text(j, "type", prefix, true);
    if (std::find(objectiveTypes().begin(), objectiveTypes().end(), o.type) ==
        objectiveTypes().end()) {
      fail(prefix + "type",
           "'" + o.type + "' is not an objective type (known: " + joined(objectiveTypes()) + ")");
    }
    std::vector<std::string> keys = {"type", "dose_Gy", "weight", "constraint"};
    if (o.type == "min_dvh" || o.type == "max_dvh") {
      keys.emplace_back("volume_percent");
    }
    if (o.type == "geud") {
      keys.emplace_back("a");
    }
    onlyKeys(j, prefix, keys);
    o.doseGy = number(j, "dose_Gy", prefix, Range::NonNegative);
    if (o.type == "min_dvh" || o.type == "max_dvh") {
      o.volumePercent = number(j, "volume_percent", prefix, Range::NonNegative);
      if (o.volumePercent > 100.0) {
        fail(prefix + "volume_percent", "must be at most 100");
      }
    }
    if (o.type == "geud") {
      o.a = number(j, "a", prefix, Range::Any);
      if (o.a == 0.0) {
        fail(prefix + "a", "must not be 0");
      }
    }
    const double one = 1.0;
    o.weight = number(j, "weight", prefix, Range::NonNegative, &one);
    o.constraint = flag(j, "constraint", prefix, false);
    return o;
  }

  ProtocolStructure structure(const Json& j, const std::string& prefix) const {
    if (!j.is_object()) {
      fail(prefix.substr(0, prefix.size() - 1), "must be an object");
    }
    onlyKeys(j, prefix, {"name", "aliases", "role", "priority", "required", "objectives"});
    ProtocolStructure s;
    s.name = text(j, "name", prefix, true);
    if (j.contains("aliases")) {
      const Json& aliases = array(j, "aliases", prefix, false);
      for (std::size_t n = 0; n < aliases.size(); ++n) {
        if (!aliases[n].is_string() || aliases[n].get<std::string>().empty()) {
          fail(prefix + "aliases[" + std::to_string(n) + "]", "must be a non-empty string");
        }
        s.aliases.push_back(aliases[n].get<std::string>());
      }
    }
    s.role = text(j, "role", prefix, true);
    int defaultPriority = 0;
    if (s.role == "target") {
      defaultPriority = 100;
    } else if (s.role == "oar") {
      defaultPriority = 200;
    } else if (s.role == "external") {
      defaultPriority = 300;
    } else {
      fail(prefix + "role", "'" + s.role + "' must be target, oar or external");
    }
    s.priority = integer(j, "priority", prefix, &defaultPriority);
    s.required = flag(j, "required", prefix, true);
    if (j.contains("objectives")) {
      const Json& objectives = array(j, "objectives", prefix, false);
      for (std::size_t n = 0; n < objectives.size(); ++n) {
        s.objectives.push_back(
            objective(objectives[n], prefix + "objectives[" + std::to_string(n) + "]."));
      }
    }
    return s;
  }

private:
  std::string path_;
};

} // namespace

std::string ClinicalGoal::dvhMetric() const {
  const bool volumeAtDose = !metric.empty() && metric[0] == 'V' && metric.size() > 2 &&
                            metric.compare(metric.size() - 2, 2, "Gy") == 0;
  return volumeAtDose && unit == "%" ? metric + "%" : metric;
}

const ProtocolStructure* Protocol::findStructure(const std::string& wanted) const {
  for (const ProtocolStructure& s : structures) {
    if (equalsIgnoringCase(s.name, wanted)) {
      return &s;
    }
  }
  return nullptr;
}

ClinicalGoal parseGoal(const std::string& text) {
  ClinicalGoal goal;
  if (std::string problem = parseGoalInto(text, goal); !problem.empty()) {
    throw InvalidArgumentError(withContext("clinical goal '" + text + "'", problem));
  }
  return goal;
}

Protocol loadProtocol(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw IoError(withContext(path, "cannot open the protocol file"));
  }
  Json j;
  try {
    in >> j;
  } catch (const Json::exception& e) {
    throw DataError(withContext(path, std::string("not valid JSON: ") + e.what()));
  }
  const Reader r(path);
  if (!j.is_object()) {
    throw DataError(withContext(path, "not a beamlet-protocol file (no JSON object)"));
  }
  if (!j.contains("format") || j["format"] != "beamlet-protocol") {
    r.fail("format", "must be \"beamlet-protocol\"");
  }
  if (!j.contains("version") || j["version"] != 1) {
    r.fail("version", "must be 1");
  }
  r.onlyKeys(j, "",
             {"format", "version", "name", "site", "description", "source", "prescription_Gy",
              "fractions", "prescribed_structure", "beams", "dose_grid_mm", "structures", "goals"});
  Protocol p;
  p.file = path;
  p.id = std::filesystem::path(path).stem().string();
  p.name = r.text(j, "name", "", true);
  p.site = r.text(j, "site", "", true);
  p.description = r.text(j, "description", "", false);
  p.source = r.text(j, "source", "", true);
  p.prescriptionGy = r.number(j, "prescription_Gy", "", Reader::Range::Positive);
  p.fractions = r.integer(j, "fractions", "");
  if (p.fractions < 1) {
    r.fail("fractions", "must be at least 1");
  }
  p.prescribedStructure = r.text(j, "prescribed_structure", "", true);

  const Json& beams = r.object(j, "beams", "");
  r.onlyKeys(beams, "beams.", {"gantry_deg", "couch_deg", "collimator_deg", "bixel_mm"});
  const Json& gantry = r.array(beams, "gantry_deg", "beams.", true);
  for (std::size_t n = 0; n < gantry.size(); ++n) {
    const std::string key = "beams.gantry_deg[" + std::to_string(n) + "]";
    const double angle = r.angle(gantry[n], key);
    if (std::find(p.gantryAngles.begin(), p.gantryAngles.end(), angle) != p.gantryAngles.end()) {
      r.fail(key, "repeats an angle");
    }
    p.gantryAngles.push_back(angle);
  }
  p.couchAngle = beams.contains("couch_deg") ? r.angle(beams["couch_deg"], "beams.couch_deg") : 0.0;
  p.collimatorAngle = beams.contains("collimator_deg")
                          ? r.angle(beams["collimator_deg"], "beams.collimator_deg")
                          : 0.0;
  p.bixelMm = r.number(beams, "bixel_mm", "beams.", Reader::Range::Positive);
  p.doseGridMm = r.number(j, "dose_grid_mm", "", Reader::Range::Positive);

  const Json& structures = r.array(j, "structures", "", true);
  for (std::size_t n = 0; n < structures.size(); ++n) {
    const std::string prefix = "structures[" + std::to_string(n) + "].";
    ProtocolStructure s = r.structure(structures[n], prefix);
    // Names and aliases identify structures: none may be used twice (ignoring case).
    std::vector<std::string> names = {s.name};
    names.insert(names.end(), s.aliases.begin(), s.aliases.end());
    for (std::size_t a = 0; a < names.size(); ++a) {
      const std::string key =
          a == 0 ? prefix + "name" : prefix + "aliases[" + std::to_string(a - 1) + "]";
      for (std::size_t m = 0; m < p.structures.size(); ++m) {
        const ProtocolStructure& other = p.structures[m];
        bool clash = equalsIgnoringCase(other.name, names[a]);
        for (const std::string& alias : other.aliases) {
          clash = clash || equalsIgnoringCase(alias, names[a]);
        }
        if (clash) {
          r.fail(key, "'" + names[a] + "' is already used by structures[" + std::to_string(m) +
                          "] ('" + other.name + "')");
        }
      }
    }
    p.structures.push_back(std::move(s));
  }
  const ProtocolStructure* prescribed = p.findStructure(p.prescribedStructure);
  if (prescribed == nullptr || prescribed->role != "target") {
    r.fail("prescribed_structure",
           "'" + p.prescribedStructure + "' must name a structure whose role is target");
  }
  if (!prescribed->required) {
    r.fail("prescribed_structure", "'" + p.prescribedStructure + "' must not be optional");
  }

  if (j.contains("goals")) {
    const Json& goals = r.array(j, "goals", "", false);
    for (std::size_t n = 0; n < goals.size(); ++n) {
      const std::string key = "goals[" + std::to_string(n) + "]";
      if (!goals[n].is_string()) {
        r.fail(key, "must be a string such as \"PTV70 D95% >= 66.5 Gy\"");
      }
      ClinicalGoal goal;
      if (std::string problem = parseGoalInto(goals[n].get<std::string>(), goal);
          !problem.empty()) {
        r.fail(key, "\"" + goals[n].get<std::string>() + "\": " + problem);
      }
      if (p.findStructure(goal.structure) == nullptr) {
        r.fail(key, "\"" + goal.text + "\": '" + goal.structure +
                        "' is not a structure of the protocol");
      }
      p.goals.push_back(std::move(goal));
    }
  }
  return p;
}

Protocol loadShippedProtocol(const std::string& id) {
  return loadProtocol(resourcePath("protocols/" + id + ".json"));
}

const char* matchedByName(MatchedBy by) {
  switch (by) {
  case MatchedBy::Name:
    return "name";
  case MatchedBy::Tg263Name:
    return "TG-263 name";
  case MatchedBy::Alias:
    return "alias";
  case MatchedBy::None:
    break;
  }
  return "none";
}

std::vector<StructureMatch> matchStructures(const Protocol& protocol, const StructureSet& set) {
  std::vector<StructureMatch> matches;
  for (const ProtocolStructure& s : protocol.structures) {
    StructureMatch m;
    m.protocolName = s.name;
    m.role = s.role;
    m.required = s.required;
    matches.push_back(std::move(m));
  }
  std::vector<bool> taken(set.structures.size(), false);
  auto matchesIn = [&](MatchedBy pass, const ProtocolStructure& wanted, const std::string& name) {
    switch (pass) {
    case MatchedBy::Name:
      return equalsIgnoringCase(name, wanted.name);
    case MatchedBy::Tg263Name:
      return equalsIgnoringCase(tg263Name(name), tg263Name(wanted.name));
    case MatchedBy::Alias:
      for (const std::string& alias : wanted.aliases) {
        if (equalsIgnoringCase(name, alias) ||
            withoutSeparators(name) == withoutSeparators(alias)) {
          return true;
        }
      }
      return false;
    case MatchedBy::None:
      break;
    }
    return false;
  };
  for (MatchedBy pass : {MatchedBy::Name, MatchedBy::Tg263Name, MatchedBy::Alias}) {
    for (std::size_t p = 0; p < protocol.structures.size(); ++p) {
      if (matches[p].found()) {
        continue;
      }
      std::vector<int> candidates;
      for (std::size_t n = 0; n < set.structures.size(); ++n) {
        if (!taken[n] && matchesIn(pass, protocol.structures[p], set.structures[n].name)) {
          candidates.push_back(static_cast<int>(n));
        }
      }
      if (candidates.empty()) {
        continue;
      }
      // Of several candidates the one spelt exactly like the protocol name, else the first.
      int chosen = candidates.front();
      for (int n : candidates) {
        if (set.structures[static_cast<std::size_t>(n)].name == protocol.structures[p].name) {
          chosen = n;
          break;
        }
      }
      StructureMatch& m = matches[p];
      m.setIndex = chosen;
      m.setName = set.structures[static_cast<std::size_t>(chosen)].name;
      m.by = pass;
      taken[static_cast<std::size_t>(chosen)] = true;
      std::vector<std::string> others;
      for (int n : candidates) {
        if (n != chosen) {
          others.push_back("'" + set.structures[static_cast<std::size_t>(n)].name + "'");
        }
      }
      if (!others.empty()) {
        m.note = "also matched by " + joined(others) + " (not used)";
      }
    }
  }
  return matches;
}

std::vector<std::string> checkStructureMatches(const std::vector<StructureMatch>& matches,
                                               const std::string& protocolName) {
  std::vector<std::string> missingTargets;
  std::vector<std::string> warnings;
  for (const StructureMatch& m : matches) {
    if (m.found()) {
      continue;
    }
    if (m.role == "target" && m.required) {
      missingTargets.push_back(m.protocolName);
    } else {
      warnings.push_back("the structure set has no " + m.protocolName + " (" + m.role +
                         (m.required ? "" : ", optional") +
                         "): its objectives are left out and its goals not evaluated");
    }
  }
  if (!missingTargets.empty()) {
    throw DataError(withContext(protocolName, "the structure set has no " + joined(missingTargets) +
                                                  " (required target; rename or contour it)"));
  }
  return warnings;
}

std::vector<int> structurePriorities(const Protocol& protocol) {
  std::vector<int> priorities;
  for (const ProtocolStructure& s : protocol.structures) {
    priorities.push_back(s.priority);
  }
  return priorities;
}

namespace {

// Structure indices from the one that wins overlaps to the one that loses.
std::vector<std::size_t> priorityOrder(const std::vector<int>& priorities) {
  std::vector<std::size_t> order(priorities.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return priorities[a] < priorities[b]; });
  return order;
}

} // namespace

std::vector<std::vector<std::uint32_t>>
assignVoxels(const std::vector<std::vector<std::uint32_t>>& structureVoxels,
             const std::vector<int>& priorities) {
  if (structureVoxels.size() != priorities.size()) {
    throw InvalidArgumentError("assignVoxels: " + std::to_string(structureVoxels.size()) +
                               " voxel lists but " + std::to_string(priorities.size()) +
                               " priorities");
  }
  std::uint32_t largest = 0;
  for (const auto& voxels : structureVoxels) {
    for (std::uint32_t v : voxels) {
      largest = std::max(largest, v);
    }
  }
  std::vector<bool> claimed(static_cast<std::size_t>(largest) + 1, false);
  std::vector<std::vector<std::uint32_t>> assigned(structureVoxels.size());
  for (std::size_t s : priorityOrder(priorities)) {
    // Claimed only after the structure is done, so a voxel listed twice in one list stays twice.
    std::vector<std::uint32_t>& mine = assigned[s];
    for (std::uint32_t v : structureVoxels[s]) {
      if (!claimed[v]) {
        mine.push_back(v);
      }
    }
    for (std::uint32_t v : mine) {
      claimed[v] = true;
    }
  }
  return assigned;
}

std::vector<Mask> assignVoxels(const std::vector<Mask>& masks, const std::vector<int>& priorities) {
  if (masks.size() != priorities.size()) {
    throw InvalidArgumentError("assignVoxels: " + std::to_string(masks.size()) + " masks but " +
                               std::to_string(priorities.size()) + " priorities");
  }
  for (const Mask& m : masks) {
    if (m.dims() != masks.front().dims()) {
      throw InvalidArgumentError("assignVoxels: the masks are not all on one grid");
    }
  }
  std::vector<Mask> assigned;
  for (const Mask& m : masks) {
    assigned.emplace_back(m.geometry(), std::uint8_t{0});
  }
  if (masks.empty()) {
    return assigned;
  }
  std::vector<std::uint8_t> claimed(masks.front().size(), 0);
  for (std::size_t s : priorityOrder(priorities)) {
    const Mask& mask = masks[s];
    Mask& mine = assigned[s];
    for (std::size_t n = 0; n < mask.size(); ++n) {
      if (mask[n] != 0 && claimed[n] == 0) {
        mine[n] = 1;
        claimed[n] = 1;
      }
    }
  }
  return assigned;
}

} // namespace beamlet::dose
