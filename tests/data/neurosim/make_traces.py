#!/usr/bin/python3
"""Synthetic layer traces for DNN+NeuroSim V1.4 runs of VGG8 (CIFAR-10 shapes).

Tessera's CimModel is calibrated against the NeuroSim reports in this folder. NeuroSim's
PyTorch wrapper normally records each layer's quantized weights and input bits while a trained
network classifies an image; these traces are synthetic instead (no dataset or checkpoint is
needed) and written in the same CSV layout (Inference_pytorch/utee/hook.py):

- weight<i>.csv: (Cin*K*K) rows x Cout columns, weights in [-1, 1) on an 8-bit grid;
- input<i>.csv: (Cin*K*K) rows x (positions*8) columns of 0/1, each 8-bit activation as its
  two's-complement bits, sign first (the wrapper's dec2bin).

Layer 1 takes a uniform image in [-1, 1); later layers take ReLU outputs: half zeros, the rest
|N(0, 0.25)|. With these traces NeuroSim reproduces the shared real-data run
(../shared/data/neurosim/vgg8_sram22_adc5_rp128.txt) to 0.02% in energy.

Usage: make_traces.py NETWORK_CSV OUT_DIR [exact] [dense]
  NETWORK_CSV: a NeuroSim network file (NetWork_VGG8.csv, NetWork_ResNet18.csv, ...).
  Without `exact` (how the VGG8 traces were made) a convolution's input table has H*W
  positions and a 1x1 layer one; NeuroSim reads only the first of them. With `exact` every
  layer gets exactly the positions NeuroSim reads (Chip.cpp, ChipCalculatePerformance:
  numInVector = (H-K+1)/S*(W-K+1)/S in integer arithmetic), which 1x1 strided layers (ResNet
  downsamples) need and which keeps ImageNet traces small.
  With `dense`, every layer's activations are uniform in [0, 1) with no zeros (about 2.7x the
  bit density of the default traces' later layers), for the input-density comparison in
  docs/results.md.
Needs Debian's python3-numpy; not used by the build or the tests.
"""
import sys

import numpy as np


def quantize(x, bits):
    step = 1.0 / 2 ** (bits - 1)
    return np.clip(np.round(x / step) * step, -1 + step, 1 - step)


def to_bits(x, bits):
    step = 1.0 / 2 ** (bits - 1)
    value = np.round(x / step)
    base = 2 ** (bits - 1)
    sign = (value < 0).astype(np.int8)
    rest = value + base * sign
    out = [sign]
    for _ in range(bits - 1):
        base //= 2
        bit = (rest >= base).astype(np.int8)
        rest = rest - base * bit
        out.append(bit)
    return out


def main(network_csv, out_dir, exact=False, dense=False):
    rng = np.random.default_rng(0)
    layers = [line.split(",") for line in open(network_csv).read().split()]
    for i, layer in enumerate(layers):
        height, width, channels, kernel, kernel_w, out_channels, _, stride = map(int, layer)
        rows = channels * kernel * kernel
        weights = quantize(rng.normal(0, 0.25, (rows, out_channels)), 8)
        np.savetxt(f"{out_dir}/weight{i}.csv", weights, delimiter=",", fmt="%10.5f")
        positions = height * width if kernel > 1 else 1
        if exact:
            positions = (height - kernel + 1) // stride * (width - kernel_w + 1) // stride
        if dense and i > 0:
            acts = quantize(rng.uniform(0, 1, (positions, rows)), 8)
        elif i == 0:
            acts = quantize(rng.uniform(-1, 1, (positions, rows)), 8)
        else:
            acts = np.abs(rng.normal(0, 0.25, (positions, rows)))
            acts = quantize(acts * (rng.random((positions, rows)) < 0.5), 8)
        table = np.zeros((rows, positions * 8), dtype=np.int8)
        for b, plane in enumerate(to_bits(acts, 8)):
            table[:, b::8] = plane.T
        np.savetxt(f"{out_dir}/input{i}.csv", table, delimiter=",", fmt="%d")


if __name__ == "__main__":
    flags = sys.argv[3:]
    if len(sys.argv) < 3 or any(f not in ("exact", "dense") for f in flags):
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], "exact" in flags, "dense" in flags)
