#pragma once
// Masks -> planar contours (the inverse of ContourRasterizer.h), and label maps -> masks on a grid.
//
// Each slice is traced with marching squares (the 2-D form of the case table of Lorensen & Cline,
// "Marching cubes", SIGGRAPH 1987, doi:10.1145/37402.37422) on the voxel-centre lattice at the
// iso-level 0.5. Every contour vertex is then the midpoint between two neighbouring voxel centres
// of which exactly one is inside, so the line through a row of voxel centres crosses the contours
// exactly halfway between each inside/outside pair: re-rasterising by voxel centres (even-odd rule,
// rasterize()) gives back the very same mask. Outer boundaries are counter-clockwise and holes
// clockwise in (i, j) index space, each its own contour; saddle cells (two diagonal corners inside)
// always keep the inside corners apart (4-connected foreground), so contours never touch.

#include "beamlet/core/Image.h"
#include "beamlet/core/PolygonScan.h"
#include "beamlet/core/Structure.h"
#include "beamlet/core/Volume.h"

#include <optional>
#include <string>
#include <vector>

namespace beamlet {

struct MaskContourOptions {
  /// Drops vertices that lie exactly on the line through their neighbours (in index space, tested
  /// in exact integer arithmetic): the polygon, and so its rasterisation, is unchanged.
  bool reduceCollinear = true;
  /// Laplacian smoothing passes (each vertex moves halfway to the mean of its neighbours). Off by
  /// default: smoothing rounds the voxel staircase but the round trip is then no longer exact.
  int smoothingIterations = 0;
};

/// The closed polygons of slice k, in continuous index coordinates (i, j) of the mask's grid.
std::vector<Polygon2> sliceContours(const Mask& mask, int k,
                                    const MaskContourOptions& options = {});

/// All slices' polygons as CLOSED_PLANAR contours in patient LPS mm, each at its slice plane.
std::vector<Contour> maskToContours(const Mask& mask, const MaskContourOptions& options = {});

/// A binary mask (1 inside) from a label map on its own grid: voxels equal to `label`, or non-zero
/// when no label is given. Throws InvalidArgumentError when the map is not integer-valued there.
Mask selectLabel(const Image& labelMap, std::optional<int> label = std::nullopt);

/// The mask on another grid by nearest neighbour in patient space (voxels of `grid` whose centre
/// falls outside the mask's grid are 0). Throws GeometryError when no voxel centre of `grid` lies
/// in the mask's grid (the two do not overlap).
Mask resampleNearest(const Mask& mask, const ImageGeometry& grid);

} // namespace beamlet
