#include "Command.h"

#include "beamlet/app/Session.h"
#include "beamlet/core/Error.h"
#include "beamlet/dicom/VolumeFile.h"

#include <cstdio>
#include <memory>

namespace beamlet::cli {

Command addConvertCommand(CLI::App& app) {
  struct Options {
    std::string dir;
    std::string series;
    std::string out;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub =
      app.add_subcommand("convert", "Load one image series and write it as a volume file with its "
                                    "geometry (LPS kept; NIfTI stores RAS as its format requires)");
  sub->add_option("DIR", o->dir, "Folder (scanned recursively) or a single file")->required();
  sub->add_option("--series", o->series,
                  "Series to load: its SeriesInstanceUID, or the id `info` shows (optional when "
                  "the folder holds one series)");
  sub->add_option("--out", o->out, "Output file: .nii.gz, .nii, .nrrd or .mha")->required();
  return {sub, [o] {
            if (!dicom::isVolumeFileName(o->out)) {
              throw InvalidArgumentError(
                  withContext(o->out, "unknown output type (use .nii.gz, .nii, .nrrd or .mha)"));
            }
            app::Session session;
            session.openFolder(o->dir);
            session.loadSeries(o->series.empty() ? session.onlySeriesUid() : o->series);
            const Image& image = *session.image();
            dicom::writeVolumeFile(image, o->out);
            const auto [lo, hi] = image.range();
            std::printf("wrote %s: %s, %s %s (%g to %g)\n", o->out.c_str(),
                        image.geometry().describe().c_str(), voxelTypeName(image.voxelType()),
                        image.units.c_str(), lo, hi);
            return 0;
          }};
}

} // namespace beamlet::cli
