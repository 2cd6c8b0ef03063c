#!/usr/bin/python3
"""NeuroSim network files (NetWork_<name>.csv) for Tessera zoo models, in the zoo's layer order.

DNN+NeuroSim V1.4 describes a network as one line per weight layer:
    IFM height, IFM width, input channels, kernel height, kernel width, output channels,
    followed by pooling (0/1), stride
(Inference_pytorch/NeuroSIM/NetWork_*.csv). This script builds the network with Debian's
PyTorch/torchvision, records every Conv2d and Linear in call order with forward hooks (the
order of Tessera's layer chain for these models) and writes those lines. The pooling flag
follows NeuroSim's own NetWork_ResNet18.csv: 1 on the stem convolution a max pool follows and
on the last convolution before the global average pool. For resnet18 the output equals
NeuroSim's NetWork_ResNet18.csv line for line.

Usage: /usr/bin/python3 make_network_csv.py {resnet18,resnet50,resnet20} OUT.csv
Not used by the build or the tests.
"""
import sys

import torch
import torch.nn as nn
import torchvision


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.downsample = nn.Conv2d(cin, cout, 1, stride, bias=False) if stride != 1 or cin != cout else None

    def forward(self, x):
        y = self.conv2(torch.relu(self.conv1(x)))
        return torch.relu(y + (self.downsample(x) if self.downsample is not None else x))


class ResNet20(nn.Module):
    """Tessera's zoo resnet20 (src/graph/zoo.cpp, build_resnet20; ODiMO's CIFAR-10 ResNet-20)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        blocks, cin = [], 16
        for stage, planes in enumerate((16, 32, 64)):
            for j in range(3):
                blocks.append(BasicBlock(cin, planes, 2 if stage > 0 and j == 0 else 1))
                cin = planes
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.blocks(torch.relu(self.conv1(x)))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def main(name, out):
    if name == "resnet20":
        model, size = ResNet20(), 32
    else:
        model, size = getattr(torchvision.models, name)(weights=None), 224
    rows = []

    def hook(module, inputs, output):
        x = inputs[0]
        if isinstance(module, nn.Conv2d):
            rows.append([x.shape[2], x.shape[3], module.in_channels, module.kernel_size[0],
                         module.kernel_size[1], module.out_channels, 0, module.stride[0]])
        else:
            rows.append([1, 1, module.in_features, 1, 1, module.out_features, 0, 1])

    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            m.register_forward_hook(hook)
    with torch.no_grad():
        model.eval()(torch.zeros(1, 3, size, size))
    if name != "resnet20":
        rows[0][6] = 1  # stem convolution, then max pool
    last_conv = max(i for i, r in enumerate(rows) if r[3] > 1 or r[0] > 1)
    rows[last_conv][6] = 1  # then the global average pool
    with open(out, "w") as f:
        for r in rows:
            f.write(",".join(str(v) for v in r) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
