#pragma once
// What the dose commands (dose, dij) share: loading the image series, its structure set and the
// density settings into a dose problem, with one-line errors naming the file.

#include "beamlet/app/Session.h"
#include "beamlet/core/Structure.h"
#include "beamlet/dicom/StudyContext.h"
#include "beamlet/dose/PatientModel.h"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace beamlet::cli {

struct PlanningInputOptions {
  std::string image;
  std::string structures;
  double gridMm = 3.0;
  std::vector<std::string> overrides;
  std::string calibration;
  std::string device = "auto";
  int threads = 0;
};

/// Adds --image, --structures, --grid, --override, --calibration, --device, --threads.
void addPlanningInputOptions(CLI::App* sub, PlanningInputOptions& o, bool structuresRequired);

struct PlanningInputs {
  app::Session session;
  StructureSet structures;
  dicom::StudyContext study;
  dose::DoseProblem problem;
  std::vector<std::string> notes;
};

/// Loads the image series (the folder's only one), its study context and the RTSTRUCT (checked
/// against the image; none when `structures` is empty).
void loadCase(const std::string& image, const std::string& structures, PlanningInputs& in);

/// Loads everything; `patientPosition` (from a plan) wins over the image's when not empty.
void loadPlanningInputs(const PlanningInputOptions& o, PlanningInputs& in,
                        const std::string& patientPosition = "");

} // namespace beamlet::cli
