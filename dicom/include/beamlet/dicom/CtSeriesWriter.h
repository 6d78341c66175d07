#pragma once
// Writing a CT volume as a DICOM CT Image Storage series (PS3.3 A.3), one file per slice: the
// inverse of SeriesLoader for CT. Used for generated phantoms and for tests whose data ships as
// volume files only.

#include "beamlet/core/Image.h"
#include "beamlet/core/Progress.h"
#include "beamlet/dicom/StudyContext.h"

#include <string>
#include <vector>

namespace beamlet::dicom {

/// Writes `ct` (voxel values in HU) into `folder` (created when missing) as one CT Image Storage
/// file per slice k, named CT0001.dcm, CT0002.dcm, ... (more digits past 9999 slices; existing
/// files of those names are replaced). Returns the paths written, in slice order (k = 0 first).
///
/// - Patient and study from `study`; empty StudyInstanceUID and FrameOfReferenceUID are replaced
///   by new ones, the same for every file. Every call makes a new series (new SeriesInstanceUID,
///   one SOP Instance UID per file). PatientPosition is study.patientPosition, HFS when empty.
/// - Geometry: ImagePositionPatient (centre of the slice's first voxel), ImageOrientationPatient
///   (the grid's i and j axes), PixelSpacing (j, i), SliceThickness (k spacing), SliceLocation (the
///   position along the slice normal): SeriesLoader reads back the same grid.
/// - Pixels: signed 16-bit, RescaleSlope 1. Values are rounded to whole HU. RescaleIntercept is 0
///   when every value fits in int16; otherwise the middle of the value range (whole HU), so values
///   spanning at most 65535 HU are still stored exactly.
/// - Explicit VR little endian; each file written under a temporary name and renamed.
///
/// Throws InvalidArgumentError when the image is empty, not CT (modality neither empty nor "CT"),
/// has an invalid grid, more than 65535 rows or columns, non-finite values or values spanning more
/// than 65535 HU; IoError when the folder cannot be created or a file cannot be written;
/// CancelledError when cancelled (files already written are left in place).
std::vector<std::string> writeCtSeries(const Image& ct, const std::string& folder,
                                       const StudyContext& study,
                                       ProgressMonitor* progress = nullptr);

} // namespace beamlet::dicom
