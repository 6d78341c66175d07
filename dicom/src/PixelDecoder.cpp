#include "PixelDecoder.h"

#include "DcmtkSupport.h"

#include "beamlet/core/Error.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace beamlet::dicom::detail {

namespace {

void checkLayout(const DicomFileInfo& info, const RawPixels& raw) {
  const std::string& path = info.path;
  if (raw.bitsAllocated != 8 && raw.bitsAllocated != 16 && raw.bitsAllocated != 32) {
    throw UnsupportedError(withContext(path, "BitsAllocated " + std::to_string(raw.bitsAllocated) +
                                                 " is not an image Beamlet loads (8, 16 or 32)"));
  }
  if (raw.bitsStored <= 0 || raw.bitsStored > raw.bitsAllocated ||
      raw.highBit < raw.bitsStored - 1 || raw.highBit >= raw.bitsAllocated) {
    throw DataError(withContext(path, "inconsistent BitsStored " + std::to_string(raw.bitsStored) +
                                          " / HighBit " + std::to_string(raw.highBit) +
                                          " / BitsAllocated " + std::to_string(raw.bitsAllocated)));
  }
  const std::size_t needed = raw.frameBytes() * static_cast<std::size_t>(raw.frames);
  if (raw.size < needed) {
    throw DataError(withContext(path, "pixel data holds " + std::to_string(raw.size) +
                                          " bytes where Rows x Columns x Frames needs " +
                                          std::to_string(needed) + " (truncated file?)"));
  }
}

// Calls sink(v, x) with the stored value x (as int64) of every pixel v of one frame: BitsStored
// bits below HighBit, two's complement sign-extended when PixelRepresentation is 1. Each bit layout
// gets its own branch-free loop.
template <typename Stored, typename Sink>
void forEachStoredValue(const std::uint8_t* src, std::size_t n, const RawPixels& raw, Sink&& sink) {
  const int shift = raw.highBit + 1 - raw.bitsStored;
  const bool fullWidth = shift == 0 && raw.bitsStored == static_cast<int>(8 * sizeof(Stored));
  Stored value;
  if (fullWidth && raw.isSigned) {
    for (std::size_t v = 0; v < n; ++v) {
      std::memcpy(&value, src + v * sizeof(Stored), sizeof(Stored));
      sink(v, static_cast<std::int64_t>(static_cast<std::make_signed_t<Stored>>(value)));
    }
  } else if (fullWidth) {
    for (std::size_t v = 0; v < n; ++v) {
      std::memcpy(&value, src + v * sizeof(Stored), sizeof(Stored));
      sink(v, static_cast<std::int64_t>(value));
    }
  } else {
    const std::int64_t mask = (std::int64_t{1} << raw.bitsStored) - 1;
    // Sign extension of a BitsStored-bit value: (x ^ s) - s with s the sign bit (0 if unsigned).
    const std::int64_t signBit = raw.isSigned ? (std::int64_t{1} << (raw.bitsStored - 1)) : 0;
    for (std::size_t v = 0; v < n; ++v) {
      std::memcpy(&value, src + v * sizeof(Stored), sizeof(Stored));
      const std::int64_t bits = (static_cast<std::int64_t>(value) >> shift) & mask;
      sink(v, (bits ^ signBit) - signBit);
    }
  }
}

template <typename Sink> void dispatch(const RawPixels& raw, int frame, Sink&& sink) {
  const std::size_t n = static_cast<std::size_t>(raw.rows) * static_cast<std::size_t>(raw.columns);
  const std::uint8_t* src = raw.frame(frame);
  switch (raw.bitsAllocated) {
  case 8:
    forEachStoredValue<std::uint8_t>(src, n, raw, sink);
    break;
  case 16:
    forEachStoredValue<std::uint16_t>(src, n, raw, sink);
    break;
  default:
    forEachStoredValue<std::uint32_t>(src, n, raw, sink);
    break;
  }
}

} // namespace

