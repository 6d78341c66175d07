#include "beamlet/segmentation/ModelRunner.h"

#include "beamlet/core/Error.h"
#include "beamlet/segmentation/SlidingWindow.h"

#include <ATen/Parallel.h>
#include <torch/script.h>

#include <algorithm>
#include <filesystem>
#include <thread>

namespace fs = std::filesystem;

namespace beamlet::segmentation {

struct ModelRunner::Impl {
  std::string file;
  ModelManifest manifest;
  mutable torch::jit::script::Module module;

  // [n][1][spatial] from patches stored x fastest (memory order z, y, x).
  torch::Tensor toTensor(const std::vector<const float*>& patches,
                         const std::array<int, 3>& size) const {
    const std::int64_t n = static_cast<std::int64_t>(patches.size());
    torch::Tensor t = torch::empty({n, 1, size[2], size[1], size[0]}, torch::kFloat32);
    const std::size_t voxels = static_cast<std::size_t>(size[0]) * size[1] * size[2];
    for (std::int64_t b = 0; b < n; ++b) {
      std::copy(patches[static_cast<std::size_t>(b)], patches[static_cast<std::size_t>(b)] + voxels,
                t.data_ptr<float>() + static_cast<std::size_t>(b) * voxels);
    }
    if (manifest.axisOrder == "xyz") {
      t = t.permute({0, 1, 4, 3, 2}).contiguous();
    }
    return t;
  }

  // The activated output, [n][channels][z][y][x], contiguous.
  torch::Tensor run(const torch::Tensor& input, const std::array<int, 3>& size) const {
    torch::Tensor out;
    try {
      const torch::NoGradGuard noGrad;
      out = module.forward({input}).toTensor();
    } catch (const std::exception& e) {
      throw DataError(withContext(
          file, "the model failed on a " + std::to_string(size[0]) + "x" + std::to_string(size[1]) +
                    "x" + std::to_string(size[2]) + " input: " + firstLine(e.what())));
    }
    if (out.dim() != 5 || out.size(1) != manifest.outputChannels()) {
      throw DataError(withContext(
          manifest.file,
          "the manifest's " + std::to_string(manifest.labels.size()) + " labels need " +
              std::to_string(manifest.outputChannels()) + " output channels; the model gives " +
              (out.dim() == 5 ? std::to_string(out.size(1))
                              : "a tensor of " + std::to_string(out.dim()) + " dimensions")));
    }
    if (manifest.axisOrder == "xyz") {
      out = out.permute({0, 1, 4, 3, 2});
    }
    if (out.size(2) != size[2] || out.size(3) != size[1] || out.size(4) != size[0]) {
      throw DataError(withContext(file, "the model's output grid differs from its input's"));
    }
    out = manifest.activation == Activation::Softmax ? torch::softmax(out, 1) : torch::sigmoid(out);
    return out.to(torch::kFloat32).contiguous();
  }

