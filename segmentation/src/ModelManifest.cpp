#include "beamlet/segmentation/ModelManifest.h"

#include "beamlet/core/Error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <set>

namespace beamlet::segmentation {

namespace {

using nlohmann::json;

class Reader {
public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
    throw DataError(withContext(file_, "'" + key + "' " + problem));
  }
  const json& member(const json& object, const std::string& key) const {
    if (!object.contains(key)) {
      fail(key, "is missing");
    }
    return object.at(key);
  }
  std::string text(const json& object, const std::string& key) const {
    const json& v = member(object, key);
    if (!v.is_string()) {
      fail(key, "must be a string");
    }
    return v.get<std::string>();
  }
  double number(const json& object, const std::string& key, double low, double high) const {
    const json& v = member(object, key);
    if (!v.is_number()) {
      fail(key, "must be a number");
    }
    const double x = v.get<double>();
    if (!(x >= low && x <= high)) {
      fail(key, "must be between " + std::to_string(low) + " and " + std::to_string(high));
    }
    return x;
  }
  bool flag(const json& object, const std::string& key, bool fallback) const {
    if (!object.contains(key)) {
      return fallback;
    }
    if (!object.at(key).is_boolean()) {
      fail(key, "must be true or false");
    }
    return object.at(key).get<bool>();
  }
  std::array<double, 3> triple(const json& object, const std::string& key, double low,
                               double high) const {
    const json& v = member(object, key);
    if (!v.is_array() || v.size() != 3 ||
        !std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_number(); })) {
      fail(key, "must be an array of three numbers (x, y, z)");
    }
    std::array<double, 3> out{};
    for (std::size_t a = 0; a < 3; ++a) {
      out[a] = v[a].get<double>();
      if (!(out[a] >= low && out[a] <= high)) {
        fail(key, "values must be between " + std::to_string(low) + " and " + std::to_string(high));
      }
    }
    return out;
  }

private:
  std::string file_;
};

} // namespace

ModelManifest loadManifest(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw IoError(withContext(path, "cannot read the model manifest"));
  }
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception& e) {
    throw DataError(withContext(path, std::string("not valid JSON: ") + e.what()));
  }
  const Reader r(path);
  if (!j.is_object() || r.text(j, "format") != "beamlet-model") {
    r.fail("format", "must be \"beamlet-model\"");
  }
  if (r.number(j, "version", 1, 1) != 1) {
    r.fail("version", "must be 1");
  }
  ModelManifest m;
  m.file = path;
  m.name = r.text(j, "name");
  m.version = r.text(j, "model_version");
  m.modality = r.text(j, "modality");
  if (m.modality != "CT" && m.modality != "MR") {
    r.fail("modality", "must be \"CT\" or \"MR\"");
  }
  m.inputChannels = static_cast<int>(r.number(j, "input_channels", 1, 16));
  const std::string activation = r.text(j, "activation");
  if (activation != "softmax" && activation != "sigmoid") {
    r.fail("activation", "must be \"softmax\" or \"sigmoid\"");
  }
  m.activation = activation == "softmax" ? Activation::Softmax : Activation::Sigmoid;

  const json& labels = r.member(j, "labels");
  if (!labels.is_array() || labels.empty()) {
    r.fail("labels", "must be a non-empty array");
  }
  std::set<std::string> names;
  for (const json& l : labels) {
    ModelLabel label;
    label.value = static_cast<int>(r.number(l, "value", 0, 255));
    label.name = r.text(l, "name");
    const std::array<double, 3> c = r.triple(l, "color", 0, 255);
    label.color = {static_cast<std::uint8_t>(c[0]), static_cast<std::uint8_t>(c[1]),
                   static_cast<std::uint8_t>(c[2])};
    label.largestComponent = r.flag(l, "largest_component", true);
    label.fillHoles = r.flag(l, "fill_holes", true);
    if (!names.insert(label.name).second) {
      r.fail("labels", "name '" + label.name + "' appears twice");
    }
    m.labels.push_back(label);
  }
  std::sort(m.labels.begin(), m.labels.end(),
            [](const ModelLabel& a, const ModelLabel& b) { return a.value < b.value; });
  const int first = m.activation == Activation::Softmax ? 1 : 0;
  for (std::size_t n = 0; n < m.labels.size(); ++n) {
    if (m.labels[n].value != first + static_cast<int>(n)) {
      r.fail("labels", "values must run " + std::to_string(first) + ", " +
                           std::to_string(first + 1) + ", ... without gaps (channel " +
                           std::to_string(first + static_cast<int>(n)) + " has no label)");
    }
  }

  const std::array<double, 3> spacing = r.triple(j, "spacing_mm", 0.1, 20.0);
  m.spacingMm = Vec3(spacing[0], spacing[1], spacing[2]);
  m.axisOrder = r.text(j, "axis_order");
  if (m.axisOrder != "zyx" && m.axisOrder != "xyz") {
    r.fail("axis_order", "must be \"zyx\" or \"xyz\"");
  }
  const std::array<double, 3> patch = r.triple(j, "patch_size", 4, 512);
  for (std::size_t a = 0; a < 3; ++a) {
    m.patchSize[a] = static_cast<int>(patch[a]);
  }
  m.overlap = r.number(j, "overlap", 0.0, 0.9);
  const json& norm = r.member(j, "normalisation");
  const std::string type = r.text(norm, "type");
  if (type == "clip-scale") {
    m.normalisation = Normalisation::ClipScale;
    m.clipMin = r.number(norm, "min", -1e6, 1e6);
    m.clipMax = r.number(norm, "max", -1e6, 1e6);
    if (!(m.clipMax > m.clipMin)) {
      r.fail("normalisation", "'max' must be above 'min'");
    }
  } else if (type == "zscore") {
    m.normalisation = Normalisation::ZScore;
  } else {
    r.fail("normalisation.type", "must be \"clip-scale\" or \"zscore\"");
  }
  m.trainedOn = r.text(j, "trained_on");
  if (j.contains("validation_dice")) {
    for (const auto& [k, v] : j.at("validation_dice").items()) {
      if (!v.is_number()) {
        r.fail("validation_dice." + k, "must be a number");
      }
      m.validationDice[k] = v.get<double>();
    }
  }
  return m;
}

} // namespace beamlet::segmentation
