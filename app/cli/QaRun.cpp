#include "QaRun.h"

#include "ConsoleProgress.h"
#include "DoseCase.h"
#include "PhantomWriting.h"
#include "PlanCase.h"
#include "ReportSvg.h"

#include "beamlet/app/ResearchCase.h"
#include "beamlet/core/Error.h"
#include "beamlet/dicom/RtDose.h"
#include "beamlet/dicom/VolumeFile.h"
#include "beamlet/dose/Dvh.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

namespace fs = std::filesystem;

namespace beamlet::cli {

namespace {

std::string errorKind(const std::exception& e) {
  if (dynamic_cast<const CancelledError*>(&e) != nullptr) {
    return "CancelledError";
  }
  if (dynamic_cast<const GeometryError*>(&e) != nullptr) {
    return "GeometryError";
  }
  if (dynamic_cast<const UnsupportedError*>(&e) != nullptr) {
    return "UnsupportedError";
  }
  if (dynamic_cast<const DataError*>(&e) != nullptr) {
    return "DataError";
  }
  if (dynamic_cast<const IoError*>(&e) != nullptr) {
    return "IoError";
  }
  if (dynamic_cast<const InvalidArgumentError*>(&e) != nullptr) {
    return "InvalidArgumentError";
  }
  if (dynamic_cast<const Error*>(&e) != nullptr) {
    return "Error";
  }
  return "UnexpectedError";
}

} // namespace

std::string gammaCriteria(const dose::GammaSettings& settings) {
  std::ostringstream s;
  s << settings.doseDifferencePercent << "%/" << settings.dtaMm << " mm"
    << (settings.local ? " local" : "");
  return s.str();
}

namespace {

// The files a case names, checked before anything runs: every missing one, in one line.
void checkFiles(const QaCase& c) {
  std::vector<std::string> missing;
  auto need = [&](const std::string& path, bool folderAllowed, const char* what) {
    if (path.empty()) {
      return;
    }
    const bool ok = folderAllowed ? fs::exists(path) : fs::is_regular_file(path);
    if (!ok) {
      missing.push_back(withContext(path, std::string(what) + " does not exist"));
    }
  };
  need(c.image, true, "image");
  need(c.structures, true, "structures");
  if (c.protocol.find_first_of("/\\") != std::string::npos) {
    need(c.protocol, false, "protocol");
  }
  need(c.plan, false, "RTPLAN");
  need(c.calibration, false, "calibration table");
  need(c.baseline, false, "baseline dose");
  if (!missing.empty()) {
    std::string reason;
    for (const std::string& m : missing) {
      reason += (reason.empty() ? "" : "; ") + m;
    }
    throw IoError(reason);
  }
}

struct NewDose {
  Image dose;
  StructureSet structures;
  bool newImage = false; ///< the case's CT was written anew (new frame of reference)
};

NewDose computeNewDose(const QaCase& c, const QaOptions& options, QaCaseResult& result) {
  const fs::path folder = fs::path(options.out) / c.folder;
  result.folder = folder.string();
  NewDose out;
  if (!c.protocol.empty()) {
    ConsoleProgress progress("qa " + c.name);
    PlanRequest request;
    request.protocol = c.protocol;
    request.image = c.image;
    request.structures = c.structures;
    request.demo = c.demo;
    request.out = folder.string();
    request.device = options.device;
    PlanOutcome outcome = runPlan(request, progress.monitor());
    result.notes.insert(result.notes.end(), outcome.notes.begin(), outcome.notes.end());
    result.evaluated = outcome.rtdose;
    out.dose = std::move(outcome.result.dose);
    out.structures = std::move(outcome.structures);
    out.newImage = !c.demo.empty() || app::isVolumeImage(c.image);
    return out;
  }
  PlanningInputOptions inputs;
  inputs.image = c.image;
  inputs.structures = c.structures;
  inputs.gridMm = c.gridMm;
  inputs.overrides = c.overrides;
  inputs.calibration = c.calibration;
  inputs.device = options.device;
  inputs.threads = options.threads;
  PlanningInputs in;
  PlanDose planDose = recomputePlanDose(inputs, c.plan, in);
  result.notes.insert(result.notes.end(), in.notes.begin(), in.notes.end());
  result.notes.insert(result.notes.end(), planDose.beamNotes.begin(), planDose.beamNotes.end());
  prepareOutput(folder.string());
  result.evaluated = (folder / "RD.dcm").string();
  writePlanDose(planDose, in, result.evaluated);
  out.dose = std::move(planDose.dose);
  out.structures = std::move(in.structures);
  return out;
}

QaGammaMap gammaMap(const Image& baseline, const VolumeF32& gamma) {
  QaGammaMap map;
  const VolumeF32 dose = baseline.toFloat();
  const auto& voxels = dose.voxels();
  const std::size_t top =
      static_cast<std::size_t>(std::max_element(voxels.begin(), voxels.end()) - voxels.begin());
  const ImageGeometry& g = dose.geometry();
  const int nx = g.dims[0];
  const int ny = g.dims[1];
  map.k = static_cast<int>(top / (static_cast<std::size_t>(nx) * ny));
  map.dxMm = g.spacing[0];
  map.dyMm = g.spacing[1];
  map.maxDoseGy = voxels[top];
  // Cropped to the points above the cut-off, with a margin of 5 voxels.
  int i0 = nx;
  int i1 = -1;
  int j0 = ny;
  int j1 = -1;
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      if (gamma(i, j, map.k) != dose::kGammaBelowCutoff) {
        i0 = std::min(i0, i);
        i1 = std::max(i1, i);
        j0 = std::min(j0, j);
        j1 = std::max(j1, j);
      }
    }
  }
  if (i1 < 0) {
    i0 = j0 = 0;
    i1 = nx - 1;
    j1 = ny - 1;
  }
  i0 = std::max(0, i0 - 5);
  j0 = std::max(0, j0 - 5);
  i1 = std::min(nx - 1, i1 + 5);
  j1 = std::min(ny - 1, j1 + 5);
  map.nx = i1 - i0 + 1;
  map.ny = j1 - j0 + 1;
  map.zMm = g.indexToPatient(Vec3(0.5 * (i0 + i1), 0.5 * (j0 + j1), map.k))[2];
  for (int j = j0; j <= j1; ++j) {
    for (int i = i0; i <= i1; ++i) {
      map.gamma.push_back(gamma(i, j, map.k));
      map.doseGy.push_back(dose(i, j, map.k));
    }
  }
  return map;
}

