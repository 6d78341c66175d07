#pragma once
// Planar contours -> masks on a grid. A contour belongs to the grid slice nearest to its plane; its
// points must lie in that plane within tolerance (contours parallel to the slices). Filling is
// exact for voxel centres (even-odd rule, see PolygonScan.h); the fractional variant integrates the
// covered length along each row exactly and samples `subsamples` rows per voxel.

#include "beamlet/core/PolygonScan.h"
#include "beamlet/core/Structure.h"
#include "beamlet/core/Volume.h"

#include <string>
#include <vector>

namespace beamlet {

/// A structure's contours on one slice k of a grid, in continuous index coordinates (i, j).
struct SliceContours {
  int k = 0;
  std::vector<Polygon2> polygons;
};

/// The contours each slice takes: those of the contour plane nearest to it, when that plane lies
/// within half a slice or the slice lies between two planes of one piece, so grids finer or coarser
/// than the plane spacing get neither gaps nor several planes on one slice. Contours beyond the
/// grid's first or last slice by more than half a slice are left out (counted in `outside`).
/// Throws GeometryError when a contour is not parallel to the slices (its points spread over more
/// than 0.1 of a slice spacing along k).
std::vector<SliceContours> contoursOnGrid(const Structure& structure, const ImageGeometry& grid,
                                          int* outside = nullptr);

/// 1 where the voxel centre is inside the structure, 0 elsewhere.
Mask rasterize(const Structure& structure, const ImageGeometry& grid);

/// Fraction (0..1) of each voxel's in-plane area inside the structure (partial-volume mask).
VolumeF32 rasterizeFraction(const Structure& structure, const ImageGeometry& grid,
                            int subsamples = 8);

/// Volume (cm^3) of the structure on `grid`: the sum of its partial-volume fractions.
double rasterizedVolumeCc(const Structure& structure, const ImageGeometry& grid);

/// Centroid (LPS mm) of the voxel centres set in `mask`; false when the mask is empty.
bool maskCentroid(const Mask& mask, Vec3& centroid);

} // namespace beamlet
