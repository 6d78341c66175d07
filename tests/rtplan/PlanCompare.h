#pragma once
// Field-by-field comparison of a plan read back with the plan that was written (Qt Test checks;
// the caller tests QTest::currentTestFailed() afterwards). Numbers are compared to 1e-6 relative:
// the writer stores DS values with 10 significant digits.

#include "beamlet/core/Plan.h"

#include <QtTest/QtTest>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace beamlet::test {

inline bool nearlyEqual(double a, double b) {
  return std::abs(a - b) <= 1e-6 * std::max(1.0, std::abs(a));
}

#define CHECK_NEAR(a, b)                                                                           \
  QVERIFY2(beamlet::test::nearlyEqual((a), (b)),                                                   \
           qPrintable(QString("%1 = %2, expected %3").arg(#a).arg(a).arg(b)))

inline void compareControlPoints(const ControlPoint& got, const ControlPoint& want) {
  QCOMPARE(got.index, want.index);
  CHECK_NEAR(got.cumulativeMetersetWeight, want.cumulativeMetersetWeight);
  CHECK_NEAR(got.nominalEnergy, want.nominalEnergy);
  QCOMPARE(got.doseRate.has_value(), want.doseRate.has_value());
  if (want.doseRate) {
    CHECK_NEAR(*got.doseRate, *want.doseRate);
  }
  CHECK_NEAR(got.gantryAngle, want.gantryAngle);
  QCOMPARE(got.gantryRotation, want.gantryRotation);
  CHECK_NEAR(got.collimatorAngle, want.collimatorAngle);
  CHECK_NEAR(got.couchAngle, want.couchAngle);
  QVERIFY(got.isocenter.has_value());
  QVERIFY((*got.isocenter - *want.isocenter).norm() < 1e-6);
  QCOMPARE(got.sourceToSurfaceDistance.has_value(), want.sourceToSurfaceDistance.has_value());
  if (want.sourceToSurfaceDistance) {
    CHECK_NEAR(*got.sourceToSurfaceDistance, *want.sourceToSurfaceDistance);
  }
  QCOMPARE(got.jawX.has_value(), want.jawX.has_value());
  QCOMPARE(got.jawY.has_value(), want.jawY.has_value());
  for (int k = 0; k < 2; ++k) {
    if (want.jawX) {
      CHECK_NEAR((*got.jawX)[k], (*want.jawX)[k]);
    }
    if (want.jawY) {
      CHECK_NEAR((*got.jawY)[k], (*want.jawY)[k]);
    }
  }
  QCOMPARE(got.mlcPositions.size(), want.mlcPositions.size());
  for (std::size_t n = 0; n < want.mlcPositions.size(); ++n) {
    CHECK_NEAR(got.mlcPositions[n], want.mlcPositions[n]);
  }
}

inline void comparePlans(const Plan& got, const Plan& want) {
  QCOMPARE(got.label, want.label);
  QCOMPARE(got.name, want.name);
  QCOMPARE(got.description, want.description);
  QCOMPARE(got.patientPosition, want.patientPosition);
  QCOMPARE(got.prescriptionDescription, want.prescriptionDescription);
  QCOMPARE(got.approvalStatus, std::string("UNAPPROVED"));
  QVERIFY(got.warnings.empty());
  QCOMPARE(got.doseReferences.size(), want.doseReferences.size());
  for (std::size_t n = 0; n < want.doseReferences.size(); ++n) {
    const DoseReference& g = got.doseReferences[n];
    const DoseReference& w = want.doseReferences[n];
    QCOMPARE(g.number, w.number);
    QCOMPARE(g.structure, w.structure);
    QCOMPARE(g.type, w.type);
    QCOMPARE(g.description, w.description);
    QVERIFY(!g.uid.empty());
    QCOMPARE(g.targetPrescriptionDose.has_value(), w.targetPrescriptionDose.has_value());
    if (w.targetPrescriptionDose) {
      CHECK_NEAR(*g.targetPrescriptionDose, *w.targetPrescriptionDose);
    }
    QCOMPARE(g.point.has_value(), w.point.has_value());
    if (w.point) {
      QVERIFY((*g.point - *w.point).norm() < 1e-6);
    }
  }
  QCOMPARE(got.fractionGroups.size(), want.fractionGroups.size());
  for (std::size_t n = 0; n < want.fractionGroups.size(); ++n) {
    QCOMPARE(got.fractionGroups[n].number, want.fractionGroups[n].number);
    QCOMPARE(got.fractionGroups[n].fractions, want.fractionGroups[n].fractions);
    QCOMPARE(got.fractionGroups[n].beams.size(), want.fractionGroups[n].beams.size());
    for (std::size_t b = 0; b < want.fractionGroups[n].beams.size(); ++b) {
      QCOMPARE(got.fractionGroups[n].beams[b].beamNumber,
               want.fractionGroups[n].beams[b].beamNumber);
      const auto& gotMu = got.fractionGroups[n].beams[b].meterset;
      const auto& wantMu = want.fractionGroups[n].beams[b].meterset;
      QCOMPARE(gotMu.has_value(), wantMu.has_value());
      if (wantMu) {
        CHECK_NEAR(*gotMu, *wantMu);
      }
    }
  }
  QCOMPARE(got.beams.size(), want.beams.size());
  for (std::size_t n = 0; n < want.beams.size(); ++n) {
    const Beam& g = got.beams[n];
    const Beam& w = want.beams[n];
    QVERIFY2(g.supported, g.unsupportedReason.c_str());
    QCOMPARE(g.number, w.number);
    QCOMPARE(g.name, w.name);
    QCOMPARE(g.type, w.type);
    QCOMPARE(g.radiation, w.radiation);
    QCOMPARE(g.delivery, w.delivery);
    QCOMPARE(g.machineName, w.machineName);
    QCOMPARE(g.dosimeterUnit, w.dosimeterUnit);
    CHECK_NEAR(g.sourceAxisDistance, w.sourceAxisDistance);
    QCOMPARE(g.jawXType, w.jawXType);
    QCOMPARE(g.jawYType, w.jawYType);
    QCOMPARE(g.mlcType, w.mlcType);
    QCOMPARE(g.leafPairs, w.leafPairs);
    std::vector<std::string> gotTypes = g.limitingDeviceTypes;
    std::vector<std::string> wantTypes = w.limitingDeviceTypes;
    std::sort(gotTypes.begin(), gotTypes.end());
    std::sort(wantTypes.begin(), wantTypes.end());
    QCOMPARE(gotTypes, wantTypes);
    QCOMPARE(g.leafBoundaries.size(), w.leafBoundaries.size());
    for (std::size_t k = 0; k < w.leafBoundaries.size(); ++k) {
      CHECK_NEAR(g.leafBoundaries[k], w.leafBoundaries[k]);
    }
    CHECK_NEAR(g.finalCumulativeMetersetWeight, w.finalCumulativeMetersetWeight);
    QCOMPARE(g.monitorUnits.has_value(), w.monitorUnits.has_value());
    if (w.monitorUnits) {
      CHECK_NEAR(*g.monitorUnits, *w.monitorUnits);
    }
    QCOMPARE(g.segmentCount(), w.segmentCount());
    QCOMPARE(g.controlPoints.size(), w.controlPoints.size());
    for (std::size_t k = 0; k < w.controlPoints.size(); ++k) {
      compareControlPoints(g.controlPoints[k], w.controlPoints[k]);
    }
  }
}

} // namespace beamlet::test
