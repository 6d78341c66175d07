// beamlet-cli: the headless front end. Every command prints a one-line error on stderr and exits
// non-zero on failure; all the work is done by the session layer and the libraries.

#include "beamlet/app/IndexReport.h"
#include "beamlet/app/Session.h"
#include "beamlet/core/Error.h"
#include "beamlet/core/Log.h"
#include "beamlet/dicom/VolumeFile.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

namespace {

constexpr int kExitError = 1;

int runInfo(const std::string& dir, bool json) {
  beamlet::app::Session session;
  session.openFolder(dir);
  std::cout << (json ? beamlet::app::indexToJson(*session.index())
                     : beamlet::app::indexToText(*session.index()));
  return 0;
}

int runConvert(const std::string& dir, std::string seriesUid, const std::string& out) {
  if (!beamlet::dicom::isVolumeFileName(out)) {
    throw beamlet::InvalidArgumentError(
        beamlet::withContext(out, "unknown output type (use .nii.gz, .nii, .nrrd or .mha)"));
  }
  beamlet::app::Session session;
  session.openFolder(dir);
  if (seriesUid.empty()) {
    seriesUid = session.onlySeriesUid();
  }
  session.loadSeries(seriesUid);
  const beamlet::Image& image = *session.image();
  beamlet::dicom::writeVolumeFile(image, out);
  const auto [lo, hi] = image.range();
  std::printf("wrote %s: %s, %s %s (%g to %g)\n", out.c_str(), image.geometry().describe().c_str(),
              beamlet::voxelTypeName(image.voxelType()), image.units.c_str(), lo, hi);
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Beamlet command line: image -> structures -> plan -> beamlets -> dij -> fluence -> "
               "dose -> evaluation -> export"};
  app.require_subcommand(1);
  bool quiet = false;
  app.add_flag("-q,--quiet", quiet, "Print errors only, no warnings");

  std::string infoDir;
  bool infoJson = false;
  CLI::App* info = app.add_subcommand("info", "Scan a folder of DICOM files and list patients, "
                                              "studies, series, RT objects and skipped files");
  info->add_option("DIR", infoDir, "Folder (scanned recursively) or a single file")->required();
  info->add_flag("--json", infoJson, "Machine-readable output (layout in docs/cli.md)");

  std::string convertDir;
  std::string convertSeries;
  std::string convertOut;
  CLI::App* convert =
      app.add_subcommand("convert", "Load one image series and write it as a volume file with its "
                                    "geometry (LPS kept; NIfTI stores RAS as its format requires)");
  convert->add_option("DIR", convertDir, "Folder (scanned recursively) or a single file")
      ->required();
  convert->add_option("--series", convertSeries,
                      "Series to load: its SeriesInstanceUID, or the id `info` shows (optional "
                      "when the folder holds one series)");
  convert->add_option("--out", convertOut, "Output file: .nii.gz, .nii, .nrrd or .mha")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  beamlet::log::setSink([quiet](beamlet::LogLevel level, const std::string& message) {
    if (quiet && level < beamlet::LogLevel::Error) {
      return;
    }
    std::fprintf(stderr, "beamlet-cli: %s: %s\n", beamlet::log::levelName(level), message.c_str());
  });

  try {
    if (info->parsed()) {
      return runInfo(infoDir, infoJson);
    }
    if (convert->parsed()) {
      return runConvert(convertDir, convertSeries, convertOut);
    }
  } catch (const beamlet::Error& e) {
    std::fprintf(stderr, "beamlet-cli: error: %s\n", e.what());
    return kExitError;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "beamlet-cli: error: unexpected failure: %s\n", e.what());
    return kExitError;
  }
  return kExitError;
}
