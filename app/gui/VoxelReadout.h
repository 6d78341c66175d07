#pragma once
// The text the GUI shows about a voxel and the current view: index, LPS position in mm and value
// with units. Pure functions so the wording can be tested without a display.

#include "WindowLevel.h"

#include <QString>

namespace beamlet {
class Image;
}

namespace beamlet::gui {

/// A voxel value with its units, e.g. "-1000 HU"; integer voxel types print without decimals.
QString formatValue(const Image& image, double value);

/// "voxel (i, j, k)   x y z mm (LPS)   value units" for the voxel centre; empty when outside.
QString formatVoxelReadout(const Image& image, int i, int j, int k);

/// Position of slice k along the slice normal in mm (the z of LPS for an axial grid).
double slicePositionMm(const Image& image, int k);

/// "W 400 HU  L 40 HU   slice 30/59 at 1.5 mm" for the info label.
QString formatViewInfo(const Image& image, int k, const WindowLevel& windowLevel);

} // namespace beamlet::gui
