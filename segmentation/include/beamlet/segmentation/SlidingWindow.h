#pragma once
// Tiling a volume into overlapping patches for patch-based inference, and the Gaussian weights
// that blend the patches' predictions: voxels near a patch's centre, where a network sees the
// most context, count more than those at its border (the scheme of nnU-Net: Isensee et al., Nature
// Methods 18:203, 2021, doi:10.1038/s41592-020-01008-z; sigma = patch size / 8).

#include <array>
#include <vector>

namespace beamlet::segmentation {

/// Patch start indices along one axis of `size` voxels: the first at 0, the last ending at
/// size - 1, the step at most patch * (1 - overlap) (at least 1). When size <= patch, {0}.
std::vector<int> patchStarts(int size, int patch, double overlap);

/// Gaussian weights of a patch (x fastest), largest 1 (at the centre), sigma = patch / 8 per axis,
/// never below 1e-3 of the centre so that no voxel is left without weight.
std::vector<float> gaussianImportance(const std::array<int, 3>& patch);

} // namespace beamlet::segmentation
