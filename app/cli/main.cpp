// beamlet-cli: the headless front end. Every command prints a one-line error on stderr and exits
// non-zero on failure; all the work is done by the session layer and the libraries.

#include "Command.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/Log.h"

#include <cstdio>
#include <vector>

int main(int argc, char** argv) {
  CLI::App app{"Beamlet command line: image -> structures -> plan -> beamlets -> dij -> fluence -> "
               "dose -> evaluation -> export"};
  app.require_subcommand(1);
  bool quiet = false;
  app.add_flag("-q,--quiet", quiet, "Print errors only, no warnings");

  using namespace beamlet::cli;
  const std::vector<Command> commands{
      addInfoCommand(app),       addConvertCommand(app),
      addDvhCommand(app),        addGammaCommand(app),
      addDeidentifyCommand(app), addPlanInfoCommand(app),
      addRtStructCommand(app),   addMasksCommand(app),
      addPhantomCommand(app),    addDoseCommand(app),
      addDijCommand(app),        addPlanCommand(app),
      addQaCommand(app),         addCompareStructuresCommand(app),
      addContourCommand(app),
  };

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
    for (const Command& command : commands) {
      if (command.subcommand->parsed()) {
        return command.run();
      }
    }
  } catch (const beamlet::Error& e) {
    std::fprintf(stderr, "beamlet-cli: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "beamlet-cli: error: unexpected failure: %s\n", e.what());
    return 1;
  }
  return 1;
}
