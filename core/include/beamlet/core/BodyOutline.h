#pragma once
// The patient's outline on a CT, for cases that come without an External structure (research data
// such as OpenKBP ships organ and target masks only): threshold, largest connected component, holes
// filled slice by slice. Couch and immobilisation removal is not attempted; a couch touching the
// body is kept with it.

#include "beamlet/core/Image.h"
#include "beamlet/core/Volume.h"

namespace beamlet {

struct BodyOutlineOptions {
  /// Voxels above this value (HU) are tissue. -350 HU lies between air and lung (about -1000 and
  /// -850 HU) and fat (about -100 HU), so skin and fat are in, air out.
  double thresholdHu = -350.0;
};

/// 1 inside the body: voxels above the threshold, the largest 6-connected 3-D component of them,
/// then on every axial slice (k) each background region not connected to the slice's border
/// (lungs, airways, bowel gas) filled. Throws InvalidArgumentError for an empty image or one that
/// is not CT in HU (modality neither empty nor "CT"); DataError when no voxel is above the
/// threshold.
Mask bodyOutline(const Image& ct, const BodyOutlineOptions& options = {});

} // namespace beamlet
