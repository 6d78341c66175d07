#pragma once
// Radiological (water-equivalent) path lengths through a relative-electron-density volume whose
// voxels are constant boxes: the ray is followed voxel by voxel, each crossed length weighted by
// the voxel's density (Siddon 1985, Med Phys 12:252, doi:10.1118/1.595715, in the incremental
// form of Jacobs, Sundermann, De Sutter, Christiaens & Lemahieu 1998, which steps from one
// voxel boundary to the next instead of sorting all plane crossings).

#include "beamlet/core/Volume.h"

namespace beamlet::dose {

/// Water-equivalent length (mm) of the segment from `from` to `to` (LPS mm); the parts outside
/// the volume count as vacuum.
double radiologicalPath(const VolumeF32& density, const Vec3& from, const Vec3& to);

/// Distance (mm) from `from`, along the unit vector `direction`, to where the ray first enters a
/// voxel denser than `threshold` (the skin); NaN when it never does.
double distanceToSurface(const VolumeF32& density, const Vec3& from, const Vec3& direction,
                         double threshold = 0.05);

} // namespace beamlet::dose
