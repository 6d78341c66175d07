#pragma once
// The folder scan as text for people and as JSON for scripts (`beamlet-cli info`). The JSON layout
// is documented in docs/cli.md and kept stable.

#include "beamlet/dicom/DicomIndex.h"

#include <string>

namespace beamlet::app {

std::string indexToJson(const dicom::DicomIndex& index);
std::string indexToText(const dicom::DicomIndex& index);

} // namespace beamlet::app
