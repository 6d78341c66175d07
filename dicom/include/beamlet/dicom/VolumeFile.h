#pragma once
// Volume files (NIfTI .nii/.nii.gz, NRRD .nrrd/.nhdr, MetaImage .mha/.mhd) through ITK. Geometry is
// kept in LPS; ITK converts to the RAS convention of NIfTI on write and back on read.

#include "beamlet/core/Image.h"

#include <string>

namespace beamlet::dicom {

/// True when the file name ends in an extension writeVolumeFile understands.
bool isVolumeFileName(const std::string& path);

/// Writes the image with its geometry. Written to a temporary name and renamed, so a failure never
/// leaves a half-written file. Throws InvalidArgumentError for an unknown extension, IoError
/// otherwise.
void writeVolumeFile(const Image& image, const std::string& path);

/// Reads a volume file. int16 and uint8 files keep their type; any other is read as float32.
Image readVolumeFile(const std::string& path);

} // namespace beamlet::dicom