void storedToFloat(const RawPixels& raw, int frame, double slope, double intercept, float* out) {
  const float s = static_cast<float>(slope);
  const float b = static_cast<float>(intercept);
  // In float when that is exact (the usual integer slope and intercept), else in double.
  if (static_cast<double>(s) == slope && static_cast<double>(b) == intercept) {
    dispatch(raw, frame,
             [&](std::size_t v, std::int64_t x) { out[v] = static_cast<float>(x) * s + b; });
  } else {
    dispatch(raw, frame, [&](std::size_t v, std::int64_t x) {
      out[v] = static_cast<float>(static_cast<double>(x) * slope + intercept);
    });
  }
}

bool storedToInt16(const RawPixels& raw, int frame, std::int64_t slope, std::int64_t intercept,
                   std::int16_t* out) {
  std::int64_t lo = 0;
  std::int64_t hi = 0;
  dispatch(raw, frame, [&](std::size_t v, std::int64_t x) {
    const std::int64_t y = x * slope + intercept;
    lo = std::min(lo, y);
    hi = std::max(hi, y);
    out[v] = static_cast<std::int16_t>(y);
  });
  return lo >= std::numeric_limits<std::int16_t>::min() &&
         hi <= std::numeric_limits<std::int16_t>::max();
}

RawPixels decodePixels(const DicomFileInfo& info) {
  initDcmtk();
  const std::string& path = info.path;
  if (!info.hasPixelData) {
    throw DataError(withContext(path, "no pixel data"));
  }
  if (info.samplesPerPixel != 1) {
    throw UnsupportedError(withContext(
        path, "colour image (" + std::to_string(info.samplesPerPixel) + " samples per pixel, " +
                  info.photometricInterpretation + "): not a CT or MR volume"));
  }
  if (isHtj2k(info.transferSyntaxUid)) {
    throw UnsupportedError(withContext(
        path, "HTJ2K pixel data cannot be decoded (no decoder in Debian 12's DCMTK or GDCM)"));
  }
  if (isJpeg2000(info.transferSyntaxUid)) {
    return decodeWithGdcm(info);
  }

  auto file = std::make_shared<DcmFileFormat>();
  const OFCondition status =
      file->loadFile(path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect);
  if (status.bad()) {
    throw DataError(
        withContext(path, std::string("truncated or unreadable file (") + status.text() + ")"));
  }
  DcmDataset* ds = file->getDataset();
  DcmElement* pixelElement = nullptr;
  if (ds->findAndGetElement(DCM_PixelData, pixelElement).bad() || pixelElement == nullptr) {
    throw DataError(withContext(path, "no pixel data"));
  }
  if (ds->chooseRepresentation(EXS_LittleEndianExplicit, nullptr).bad() ||
      !ds->canWriteXfer(EXS_LittleEndianExplicit)) {
    // DCMTK has no decoder for this encoding; GDCM may have one.
    try {
      return decodeWithGdcm(info);
    } catch (const Error&) {
      throw DataError(withContext(path, "cannot decode pixel data (" +
                                            transferSyntaxName(info.transferSyntaxUid) + ")"));
    }
  }
  if (ds->findAndGetElement(DCM_PixelData, pixelElement).bad() || pixelElement == nullptr ||
      pixelElement->getLength() == 0) {
    throw DataError(withContext(path, "no pixel data (empty Pixel Data element)"));
  }
  RawPixels raw;
  Uint8* bytes = nullptr;
  if (pixelElement->getUint8Array(bytes).bad() || bytes == nullptr) {
    Uint16* words = nullptr;
    if (pixelElement->getUint16Array(words).bad() || words == nullptr) {
      throw DataError(withContext(path, "pixel data cannot be read"));
    }
    bytes = reinterpret_cast<Uint8*>(words);
  }
  raw.data = bytes;
  raw.size = pixelElement->getLength();
  raw.rows = info.rows;
  raw.columns = info.columns;
  raw.frames = info.numberOfFrames;
  raw.bitsAllocated = info.bitsAllocated;
  raw.bitsStored = info.bitsStored;
  raw.highBit = info.highBit;
  raw.isSigned = info.pixelRepresentation == 1;
  raw.owner = file;
  checkLayout(info, raw);
  return raw;
}

} // namespace beamlet::dicom::detail
