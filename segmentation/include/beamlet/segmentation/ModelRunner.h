#pragma once
// Running a TorchScript segmentation model (LibTorch, kept inside this library) described by its
// manifest (ModelManifest.h): patches of a volume already on the model's grid and intensity scale
// through the network, Gaussian-blended into per-label probabilities (SlidingWindow.h).

#include "beamlet/core/Progress.h"
#include "beamlet/core/Volume.h"
#include "beamlet/segmentation/ModelManifest.h"

#include <memory>
#include <string>
#include <vector>

namespace beamlet::segmentation {

class ModelRunner {
public:
  /// Loads `modelPath` (TorchScript) and the manifest next to it (the same name with ".json" in
  /// place of ".pt", or `manifestPath`), then checks them against each other with one forward
  /// pass of a blank patch: the model must take inputChannels channels and give
  /// outputChannels(). Throws IoError/DataError naming the file (a broken model, a manifest that
  /// disagrees with it).
  explicit ModelRunner(const std::string& modelPath, const std::string& manifestPath = "");
  ~ModelRunner();
  ModelRunner(const ModelRunner&) = delete;
  ModelRunner& operator=(const ModelRunner&) = delete;

  const ModelManifest& manifest() const;

  /// The activated outputs (softmax or sigmoid) of one forward pass over `input` (one channel,
  /// already normalised, any size the network accepts): one volume per output channel on the
  /// input's grid.
  std::vector<VolumeF32> forward(const VolumeF32& input) const;

  /// Sliding-window inference over `input` (on the model grid, normalised; smaller than a patch
  /// along an axis: padded with its minimum): `batch` patches per forward pass, their outputs
  /// activated patch by patch and blended with Gaussian weights (as nnU-Net). Reports progress per
  /// batch and polls for cancellation.
  std::vector<VolumeF32> predict(const VolumeF32& input, int batch = 2,
                                 ProgressMonitor* progress = nullptr) const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Threads LibTorch uses for inference (0: all cores).
void setInferenceThreads(int threads);

} // namespace beamlet::segmentation
