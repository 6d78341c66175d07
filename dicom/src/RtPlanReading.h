#pragma once
// Private pieces of the RTPLAN reader (RtPlanReader.cpp reads the plan-level modules,
// RtPlanBeamReader.cpp the beams and control points, RtPlanSupport.cpp decides which beams Beamlet
// can use, RtPlanValues.cpp converts DICOM values and defined terms).

#include "DcmtkSupport.h"

#include "beamlet/core/Plan.h"

#include <optional>
#include <string>
#include <vector>

namespace beamlet::dicom::detail {

/// The first value of a numeric (DS, FD, IS) attribute; nullopt when absent, empty or not a number.
std::optional<double> getOptionalDouble(DcmItem* item, const DcmTagKey& tag);
/// Every value of a multi-valued numeric attribute; empty when absent or when any value is not a
/// number (a garbled list is treated as missing, never half-read).
std::vector<double> getDoubleVector(DcmItem* item, const DcmTagKey& tag);
/// The items of a sequence attribute (none when absent).
std::vector<DcmItem*> sequenceItems(DcmItem* item, const DcmTagKey& sequenceTag);

/// Defined terms to enumerations. Unknown terms give the `Other` value (or the default for
/// rotation), so that a vendor term never makes reading fail.
BeamType parseBeamType(const std::string& term);
RadiationType parseRadiationType(const std::string& term);
DeliveryType parseDeliveryType(const std::string& term);
RotationDirection parseRotationDirection(const std::string& term);
DoseReferenceStructure parseDoseReferenceStructure(const std::string& term);
DoseReferenceType parseDoseReferenceType(const std::string& term);

/// Reads one item of the Beam Sequence (or the Ion Beam Sequence when `ion`), carrying every
/// control point attribute forward so that each ControlPoint is complete. Problems that make the
/// beam unusable are recorded in Beam::supported/unsupportedReason, never thrown.
Beam readBeam(DcmItem* beamItem, bool ion);

/// Marks the beams Beamlet cannot plan or compute, with a one-line reason. `planningSystem` is
/// Manufacturer and Manufacturer's Model Name of the plan (Gamma Knife and TomoTherapy plans are
/// recognised by the system that wrote them: their DICOM looks like an ordinary photon beam).
void classifyBeam(Beam& beam, const std::string& planningSystem, bool ion);

} // namespace beamlet::dicom::detail
