#pragma once
// Reading and writing DICOM RT Plan objects (PS3.3 A.20 RT Plan IOD). What is read and written,
// and the conventions chosen, are described in docs/rtplan.md.

#include "beamlet/core/Plan.h"
#include "beamlet/dicom/StudyContext.h"

#include <string>

namespace beamlet::dicom {

/// Reads an RT Plan (or the beams of an RT Ion Plan, listed as unsupported). Beams Beamlet cannot
/// use are kept with Beam::supported false and a reason; they never make reading fail. Throws
/// DataError "<path>: <problem>" when the file is not a readable RT plan (truncated, garbled, not
/// DICOM, another kind of object).
Plan readRtPlan(const std::string& path);

/// Writes `plan` as an RT Plan of the patient and study in `context`: 3D-CRT and step-and-shoot
/// IMRT photon (or electron) beams with jaws and MLC, fraction groups with the MU of each beam, the
/// prescription and the patient setup. With a structure set UID the plan geometry is PATIENT and
/// references it; without one it is TREATMENT_DEVICE (PS3.3 C.8.8.9). The file appears complete or
/// not at all. Returns the new SOP Instance UID.
/// Throws InvalidArgumentError when the plan is inconsistent (the message names the beam and what
/// is wrong) and IoError when the file cannot be written.
std::string writeRtPlan(const Plan& plan, const StudyContext& context, const std::string& path,
                        const std::string& referencedStructureSetUid = "");

} // namespace beamlet::dicom
