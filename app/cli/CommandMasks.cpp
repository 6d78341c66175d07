// beamlet-cli masks: an RTSTRUCT -> one mask file per ROI on its image series' grid.

#include "Command.h"

#include "beamlet/app/Session.h"
#include "beamlet/core/ContourRasterizer.h"
#include "beamlet/core/Error.h"
#include "beamlet/dicom/RtStruct.h"
#include "beamlet/dicom/VolumeFile.h"

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>

namespace fs = std::filesystem;

namespace beamlet::cli {

namespace {

// A file name from an ROI name: letters, digits, '-', '_' and '.' kept, anything else '_'.
std::string sanitised(const std::string& name, int roiNumber) {
  std::string s;
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    s += std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' ? ch : '_';
  }
  if (s.empty() || s.front() == '.') {
    s = "roi" + std::to_string(roiNumber) + s;
  }
  return s;
}

} // namespace

Command addMasksCommand(CLI::App& app) {
  struct Options {
    std::string image;
    std::string series;
    std::string structures;
    std::string out;
    std::string format = "nii.gz";
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "masks", "RTSTRUCT -> one binary mask file per ROI on the image grid (voxel centres inside)");
  sub->add_option("--image", o->image, "Image series folder the structures were drawn on")
      ->required();
  sub->add_option("--series", o->series,
                  "Series to use (optional when the folder holds one image series)");
  sub->add_option("--structures", o->structures, "RTSTRUCT file")->required();
  sub->add_option("--out", o->out, "Output folder (created if needed)")->required();
  sub->add_option("--format", o->format, "nii.gz, nii, nrrd or mha")
      ->check(CLI::IsMember({"nii.gz", "nii", "nrrd", "mha"}))
      ->capture_default_str();
  return {sub, [o] {
            app::Session session;
            session.openFolder(o->image);
            const std::string id = o->series.empty() ? session.onlySeriesUid() : o->series;
            session.loadSeries(id);
            const Image& image = *session.image();
            StructureSet set = dicom::readRtStruct(o->structures);
            dicom::checkAgainstImage(set, o->structures, image, session.index()->findSeries(id));
            std::error_code ec;
            fs::create_directories(o->out, ec);
            if (!fs::is_directory(o->out)) {
              throw IoError(withContext(o->out, "cannot create the output folder"));
            }
            std::set<std::string> used;
            for (const Structure& s : set.structures) {
              std::string base = sanitised(s.name, s.roiNumber);
              if (!used.insert(base).second) {
                base += "_" + std::to_string(s.roiNumber);
                used.insert(base);
              }
              const std::string path = (fs::path(o->out) / (base + "." + o->format)).string();
              Image mask{Image::Voxels(rasterize(s, image.geometry()))};
              std::size_t voxels = 0;
              for (std::uint8_t v : mask.as<std::uint8_t>().voxels()) {
                voxels += v != 0 ? 1 : 0;
              }
              dicom::writeVolumeFile(mask, path);
              std::printf("wrote %s: ROI %d '%s', %zu voxels (%.2f cm3)\n", path.c_str(),
                          s.roiNumber, s.name.c_str(), voxels,
                          static_cast<double>(voxels) * image.geometry().voxelVolumeMm3() / 1000.0);
            }
            for (const std::string& w : set.warnings) {
              std::printf("warning: %s\n", w.c_str());
            }
            return 0;
          }};
}

} // namespace beamlet::cli
