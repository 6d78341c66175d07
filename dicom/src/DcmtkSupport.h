#pragma once
// Private helpers around DCMTK (never included by public headers).

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>

#include <string>

namespace beamlet::dicom::detail {

/// Registers DCMTK's decoders (JPEG, JPEG-LS, RLE) and quiets DCMTK's own logger, once.
void initDcmtk();

std::string getString(DcmItem* item, const DcmTagKey& tag);
long getLong(DcmItem* item, const DcmTagKey& tag, long fallback);
/// Reads a DS/FD attribute with `count` values; returns false if absent or short.
bool getDoubles(DcmItem* item, const DcmTagKey& tag, double* out, unsigned long count);
/// First item of a sequence attribute, or nullptr.
DcmItem* firstItem(DcmItem* item, const DcmTagKey& sequenceTag);

/// True for JPEG 2000 transfer syntaxes (decoded with GDCM) and for HTJ2K (no decoder available).
bool isJpeg2000(const std::string& transferSyntaxUid);
bool isHtj2k(const std::string& transferSyntaxUid);
/// A readable name for a transfer syntax UID.
std::string transferSyntaxName(const std::string& transferSyntaxUid);

} // namespace beamlet::dicom::detail
