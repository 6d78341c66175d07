// beamlet-cli rtstruct: label masks (NIfTI, NRRD, MetaImage) -> a new RTSTRUCT on an image series.

#include "Command.h"

#include "beamlet/app/Session.h"
#include "beamlet/core/Error.h"
#include "beamlet/core/Log.h"
#include "beamlet/core/MaskContours.h"
#include "beamlet/core/Tg263.h"
#include "beamlet/dicom/RtStructWriter.h"
#include "beamlet/dicom/VolumeFile.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

namespace fs = std::filesystem;

namespace beamlet::cli {

namespace {

struct MaskSpec {
  std::string name;
  std::string file;
  std::optional<int> label;
};

// NAME=FILE or NAME=FILE:LABEL (LABEL: digits after the last ':', so paths with ':' still work).
MaskSpec parseMaskSpec(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    throw InvalidArgumentError(withContext(text, "--mask must be NAME=FILE or NAME=FILE:LABEL"));
  }
  MaskSpec spec{text.substr(0, eq), text.substr(eq + 1), std::nullopt};
  const auto colon = spec.file.rfind(':');
  if (colon != std::string::npos && colon + 1 < spec.file.size()) {
    const std::string digits = spec.file.substr(colon + 1);
    bool allDigits = digits.size() < 9;
    for (char c : digits) {
      allDigits = allDigits && std::isdigit(static_cast<unsigned char>(c)) != 0;
    }
    if (allDigits) {
      spec.label = std::stoi(digits);
      spec.file = spec.file.substr(0, colon);
    }
  }
  return spec;
}

bool samePath(const std::string& a, const std::string& b) {
  std::error_code ec1;
  std::error_code ec2;
  return fs::weakly_canonical(fs::absolute(a), ec1) == fs::weakly_canonical(fs::absolute(b), ec2);
}

} // namespace

Command addRtStructCommand(CLI::App& app) {
  struct Options {
    std::string image;
    std::string series;
    std::vector<std::string> masks;
    std::string out;
    std::string label = "Beamlet";
    bool tg263 = false;
    int smoothing = 0;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "rtstruct", "Masks (label maps: .nii.gz, .nii, .nrrd, .mha) -> a new RTSTRUCT on an image "
                  "series; masks on another grid are resampled (nearest neighbour)");
  sub->add_option("--image", o->image, "Image series folder (scanned recursively)")->required();
  sub->add_option("--series", o->series,
                  "Series to use (optional when the folder holds one image series)");
  sub->add_option("--mask", o->masks,
                  "NAME=FILE (non-zero voxels inside) or NAME=FILE:LABEL (one label of a "
                  "multi-label map); repeatable")
      ->required();
  sub->add_option("--out", o->out, "RTSTRUCT file to write")->required();
  sub->add_option("--label", o->label, "Structure Set Label (16 characters at most)")
      ->capture_default_str();
  sub->add_flag("--tg263", o->tg263, "Rename known structures to AAPM TG-263 names");
  sub->add_option("--smooth", o->smoothing,
                  "Contour smoothing passes (0: exact voxel boundaries, the default)")
      ->capture_default_str();
  return {sub, [o] {
            std::vector<MaskSpec> specs;
            for (const std::string& text : o->masks) {
              specs.push_back(parseMaskSpec(text));
              if (!fs::is_regular_file(specs.back().file)) {
                throw IoError(withContext(specs.back().file, "mask file does not exist"));
              }
              if (samePath(specs.back().file, o->out)) {
                throw InvalidArgumentError(
                    withContext(o->out, "--out is an input mask file; refusing to overwrite it"));
              }
            }
            app::Session session;
            session.openFolder(o->image);
            const std::string id = o->series.empty() ? session.onlySeriesUid() : o->series;
            session.loadSeries(id);
            const dicom::SeriesEntry* series = session.index()->findSeries(id);
            const ImageGeometry& grid = session.image()->geometry();

            MaskContourOptions contourOptions;
            contourOptions.smoothingIterations = o->smoothing;
            StructureSet set;
            for (const MaskSpec& spec : specs) {
              const Image labelMap = dicom::readVolumeFile(spec.file);
              Mask mask = selectLabel(labelMap, spec.label);
              if (spec.label && std::all_of(mask.voxels().begin(), mask.voxels().end(),
                                            [](std::uint8_t v) { return v == 0; })) {
                throw InvalidArgumentError(
                    withContext(spec.file, "no voxels with label " + std::to_string(*spec.label)));
              }
              if (!mask.geometry().sameGrid(grid)) {
                try {
                  mask = resampleNearest(mask, grid);
                } catch (const GeometryError& e) {
                  throw GeometryError(withContext(spec.file, e.what()));
                }
                std::printf("%s: resampled onto the image grid (nearest neighbour)\n",
                            spec.file.c_str());
              }
              std::size_t voxels = 0;
              for (std::uint8_t v : mask.voxels()) {
                voxels += v != 0 ? 1 : 0;
              }
              if (voxels == 0) {
                log::warn(withContext(spec.file, "no voxels inside on the image grid: ROI '" +
                                                     spec.name + "' has no contours"));
              }
              const std::string name = o->tg263 ? tg263Name(spec.name) : spec.name;
              set.structures.push_back(dicom::structureFromMask(
                  mask, static_cast<int>(set.structures.size()) + 1, name, contourOptions));
            }
            dicom::writeRtStruct(set, *series, o->out, o->label);
            std::printf("wrote %s: %zu ROIs on series %s\n", o->out.c_str(), set.structures.size(),
                        series->seriesInstanceUid.c_str());
            for (const Structure& s : set.structures) {
              std::printf("  %d %s (%s): %zu contours\n", s.roiNumber, s.name.c_str(),
                          s.type.c_str(), s.contours.size());
            }
            return 0;
          }};
}

} // namespace beamlet::cli
