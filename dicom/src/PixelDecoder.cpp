#include "PixelDecoder.h"

#include "DcmtkSupport.h"

#include "beamlet/core/Error.h"

#include <cstring>

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

template <typename Stored>
void convert(const std::uint8_t* src, std::size_t n, const RawPixels& raw, double slope,
             double intercept, float* out) {
  Stored value;
  const int shift = raw.highBit + 1 - raw.bitsStored;
  const bool fullWidth = shift == 0 && raw.bitsStored == static_cast<int>(8 * sizeof(Stored));
  const std::uint32_t mask =
      raw.bitsStored >= 32 ? 0xffffffffu : ((std::uint32_t{1} << raw.bitsStored) - 1u);
  const std::uint32_t signBit = std::uint32_t{1} << (raw.bitsStored - 1);
  const float s = static_cast<float>(slope);
  const float b = static_cast<float>(intercept);
  // Slope and intercept are applied in double when they would lose precision in float.
  const bool exactInFloat = static_cast<double>(s) == slope && static_cast<double>(b) == intercept;
  for (std::size_t v = 0; v < n; ++v) {
    std::memcpy(&value, src + v * sizeof(Stored), sizeof(Stored));
    double x;
    if (fullWidth) {
      if (raw.isSigned) {
        x = static_cast<double>(static_cast<std::make_signed_t<Stored>>(value));
      } else {
        x = static_cast<double>(value);
      }
    } else {
      std::uint32_t bits = (static_cast<std::uint32_t>(value) >> shift) & mask;
      if (raw.isSigned && (bits & signBit) != 0) {
        x = static_cast<double>(static_cast<std::int64_t>(bits) -
                                (std::int64_t{1} << raw.bitsStored));
      } else {
        x = static_cast<double>(bits);
      }
    }
    out[v] =
        exactInFloat ? static_cast<float>(x) * s + b : static_cast<float>(x * slope + intercept);
  }
}

} // namespace

void storedToFloat(const RawPixels& raw, int frame, double slope, double intercept, float* out) {
  const std::size_t n = static_cast<std::size_t>(raw.rows) * static_cast<std::size_t>(raw.columns);
  const std::uint8_t* src = raw.frame(frame);
  switch (raw.bitsAllocated) {
  case 8:
    convert<std::uint8_t>(src, n, raw, slope, intercept, out);
    break;
  case 16:
    convert<std::uint16_t>(src, n, raw, slope, intercept, out);
    break;
  default:
    convert<std::uint32_t>(src, n, raw, slope, intercept, out);
    break;
  }
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
