#include "beamlet/app/ResearchCase.h"

#include "beamlet/core/BodyOutline.h"
#include "beamlet/core/Error.h"
#include "beamlet/core/MaskContours.h"
#include "beamlet/core/Tg263.h"
#include "beamlet/dicom/VolumeFile.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

namespace fs = std::filesystem;

namespace beamlet::app {

namespace {

// The file name without a volume extension (".nii.gz" counts as one).
std::string structureName(const fs::path& file) {
  std::string name = file.filename().string();
  for (const char* ext : {".nii.gz", ".nii", ".nrrd", ".nhdr", ".mha", ".mhd"}) {
    const std::string e = ext;
    if (name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0) {
      return name.substr(0, name.size() - e.size());
    }
  }
  return file.stem().string();
}

bool sameGrid(const ImageGeometry& a, const ImageGeometry& b) {
  if (a.dims != b.dims) {
    return false;
  }
  return (a.origin - b.origin).norm() < 1e-3 && (a.spacing - b.spacing).norm() < 1e-5 &&
         (a.direction - b.direction).norm() < 1e-6;
}

std::string cc(double voxels, const ImageGeometry& g) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f cc",
                voxels * g.spacing.x() * g.spacing.y() * g.spacing.z() / 1000.0);
  return text;
}

// A distinct, stable colour per structure (a qualitative palette, cycled).
std::array<std::uint8_t, 3> paletteColour(std::size_t n) {
  static const std::array<std::array<std::uint8_t, 3>, 10> palette{{{230, 25, 75},
                                                                    {60, 180, 75},
                                                                    {255, 225, 25},
                                                                    {0, 130, 200},
                                                                    {245, 130, 48},
                                                                    {145, 30, 180},
                                                                    {70, 240, 240},
                                                                    {240, 50, 230},
                                                                    {210, 245, 60},
                                                                    {250, 190, 212}}};
  return palette[n % palette.size()];
}

} // namespace

std::vector<MaskFile> readMaskFolder(const std::string& folder, std::vector<std::string>* notes,
                                     const std::string& exclude) {
  if (!fs::is_directory(folder)) {
    throw IoError(withContext(folder, "mask folder does not exist"));
  }
  std::vector<fs::path> files;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(folder, ec)) {
    std::error_code same;
    if (e.is_regular_file() && dicom::isVolumeFileName(e.path().string()) &&
        (exclude.empty() || !fs::equivalent(e.path(), exclude, same))) {
      files.push_back(e.path());
    }
  }
  if (ec) {
    throw IoError(withContext(folder, "cannot list the mask folder (" + ec.message() + ")"));
  }
  std::sort(files.begin(), files.end());
  std::vector<MaskFile> masks;
  std::set<std::string> names;
  for (const fs::path& file : files) {
    const Image image = dicom::readVolumeFile(file.string());
    std::set<double> values;
    for (std::size_t n = 0; n < image.geometry().voxelCount() && values.size() <= 2; ++n) {
      values.insert(image.valueAt(n));
    }
    if (values.size() > 2 || (values.size() == 2 && *values.begin() != 0.0) ||
        (values.size() == 1 && *values.begin() != 0.0)) {
      if (notes != nullptr) {
        notes->push_back(file.filename().string() + ": not a binary mask, skipped");
      }
      continue;
    }
    const std::string name = structureName(file);
    if (!names.insert(name).second) {
      if (notes != nullptr) {
        notes->push_back(file.filename().string() + ": a second mask named '" + name +
                         "', skipped");
      }
      continue;
    }
    MaskFile m{name, file.string(), Mask(image.geometry(), 0)};
    for (std::size_t n = 0; n < m.mask.size(); ++n) {
      m.mask[n] = image.valueAt(n) != 0.0 ? 1 : 0;
    }
    masks.push_back(std::move(m));
  }
  return masks;
}

bool isVolumeImage(const std::string& image) {
  return dicom::isVolumeFileName(image) && !fs::is_directory(image);
}

ResearchCase loadResearchCase(const std::string& ctVolume, const std::string& maskFolder) {
  ResearchCase result;
  if (!fs::is_regular_file(ctVolume)) {
    throw IoError(withContext(ctVolume, "image volume file does not exist"));
  }
  if (!fs::is_directory(maskFolder)) {
    throw IoError(withContext(maskFolder, "mask folder does not exist (with a volume file as "
                                          "--image, --structures names a folder of masks)"));
  }
  result.ct = dicom::readVolumeFile(ctVolume);
  result.ct.modality = "CT";
  result.ct.units = "HU";
  const ImageGeometry& grid = result.ct.geometry();
  result.notes.push_back(fs::path(ctVolume).filename().string() +
                         ": CT volume, values taken as HU");

  std::map<std::string, Mask> masks;
  for (MaskFile& file : readMaskFolder(maskFolder, &result.notes, ctVolume)) {
    const std::string fileName = fs::path(file.path).filename().string();
    Mask mask = std::move(file.mask);
    if (!sameGrid(mask.geometry(), grid)) {
      mask = resampleNearest(mask, grid);
      result.notes.push_back(fileName + ": on another grid than the CT, resampled (nearest "
                                        "neighbour)");
    }
    if (std::find(mask.voxels().begin(), mask.voxels().end(), 1) == mask.voxels().end()) {
      result.notes.push_back(fileName + ": empty mask, skipped");
      continue;
    }
    masks.emplace(file.name, std::move(mask));
  }
  if (masks.empty()) {
    throw DataError(withContext(maskFolder, "no binary mask file in the folder"));
  }

  const bool hasExternal = std::any_of(masks.begin(), masks.end(), [](const auto& m) {
    return interpretedTypeForName(m.first) == "EXTERNAL";
  });
  if (!hasExternal) {
    Mask body = bodyOutline(result.ct);
    std::size_t added = 0;
    for (const auto& [name, mask] : masks) {
      for (std::size_t n = 0; n < body.size(); ++n) {
        if (mask[n] != 0 && body[n] == 0) {
          body[n] = 1;
          ++added;
        }
      }
    }
    const auto inside = static_cast<double>(
        std::count(body.voxels().begin(), body.voxels().end(), static_cast<std::uint8_t>(1)));
    result.notes.push_back("External: no mask for it; made from the CT (above -350 HU, largest "
                           "connected component, holes filled per slice), " +
                           cc(inside, grid) + ", " + std::to_string(added) +
                           " voxels of other masks added");
    masks.emplace("External", std::move(body));
  }

  result.structures.label = "Masks";
  int number = 0;
  for (const auto& [name, mask] : masks) {
    Structure s;
    s.roiNumber = ++number;
    s.name = name;
    s.type = interpretedTypeForName(name);
    s.color = s.type == "EXTERNAL" ? std::array<std::uint8_t, 3>{0, 255, 0}
                                   : paletteColour(static_cast<std::size_t>(number - 1));
    s.contours = maskToContours(mask);
    result.structures.structures.push_back(std::move(s));
  }
  return result;
}

} // namespace beamlet::app
