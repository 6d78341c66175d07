#pragma once
// Synthetic images generated in code, for the demo case and for tests (no patient data needed), and
// the planning phantoms: CT plus structures, described in docs/phantoms.md.

#include "beamlet/core/Image.h"
#include "beamlet/core/Structure.h"

#include <string>

namespace beamlet {

/// A CT of an elliptic water body (0 HU) in air (-1000 HU) with a bone ring (+700 HU), two lungs
/// (-750 HU) and a soft-tissue target (40 HU), on a non-cubic grid: 160x128x60 voxels of
/// 2.5x2.5x3 mm, origin (-198.75, -158.75, -88.5) mm, axial, head-first supine.
Image makeDemoCtPhantom();

/// A planning phantom: an int16 CT in HU and its structures as planar contours, one or more closed
/// polygons on each CT slice whose centre lies inside the structure's extent along z. Geometry in
/// patient LPS mm (x right-to-left, y anterior-to-posterior, z feet-to-head), axial, identity
/// direction, head-first supine. The frame of reference is left empty (whoever writes the case
/// assigns one), as are UIDs. Faces of the water box lie on voxel boundaries, so every voxel is
/// either water or air.
struct PhantomCase {
  Image ct;
  StructureSet structures; ///< ROI numbers 1..n, TG-263 names, RT ROI interpreted types, colours
  std::string description; ///< one line, with the main dimensions
};

/// A 400 x 400 x 400 mm water box (0 HU) centred at LPS (0, 0, 0) in air (-1000 HU), for depth-dose
/// and profile checks.
/// - Box: x, y and z in [-200, 200] mm; the anterior (beam entry) surface is the plane y = -200 mm.
/// - CT grid: 220 x 220 x 200 voxels of 2 x 2 x 2 mm; first voxel centre (-219, -219, -199) mm;
///   the image spans x, y in [-220, 220] mm (20 mm of air on each side in x and y, so beams from
///   any gantry angle enter through air) and z in [-200, 200] mm (exactly the box).
/// - Structures: 1 "External" (EXTERNAL) = the box, a 400 x 400 mm rectangle on each of the 200
///   slices.
PhantomCase makeWaterPhantom();

/// The AAPM TG-119 C-shape test (Ezzell et al., "IMRT commissioning: multiple institution planning
/// and dosimetry comparisons, a report from AAPM Task Group 119", Med Phys 36(11):5359-5373, 2009,
/// doi:10.1118/1.3238104), as a water box in air.
/// - Box (water, 0 HU): 300 mm (x, LR) x 153 mm (y, AP) x 315 mm (z, SI), centred at LPS (0, 0, 0):
///   x in [-150, 150], y in [-76.5, 76.5], z in [-157.5, 157.5] mm.
/// - CT grid: 110 x 61 x 126 voxels of 3 x 3 x 2.5 mm; first voxel centre (-163.5, -90, -156.25)
///   mm; the image spans x in [-165, 165], y in [-91.5, 91.5] (15 mm of air around the box in x and
///   y) and z in [-157.5, 157.5] mm (exactly the box).
/// - Structures (all around the SI axis x = y = 0):
///   1 "External" (EXTERNAL): the box, a 300 x 153 mm rectangle on each of the 126 slices.
///   2 "PTV_C" (PTV): the annulus between radii 15 and 37 mm, z in [-40, 40] mm (80 mm, 32
///     slices), open posteriorly: the part more than 7 mm posterior of the axis (y > 7 mm) is
///     removed. As the cut passes through the inner circle, each slice holds one C-shaped polygon:
///     the outer arc, the cut along y = 7 mm, the inner arc back, the cut again. Analytic volume
///     168.782 cm3.
///   3 "Core" (AVOIDANCE): the cylinder of radius 10 mm, z in [-50, 50] mm (100 mm, 40 slices).
///     Analytic volume 31.416 cm3.
///   Arcs are polygons with their vertices on the circle and a chord error (sagitta) of at most
///   0.01 mm; the cut ends of the C lie exactly on y = 7 mm.
PhantomCase makeTg119Phantom();

} // namespace beamlet
