#pragma once
// Synthetic images generated in code, for the demo case and for tests (no patient data needed).

#include "beamlet/core/Image.h"

namespace beamlet {

/// A CT of an elliptic water body (0 HU) in air (-1000 HU) with a bone ring (+700 HU), two lungs
/// (-750 HU) and a soft-tissue target (40 HU), on a non-cubic grid: 160x128x60 voxels of
/// 2.5x2.5x3 mm, origin (-198.75, -158.75, -88.5) mm, axial, head-first supine.
Image makeDemoCtPhantom();

} // namespace beamlet
