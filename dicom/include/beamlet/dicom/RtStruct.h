#pragma once
// RT Structure Set objects (PS3.3 A.19): reading contours into core Structures.

#include "beamlet/core/Image.h"
#include "beamlet/core/Structure.h"
#include "beamlet/dicom/DicomIndex.h"

#include <string>

namespace beamlet::dicom {

/// Reads every ROI: number, name, colour, interpreted type (RT ROI Observations), contours. ROIs
/// are joined across the three sequences by ROI number, never by position. Tolerated with a warning
/// in StructureSet::warnings: a missing ReferencedFrameOfReferenceSequence, ROIs without contours,
/// contours with fewer than three points (dropped), POINT/OPEN contours (dropped), ROI contours
/// without a matching ROI definition. Throws DataError naming the file for anything unreadable.
StructureSet readRtStruct(const std::string& path);

/// Checks a structure set against the image it will be rasterised on. Throws GeometryError naming
/// the file when both have a frame of reference and they differ. Adds a warning when contours
/// reference image SOP instances that are not in `series` (when given).
void checkAgainstImage(StructureSet& structures, const std::string& path, const Image& image,
                       const SeriesEntry* series = nullptr);

} // namespace beamlet::dicom
