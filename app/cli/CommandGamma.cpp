#include "Command.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/Log.h"
#include "beamlet/dicom/RtDose.h"
#include "beamlet/dicom/VolumeFile.h"
#include "beamlet/dose/Gamma.h"

#include <cstdio>
#include <memory>
#include <string>

namespace beamlet::cli {

namespace {

// JSON written by hand: beamlet-cli does not link nlohmann_json (only beamlet_app does, privately).
std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
        out += buf;
      } else {
        out += c;
      }
    }
  }
  return out + "\"";
}

std::string jsonNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string jsonVec(const Vec3& v) {
  return "[" + jsonNumber(v[0]) + ", " + jsonNumber(v[1]) + ", " + jsonNumber(v[2]) + "]";
}

std::string toJson(const std::string& ref, const std::string& eval, const std::string& out,
                   const dose::GammaSettings& s, const dose::GammaResult& r) {
  const auto count = [](std::size_t n) { return std::to_string(n); };
  std::string j = "{\n";
  j += "  \"format\": \"beamlet-gamma\",\n  \"version\": 1,\n";
  j += "  \"reference\": " + jsonString(ref) + ",\n";
  j += "  \"evaluated\": " + jsonString(eval) + ",\n";
  j += "  \"settings\": {\n";
  j += "    \"doseDifferencePercent\": " + jsonNumber(s.doseDifferencePercent) + ",\n";
  j += "    \"dtaMm\": " + jsonNumber(s.dtaMm) + ",\n";
  j += "    \"cutoffPercent\": " + jsonNumber(s.cutoffPercent) + ",\n";
  j += std::string("    \"local\": ") + (s.local ? "true" : "false") + ",\n";
  j += "    \"maxGamma\": " + jsonNumber(s.maxGamma) + ",\n";
  j += "    \"normalisationDoseGy\": " + jsonNumber(r.normalisationDoseGy) + ",\n";
  j += "    \"searchStepMm\": " + jsonVec(r.searchStepMm) + "\n";
  j += "  },\n";
  j += "  \"passCriterion\": \"gamma <= 1\",\n";
  j += "  \"passRatePercent\": " + jsonNumber(r.passRatePercent) + ",\n";
  j += "  \"meanGamma\": " + jsonNumber(r.meanGamma) + ",\n";
  j += "  \"maxGamma\": " + jsonNumber(r.maxGamma) + ",\n";
  j += "  \"pointsEvaluated\": " + count(r.pointsEvaluated) + ",\n";
  j += "  \"pointsPassed\": " + count(r.pointsPassed) + ",\n";
  j += "  \"pointsBelowCutoff\": " + count(r.pointsBelowCutoff) + ",\n";
  j += "  \"pointsOutsideEval\": " + count(r.pointsOutsideEval) + ",\n";
  j += "  \"referenceMaxGy\": " + jsonNumber(r.referenceMaxGy) + ",\n";
  j += "  \"cutoffDoseGy\": " + jsonNumber(r.cutoffDoseGy) + ",\n";
  j += std::string("  \"twoD\": ") + (r.twoD ? "true" : "false") + ",\n";
  j += "  \"gammaVolume\": " + (out.empty() ? std::string("null") : jsonString(out)) + "\n";
  return j + "}\n";
}

void printText(const std::string& ref, const std::string& eval, const Image& refDose,
               const dose::GammaSettings& s, const dose::GammaResult& r) {
  std::printf("gamma %s\n", s.describe().c_str());
  std::printf("  reference: %s (%s), max %.4g Gy\n", ref.c_str(),
              refDose.geometry().describe().c_str(), r.referenceMaxGy);
  std::printf("  evaluated: %s\n", eval.c_str());
  std::printf("  pass rate: %.2f%% (gamma <= 1 passes: %zu of %zu points)\n", r.passRatePercent,
              r.pointsPassed, r.pointsEvaluated);
  std::printf("  mean gamma: %.4f\n", r.meanGamma);
  std::printf("  max gamma: %.4f (values capped at %g)\n", r.maxGamma, s.maxGamma);
  std::printf("  points evaluated: %zu (reference >= %.4g Gy; %zu below the cut-off, %zu outside "
              "EVAL)\n",
              r.pointsEvaluated, r.cutoffDoseGy, r.pointsBelowCutoff, r.pointsOutsideEval);
  if (s.local) {
    std::printf("  dose difference: %g%% of the local reference dose\n", s.doseDifferencePercent);
  } else {
    std::printf("  dose difference: %g%% of %.4g Gy = %.4g Gy\n", s.doseDifferencePercent,
                r.normalisationDoseGy, s.doseDifferencePercent / 100.0 * r.normalisationDoseGy);
  }
  std::printf("  search: step %.3g x %.3g x %.3g mm, radius %g mm, %s\n", r.searchStepMm[0],
              r.searchStepMm[1], r.searchStepMm[2], s.dtaMm * s.maxGamma,
              r.twoD ? "2-D (in-plane)" : "3-D");
}

} // namespace

