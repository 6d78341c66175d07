#pragma once
// Private pieces of the RTPLAN writer (RtPlanWriter.cpp writes the plan-level modules,
// RtPlanBeamWriter.cpp the RT Beams module, RtPlanValidation.cpp checks the plan first).

#include "DicomWriting.h"

#include "beamlet/core/Plan.h"

#include <optional>
#include <string>
#include <vector>

namespace beamlet::dicom::detail {

/// Checks everything a record-and-verify system relies on before anything is written; throws
/// InvalidArgumentError "<path>: beam N 'name': <problem>". Returns the patient position to write
/// (the plan's, else the image series'; they must agree when both are known).
std::string validatePlanForWriting(const Plan& plan, const StudyContext& context,
                                   const std::string& path,
                                   const std::string& referencedStructureSetUid);

/// MU per fraction of a beam: the fraction group's meterset, else Beam::monitorUnits.
std::optional<double> beamMeterset(const Plan& plan, const ReferencedBeam& ref);

/// Puts one Beam Sequence item (C.8.8.14). `doseReferenceNumber`, when given, is the dose
/// reference each control point's Referenced Dose Reference Sequence points to.
void putBeam(DcmItem* item, const Beam& beam, std::optional<int> doseReferenceNumber,
             int patientSetupNumber);

/// Appends a new item to a sequence attribute (creating the sequence); throws IoError.
DcmItem* appendItem(DcmItem* parent, const DcmTagKey& sequence);
/// Puts an integer (IS) attribute.
void putInt(DcmItem* item, const DcmTagKey& tag, long value);

/// Joins numbers as a multi-valued DS ("1\2\3").
std::string dsList(const std::vector<double>& values);

} // namespace beamlet::dicom::detail