  static std::string firstLine(const std::string& text) { return text.substr(0, text.find('\n')); }
};

ModelRunner::ModelRunner(const std::string& modelPath, const std::string& manifestPath)
    : impl_(std::make_unique<Impl>()) {
  impl_->file = modelPath;
  if (!fs::is_regular_file(modelPath)) {
    throw IoError(withContext(modelPath, "model file does not exist"));
  }
  const std::string manifest =
      manifestPath.empty() ? fs::path(modelPath).replace_extension(".json").string() : manifestPath;
  impl_->manifest = loadManifest(manifest);
  try {
    impl_->module = torch::jit::load(modelPath, torch::kCPU);
  } catch (const std::exception& e) {
    throw DataError(withContext(modelPath, "not a TorchScript model this LibTorch can load (" +
                                               Impl::firstLine(e.what()) + ")"));
  }
  impl_->module.eval();
  // One blank patch through the model: channels in and out as the manifest says.
  const ModelManifest& m = impl_->manifest;
  const std::array<int, 3>& p = m.patchSize;
  torch::Tensor blank = torch::zeros({1, m.inputChannels, p[2], p[1], p[0]}, torch::kFloat32);
  if (m.axisOrder == "xyz") {
    blank = blank.permute({0, 1, 4, 3, 2}).contiguous();
  }
  try {
    impl_->run(blank, p);
  } catch (const DataError& e) {
    throw DataError(withContext(manifest, std::string("disagrees with the model: ") + e.what()));
  }
}

ModelRunner::~ModelRunner() = default;

const ModelManifest& ModelRunner::manifest() const {
  return impl_->manifest;
}

std::vector<VolumeF32> ModelRunner::forward(const VolumeF32& input) const {
  const Index3 d = input.dims();
  const std::array<int, 3> size{d[0], d[1], d[2]};
  const torch::Tensor out = impl_->run(impl_->toTensor({input.data()}, size), size);
  std::vector<VolumeF32> channels;
  const std::size_t voxels = input.size();
  for (std::int64_t c = 0; c < out.size(1); ++c) {
    VolumeF32 v(input.geometry());
    const float* src = out.data_ptr<float>() + static_cast<std::size_t>(c) * voxels;
    std::copy(src, src + voxels, v.data());
    channels.push_back(std::move(v));
  }
  return channels;
}

std::vector<VolumeF32> ModelRunner::predict(const VolumeF32& input, int batch,
                                            ProgressMonitor* progress) const {
  const ModelManifest& m = impl_->manifest;
  const std::array<int, 3>& patch = m.patchSize;
  const Index3 d = input.dims();
  // Pad to at least one patch along every axis with the input's minimum (air / background).
  std::array<int, 3> size{};
  for (std::size_t a = 0; a < 3; ++a) {
    size[a] = std::max(d[static_cast<int>(a)], patch[a]);
  }
  const float background =
      input.empty() ? 0.0f : *std::min_element(input.voxels().begin(), input.voxels().end());
  const auto at = [&size](int i, int j, int k) {
    return (static_cast<std::size_t>(k) * size[1] + j) * size[0] + i;
  };
  std::vector<float> padded(static_cast<std::size_t>(size[0]) * size[1] * size[2], background);
  for (int k = 0; k < d[2]; ++k) {
    for (int j = 0; j < d[1]; ++j) {
      std::copy(&input(0, j, k), &input(0, j, k) + d[0], padded.begin() + at(0, j, k));
    }
  }
  const std::vector<float> weight = gaussianImportance(patch);
  std::vector<std::array<int, 3>> origins;
  for (int z : patchStarts(size[2], patch[2], m.overlap)) {
    for (int y : patchStarts(size[1], patch[1], m.overlap)) {
      for (int x : patchStarts(size[0], patch[0], m.overlap)) {
        origins.push_back({x, y, z});
      }
    }
  }
  const int channels = m.outputChannels();
  const std::size_t patchVoxels = weight.size();
  std::vector<std::vector<float>> sum(static_cast<std::size_t>(channels),
                                      std::vector<float>(padded.size(), 0.0f));
  std::vector<float> weightSum(padded.size(), 0.0f);
  const ProgressScope scope(progress, 0.0, 1.0, "inference");
  batch = std::max(1, batch);
  std::vector<std::vector<float>> buffers;
  for (std::size_t first = 0; first < origins.size(); first += static_cast<std::size_t>(batch)) {
    scope.throwIfCancelled();
    const std::size_t last = std::min(origins.size(), first + static_cast<std::size_t>(batch));
    buffers.assign(last - first, std::vector<float>(patchVoxels));
    std::vector<const float*> pointers;
    for (std::size_t b = first; b < last; ++b) {
      const std::array<int, 3>& o = origins[b];
      float* dst = buffers[b - first].data();
      for (int k = 0; k < patch[2]; ++k) {
        for (int j = 0; j < patch[1]; ++j) {
          const auto row =
              padded.begin() + static_cast<std::ptrdiff_t>(at(o[0], o[1] + j, o[2] + k));
          std::copy(row, row + patch[0], dst);
          dst += patch[0];
        }
      }
      pointers.push_back(buffers[b - first].data());
    }
    const torch::Tensor out = impl_->run(impl_->toTensor(pointers, patch), patch);
    const float* probabilities = out.data_ptr<float>();
    for (std::size_t b = first; b < last; ++b) {
      const std::array<int, 3>& o = origins[b];
      for (int c = 0; c < channels; ++c) {
        const float* src = probabilities + ((b - first) * static_cast<std::size_t>(channels) +
                                            static_cast<std::size_t>(c)) *
                                               patchVoxels;
        std::vector<float>& dst = sum[static_cast<std::size_t>(c)];
        std::size_t n = 0;
        for (int k = 0; k < patch[2]; ++k) {
          for (int j = 0; j < patch[1]; ++j) {
            const std::size_t row = at(o[0], o[1] + j, o[2] + k);
            for (int i = 0; i < patch[0]; ++i, ++n) {
              dst[row + static_cast<std::size_t>(i)] += src[n] * weight[n];
            }
          }
        }
      }
      std::size_t n = 0;
      for (int k = 0; k < patch[2]; ++k) {
        for (int j = 0; j < patch[1]; ++j) {
          const std::size_t row = at(o[0], o[1] + j, o[2] + k);
          for (int i = 0; i < patch[0]; ++i, ++n) {
            weightSum[row + static_cast<std::size_t>(i)] += weight[n];
          }
        }
      }
    }
    scope.step(last, origins.size());
  }
  std::vector<VolumeF32> result;
  for (int c = 0; c < channels; ++c) {
    VolumeF32 v(input.geometry());
    const std::vector<float>& s = sum[static_cast<std::size_t>(c)];
    for (int k = 0; k < d[2]; ++k) {
      for (int j = 0; j < d[1]; ++j) {
        for (int i = 0; i < d[0]; ++i) {
          const std::size_t n = at(i, j, k);
          v(i, j, k) = s[n] / weightSum[n];
        }
      }
    }
    result.push_back(std::move(v));
  }
  return result;
}

void setInferenceThreads(int threads) {
  at::set_num_threads(
      threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

} // namespace beamlet::segmentation
