#pragma once
// Scanline crossing of planar polygons with the even-odd rule: a point is inside when a ray from it
// crosses the polygons' edges an odd number of times. Nested contours therefore make holes and
// keyhole contours (one polygon reaching into its hole through a zero-width channel) work as drawn.

#include <Eigen/Core>

#include <vector>

namespace beamlet {

using Polygon2 = std::vector<Eigen::Vector2d>;

/// The x where the line y = const crosses the polygons' edges, sorted. Consecutive pairs
/// [x0, x1), [x2, x3), ... are inside. Each edge counts on the half-open y range [min, max), so
/// vertices on the line are counted once and horizontal edges not at all.
void scanlineCrossings(const std::vector<Polygon2>& polygons, double y, std::vector<double>& xs);

/// Signed area (shoelace formula), positive for counter-clockwise polygons.
double signedArea(const Polygon2& polygon);

} // namespace beamlet
