#pragma once
// RT Dose objects (PS3.3 A.18) and dose volumes in general: Beamlet's dose is a float32 volume in
// Gy on its own grid (LPS mm), Image::units "Gy".

#include "beamlet/core/Image.h"
#include "beamlet/dicom/StudyContext.h"

#include <string>

namespace beamlet::dicom {

/// Reads an RTDOSE: multi-frame (GridFrameOffsetVector relative or absolute, increasing or
/// decreasing; irregular offsets resampled with a warning) or a single plane (a 2-D dose, dims[2] =
/// 1, thickness 1 mm unless SliceThickness says otherwise); 16- or 32-bit with DoseGridScaling.
/// DoseUnits RELATIVE is read with units "relative" and a warning. Throws DataError naming the
/// file.
Image readRtDose(const std::string& path);

/// A dose from an RTDOSE file or a volume file (.nii.gz, .nii, .nrrd, .mha, ...), as float Gy.
Image readDose(const std::string& path);

struct RtDoseWriteOptions {
  std::string summationType = "PLAN"; ///< DoseSummationType
  /// SOP Instance UID of the RTPLAN; required (PS3.3 C.8.8.3) unless summationType is RECORD.
  std::string referencedPlanUid;
  std::string seriesDescription = "Beamlet dose";
  int bitsAllocated = 32; ///< 32 (precision 2.3e-10 of the maximum) or 16 (1.5e-5)
};

/// Writes dose (Gy, any voxel type, must be >= 0) as an RTDOSE: 32- or 16-bit unsigned with
/// DoseGridScaling chosen so the maximum uses the full range, relative GridFrameOffsetVector,
/// DoseUnits GY, DoseType PHYSICAL. Written to a temporary name and renamed. Returns the new SOP
/// Instance UID. Throws InvalidArgumentError for negative or non-finite dose, IoError on failure.
std::string writeRtDose(const Image& dose, const StudyContext& context, const std::string& path,
                        const RtDoseWriteOptions& options = {});

} // namespace beamlet::dicom
