#include "Command.h"

#include "beamlet/app/IndexReport.h"
#include "beamlet/app/Session.h"

#include <iostream>
#include <memory>

namespace beamlet::cli {

Command addInfoCommand(CLI::App& app) {
  struct Options {
    std::string dir;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand("info", "Scan a folder of DICOM files and list patients, "
                                             "studies, series, RT objects and skipped files");
  sub->add_option("DIR", o->dir, "Folder (scanned recursively) or a single file")->required();
  sub->add_flag("--json", o->json, "Machine-readable output (layout in docs/cli.md)");
  return {sub, [o] {
            app::Session session;
            session.openFolder(o->dir);
            std::cout << (o->json ? app::indexToJson(*session.index())
                                  : app::indexToText(*session.index()));
            return 0;
          }};
}

} // namespace beamlet::cli
