#pragma once
// One beamlet-cli command: its CLI11 subcommand (options, --help) and what runs when it is chosen.
// Each command lives in its own Command<Name>.cpp and is listed once in main.cpp.

#include <CLI/CLI.hpp>

#include <functional>

namespace beamlet::cli {

struct Command {
  CLI::App* subcommand = nullptr;
  /// Runs the command; returns the exit code. Throws beamlet::Error for a one-line error.
  std::function<int()> run;
};

Command addInfoCommand(CLI::App& app);
Command addConvertCommand(CLI::App& app);
Command addDvhCommand(CLI::App& app);
Command addGammaCommand(CLI::App& app);
Command addDeidentifyCommand(CLI::App& app);
Command addPlanInfoCommand(CLI::App& app);
Command addRtStructCommand(CLI::App& app);
Command addMasksCommand(CLI::App& app);
Command addPhantomCommand(CLI::App& app);
Command addDoseCommand(CLI::App& app);
Command addDijCommand(CLI::App& app);
Command addPlanCommand(CLI::App& app);
Command addQaCommand(CLI::App& app);
Command addCompareStructuresCommand(CLI::App& app);
Command addContourCommand(CLI::App& app);

} // namespace beamlet::cli
