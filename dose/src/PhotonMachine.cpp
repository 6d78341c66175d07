#include "beamlet/dose/PhotonMachine.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/Resources.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace beamlet::dose {

namespace {

double positive(const nlohmann::json& j, const char* key, const std::string& path) {
  if (!j.contains(key) || !j[key].is_number() || !(j[key].get<double>() > 0.0)) {
    throw DataError(withContext(path, std::string("'") + key + "' must be a positive number"));
  }
  return j[key].get<double>();
}

} // namespace

PhotonMachine loadPhotonMachine(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw IoError(withContext(path, "cannot open the machine file"));
  }
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::exception& e) {
    throw DataError(withContext(path, std::string("not valid JSON: ") + e.what()));
  }
  if (j.value("format", "") != "beamlet-photon-machine" || j.value("version", 0) != 1) {
    throw DataError(withContext(path, "not a beamlet-photon-machine version 1 file"));
  }
  PhotonMachine m;
  m.folder = std::filesystem::path(path).parent_path().string();
  m.name = j.value("name", "unnamed");
  m.source = j.value("source", "");
  m.energyMV = positive(j, "energy_MV", path);
  m.sadMm = positive(j, "sad_mm", path);
  m.scdMm = positive(j, "scd_mm", path);
  m.primaryAttenuationPerMm = positive(j, "primary_attenuation_per_mm", path);
  m.penumbraFwhmAtIsoMm = positive(j, "penumbra_fwhm_at_iso_mm", path);
  const auto& betas = j.value("kernel_betas_per_mm", nlohmann::json::array());
  if (!betas.is_array() || betas.size() != 3) {
    throw DataError(withContext(path, "'kernel_betas_per_mm' must hold three numbers"));
  }
  for (int k = 0; k < 3; ++k) {
    m.betasPerMm[k] = betas[k].get<double>();
    // The depth factor beta/(beta - m) is singular when a beta equals m.
    if (!(m.betasPerMm[k] > 0.0) || std::abs(m.betasPerMm[k] - m.primaryAttenuationPerMm) < 1e-9) {
      throw DataError(withContext(path, "kernel beta " + std::to_string(k + 1) +
                                            " must be positive and differ from the attenuation"));
    }
  }
  if (!j.contains("kernels") || !j["kernels"].is_object()) {
    throw DataError(withContext(path, "no 'kernels' table"));
  }
  const auto& kt = j["kernels"];
  m.kernelSsdFirstMm = positive(kt, "ssd_first_mm", path);
  m.kernelSsdStepMm = positive(kt, "ssd_step_mm", path);
  m.kernelSsdCount = static_cast<int>(positive(kt, "ssd_count", path));
  m.kernelRadiusStepMm = positive(kt, "radius_step_mm", path);
  m.kernelRadiusCount = static_cast<int>(positive(kt, "radius_count", path));
  m.kernelCellMm = positive(kt, "cell_mm", path);
  if (kt.value("count", 0) != 3 || kt.value("radius_first_mm", -1.0) != 0.0) {
    throw DataError(withContext(path, "the kernel table must hold 3 kernels from radius 0"));
  }
  const std::string kernelPath = (std::filesystem::path(m.folder) / kt.value("file", "")).string();
  std::ifstream kin(kernelPath, std::ios::binary);
  if (!kin) {
    throw IoError(withContext(kernelPath, "cannot open the kernel table"));
  }
  const std::size_t count = static_cast<std::size_t>(m.kernelSsdCount) * 3 *
                            static_cast<std::size_t>(m.kernelRadiusCount);
  m.kernels.resize(count);
  kin.read(reinterpret_cast<char*>(m.kernels.data()),
           static_cast<std::streamsize>(count * sizeof(float)));
  if (static_cast<std::size_t>(kin.gcount()) != count * sizeof(float) || kin.peek() != EOF) {
    throw DataError(withContext(kernelPath, "expected " + std::to_string(count) +
                                                " float32 values (ssd_count x 3 x radius_count)"));
  }
  for (float v : m.kernels) {
    if (!std::isfinite(v)) {
      throw DataError(withContext(kernelPath, "the kernel table holds a non-finite value"));
    }
  }
  if (j.contains("calibration")) {
    const auto& c = j["calibration"];
    m.calibrationFieldMm = positive(c, "field_mm", path);
    m.calibrationSsdMm = positive(c, "ssd_mm", path);
    m.calibrationDepthMm = positive(c, "depth_mm", path);
    m.calibrationGyPerMu = positive(c, "gy_per_mu", path);
  }
  return m;
}

PhotonMachine loadShippedMachine(const std::string& id) {
  return loadPhotonMachine(resourcePath("machines/" + id + "/machine.json"));
}

} // namespace beamlet::dose