Command addGammaCommand(CLI::App& app) {
  struct Options {
    std::string ref;
    std::string eval;
    std::string out;
    dose::GammaSettings settings;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "gamma", "Compare an evaluated dose with a reference dose by the gamma index (Low 1998) with "
               "an interpolated search (Wendling 2007); gamma <= 1 passes (docs/gamma.md)");
  sub->add_option("REF", o->ref, "Reference dose: RTDOSE or volume file (.nii.gz, .nrrd, .mha)")
      ->required();
  sub->add_option("EVAL", o->eval, "Evaluated dose, resampled onto REF's grid (patient LPS)")
      ->required();
  sub->add_option("--dd", o->settings.doseDifferencePercent, "Dose difference, %")
      ->capture_default_str();
  sub->add_option("--dta", o->settings.dtaMm, "Distance to agreement, mm")->capture_default_str();
  sub->add_option("--cutoff", o->settings.cutoffPercent,
                  "Reference points below this % of the reference maximum are not evaluated")
      ->capture_default_str();
  sub->add_flag("--local", o->settings.local,
                "Local gamma: dose difference relative to the local reference dose");
  sub->add_option("--max-gamma", o->settings.maxGamma,
                  "Search radius DTA x this; larger gamma values are capped here")
      ->capture_default_str();
  sub->add_option("--norm-dose", o->settings.normalisationDoseGy,
                  "Global normalisation dose in Gy (default: the reference maximum)");
  sub->add_option("--step", o->settings.searchStepMm, "Search step in mm (default: DTA/10)");
  sub->add_flag("--json", o->json, "Machine-readable output (layout in docs/gamma.md)");
  sub->add_option("--out", o->out,
                  "Write the gamma volume on REF's grid (.nii.gz, .nii, .nrrd or .mha); -1 below "
                  "the cut-off, -2 outside EVAL");
  return {sub, [o] {
            // Bad flags and output names fail before minutes of reading and computing.
            o->settings.validate();
            if (!o->out.empty() && !dicom::isVolumeFileName(o->out)) {
              throw InvalidArgumentError(
                  withContext(o->out, "unknown output type (use .nii.gz, .nii, .nrrd or .mha)"));
            }
            const Image ref = dicom::readDose(o->ref);
            const Image eval = dicom::readDose(o->eval);
            if (!ref.frameOfReferenceUid.empty() && !eval.frameOfReferenceUid.empty() &&
                ref.frameOfReferenceUid != eval.frameOfReferenceUid) {
              throw GeometryError(
                  withContext(o->eval, "frame of reference differs from the reference dose's (" +
                                           o->ref + ")"));
            }
            if (ref.units != eval.units) {
              log::warn(o->ref + " is in " + ref.units + " but " + o->eval + " in " + eval.units);
            }
            dose::GammaResult r;
            try {
              r = dose::computeGamma(ref, eval, o->settings);
            } catch (const DataError& e) {
              throw DataError(withContext(o->ref + " vs " + o->eval, e.what()));
            }
            if (r.pointsOutsideEval > 0) {
              log::warn(std::to_string(r.pointsOutsideEval) +
                        " reference points above the cut-off lie outside " + o->eval +
                        " and were not evaluated");
            }
            if (r.pointsEvaluated == 0) {
              log::warn("no reference point was evaluated: the pass rate means nothing");
            }
            if (!o->out.empty()) {
              Image gamma(r.gamma);
              gamma.units = "gamma";
              gamma.description = "gamma " + o->settings.describe();
              dicom::writeVolumeFile(gamma, o->out);
            }
            if (o->json) {
              std::fputs(toJson(o->ref, o->eval, o->out, o->settings, r).c_str(), stdout);
            } else {
              printText(o->ref, o->eval, ref, o->settings, r);
              if (!o->out.empty()) {
                std::printf("wrote %s\n", o->out.c_str());
              }
            }
            return 0;
          }};
}

} // namespace beamlet::cli
