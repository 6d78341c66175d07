#pragma once
// One planning run from the command line's inputs, shared by `plan` and `qa`: the case (DICOM
// series + RTSTRUCT, a volume file + mask folder, or the built-in TG-119 phantom) is loaded, the
// protocol planned on it, and RP.dcm, RD.dcm, RS.dcm (plus CT/ when the case was not DICOM already)
// and report.json/report.html written into the output folder.

#include "PlanReport.h"

#include "beamlet/core/Progress.h"
#include "beamlet/core/Structure.h"
#include "beamlet/dose/Planner.h"
#include "beamlet/dose/Protocol.h"

#include <string>
#include <vector>

namespace beamlet::cli {

struct PlanRequest {
  std::string protocol;   ///< protocol JSON file or a shipped protocol's id
  std::string image;      ///< CT series folder or CT volume file; empty with `demo`
  std::string structures; ///< RTSTRUCT file, or a folder of mask files with a volume image
  std::string demo;       ///< "tg119" plans the built-in phantom; empty otherwise
  std::string out;        ///< output folder (created; must be empty)
  std::string device = "auto";
  int doseCorrectionRounds = 0; ///< PlanningOptions::doseCorrectionRounds
};

struct PlanOutcome {
  dose::Protocol protocol;
  dose::PlanningResult result;
  StructureSet structures; ///< as written in RS.dcm and planned on
  PlanReport report;
  std::vector<std::string> notes; ///< how the case was read, then the planner's notes
  double seconds = 0.0;
  std::string ctFolder; ///< the image series planned on
  std::string rtstruct, rtplan, rtdose;
};

/// Checks the request, loads the case, plans and writes. Throws InvalidArgumentError for a bad
/// request, IoError/DataError naming the file for bad input, CancelledError when cancelled.
PlanOutcome runPlan(const PlanRequest& request, ProgressMonitor* progress = nullptr);

/// The protocol from a file path or a shipped id.
dose::Protocol loadProtocolArgument(const std::string& protocol);

} // namespace beamlet::cli
