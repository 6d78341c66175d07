#pragma once
// Turning one axial slice of an image into a grey QImage. A pure function (no widgets) so the
// rendering can be tested without a display.

#include "WindowLevel.h"

#include <QImage>

namespace beamlet {
class Image;
}

namespace beamlet::gui {

/// Slice k of the image as a Format_Grayscale8 QImage of dims[0] x dims[1] pixels: pixel (i, j) is
/// voxel (i, j, k) through the window/level. The grid is drawn as stored (i to the right, j down),
/// which for the usual DICOM axial orientation is the radiological view (patient's right on the
/// left, anterior up). Returns a null QImage when k is outside the volume.
QImage renderAxialSlice(const Image& image, int k, const WindowLevel& windowLevel);

} // namespace beamlet::gui
