#pragma once
// Beam geometry in IEC 61217 coordinates, expressed in patient LPS (mm).
//
// Fixed system f: X_f to the right of an observer facing the gantry from the foot of the couch,
// Y_f from the isocentre towards the gantry, Z_f up. Gantry angle g rotates the source about Y_f
// from above the isocentre (g = 0) towards +X_f (g = 90). The beam limiting device (collimator)
// angle c rotates X_b, Y_b about the beam axis, counter-clockwise seen from the source. The
// patient support (couch) angle t rotates the couch, and the patient with it, counter-clockwise
// seen from above. The patient lies on the couch head-first or feet-first (towards the gantry),
// supine or prone (HFS, FFS, HFP, FFP).
//
// The beam's-eye view (BEV) coordinates of a point are its offsets along X_b and Y_b projected
// onto the isocentre plane (what jaws, MLC and bixels are specified in) and its distance from the
// source along the beam axis.

#include "beamlet/core/ImageGeometry.h"

#include <string>

namespace beamlet::dose {

enum class PatientPosition { HFS, FFS, HFP, FFP };

/// "HFS", "FFS", "HFP", "FFP" (empty = HFS); decubitus and others throw UnsupportedError.
PatientPosition parsePatientPosition(const std::string& dicomValue);
const char* patientPositionName(PatientPosition position);

struct BeamAngles {
  double gantryDeg = 0.0;
  double collimatorDeg = 0.0;
  double couchDeg = 0.0;
};

class BeamFrame {
public:
  BeamFrame(const BeamAngles& angles, const Vec3& isocenterLps, double sadMm,
            PatientPosition position = PatientPosition::HFS);

  const Vec3& source() const { return source_; }
  const Vec3& isocenter() const { return isocenter_; }
  /// Unit vector from the source through the isocentre, LPS.
  const Vec3& direction() const { return direction_; }
  /// Unit vectors of X_b and Y_b (collimator axes) in LPS.
  const Vec3& xAxis() const { return xAxis_; }
  const Vec3& yAxis() const { return yAxis_; }
  double sad() const { return sad_; }

  /// (x, y) projected onto the isocentre plane and distance from the source along the axis.
  Vec3 toBev(const Vec3& lps) const {
    const Vec3 v = lps - source_;
    const double along = v.dot(direction_);
    const double scale = sad_ / along;
    return Vec3(v.dot(xAxis_) * scale, v.dot(yAxis_) * scale, along);
  }
  /// The LPS point at BEV (x, y) at the isocentre plane scaled to distance `along`.
  Vec3 fromBev(double x, double y, double along) const {
    return source_ + (along / sad_) * (sad_ * direction_ + x * xAxis_ + y * yAxis_);
  }

private:
  Vec3 source_;
  Vec3 isocenter_;
  Vec3 direction_;
  Vec3 xAxis_;
  Vec3 yAxis_;
  double sad_;
};

} // namespace beamlet::dose
