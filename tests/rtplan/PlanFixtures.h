#pragma once
// Plans made in code for the writer tests: a 4-field 3D-CRT box and a 5-field step-and-shoot IMRT
// plan on a Varian Millennium-120-like head (60 leaf pairs: 10 x 10 mm, 40 x 5 mm, 10 x 10 mm).

#include "beamlet/core/Plan.h"
#include "beamlet/dicom/StudyContext.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace beamlet::test {

inline std::vector<double> millenniumBoundaries() {
  std::vector<double> b{-200.0};
  for (int n = 0; n < 60; ++n) {
    const bool outer = n < 10 || n >= 50;
    b.push_back(b.back() + (outer ? 10.0 : 5.0));
  }
  return b; // -200 .. 200
}

/// An elliptical aperture (semi-axes a along X, b along Y, mm) shifted by dx: leaves outside the
/// ellipse closed at dx with a 1 mm gap; jaws 5 mm beyond it.
inline void shapeEllipse(ControlPoint& cp, const std::vector<double>& boundaries, double a,
                         double b, double dx) {
  const std::size_t pairs = boundaries.size() - 1;
  cp.mlcPositions.assign(2 * pairs, 0.0);
  for (std::size_t n = 0; n < pairs; ++n) {
    const double y = 0.5 * (boundaries[n] + boundaries[n + 1]);
    const double t = 1.0 - (y * y) / (b * b);
    const double half = t > 0.0 ? std::round(a * std::sqrt(t) * 4.0) / 4.0 : 0.5;
    cp.mlcPositions[n] = dx - half;
    cp.mlcPositions[n + pairs] = dx + half;
  }
  cp.jawX = JawPositions{dx - a - 5.0, dx + a + 5.0};
  cp.jawY = JawPositions{-b - 5.0, b + 5.0};
}

inline Beam makeBeam(int number, const std::string& name, double gantry, double collimator,
                     const Eigen::Vector3d& isocenter, int segments, double mu) {
  Beam beam;
  beam.number = number;
  beam.name = name;
  beam.type = BeamType::Static; // 3D-CRT and step-and-shoot: nothing moves while the beam is on
  beam.radiation = RadiationType::Photon;
  beam.delivery = DeliveryType::Treatment;
  beam.machineName = "TrueBeam1";
  beam.sourceAxisDistance = 1000.0;
  beam.jawXType = "ASYMX";
  beam.jawYType = "ASYMY";
  beam.mlcType = "MLCX";
  beam.leafPairs = 60;
  beam.leafBoundaries = millenniumBoundaries();
  beam.limitingDeviceTypes = {"ASYMX", "ASYMY", "MLCX"};
  beam.finalCumulativeMetersetWeight = 1.0;
  beam.monitorUnits = mu;
  // Two control points per segment: same shape, weight rising; the next segment starts at the
  // weight the previous one ended with (beam off while the leaves move).
  double weight = 0.0;
  for (int s = 0; s < segments; ++s) {
    ControlPoint cp;
    cp.nominalEnergy = 6.0;
    cp.doseRate = 600.0;
    cp.gantryAngle = gantry;
    cp.collimatorAngle = collimator;
    cp.couchAngle = 0.0;
    cp.isocenter = isocenter;
    cp.sourceToSurfaceDistance = 912.5;
    shapeEllipse(cp, beam.leafBoundaries, 60.0 - 12.5 * s, 50.0 - 10.0 * s, 2.5 * s);
    cp.index = static_cast<int>(beam.controlPoints.size());
    cp.cumulativeMetersetWeight = weight;
    beam.controlPoints.push_back(cp);
    // Segment shares n, n-1, ..., 1 (normalised): 4 segments give 0.4, 0.3, 0.2, 0.1.
    const double share = (segments == 1) ? 1.0 : (segments - s) / (segments * (segments + 1) / 2.0);
    weight = (s + 1 == segments) ? 1.0 : std::round((weight + share) * 1e6) / 1e6;
    cp.index = static_cast<int>(beam.controlPoints.size());
    cp.cumulativeMetersetWeight = weight;
    beam.controlPoints.push_back(cp);
  }
  return beam;
}

inline Plan makePlan(const std::string& label, const std::vector<Beam>& beams, double doseGy,
                     int fractions) {
  Plan plan;
  plan.label = label;
  plan.name = label + " plan";
  plan.description = "made by the Beamlet tests";
  plan.patientPosition = "HFS";
  plan.prescriptionDescription = "PTV " + std::to_string(static_cast<int>(doseGy)) + " Gy";
  DoseReference target;
  target.number = 1;
  target.structure = DoseReferenceStructure::Site;
  target.type = DoseReferenceType::Target;
  target.description = "PTV";
  target.targetPrescriptionDose = doseGy;
  plan.doseReferences.push_back(target);
  DoseReference point;
  point.number = 2;
  point.structure = DoseReferenceStructure::Coordinates;
  point.type = DoseReferenceType::OrganAtRisk;
  point.description = "MU reference";
  point.point = beams.front().controlPoints.front().isocenter;
  point.deliveryMaximumDose = doseGy * 1.07;
  plan.doseReferences.push_back(point);
  FractionGroup group;
  group.number = 1;
  group.fractions = fractions;
  for (const Beam& beam : beams) {
    ReferencedBeam ref;
    ref.beamNumber = beam.number;
    ref.meterset = beam.monitorUnits;
    group.beams.push_back(ref);
  }
  plan.fractionGroups.push_back(group);
  plan.beams = beams;
  return plan;
}

inline const Eigen::Vector3d kIsocenter{12.5, -143.25, 37.0};

/// 4-field 6 MV box, one segment (2 control points) per beam.
inline Plan make3dCrtPlan() {
  std::vector<Beam> beams;
  const double gantries[] = {0.0, 90.0, 180.0, 270.0};
  const char* names[] = {"AP", "LLAT", "PA", "RLAT"};
  for (int n = 0; n < 4; ++n) {
    beams.push_back(
        makeBeam(n + 1, names[n], gantries[n], n == 1 ? 10.0 : 0.0, kIsocenter, 1, 95.5 + n));
  }
  return makePlan("PROST 3DCRT", beams, 50.0, 25);
}

/// 5 equispaced fields, 2-4 segments each (4-8 control points).
inline Plan makeImrtPlan() {
  std::vector<Beam> beams;
  for (int n = 0; n < 5; ++n) {
    const double gantry = 72.0 * n;
    beams.push_back(makeBeam(n + 1, "IMRT G" + std::to_string(static_cast<int>(gantry)), gantry,
                             n == 2 ? 350.0 : 0.0, kIsocenter, 2 + n % 3, 120.25 + 10.0 * n));
  }
  return makePlan("HN IMRT", beams, 60.0, 30);
}

inline dicom::StudyContext makeContext() {
  dicom::StudyContext c;
  c.patientName = "Test^Beamlet";
  c.patientId = "BEAMLET-RTPLAN-1";
  c.patientBirthDate = "19600101";
  c.patientSex = "O";
  c.studyInstanceUid = "1.2.826.0.1.3680043.9.7133.1.1";
  c.studyDate = "20240102";
  c.studyTime = "101500";
  c.studyId = "1";
  c.frameOfReferenceUid = "1.2.826.0.1.3680043.9.7133.1.2";
  c.patientPosition = "HFS";
  return c;
}

} // namespace beamlet::test
