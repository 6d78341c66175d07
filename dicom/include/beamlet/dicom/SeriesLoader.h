#pragma once

#include "beamlet/core/Image.h"
#include "beamlet/core/Progress.h"
#include "beamlet/dicom/DicomIndex.h"

namespace beamlet::dicom {

/// Loads a CT, MR (or other single-channel) series into a volume:
///  - frames sorted by their position along the slice normal (never by InstanceNumber or name);
///  - rescale slope/intercept applied per frame: CT in HU, other modalities in rescaled stored
///  units;
///  - int16 voxels when every slope and intercept is an integer and the values fit, else float32;
///  - decoding in parallel (DCMTK codecs; JPEG 2000 through GDCM);
///  - non-uniform slice spacing and gantry tilt resampled (linear) onto a uniform orthogonal grid,
///    with a warning in Image::warnings saying what was done; oblique orientation kept as
///    direction.
/// Throws GeometryError for mixed orientations, disagreeing images at one position, a single slice;
/// DataError naming the file for missing pixel data, truncated or undecodable files;
/// UnsupportedError for colour images; CancelledError when cancelled.
Image loadSeries(const SeriesEntry& series, ProgressMonitor* progress = nullptr);

/// Loads one single-frame image file as a one-slice image, for previews and decoder checks
/// (planning needs loadSeries, which refuses single slices). Values as in loadSeries; the slice
/// thickness is SliceThickness (1 mm when absent). Without
/// ImagePositionPatient/ImageOrientationPatient the image is placed at the origin with identity
/// direction, and a warning says so.
Image loadSlice(const std::string& path);

/// Same as loadSeries, from a list of files (headers are read first).
Image loadSeriesFiles(const std::vector<std::string>& paths, ProgressMonitor* progress = nullptr);

} // namespace beamlet::dicom
