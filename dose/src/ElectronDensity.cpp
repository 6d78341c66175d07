#include "beamlet/dose/ElectronDensity.h"

#include "beamlet/core/ContourRasterizer.h"
#include "beamlet/core/Error.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace beamlet::dose {

namespace {

constexpr double kAir = 0.001;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

} // namespace

DensityOverride parseDensityOverride(const std::string& text) {
  const auto eq = text.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    throw InvalidArgumentError("density override '" + text + "': expected NAME=DENSITY");
  }
  DensityOverride o;
  o.structure = text.substr(0, eq);
  try {
    std::size_t used = 0;
    o.relativeElectronDensity = std::stod(text.substr(eq + 1), &used);
    if (used != text.size() - eq - 1) {
      throw std::invalid_argument("trailing characters");
    }
  } catch (const std::exception&) {
    throw InvalidArgumentError("density override '" + text + "': density is not a number");
  }
  if (!(o.relativeElectronDensity >= 0.0) || o.relativeElectronDensity > 20.0) {
    throw InvalidArgumentError("density override '" + text +
                               "': relative electron density must be in 0..20");
  }
  return o;
}

const Structure* findExternal(const StructureSet& structures) {
  for (const Structure& s : structures.structures) {
    if (lower(s.type) == "external" && !s.empty()) {
      return &s;
    }
  }
  for (const Structure& s : structures.structures) {
    const std::string name = lower(s.name);
    if ((name == "external" || name == "body" || name == "skin") && !s.empty()) {
      return &s;
    }
  }
  return nullptr;
}

VolumeF32 electronDensity(const Image& image, const DensityCalibration& calibration,
                          const StructureSet& structures,
                          const std::vector<DensityOverride>& overrides,
                          std::vector<std::string>* notes) {
  const ImageGeometry& grid = image.geometry();
  const bool ct = image.modality == "CT" || image.units == "HU";
  VolumeF32 density(grid, static_cast<float>(kAir));
  if (ct) {
    for (std::size_t n = 0; n < density.size(); ++n) {
      density[n] = static_cast<float>(calibration.relativeElectronDensity(image.valueAt(n)));
    }
  }
  Mask covered(grid, 0);
  for (const DensityOverride& o : overrides) {
    const Structure* s = structures.findByName(o.structure);
    if (s == nullptr) {
      throw DataError("density override: no structure named '" + o.structure + "'");
    }
    if (s->empty()) {
      throw DataError("density override: structure '" + o.structure + "' has no contours");
    }
    const Mask mask = rasterize(*s, grid);
    std::size_t voxels = 0;
    for (std::size_t n = 0; n < mask.size(); ++n) {
      if (mask[n] != 0) {
        density[n] = static_cast<float>(o.relativeElectronDensity);
        covered[n] = 1;
        ++voxels;
      }
    }
    if (notes != nullptr) {
      char line[200];
      std::snprintf(line, sizeof line, "density %.3f inside '%s' (%zu voxels, %.1f cc)",
                    o.relativeElectronDensity, o.structure.c_str(), voxels,
                    static_cast<double>(voxels) * grid.voxelVolumeMm3() * 1e-3);
      notes->push_back(line);
    }
  }
  if (!ct) {
    const Structure* body = findExternal(structures);
    if (body == nullptr) {
      throw DataError("dose on a " +
                      (image.modality.empty() ? std::string("non-CT") : image.modality) +
                      " image needs an External structure covered by density overrides "
                      "(e.g. --override External=1.0)");
    }
    const Mask bodyMask = rasterize(*body, grid);
    std::size_t missing = 0;
    for (std::size_t n = 0; n < bodyMask.size(); ++n) {
      missing += bodyMask[n] != 0 && covered[n] == 0 ? 1 : 0;
    }
    if (missing > 0) {
      throw DataError("dose on a " + image.modality + " image: density overrides leave " +
                      std::to_string(missing) + " voxels of '" + body->name +
                      "' without a density (override the body, e.g. --override " + body->name +
                      "=1.0)");
    }
  }
  return density;
}

} // namespace beamlet::dose
