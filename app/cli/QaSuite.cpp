#include "QaSuite.h"

#include "beamlet/core/Error.h"
#include "beamlet/dose/Dvh.h"
#include "beamlet/dose/ElectronDensity.h"
#include "beamlet/dose/Protocol.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace beamlet::cli {

namespace {

using Json = nlohmann::json;

std::string formatNumber(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// Checks keys and values of one suite file; every error names the file and the key.
class SuiteReader {
public:
  explicit SuiteReader(std::string path) : path_(std::move(path)) {
    fs::path dir = fs::absolute(fs::path(path_)).parent_path();
    dir_ = dir.lexically_normal();
  }

  [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
    throw DataError(withContext(path_, key.empty() ? problem : key + ": " + problem));
  }

  void allowKeys(const Json& object, const std::string& key,
                 const std::vector<std::string>& allowed) const {
    if (!object.is_object()) {
      fail(key, "must be an object");
    }
    for (const auto& item : object.items()) {
      if (std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end()) {
        std::string list;
        for (const std::string& a : allowed) {
          list += (list.empty() ? "" : ", ") + a;
        }
        fail(key, "unknown key '" + item.key() + "' (known: " + list + ")");
      }
    }
  }

  static std::string join(const std::string& key, const std::string& member) {
    return key.empty() ? member : key + "." + member;
  }

  std::string text(const Json& object, const std::string& key, const std::string& member,
                   bool required) const {
    const auto it = object.find(member);
    if (it == object.end()) {
      if (required) {
        fail(key, "'" + member + "' is missing");
      }
      return {};
    }
    if (!it->is_string() || it->get<std::string>().empty()) {
      fail(join(key, member), "must be a non-empty string");
    }
    return it->get<std::string>();
  }

  std::optional<double> number(const Json& object, const std::string& key,
                               const std::string& member, double low, double high,
                               bool lowInclusive = true) const {
    const auto it = object.find(member);
    if (it == object.end()) {
      return std::nullopt;
    }
    const std::string range =
        std::string(lowInclusive ? "[" : "(") + formatNumber(low) + ", " + formatNumber(high) + "]";
    if (!it->is_number()) {
      fail(join(key, member), "must be a number in " + range);
    }
    const double v = it->get<double>();
    if (!std::isfinite(v) || v > high || v < low || (!lowInclusive && v == low)) {
      fail(join(key, member), "must be a number in " + range + ", not " + formatNumber(v));
    }
    return v;
  }

  /// A path relative to the suite's folder (absolute paths stay).
  std::string resolve(const std::string& value) const {
    const fs::path p(value);
    return (p.is_absolute() ? p : dir_ / p).lexically_normal().string();
  }

  QaSuite read() {
    std::ifstream file(path_, std::ios::binary);
    if (!file || fs::is_directory(path_)) {
      throw IoError(withContext(path_, "cannot read the suite file"));
    }
    std::stringstream buffer;
    buffer << file.rdbuf();
    Json root;
    try {
      root = Json::parse(buffer.str());
    } catch (const Json::parse_error& e) {
      std::string message = e.what();
      const std::size_t bracket = message.find("] ");
      if (message.rfind("[json.exception", 0) == 0 && bracket != std::string::npos) {
        message = message.substr(bracket + 2);
      }
      std::replace(message.begin(), message.end(), '\n', ' ');
      fail("", "not valid JSON: " + message);
    }
    allowKeys(root, "", {"format", "version", "name", "description", "cases"});
    if (text(root, "", "format", true) != "beamlet-qa-suite") {
      fail("format", "must be \"beamlet-qa-suite\"");
    }
    const auto version = root.find("version");
    if (version == root.end()) {
      fail("", "'version' is missing");
    }
    if (!version->is_number_integer() || version->get<long long>() != 1) {
      fail("version", "must be 1 (the version this Beamlet reads)");
    }
    QaSuite suite;
    suite.file = fs::absolute(path_).lexically_normal().string();
    suite.name = text(root, "", "name", false);
    if (suite.name.empty()) {
      suite.name = fs::path(path_).stem().string();
    }
    suite.description = root.contains("description") ? text(root, "", "description", false) : "";
    const auto cases = root.find("cases");
    if (cases == root.end()) {
      fail("", "'cases' is missing");
    }
    if (!cases->is_array() || cases->empty()) {
      fail("cases", "must be a non-empty array");
    }
    std::set<std::string> folders;
    for (std::size_t n = 0; n < cases->size(); ++n) {
      const std::string key = "cases[" + std::to_string(n) + "]";
      QaCase c = readCase((*cases)[n], key);
      std::string lower = c.folder;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      if (!folders.insert(lower).second) {
        fail(key + ".name", "'" + c.name +
                                "' is the name of another case (names must differ, "
                                "ignoring case and characters other than letters, "
                                "digits, '.', '-' and '_')");
      }
      suite.cases.push_back(std::move(c));
    }
    return suite;
  }

private:
  static std::string folderName(const std::string& name) {
    std::string folder;
    for (const char ch : name) {
      const bool ok =
          std::isalnum(static_cast<unsigned char>(ch)) != 0 || ch == '-' || ch == '_' || ch == '.';
      folder += ok ? ch : '_';
    }
    if (folder.size() > 64) {
      folder.resize(64);
    }
    if (folder.empty() || folder.front() == '.') {
      folder.insert(folder.begin(), '_');
    }
    return folder;
  }

  QaCase readCase(const Json& j, const std::string& key) const {
    allowKeys(j, key,
              {"name", "description", "demo", "image", "structures", "protocol", "plan", "baseline",
               "grid_mm", "overrides", "calibration", "tolerances"});
    QaCase c;
    c.name = text(j, key, "name", true);
    c.folder = folderName(c.name);
    c.description = text(j, key, "description", false);
    c.demo = text(j, key, "demo", false);
    const std::string image = text(j, key, "image", false);
    const std::string structures = text(j, key, "structures", false);
    const std::string protocol = text(j, key, "protocol", false);
    const std::string plan = text(j, key, "plan", false);
    if (!c.demo.empty()) {
      if (c.demo != "tg119") {
        fail(key + ".demo", "must be \"tg119\" (the built-in TG-119 phantom)");
      }
      if (!image.empty() || !structures.empty()) {
        fail(key, "'demo' plans the built-in phantom: no 'image' or 'structures'");
      }
      if (!plan.empty()) {
        fail(key, "'demo' takes a 'protocol' (a phantom written anew has new UIDs, so an RTPLAN "
                  "cannot be recomputed on it: give the plan's 'image' and 'structures')");
      }
    } else if (image.empty()) {
      fail(key, "'image' (or 'demo') is missing");
    }
    if (protocol.empty() == plan.empty()) {
      fail(key, "give either 'protocol' (plan it) or 'plan' (an RTPLAN to recompute)");
    }
    if (!protocol.empty() && c.demo.empty() && structures.empty()) {
      fail(key, "'structures' is missing (a protocol is planned on structures)");
    }
    c.image = image.empty() ? "" : resolve(image);
    c.structures = structures.empty() ? "" : resolve(structures);
    c.plan = plan.empty() ? "" : resolve(plan);
    if (!protocol.empty()) {
      const std::string file = resolve(protocol);
      const bool looksLikeId = protocol.find_first_of("/\\") == std::string::npos &&
                               fs::path(protocol).extension() != ".json";
      if (!fs::exists(file) && looksLikeId) {
        try {
          dose::loadShippedProtocol(protocol);
        } catch (const Error&) {
          fail(key + ".protocol", "'" + protocol +
                                      "' is neither a file nor a shipped protocol (tg119-cshape, "
                                      "head-neck)");
        }
        c.protocol = protocol;
      } else {
        c.protocol = file;
      }
    }
    c.baseline = resolve(text(j, key, "baseline", true));
    const bool planCase = !plan.empty();
    for (const char* member : {"grid_mm", "overrides", "calibration"}) {
      if (!planCase && j.contains(member)) {
        fail(join(key, member), "only for a case with 'plan' (a protocol sets its own)");
      }
    }
    c.gridMm = number(j, key, "grid_mm", 0.5, 20.0).value_or(3.0);
    if (const auto it = j.find("overrides"); it != j.end()) {
      if (!it->is_array()) {
        fail(key + ".overrides", "must be an array of \"NAME=DENSITY\" strings");
      }
      for (std::size_t n = 0; n < it->size(); ++n) {
        const std::string k = key + ".overrides[" + std::to_string(n) + "]";
        if (!(*it)[n].is_string()) {
          fail(k, "must be a \"NAME=DENSITY\" string");
        }
        const std::string entry = (*it)[n].get<std::string>();
        try {
          dose::parseDensityOverride(entry);
        } catch (const Error& e) {
          fail(k, e.what());
        }
        c.overrides.push_back(entry);
      }
    }
    const std::string calibration = text(j, key, "calibration", false);
    c.calibration = calibration.empty() ? "" : resolve(calibration);
    readTolerances(j, key, c);
    if (!c.dvh.empty() && c.structures.empty() && c.demo.empty()) {
      fail(key, "DVH tolerances need 'structures'");
    }
    return c;
  }

  void readTolerances(const Json& j, const std::string& caseKey, QaCase& c) const {
    const auto it = j.find("tolerances");
    if (it == j.end()) {
      fail(caseKey, "'tolerances' is missing");
    }
    const std::string key = caseKey + ".tolerances";
    allowKeys(*it, key, {"gamma", "dvh"});
    if (!it->contains("gamma") && !it->contains("dvh")) {
      fail(key, "give 'gamma', 'dvh' or both");
    }
    if (const auto g = it->find("gamma"); g != it->end()) {
      const std::string gk = key + ".gamma";
      allowKeys(*g, gk,
                {"dose_percent", "distance_mm", "threshold_percent", "min_pass_rate_percent",
                 "local", "max_gamma"});
      QaGammaTolerance t;
      for (const char* required : {"dose_percent", "distance_mm", "min_pass_rate_percent"}) {
        if (!g->contains(required)) {
          fail(gk, std::string("'") + required + "' is missing");
        }
      }
      t.settings.doseDifferencePercent = *number(*g, gk, "dose_percent", 0.0, 100.0, false);
      t.settings.dtaMm = *number(*g, gk, "distance_mm", 0.0, 100.0, false);
      t.settings.cutoffPercent = number(*g, gk, "threshold_percent", 0.0, 100.0).value_or(10.0);
      t.settings.maxGamma = number(*g, gk, "max_gamma", 1.0, 10.0).value_or(2.0);
      t.minPassRatePercent = *number(*g, gk, "min_pass_rate_percent", 0.0, 100.0);
      if (const auto local = g->find("local"); local != g->end()) {
        if (!local->is_boolean()) {
          fail(gk + ".local", "must be true or false");
        }
        t.settings.local = local->get<bool>();
      }
      try {
        t.settings.validate();
      } catch (const Error& e) {
        fail(gk, e.what());
      }
      c.gamma = t;
    }
    if (const auto d = it->find("dvh"); d != it->end()) {
      if (!d->is_array() || d->empty()) {
        fail(key + ".dvh", "must be a non-empty array");
      }
      for (std::size_t n = 0; n < d->size(); ++n) {
        c.dvh.push_back(readDvhTolerance((*d)[n], key + ".dvh[" + std::to_string(n) + "]"));
      }
    }
  }

  QaDvhTolerance readDvhTolerance(const Json& j, const std::string& key) const {
    static const std::vector<std::string> kinds{"tolerance_Gy", "tolerance_cc",
                                                "tolerance_percent_points", "tolerance_percent"};
    std::vector<std::string> allowed{"structure", "metric"};
    allowed.insert(allowed.end(), kinds.begin(), kinds.end());
    allowKeys(j, key, allowed);
    QaDvhTolerance t;
    t.structure = text(j, key, "structure", true);
    t.metric = text(j, key, "metric", true);
    // The metric parser of clinical goals tells the unit: evaluate it on a one-bin DVH.
    dose::Dvh probe;
    probe.volumeCc = 1.0;
    probe.maxGy = 1.0;
    probe.binWidthGy = 1.0;
    probe.differentialCc = {1.0};
    try {
      dose::evaluateMetric(probe, t.metric, &t.unit);
    } catch (const Error& e) {
      fail(key + ".metric", e.what());
    }
    for (const std::string& kind : kinds) {
      if (!j.contains(kind)) {
        continue;
      }
      if (!t.key.empty()) {
        fail(key, "give one tolerance, not both '" + t.key + "' and '" + kind + "'");
      }
      t.key = kind;
      t.value = *number(j, key, kind, 0.0, 1e6);
      t.relative = kind == "tolerance_percent";
    }
    if (t.key.empty()) {
      fail(key, "give a tolerance: tolerance_Gy, tolerance_cc, tolerance_percent_points (in the "
                "metric's unit) or tolerance_percent (of the baseline value)");
    }
    const std::string wanted = t.unit == "Gy"   ? "tolerance_Gy"
                               : t.unit == "cc" ? "tolerance_cc"
                                                : "tolerance_percent_points";
    if (!t.relative && t.key != wanted) {
      fail(key + "." + t.key, t.metric + " is in " + t.unit + ": use '" + wanted +
                                  "' or 'tolerance_percent' (of the baseline value)");
    }
    return t;
  }

  std::string path_;
  fs::path dir_;
};

} // namespace

double QaDvhTolerance::allowed(double baseline) const {
  return relative ? value / 100.0 * std::abs(baseline) : value;
}

std::string QaDvhTolerance::describe() const {
  if (relative) {
    return formatNumber(value) + "% of baseline";
  }
  return formatNumber(value) + (unit == "%" ? " percentage points" : " " + unit);
}

QaSuite loadQaSuite(const std::string& path) {
  return SuiteReader(path).read();
}

} // namespace beamlet::cli