QaGammaOutcome compareGamma(const QaCase& c, const Image& baseline, const Image& evaluated,
                            const QaOptions& options, QaCaseResult& result) {
  QaGammaOutcome o;
  o.tolerance = *c.gamma;
  dose::GammaSettings settings = c.gamma->settings;
  settings.threads = static_cast<unsigned>(std::max(0, options.threads));
  ConsoleProgress progress("qa " + c.name + " gamma");
  dose::GammaResult r;
  try {
    r = dose::computeGamma(baseline, evaluated, settings, progress.monitor());
  } catch (const DataError& e) {
    throw DataError(withContext(c.baseline, e.what()));
  }
  o.passRatePercent = r.passRatePercent;
  o.meanGamma = r.meanGamma;
  o.maxGamma = r.maxGamma;
  o.pointsEvaluated = r.pointsEvaluated;
  o.pointsPassed = r.pointsPassed;
  o.pointsOutsideEval = r.pointsOutsideEval;
  o.referenceMaxGy = r.referenceMaxGy;
  o.cutoffDoseGy = r.cutoffDoseGy;
  const auto bins = static_cast<std::size_t>(std::ceil(settings.maxGamma / o.histogramBinWidth));
  o.histogram.assign(bins, 0);
  for (const float v : r.gamma.voxels()) {
    if (v >= 0.0f) {
      const auto bin = static_cast<std::size_t>(v / o.histogramBinWidth);
      ++o.histogram[std::min(bin, bins - 1)];
    }
  }
  o.map = gammaMap(baseline, r.gamma);
  const std::string criteria = gammaCriteria(settings);
  if (r.pointsOutsideEval > 0) {
    result.notes.push_back(std::to_string(r.pointsOutsideEval) +
                           " baseline points above the cut-off lie outside the evaluated dose "
                           "and were not evaluated");
  }
  if (r.pointsEvaluated == 0) {
    result.failures.push_back("gamma " + criteria + ": no baseline point was evaluated");
  } else {
    o.passed = r.passRatePercent + 1e-9 >= o.tolerance.minPassRatePercent;
    if (!o.passed) {
      std::ostringstream s;
      s << "gamma " << criteria << ": pass rate " << fixed(r.passRatePercent, 2) << "% < "
        << o.tolerance.minPassRatePercent << "%";
      result.failures.push_back(s.str());
    }
  }
  // The gamma volume next to the case's files, for a viewer.
  if (!result.folder.empty() && fs::is_directory(result.folder)) {
    Image volume(std::move(r.gamma));
    volume.units = "gamma";
    volume.description = "gamma " + settings.describe();
    dicom::writeVolumeFile(volume, (fs::path(result.folder) / "gamma.nii.gz").string());
  }
  return o;
}

