#include "PlanCase.h"

#include "PhantomWriting.h"
#include "PlanningInputs.h"

#include "beamlet/app/ResearchCase.h"
#include "beamlet/core/Error.h"
#include "beamlet/dicom/RtDose.h"
#include "beamlet/dicom/RtPlan.h"

#include <chrono>
#include <filesystem>

namespace fs = std::filesystem;

namespace beamlet::cli {

dose::Protocol loadProtocolArgument(const std::string& protocol) {
  return fs::exists(protocol) ? dose::loadProtocol(protocol) : dose::loadShippedProtocol(protocol);
}

PlanOutcome runPlan(const PlanRequest& request, ProgressMonitor* progress) {
  const auto start = std::chrono::steady_clock::now();
  const bool demo = !request.demo.empty();
  if (!demo && (request.image.empty() || request.structures.empty())) {
    throw InvalidArgumentError("--image and --structures are required without --demo");
  }
  if (demo && (!request.image.empty() || !request.structures.empty())) {
    throw InvalidArgumentError("--demo plans the built-in phantom: no --image or --structures");
  }
  std::string protocolArg = request.protocol;
  if (protocolArg.empty()) {
    if (!demo) {
      throw InvalidArgumentError("PROTOCOL is required without --demo");
    }
    protocolArg = "tg119-cshape";
  }
  PlanOutcome outcome;
  outcome.protocol = loadProtocolArgument(protocolArg);
  const bool research = !demo && app::isVolumeImage(request.image);
  if (!demo) {
    if (research ? !fs::is_directory(request.structures)
                 : !fs::is_regular_file(request.structures)) {
      throw IoError(withContext(request.structures,
                                research ? "mask folder does not exist (a volume file as --image "
                                           "takes a folder of mask files as --structures)"
                                         : "RTSTRUCT file does not exist"));
    }
    if (!fs::exists(request.image)) {
      throw IoError(withContext(request.image, "image does not exist"));
    }
  }
  // Read research data before anything is written, so that bad input leaves no output folder.
  app::ResearchCase researchCase;
  if (research) {
    researchCase = app::loadResearchCase(request.image, request.structures);
    outcome.notes = researchCase.notes;
  }
  prepareOutput(request.out);
  const fs::path out(request.out);
  if (demo) {
    const WrittenPhantom written = writePhantom(makeTg119Phantom(), "tg119", out);
    outcome.ctFolder = (out / "CT").string();
    outcome.rtstruct = written.rtstruct;
  } else if (research) {
    // The mask folder names the patient (OpenKBP: pt_201).
    fs::path folder = fs::absolute(request.structures).lexically_normal();
    if (folder.filename().empty()) {
      folder = folder.parent_path();
    }
    const std::string id = folder.filename().string().substr(0, 64);
    const WrittenPhantom written =
        writeCase(researchCase.ct, researchCase.structures,
                  newStudy("Research^" + id, id, "Beamlet case from volume files"), out);
    outcome.ctFolder = (out / "CT").string();
    outcome.rtstruct = written.rtstruct;
    outcome.notes.push_back("wrote the volume as a CT series (CT/) and the masks as RS.dcm");
  } else {
    // The RTSTRUCT used goes with the plan.
    fs::copy_file(request.structures, out / "RS.dcm");
    outcome.ctFolder = request.image;
    outcome.rtstruct = (out / "RS.dcm").string();
  }
  PlanningInputs in;
  loadCase(outcome.ctFolder, outcome.rtstruct, in);

  dose::PlanningOptions options;
  options.device = dose::parseDevice(request.device);
  options.doseCorrectionRounds = request.doseCorrectionRounds;
  outcome.result =
      dose::makePlan(*in.session.image(), in.structures, outcome.protocol, options, progress);
  outcome.notes.insert(outcome.notes.end(), outcome.result.notes.begin(),
                       outcome.result.notes.end());

  outcome.rtplan = (out / "RP.dcm").string();
  const std::string planUid = dicom::writeRtPlan(outcome.result.plan, in.study, outcome.rtplan,
                                                 in.structures.sopInstanceUid);
  dicom::RtDoseWriteOptions doseOptions;
  doseOptions.referencedPlanUid = planUid;
  doseOptions.seriesDescription = "Beamlet plan dose (" + outcome.protocol.name + ")";
  outcome.rtdose = (out / "RD.dcm").string();
  dicom::writeRtDose(outcome.result.dose, in.study, outcome.rtdose, doseOptions);
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  outcome.report =
      writePlanReport(outcome.protocol, in.structures, outcome.result, out, outcome.seconds);
  outcome.structures = std::move(in.structures);
  return outcome;
}

} // namespace beamlet::cli
