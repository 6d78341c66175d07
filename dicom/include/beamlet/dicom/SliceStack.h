#pragma once
// Turns a set of 2-D frames with DICOM plane geometry into one 3-D grid: sorts them by position
// along the slice normal, finds duplicate positions, checks orientation, and decides whether (and
// how) the stack must be resampled to become a uniform orthogonal grid. Pure geometry: no DICOM
// library.

#include "beamlet/core/ImageGeometry.h"

#include <string>
#include <vector>

namespace beamlet::dicom {

/// One frame's plane: ImagePositionPatient, ImageOrientationPatient, PixelSpacing, size.
struct StackFrame {
  Vec3 position;
  Vec3 rowDir;
  Vec3 columnDir;
  double spacingI = 1.0; ///< mm along rowDir (between columns)
  double spacingJ = 1.0; ///< mm along columnDir (between rows)
  int columns = 0;
  int rows = 0;
  std::string label; ///< names the frame in errors ("file.dcm" or "file.dcm frame 3")
};

struct SliceStack {
  Vec3 rowDir;
  Vec3 columnDir;
  Vec3 normal; ///< rowDir x columnDir: the k axis of the grid
  double spacingI = 1.0;
  double spacingJ = 1.0;
  int columns = 0;
  int rows = 0;
  /// Frame indices per distinct position, sorted by increasing position along the normal. Slots
  /// with several frames hold images at one position; the loader checks that they agree.
  std::vector<std::vector<std::size_t>> slotFrames;
  std::vector<double> slotPosition; ///< mm along the normal, relative to slot 0
  std::vector<double> slotOffsetI;  ///< in-plane shift of each slot along rowDir, mm (tilt)
  std::vector<double> slotOffsetJ;  ///< in-plane shift along columnDir, mm
  int firstI = 0; ///< output column 0 is input column firstI of slot 0 (< 0 when widened for tilt)
  int firstJ = 0;
  ImageGeometry grid; ///< the uniform orthogonal output grid
  bool needsResampling = false;
  std::vector<std::string> notes; ///< one sentence per correction made (become load warnings)
};

/// Plans the stack. Throws GeometryError naming the frames for mixed orientations, differing image
/// sizes or pixel spacings, and fewer than two distinct positions.
SliceStack planSliceStack(const std::vector<StackFrame>& frames);

/// Resamples the slotFrames (one float image of columns x rows per slot) onto stack.grid with
/// linear interpolation along the normal and bilinear in plane. Output voxels that no acquired
/// slice covers get padValue. out has stack.grid.voxelCount() values.
void resampleSliceStack(const SliceStack& stack, const std::vector<const float*>& slotPixels,
                        float padValue, float* out);

} // namespace beamlet::dicom