void compareDvh(const QaCase& c, const Image& baseline, const Image& evaluated,
                const StructureSet& structures, QaCaseResult& result) {
  struct Pair {
    dose::Dvh baseline;
    dose::Dvh evaluated;
    std::string problem;
    const Structure* structure = nullptr;
  };
  std::map<std::string, Pair> dvhs; // by the name the tolerance gives
  double maxGy = 0.0;
  for (const QaDvhTolerance& t : c.dvh) {
    if (dvhs.count(t.structure) != 0) {
      continue;
    }
    Pair& p = dvhs[t.structure];
    p.structure = structures.findByName(t.structure);
    if (p.structure == nullptr) {
      p.problem = "structure '" + t.structure + "' is not in the structure set";
      continue;
    }
    try {
      p.baseline = dose::computeDvh(*p.structure, baseline);
      p.evaluated = dose::computeDvh(*p.structure, evaluated);
    } catch (const DataError& e) {
      p.problem = e.what();
      p.structure = nullptr;
      continue;
    }
    for (const std::string& w : p.baseline.warnings) {
      result.notes.push_back("baseline DVH: " + w);
    }
    for (const std::string& w : p.evaluated.warnings) {
      result.notes.push_back("evaluated DVH: " + w);
    }
    maxGy = std::max({maxGy, p.baseline.maxGy, p.evaluated.maxGy});
  }
  for (const QaDvhTolerance& t : c.dvh) {
    const Pair& p = dvhs[t.structure];
    QaDvhOutcome o;
    o.tolerance = t;
    const std::string what = t.structure + " " + t.metric;
    if (p.structure == nullptr) {
      o.note = p.problem;
      result.failures.push_back(what + ": " + p.problem);
      result.dvh.push_back(o);
      continue;
    }
    o.evaluated = true;
    o.baseline = dose::evaluateMetric(p.baseline, t.metric);
    o.value = dose::evaluateMetric(p.evaluated, t.metric);
    o.difference = o.value - o.baseline;
    o.allowed = t.allowed(o.baseline);
    o.passed = std::abs(o.difference) <= o.allowed + 1e-9 * std::max(1.0, std::abs(o.baseline));
    if (!o.passed) {
      std::ostringstream s;
      s << what << ": " << fixed(o.value, 3) << " " << t.unit << " vs baseline "
        << fixed(o.baseline, 3) << " " << t.unit << ", difference " << fixed(o.difference, 3)
        << " exceeds " << t.describe();
      result.failures.push_back(s.str());
    }
    result.dvh.push_back(o);
  }
  // Curves of the structures with tolerances, baseline and evaluated, to a little above the max.
  result.dvhMaxGy = maxGy > 0.0 ? maxGy * 1.05 : 1.0;
  for (const auto& [name, p] : dvhs) {
    if (p.structure == nullptr) {
      continue;
    }
    QaDvhPlot plot;
    plot.structure = p.structure->name;
    for (int t = 0; t <= 200; ++t) {
      const double gy = result.dvhMaxGy * t / 200.0;
      plot.baseline.emplace_back(gy, p.baseline.volumeAtDosePercent(gy));
      plot.evaluated.emplace_back(gy, p.evaluated.volumeAtDosePercent(gy));
    }
    result.dvhPlots.push_back(std::move(plot));
  }
}

