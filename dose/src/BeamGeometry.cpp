#include "beamlet/dose/BeamGeometry.h"

#include "beamlet/core/Error.h"

#include <cmath>

namespace beamlet::dose {

namespace {

constexpr double kDegree = 3.14159265358979323846 / 180.0;

// Columns: the IEC table system's X_t, Y_t, Z_t in patient LPS (L = patient left, P = posterior,
// S = superior). Head-first supine: patient left = +X, superior = +Y (towards the gantry),
// anterior = +Z (up). Feet-first turns the patient about the vertical axis; prone about the
// long axis.
Mat3 tableToPatient(PatientPosition position) {
  Mat3 m;
  switch (position) {
  case PatientPosition::HFS:
    m << 1, 0, 0, 0, 0, -1, 0, 1, 0;
    break;
  case PatientPosition::FFS:
    m << -1, 0, 0, 0, 0, -1, 0, -1, 0;
    break;
  case PatientPosition::HFP:
    m << -1, 0, 0, 0, 0, 1, 0, 1, 0;
    break;
  case PatientPosition::FFP:
    m << 1, 0, 0, 0, 0, 1, 0, -1, 0;
    break;
  }
  return m;
}

} // namespace

PatientPosition parsePatientPosition(const std::string& value) {
  if (value.empty() || value == "HFS") {
    return PatientPosition::HFS;
  }
  if (value == "FFS") {
    return PatientPosition::FFS;
  }
  if (value == "HFP") {
    return PatientPosition::HFP;
  }
  if (value == "FFP") {
    return PatientPosition::FFP;
  }
  throw UnsupportedError("patient position '" + value +
                         "' is not supported for dose (HFS, FFS, HFP, FFP are)");
}

const char* patientPositionName(PatientPosition position) {
  switch (position) {
  case PatientPosition::HFS:
    return "HFS";
  case PatientPosition::FFS:
    return "FFS";
  case PatientPosition::HFP:
    return "HFP";
  case PatientPosition::FFP:
    return "FFP";
  }
  return "HFS";
}

BeamFrame::BeamFrame(const BeamAngles& angles, const Vec3& isocenterLps, double sadMm,
                     PatientPosition position)
    : isocenter_(isocenterLps), sad_(sadMm) {
  const double g = angles.gantryDeg * kDegree;
  const double c = angles.collimatorDeg * kDegree;
  const double t = angles.couchDeg * kDegree;
  // Gantry system in fixed coordinates: the source direction Z_g, X_g, and Y_g = Y_f.
  const Vec3 zg(std::sin(g), 0.0, std::cos(g));
  const Vec3 xg(std::cos(g), 0.0, -std::sin(g));
  const Vec3 yg(0.0, 1.0, 0.0);
  // Collimator: X_b, Y_b turned by c about Z_g.
  const Vec3 xb = std::cos(c) * xg + std::sin(c) * yg;
  const Vec3 yb = -std::sin(c) * xg + std::cos(c) * yg;
  // Fixed -> table: the couch turned by t about Z_f carries the patient, so a fixed vector has
  // the table coordinates of that vector turned by -t.
  Mat3 fixedToTable;
  fixedToTable << std::cos(t), std::sin(t), 0, -std::sin(t), std::cos(t), 0, 0, 0, 1;
  const Mat3 toPatient = tableToPatient(position) * fixedToTable;
  const Vec3 towardsSource = toPatient * zg;
  source_ = isocenter_ + sad_ * towardsSource;
  direction_ = -towardsSource;
  xAxis_ = toPatient * xb;
  yAxis_ = toPatient * yb;
}

} // namespace beamlet::dose
