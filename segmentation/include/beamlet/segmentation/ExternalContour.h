#pragma once
// The External (body outline) that every planning system draws, without the couch and the
// immobilisation devices (mask board, head rest) that touch the patient.
//
// This builds on core's bodyOutline (beamlet/core/BodyOutline.h, which `beamlet-cli plan` uses for
// research data and which stays as it is): the same threshold and the same per-slice hole filling,
// with a morphological opening before the largest component is taken, so that devices joined to the
// body by thin contacts fall away, and a restoration step that gives the body back the detail the
// opening took (see externalContourCt).

#include "beamlet/core/Image.h"
#include "beamlet/core/Volume.h"

namespace beamlet::segmentation {

struct ExternalCtOptions {
  /// Voxels above this value (HU) are tissue (the same -350 HU as core's bodyOutline: between
  /// lung/air and fat).
  double thresholdHu = -350.0;
  /// Radius (mm) of the ball of the opening. Contacts thinner than twice this between the body and
  /// a device are cut; body parts thinner than that are restored afterwards (restoreRadiusMm).
  double openingRadiusMm = 6.0;
  /// Thresholded voxels up to this distance (mm) from the opened body are given back, when they
  /// are not closer to an opened device.
  double restoreRadiusMm = 15.0;
};

/// External on a CT in HU: threshold, opening by a ball of openingRadiusMm (in mm, so anisotropic
/// spacing is handled), the largest 6-connected 3-D component of the opened voxels (the body), then
/// every thresholded voxel within restoreRadiusMm of the body and strictly closer to it than to any
/// other opened component (couch, board) is added back, the largest component of that is kept and
/// holes are filled on every axial slice. Throws InvalidArgumentError for an empty image or one
/// that is not CT; DataError when nothing is above the threshold.
Mask externalContourCt(const Image& ct, const ExternalCtOptions& options = {});

/// Otsu's threshold (Otsu 1979, "A threshold selection method from gray-level histograms", IEEE
/// Trans. SMC 9:62-66, doi:10.1109/TSMC.1979.4310076): the value that maximises the between-class
/// variance of a histogram of `bins` equal bins over the image's range. Returned as the upper edge
/// of the last background bin: voxels at or above it are foreground. Throws InvalidArgumentError
/// for an empty image or bins < 2.
double otsuThreshold(const Image& image, int bins = 256);

/// External on an MR (any units): voxels above Otsu's threshold, the largest 6-connected 3-D
/// component, holes filled per axial slice. Throws InvalidArgumentError for an empty image;
/// DataError for a constant one.
Mask externalContourMr(const Image& mr, int histogramBins = 256);

} // namespace beamlet::segmentation
