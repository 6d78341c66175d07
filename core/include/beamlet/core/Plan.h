#pragma once
// An external-beam treatment plan as a physicist reads it on the treatment console: prescription,
// fraction groups and beams with their control points. The shape follows the DICOM RT Plan IOD
// (PS3.3 A.20, modules C.8.8.9 RT General Plan to C.8.8.14 RT Beams) so that reading and writing
// an RTPLAN loses nothing Beamlet uses, but nothing here depends on DICOM.
//
// Units: angles in degrees (IEC 61217 gantry, beam limiting device and patient support systems),
// lengths in mm, jaw and leaf positions in mm projected to the isocentre plane, isocentre in
// patient LPS mm, doses in Gy, meterset in MU.

#include <Eigen/Core>

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace beamlet {

/// Beam Type (300A,00C4), PS3.3 C.8.8.14.1: STATIC when every beam parameter stays the same while
/// the beam is on (3D-CRT, field-in-field, step-and-shoot), DYNAMIC when something moves during
/// irradiation (sliding window, VMAT, dynamic arcs).
enum class BeamType { Static, Dynamic };

/// Radiation Type (300A,00C6).
enum class RadiationType { Photon, Electron, Neutron, Proton, Ion, Other };

/// Treatment Delivery Type (300A,00CE): SETUP beams (localisation, CBCT) deliver no dose.
enum class DeliveryType { Treatment, OpenPortfilm, TreatmentPortfilm, Continuation, Setup, Other };

/// Gantry, collimator or couch rotation direction: NONE, CW, CC (PS3.3 C.8.8.14.8).
enum class RotationDirection { None, Clockwise, CounterClockwise };

/// Dose Reference Structure Type (300A,0014) and Dose Reference Type (300A,0020), C.8.8.10.
enum class DoseReferenceStructure { Point, Volume, Coordinates, Site };
enum class DoseReferenceType { Target, OrganAtRisk };

/// The DICOM defined term of each enumeration ("STATIC", "PHOTON", "TREATMENT", "CW", "SITE",
/// "TARGET", ...): what the writer stores and the CLI prints.
const char* dicomName(BeamType type);
const char* dicomName(RadiationType type);
const char* dicomName(DeliveryType type);
const char* dicomName(RotationDirection direction);
const char* dicomName(DoseReferenceStructure structure);
const char* dicomName(DoseReferenceType type);

/// Jaw pair positions: {X1, X2} or {Y1, Y2}, mm at the isocentre (X1, Y1 negative for an open
/// symmetric field).
using JawPositions = std::array<double, 2>;

/// One control point of a beam, complete: DICOM only repeats what changes after the first control
/// point (C.8.8.14.5); the reader carries every value forward, so each ControlPoint here holds the
/// full machine state at that point.
struct ControlPoint {
  int index = 0;
  /// Cumulative Meterset Weight (300A,0134): fraction of the beam's meterset delivered when this
  /// control point is reached, relative to Beam::finalCumulativeMetersetWeight.
  double cumulativeMetersetWeight = 0.0;
  double nominalEnergy = 0.0;     ///< MV for photons, MeV for electrons
  std::optional<double> doseRate; ///< Dose Rate Set (300A,0115), MU/min
  double gantryAngle = 0.0;
  RotationDirection gantryRotation = RotationDirection::None;
  double collimatorAngle = 0.0;                  ///< Beam Limiting Device Angle (300A,0120)
  double couchAngle = 0.0;                       ///< Patient Support Angle (300A,0122)
  std::optional<Eigen::Vector3d> isocenter;      ///< LPS mm (300A,012C)
  std::optional<double> sourceToSurfaceDistance; ///< SSD mm (300A,0130), when given
  std::optional<JawPositions> jawX; ///< X1, X2 (ASYMX or X), absent without X jaws (e.g. Agility)
  std::optional<JawPositions> jawY; ///< Y1, Y2 (ASYMY or Y)
  /// MLC leaf positions, 2 * Beam::leafPairs values in DICOM order (Leaf/Jaw Positions,
  /// C.8.8.14.6): first the N leaves of the bank on the negative (X1/Y1) side, IEC subscripts
  /// 101..1N, then the N leaves of the positive side, 201..2N (Varian calls these banks B and A).
  /// Leaf pair n spans leafBoundaries[n] .. leafBoundaries[n + 1].
  std::vector<double> mlcPositions;
};

struct Beam {
  int number = 0; ///< Beam Number (300A,00C0), unique in the plan
  std::string name;
  std::string description;
  BeamType type = BeamType::Static;
  RadiationType radiation = RadiationType::Photon;
  std::string radiationName; ///< as found in the file (e.g. "PROTON"), for messages
  DeliveryType delivery = DeliveryType::Treatment;
  std::string deliveryName; ///< as found in the file (e.g. vendor terms like IMAGE_BEAM)
  std::string machineName;  ///< Treatment Machine Name (300A,00B2)
  std::string dosimeterUnit = "MU";
  double sourceAxisDistance = 1000.0; ///< SAD mm

  /// Beam limiting devices (C.8.8.14.2): jaw device types ("ASYMX" or "X", "ASYMY" or "Y"; empty
  /// when the head has no such jaws) and the MLC ("MLCX" or "MLCY"; empty without an MLC).
  std::string jawXType = "ASYMX";
  std::string jawYType = "ASYMY";
  std::string mlcType;
  int leafPairs = 0;
  std::vector<double> leafBoundaries; ///< leafPairs + 1 values, mm at the isocentre, ascending
  /// Every RT Beam Limiting Device Type of the beam as read (e.g. MLCX1, MLCX2 of a dual-layer
  /// MLC).
  std::vector<std::string> limitingDeviceTypes;

  int wedges = 0;
  int compensators = 0;
  int boli = 0;
  int blocks = 0;
  int applicators = 0; ///< electron applicators / cones (Applicator Sequence items)

  double finalCumulativeMetersetWeight = 1.0;
  /// Beam Meterset (300A,0086) from the fraction group: the MU of this beam per fraction. Absent
  /// for setup beams and plans that do not state it.
  std::optional<double> monitorUnits;
  std::vector<ControlPoint> controlPoints;

  /// False for beams Beamlet lists but cannot plan or compute (ions, TomoTherapy helical, Gamma
  /// Knife, dual-layer MLCs, ...); unsupportedReason says why in one line.
  bool supported = true;
  std::string unsupportedReason;

  /// MU delivered up to control point i (cumulative weight scaled to monitorUnits); 0 without MU.
  double cumulativeMonitorUnits(std::size_t i) const;
  /// Number of radiation segments: control point intervals whose meterset weight increases.
  int segmentCount() const;
};

/// One item of the Dose Reference Sequence (RT Prescription module, C.8.8.10).
struct DoseReference {
  int number = 1;
  std::string uid;
  DoseReferenceStructure structure = DoseReferenceStructure::Site;
  DoseReferenceType type = DoseReferenceType::Target;
  std::string description;
  std::optional<double> targetPrescriptionDose; ///< Gy, for TARGET references
  std::optional<double> deliveryMaximumDose;    ///< Gy
  std::optional<Eigen::Vector3d> point;         ///< LPS mm, for COORDINATES references
  std::optional<int> referencedRoiNumber;       ///< ROI of the structure set, POINT or VOLUME
};

/// A beam referenced by a fraction group (Referenced Beam Sequence, C.8.8.13).
struct ReferencedBeam {
  int beamNumber = 0;
  std::optional<double> meterset; ///< MU per fraction
  std::optional<double> beamDose; ///< Gy per fraction at the beam dose point
};

struct FractionGroup {
  int number = 1;
  int fractions = 1; ///< Number of Fractions Planned
  std::string description;
  std::vector<ReferencedBeam> beams;
};

struct Plan {
  std::string label; ///< RT Plan Label (300A,0002): at most 16 characters
  std::string name;
  std::string description;
  std::string date; ///< RT Plan Date as read (YYYYMMDD); the writer stamps its own
  std::string time;
  std::string sopInstanceUid;            ///< as read; the writer makes a new one
  std::string referencedStructureSetUid; ///< as read
  std::string frameOfReferenceUid;       ///< as read
  std::string patientPosition;           ///< HFS, FFS, ... from the Patient Setup Sequence
  std::string manufacturer;              ///< of the planning system that wrote the file
  std::string approvalStatus;            ///< APPROVED, UNAPPROVED, REJECTED or empty
  std::string prescriptionDescription;
  std::vector<DoseReference> doseReferences;
  std::vector<FractionGroup> fractionGroups;
  std::vector<Beam> beams;
  /// What the reader noticed and a user should know (unused modules, inconsistencies it repaired).
  std::vector<std::string> warnings;

  const Beam* findBeam(int number) const;
  /// Target prescription dose of the first TARGET dose reference that states one (Gy, whole
  /// course), if any.
  std::optional<double> prescribedDose() const;
  /// Fractions of the first fraction group (0 without fraction groups).
  int numberOfFractions() const;
  /// Beams Beamlet cannot use, in plan order.
  std::vector<const Beam*> unsupportedBeams() const;
};

} // namespace beamlet
