#pragma once
// Decodes the pixel data of one DICOM file into raw stored values (no rescale yet).

#include "beamlet/dicom/DicomIndex.h"

#include <cstdint>
#include <memory>

namespace beamlet::dicom::detail {

struct RawPixels {
  const std::uint8_t* data = nullptr; ///< all frames, little-endian, frame after frame
  std::size_t size = 0;               ///< bytes available at data
  int rows = 0;
  int columns = 0;
  int frames = 0;
  int bitsAllocated = 0;
  int bitsStored = 0;
  int highBit = 0;
  bool isSigned = false;
  std::shared_ptr<void> owner; ///< keeps the decoder's buffer alive

  std::size_t frameBytes() const {
    return static_cast<std::size_t>(rows) * static_cast<std::size_t>(columns) *
           static_cast<std::size_t>(bitsAllocated / 8);
  }
  const std::uint8_t* frame(int n) const {
    return data + frameBytes() * static_cast<std::size_t>(n);
  }
};

/// Decodes with DCMTK (native, deflate, RLE, JPEG, JPEG-LS) or GDCM (JPEG 2000). Throws DataError
/// naming the file for truncated files, missing pixel data, undecodable or unsupported encodings.
RawPixels decodePixels(const DicomFileInfo& info);

/// JPEG 2000 through GDCM (DCMTK 3.6.7 has no JPEG 2000 decoder).
RawPixels decodeWithGdcm(const DicomFileInfo& info);

/// Converts one frame of stored values to float: masks BitsStored below HighBit, sign-extends
/// two's complement values, applies slope and intercept. One tight loop per bit layout.
void storedToFloat(const RawPixels& raw, int frame, double slope, double intercept, float* out);

/// Same for integer slope and intercept straight into int16 (the common CT case, without a float
/// copy of the volume). Returns false when a value did not fit in int16 (out is then unusable).
bool storedToInt16(const RawPixels& raw, int frame, std::int64_t slope, std::int64_t intercept,
                   std::int16_t* out);

} // namespace beamlet::dicom::detail
