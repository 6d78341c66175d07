#!/usr/bin/python3
"""Generates the TorchScript models and reference outputs test_model_runner checks LibTorch
against (Debian's python3-torch, the same Torch 1.13 as the C++ runtime). Usage:
make_test_models.py OUTDIR

- conv.pt: Conv3d(1->4, 3x3x3, padding 1), ReLU, Conv3d(4->3, 1x1x1), weights from seed 7;
  conv.json its manifest (softmax, labels 1 Brainstem, 2 SpinalCord, patch 16x12x8 = the input).
  input_small.f32: a 16x12x8 volume (x fastest), expected_conv.f32: softmax(conv(input)),
  channel-major, x fastest.
- point.pt: Conv3d(1->3, 1x1x1) (each voxel on its own, so sliding-window blending must give the
  whole-volume answer exactly); point.json (patch 16x12x8, overlap 0.5); input_big.f32: 40x30x20;
  expected_point.f32: softmax(point(input_big)) on the whole volume in one pass.
- threshold.pt: Conv3d(1->3, 1x1x1) with set weights: channel 1 wins where the normalised input is
  above 0.6 (above 200 HU with clip-scale -1000..1000), channel 2 never; threshold.json (3 mm
  grid, patch 16^3, no hole filling): an end-to-end model for the auto-contouring pipeline.
All files little-endian float32.
"""
import json
import math
import os
import sys

import torch


class Conv(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Conv3d(1, 4, 3, padding=1)
        self.b = torch.nn.Conv3d(4, 3, 1)

    def forward(self, x):
        return self.b(torch.relu(self.a(x)))


class Point(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Conv3d(1, 3, 1)

    def forward(self, x):
        return self.a(x)


def volume(nx, ny, nz):
    # [z][y][x], x fastest in memory
    v = torch.empty(nz, ny, nx)
    for k in range(nz):
        for j in range(ny):
            for i in range(nx):
                v[k, j, i] = math.sin(0.3 * i) + 0.5 * math.cos(0.2 * j) + 0.1 * k - 0.2
    return v


def manifest(name, patch, overlap):
    return {
        "format": "beamlet-model", "version": 1, "name": name, "model_version": "test",
        "modality": "CT", "input_channels": 1, "activation": "softmax",
        "labels": [{"value": 1, "name": "Brainstem", "color": [255, 0, 0]},
                   {"value": 2, "name": "SpinalCord", "color": [0, 255, 0]}],
        "spacing_mm": [2.0, 2.0, 3.0], "axis_order": "zyx", "patch_size": patch,
        "overlap": overlap, "normalisation": {"type": "clip-scale", "min": -1000, "max": 1000},
        "trained_on": "nothing: fixed random weights for the runner's reference test"}


def write(path, tensor):
    tensor.contiguous().numpy().astype("<f4").tofile(path)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(7)
    conv = torch.jit.script(Conv().eval())
    point = torch.jit.script(Point().eval())
    conv.save(os.path.join(out, "conv.pt"))
    threshold = Point().eval()
    with torch.no_grad():
        threshold.a.weight.zero_()
        threshold.a.bias.copy_(torch.tensor([0.0, -24.0, -100.0]))
        threshold.a.weight[1, 0, 0, 0, 0] = 40.0
    torch.jit.script(threshold).save(os.path.join(out, "threshold.pt"))
    t = manifest("threshold", [16, 16, 16], 0.5)
    t["spacing_mm"] = [3.0, 3.0, 3.0]
    for label in t["labels"]:
        label["fill_holes"] = False  # a ring stays a ring
    with open(os.path.join(out, "threshold.json"), "w") as f:
        json.dump(t, f, indent=1)
    point.save(os.path.join(out, "point.pt"))
    for name, patch, overlap in (("conv", [16, 12, 8], 0.5), ("point", [16, 12, 8], 0.5)):
        with open(os.path.join(out, name + ".json"), "w") as f:
            json.dump(manifest(name, patch, overlap), f, indent=1)
    small = volume(16, 12, 8)
    big = volume(40, 30, 20)
    write(os.path.join(out, "input_small.f32"), small)
    write(os.path.join(out, "input_big.f32"), big)
    with torch.no_grad():
        write(os.path.join(out, "expected_conv.f32"),
              torch.softmax(conv(small[None, None]), 1)[0])
        write(os.path.join(out, "expected_point.f32"),
              torch.softmax(point(big[None, None]), 1)[0])


if __name__ == "__main__":
    main()
