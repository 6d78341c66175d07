#include "DcmtkSupport.h"

#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>

#include <mutex>

namespace beamlet::dicom::detail {

void initDcmtk() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Beamlet reports problems itself, one line per file; DCMTK's own warnings would only be noise.
    OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
    DJDecoderRegistration::registerCodecs();
    DJLSDecoderRegistration::registerCodecs();
    DcmRLEDecoderRegistration::registerCodecs();
  });
}

std::string getString(DcmItem* item, const DcmTagKey& tag) {
  OFString value;
  DcmElement* element = nullptr;
  if (item != nullptr && item->findAndGetElement(tag, element).good() && element != nullptr &&
      element->ident() == EVR_UN) {
    // Some writers store text attributes with VR UN (unknown); their bytes are still the text.
    Uint8* bytes = nullptr;
    if (element->getUint8Array(bytes).good() && bytes != nullptr) {
      value = OFString(reinterpret_cast<const char*>(bytes), element->getLength());
    }
  } else if (item == nullptr || item->findAndGetOFStringArray(tag, value).bad()) {
    return {};
  }
  std::string s = value.c_str();
  // DICOM pads with spaces (and UIDs with NUL); strip both ends.
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return {};
  }
  const auto last = s.find_last_not_of(std::string(" \t\r\n\0", 5));
  return s.substr(first, last - first + 1);
}

long getLong(DcmItem* item, const DcmTagKey& tag, long fallback) {
  if (item == nullptr) {
    return fallback;
  }
  Sint32 s = 0;
  if (item->findAndGetSint32(tag, s).good()) {
    return s;
  }
  Uint16 u = 0;
  if (item->findAndGetUint16(tag, u).good()) {
    return u;
  }
  Uint32 ul = 0;
  if (item->findAndGetUint32(tag, ul).good()) {
    return static_cast<long>(ul);
  }
  const std::string text = getString(item, tag);
  if (!text.empty()) {
    try {
      return std::stol(text);
    } catch (...) {
      return fallback;
    }
  }
  return fallback;
}

bool getDoubles(DcmItem* item, const DcmTagKey& tag, double* out, unsigned long count) {
  if (item == nullptr) {
    return false;
  }
  for (unsigned long n = 0; n < count; ++n) {
    Float64 v = 0;
    if (item->findAndGetFloat64(tag, v, n).bad()) {
      return false;
    }
    out[n] = v;
  }
  return true;
}

DcmItem* firstItem(DcmItem* item, const DcmTagKey& sequenceTag) {
  DcmItem* found = nullptr;
  if (item != nullptr && item->findAndGetSequenceItem(sequenceTag, found, 0).good()) {
    return found;
  }
  return nullptr;
}

bool isJpeg2000(const std::string& ts) {
  return ts == "1.2.840.10008.1.2.4.90" || ts == "1.2.840.10008.1.2.4.91" ||
         ts == "1.2.840.10008.1.2.4.92" || ts == "1.2.840.10008.1.2.4.93";
}

bool isHtj2k(const std::string& ts) {
  return ts == "1.2.840.10008.1.2.4.201" || ts == "1.2.840.10008.1.2.4.202" ||
         ts == "1.2.840.10008.1.2.4.203";
}

std::string transferSyntaxName(const std::string& ts) {
  if (isHtj2k(ts)) {
    return "HTJ2K";
  }
  DcmXfer xfer(ts.c_str());
  if (xfer.getXfer() != EXS_Unknown) {
    return xfer.getXferName();
  }
  return ts.empty() ? std::string("unknown transfer syntax") : ts;
}

} // namespace beamlet::dicom::detail
