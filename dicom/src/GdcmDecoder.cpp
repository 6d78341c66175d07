// JPEG 2000 decoding through GDCM (OpenJPEG), since DCMTK 3.6.7 has no JPEG 2000 codec.

#include "PixelDecoder.h"

#include "beamlet/core/Error.h"

#include <gdcmImage.h>
#include <gdcmImageReader.h>
#include <gdcmPixelFormat.h>
#include <gdcmTrace.h>

#include <mutex>
#include <vector>

namespace beamlet::dicom::detail {

RawPixels decodeWithGdcm(const DicomFileInfo& info) {
  const std::string& path = info.path;
  // GDCM prints its own warnings to stderr; Beamlet reports problems itself, one line per file.
  static std::once_flag quiet;
  std::call_once(quiet, [] {
    gdcm::Trace::SetWarning(false);
    gdcm::Trace::SetDebug(false);
    gdcm::Trace::SetError(false);
  });
  gdcm::ImageReader reader;
  reader.SetFileName(path.c_str());
  if (!reader.Read()) {
    throw DataError(withContext(path, "truncated or unreadable file (GDCM cannot read it)"));
  }
  const gdcm::Image& image = reader.GetImage();
  const gdcm::PixelFormat& format = image.GetPixelFormat();
  if (format.GetSamplesPerPixel() != 1) {
    throw UnsupportedError(withContext(path, "colour image: not a CT or MR volume"));
  }
  auto buffer = std::make_shared<std::vector<std::uint8_t>>(image.GetBufferLength());
  if (buffer->empty() || !image.GetBuffer(reinterpret_cast<char*>(buffer->data()))) {
    throw DataError(withContext(path, "cannot decode JPEG 2000 pixel data (corrupt or truncated)"));
  }
  RawPixels raw;
  raw.data = buffer->data();
  raw.size = buffer->size();
  raw.rows = info.rows;
  raw.columns = info.columns;
  raw.frames = info.numberOfFrames;
  raw.bitsAllocated = format.GetBitsAllocated();
  raw.bitsStored = format.GetBitsStored();
  raw.highBit = format.GetHighBit();
  // PixelRepresentation of the data set is authoritative for how stored values are interpreted
  // (PS3.5 8.2.4); GDCM already reconciles a J2K stream whose signedness disagrees with it.
  raw.isSigned = format.GetPixelRepresentation() == 1;
  raw.owner = buffer;
  const std::size_t needed = raw.frameBytes() * static_cast<std::size_t>(raw.frames);
  if (raw.size < needed) {
    throw DataError(
        withContext(path, "decoded JPEG 2000 pixel data is shorter than the header says"));
  }
  return raw;
}

} // namespace beamlet::dicom::detail
