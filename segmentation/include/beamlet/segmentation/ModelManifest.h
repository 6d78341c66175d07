#pragma once
// What a segmentation model needs to be run correctly, from the JSON manifest that ships next to
// its TorchScript file (docs/contouring.md, "Models"): labels with TG-263 names and colours, the
// grid and intensity scale it was trained on, how to tile an image into patches, what it was
// trained on and how well it did. A clinic's own model is used by writing this file for it.

#include "beamlet/core/ImageGeometry.h"

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace beamlet::segmentation {

struct ModelLabel {
  int value = 0;    ///< output channel (softmax: 1..n, 0 is background; sigmoid: 0..n-1)
  std::string name; ///< TG-263
  std::array<std::uint8_t, 3> color{255, 0, 0};
  /// Post-processing: keep the largest connected component; fill holes per axial slice.
  bool largestComponent = true;
  bool fillHoles = true;
};

enum class Normalisation {
  ClipScale, ///< clip to [min, max], then map linearly to [0, 1] (CT in HU)
  ZScore,    ///< (v - mean) / standard deviation over the body (MR)
};

enum class Activation { Softmax, Sigmoid };

struct ModelManifest {
  std::string file; ///< the manifest's path, for messages
  std::string name;
  std::string version;
  std::string modality = "CT"; ///< the modality the model accepts
  int inputChannels = 1;
  std::vector<ModelLabel> labels;
  Vec3 spacingMm = Vec3::Ones(); ///< model grid spacing, x y z
  /// The tensor's spatial dimension order after batch and channel: "zyx" (D, H, W as PyTorch's
  /// Conv3d sees a volume whose x varies fastest) or "xyz".
  std::string axisOrder = "zyx";
  Normalisation normalisation = Normalisation::ClipScale;
  double clipMin = -1000.0;
  double clipMax = 1000.0;
  std::array<int, 3> patchSize{64, 64, 64}; ///< voxels, x y z
  double overlap = 0.5;                     ///< fraction of a patch that neighbours share
  Activation activation = Activation::Softmax;
  std::string trainedOn;
  std::map<std::string, double> validationDice;

  /// Output channels the model must produce.
  int outputChannels() const {
    return static_cast<int>(labels.size()) + (activation == Activation::Softmax ? 1 : 0);
  }
};

/// Reads and checks a manifest. Throws IoError when the file cannot be read, DataError naming the
/// file and the key for anything missing, mistyped or out of range (labels must be distinct and
/// consecutive from 1 for softmax, from 0 for sigmoid).
ModelManifest loadManifest(const std::string& path);

} // namespace beamlet::segmentation