void runChecks(const QaCase& c, const QaOptions& options, QaCaseResult& result) {
  checkFiles(c);
  // The baseline first: a bad one fails the case before minutes of planning.
  const Image baseline = dicom::readDose(c.baseline);
  if (baseline.units != "Gy") {
    throw DataError(withContext(c.baseline, "baseline dose is in " + baseline.units + ", not Gy"));
  }
  result.baselineMaxGy = baseline.range().second;
  NewDose evaluated = computeNewDose(c, options, result);
  result.evaluatedMaxGy = evaluated.dose.range().second;
  if (!baseline.frameOfReferenceUid.empty() && !evaluated.dose.frameOfReferenceUid.empty() &&
      baseline.frameOfReferenceUid != evaluated.dose.frameOfReferenceUid) {
    if (!evaluated.newImage) {
      throw GeometryError(withContext(c.baseline, "frame of reference differs from the image's"));
    }
    result.notes.push_back("the case's CT was written anew (a new frame of reference): the doses "
                           "are compared in patient coordinates");
  }
  if (c.gamma) {
    result.gamma = compareGamma(c, baseline, evaluated.dose, options, result);
  }
  if (!c.dvh.empty()) {
    compareDvh(c, baseline, evaluated.dose, evaluated.structures, result);
  }
}

} // namespace

const char* qaStatusName(QaStatus status) {
  switch (status) {
  case QaStatus::Passed:
    return "passed";
  case QaStatus::Failed:
    return "failed";
  case QaStatus::Error:
    break;
  }
  return "error";
}

std::string QaCaseResult::summary() const {
  std::ostringstream s;
  switch (status) {
  case QaStatus::Passed:
    s << "PASS  " << name << ":";
    if (gamma) {
      s << " gamma " << gammaCriteria(gamma->tolerance.settings) << " "
        << fixed(gamma->passRatePercent, 2) << "% >= " << gamma->tolerance.minPassRatePercent << "%"
        << (dvh.empty() ? "" : ";");
    }
    if (!dvh.empty()) {
      s << " " << dvh.size() << " DVH metric" << (dvh.size() == 1 ? "" : "s")
        << " within tolerance";
    }
    break;
  case QaStatus::Failed:
    s << "FAIL  " << name << ": " << reason;
    break;
  case QaStatus::Error:
    s << "ERROR " << name << ": " << reason;
    break;
  }
  s << " (" << fixed(seconds, 1) << " s)";
  return s.str();
}

QaCaseResult runQaCase(const QaCase& c, const QaOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  QaCaseResult result;
  result.name = c.name;
  result.description = c.description;
  result.baseline = c.baseline;
  const std::string on = c.demo.empty() ? c.image : c.demo + " (built-in phantom)";
  result.method = !c.protocol.empty() ? "protocol " + c.protocol + " planned on " + on
                                      : "RTPLAN " + c.plan + " recomputed on " + on;
  try {
    runChecks(c, options, result);
    result.status = result.failures.empty() ? QaStatus::Passed : QaStatus::Failed;
    for (const std::string& f : result.failures) {
      result.reason += (result.reason.empty() ? "" : "; ") + f;
    }
  } catch (const std::exception& e) {
    result.status = QaStatus::Error;
    result.errorType = errorKind(e);
    result.reason = dynamic_cast<const Error*>(&e) != nullptr
                        ? std::string(e.what())
                        : std::string("unexpected failure: ") + e.what();
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

} // namespace beamlet::cli
