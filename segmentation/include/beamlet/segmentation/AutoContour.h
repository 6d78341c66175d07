#pragma once
// The whole auto-contouring pipeline around a model (ModelRunner.h): the image resampled onto the
// model's grid (same extent and orientation, the manifest's spacing), intensities normalised as
// the manifest says, sliding-window inference, argmax, per-label clean-up (largest connected
// component, holes filled per slice, as the manifest asks), and the labels back on the image's
// grid as masks.

#include "beamlet/core/Image.h"
#include "beamlet/core/Progress.h"
#include "beamlet/core/Volume.h"
#include "beamlet/segmentation/ModelRunner.h"

#include <string>
#include <vector>

namespace beamlet::segmentation {

struct LabelMask {
  ModelLabel label;
  Mask mask; ///< on the image's grid
};

/// The image on a grid of the same extent and direction with `spacing` (mm), by trilinear
/// interpolation of voxel values (outside the image: its minimum).
VolumeF32 resampleLinear(const Image& image, const Vec3& spacing);

/// Runs the model on `image` and returns one mask per manifest label, in the manifest's order.
/// Throws InvalidArgumentError when the image's modality is not the model's (an MR given to a
/// CT model), CancelledError when cancelled.
std::vector<LabelMask> autoContour(const ModelRunner& model, const Image& image,
                                   ProgressMonitor* progress = nullptr);

} // namespace beamlet::segmentation
