#include "beamlet/core/BodyOutline.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/Morphology.h"

#include <string>

namespace beamlet {

Mask bodyOutline(const Image& ct, const BodyOutlineOptions& options) {
  if (ct.geometry().voxelCount() == 0) {
    throw InvalidArgumentError("body outline: the image is empty");
  }
  if (!ct.modality.empty() && ct.modality != "CT") {
    throw InvalidArgumentError("body outline: needs a CT in HU, not " + ct.modality);
  }
  Mask above(ct.geometry(), 0);
  std::size_t count = 0;
  for (std::size_t n = 0; n < above.size(); ++n) {
    if (ct.valueAt(n) > options.thresholdHu) {
      above[n] = 1;
      ++count;
    }
  }
  if (count == 0) {
    throw DataError("body outline: no voxel above " + std::to_string(options.thresholdHu) + " HU");
  }
  Mask body = largestComponent(above);
  fillHolesPerSlice(body);
  return body;
}

} // namespace beamlet
