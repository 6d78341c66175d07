#include "PlanningInputs.h"

#include "beamlet/core/Error.h"
#include "beamlet/dicom/RtStruct.h"

namespace beamlet::cli {

void addPlanningInputOptions(CLI::App* sub, PlanningInputOptions& o, bool structuresRequired) {
  sub->add_option("--image", o.image, "CT (or MR) series folder")->required();
  auto* s = sub->add_option("--structures", o.structures,
                            "RTSTRUCT on that series (External sets where dose is computed)");
  if (structuresRequired) {
    s->required();
  }
  sub->add_option("--grid", o.gridMm, "Dose grid spacing, mm")->capture_default_str();
  sub->add_option("--override", o.overrides,
                  "Relative electron density inside a structure, NAME=DENSITY (repeatable; "
                  "later ones win where structures overlap)");
  sub->add_option("--calibration", o.calibration,
                  "HU to relative electron density table (CSV 'HU,rED'); default: shipped");
  sub->add_option("--device", o.device, "Where to compute: auto, cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
      ->capture_default_str();
  sub->add_option("--threads", o.threads, "CPU threads (0 = all cores)")->capture_default_str();
}

void loadCase(const std::string& image, const std::string& structures, PlanningInputs& in) {
  in.session.openFolder(image);
  const std::string id = in.session.onlySeriesUid();
  in.session.loadSeries(id);
  const dicom::SeriesEntry* series = in.session.index()->findSeries(id);
  in.study = dicom::readStudyContext(series->files.front().path);
  if (!structures.empty()) {
    in.structures = dicom::readRtStruct(structures);
    dicom::checkAgainstImage(in.structures, structures, *in.session.image(), series);
  }
}

void loadPlanningInputs(const PlanningInputOptions& o, PlanningInputs& in,
                        const std::string& patientPosition) {
  if (!(o.gridMm >= 0.5 && o.gridMm <= 20.0)) {
    throw InvalidArgumentError("--grid must be between 0.5 and 20 mm");
  }
  dose::limitThreads(o.threads);
  loadCase(o.image, o.structures, in);
  dose::PatientModelOptions options;
  options.doseGridMm = o.gridMm;
  options.calibrationCsv = o.calibration;
  for (const std::string& text : o.overrides) {
    options.overrides.push_back(dose::parseDensityOverride(text));
  }
  options.position = dose::parsePatientPosition(
      !patientPosition.empty() ? patientPosition : in.study.patientPosition);
  in.problem = dose::makeDoseProblem(*in.session.image(), in.structures, options, &in.notes);
}

} // namespace beamlet::cli
