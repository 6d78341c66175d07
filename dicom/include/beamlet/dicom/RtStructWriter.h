#pragma once
// Writing RT Structure Set objects (PS3.3 A.19) on an image series: the inverse of RtStruct.h.

#include "beamlet/core/MaskContours.h"
#include "beamlet/core/Structure.h"
#include "beamlet/dicom/DicomIndex.h"

#include <string>

namespace beamlet::dicom {

/// A structure traced from a binary mask (maskToContours), with an RT ROI Interpreted Type from its
/// name (interpretedTypeForName) and a display colour from a fixed palette by ROI number.
Structure structureFromMask(const Mask& mask, int roiNumber, const std::string& name,
                            const MaskContourOptions& options = {});

/// Writes `structures` as a new RTSTRUCT (new series and SOP instance) on `imageSeries`: patient,
/// study and frame of reference copied from the series' first file; the Referenced Frame of
/// Reference Sequence with RT Referenced Study/Series listing every image (C.8.8.5); each contour
/// referencing the image it lies on, matched by position along the slice normal (C.8.8.6); RT ROI
/// Observations with the structures' types (C.8.8.8, ORGAN etc. from the name when empty). ROI
/// numbers that are missing (0) or repeated are renumbered 1, 2, ... in order. `label` becomes the
/// Structure Set Label (at most 16 characters). Written to a temporary name and renamed; explicit
/// VR little endian, or implicit VR when a Contour Data value is too long for a 16-bit length.
/// Returns the SOP Instance UID. Throws InvalidArgumentError when path is one of the series' files
/// or there is nothing to write, DataError when the series has no frame of reference, IoError on
/// failure to write.
std::string writeRtStruct(const StructureSet& structures, const SeriesEntry& imageSeries,
                          const std::string& path, const std::string& label);

} // namespace beamlet::dicom
