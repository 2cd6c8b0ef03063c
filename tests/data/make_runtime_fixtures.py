#!/usr/bin/python3
"""Regenerates the executor's PyTorch fixtures in tests/data/runtime/ (not run by the tests).

Needs Debian's PyTorch, onnx and numpy (run with /usr/bin/python3):
    apt-get install -y --no-install-recommends python3-torch python3-onnx python3-numpy
    /usr/bin/python3 tests/data/make_runtime_fixtures.py

Writes, for each small model with its weights (all seeded, under 2 MB in all):
    NAME.onnx          the model with weights inline
    NAME.input.npy     a seeded input
    NAME.output.npy    PyTorch's output for that input (eval mode, float32)

Models:
    dwse_cnn       a MobileNetV3-style CNN: depthwise convolutions (one dilated), squeeze-excite
                   blocks (GlobalAveragePool, 1x1 convolutions, HardSigmoid, Mul), HardSwish,
                   ReLU6, BatchNormalization kept as nodes (exported with TrainingMode.PRESERVE
                   in eval mode and no constant folding, so the executor folds them), a Linear
    resnet_mini    a residual CNN (7x7 stem, MaxPool, basic blocks with a strided 1x1
                   downsample, BatchNormalization nodes, GlobalAveragePool, Linear), batch 2
    gpt_mini       a 2-layer GPT-2 written as Hugging Face's modeling_gpt2 writes it (Conv1D as
                   addmm, fused qkv split, heads by view/permute, causal mask by Where on a
                   sliced bool buffer, MatMul/Softmax attention, gelu_new with Pow and Tanh,
                   tied LM head), opset 13: LayerNorm exports as ReduceMean/Sub/Pow/Sqrt/Div
    gpt_mini_ln17  the same with nn.GELU (erf) and opset 17 (LayerNormalization nodes)
"""
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "runtime")


def randomize_bn(model, generator):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            m.weight.data = torch.rand(c, generator=generator) + 0.5
            m.bias.data = torch.randn(c, generator=generator) * 0.1
            m.running_mean.data = torch.randn(c, generator=generator) * 0.1
            m.running_var.data = torch.rand(c, generator=generator) + 0.5


class SqueezeExcite(nn.Module):
    def __init__(self, c, reduced):
        super().__init__()
        self.fc1 = nn.Conv2d(c, reduced, 1)
        self.fc2 = nn.Conv2d(reduced, c, 1)

    def forward(self, x):
        w = F.adaptive_avg_pool2d(x, 1)
        w = F.relu(self.fc1(w))
        return x * F.hardsigmoid(self.fc2(w))


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand, dilation=1):
        super().__init__()
        mid = cin * expand
        self.expand = nn.Sequential(nn.Conv2d(cin, mid, 1, bias=False), nn.BatchNorm2d(mid),
                                    nn.Hardswish())
        self.depthwise = nn.Sequential(
            nn.Conv2d(mid, mid, 3, stride, padding=dilation, dilation=dilation, groups=mid,
                      bias=False), nn.BatchNorm2d(mid), nn.ReLU6())
        self.se = SqueezeExcite(mid, max(8, mid // 4))
        self.project = nn.Sequential(nn.Conv2d(mid, cout, 1, bias=False), nn.BatchNorm2d(cout))
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.project(self.se(self.depthwise(self.expand(x))))
        return x + y if self.residual else y


class DwSeCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16),
                                  nn.ReLU())
        self.blocks = nn.Sequential(InvertedResidual(16, 16, 1, 2), InvertedResidual(16, 24, 2, 3),
                                    InvertedResidual(24, 24, 1, 3, dilation=2))
        self.head = nn.Sequential(nn.Conv2d(24, 64, 1), nn.Hardswish())
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.head(self.blocks(self.stem(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                      nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.down is None else self.down(x)))


class ResnetMini(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 7, 2, 3, bias=False), nn.BatchNorm2d(16),
                                  nn.ReLU(), nn.MaxPool2d(3, 2, 1))
        self.layers = nn.Sequential(BasicBlock(16, 16, 1), BasicBlock(16, 32, 2),
                                    BasicBlock(32, 32, 1))
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = self.layers(self.stem(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class Conv1D(nn.Module):
    """Hugging Face's GPT-2 linear layer: weight [in, out], y = addmm(b, x2d, w)."""

    def __init__(self, nf, nx):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(nx, nf) * 0.02)
        self.bias = nn.Parameter(torch.randn(nf) * 0.02)
        self.nf = nf

    def forward(self, x):
        size_out = x.size()[:-1] + (self.nf,)
        x = torch.addmm(self.bias, x.view(-1, x.size(-1)), self.weight)
        return x.view(size_out)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Attention(nn.Module):
    def __init__(self, d, heads, ctx):
        super().__init__()
        self.register_buffer("bias", torch.tril(torch.ones((ctx, ctx), dtype=torch.bool)).view(
            1, 1, ctx, ctx))
        self.heads, self.split_size = heads, d
        self.c_attn = Conv1D(3 * d, d)
        self.c_proj = Conv1D(d, d)

    def split_heads(self, x):
        x = x.view(x.size()[:-1] + (self.heads, x.size(-1) // self.heads))
        return x.permute(0, 2, 1, 3)

    def forward(self, x):
        q, k, v = self.c_attn(x).split(self.split_size, dim=2)
        q, k, v = self.split_heads(q), self.split_heads(k), self.split_heads(v)
        w = torch.matmul(q, k.transpose(-1, -2)) / torch.tensor(v.size(-1) ** 0.5)
        n, m = q.size(-2), k.size(-2)
        mask = self.bias[:, :, m - n:m, :m]
        w = torch.where(mask, w, torch.tensor(torch.finfo(w.dtype).min))
        a = torch.matmul(F.softmax(w, dim=-1), v)
        a = a.permute(0, 2, 1, 3).contiguous()
        return self.c_proj(a.view(a.size()[:-2] + (a.size(-2) * a.size(-1),)))


class Block(nn.Module):
    def __init__(self, d, heads, ctx, erf_gelu):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d)
        self.attn = Attention(d, heads, ctx)
        self.ln_2 = nn.LayerNorm(d)
        self.c_fc = Conv1D(4 * d, d)
        self.c_proj = Conv1D(d, 4 * d)
        self.act = nn.GELU() if erf_gelu else gelu_new

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.c_proj(self.act(self.c_fc(self.ln_2(x))))


class GptMini(nn.Module):
    def __init__(self, vocab=128, ctx=16, d=64, heads=4, layers=2, erf_gelu=False):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(ctx, d)
        self.h = nn.ModuleList([Block(d, heads, ctx, erf_gelu) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d)

    def forward(self, ids):
        pos = torch.arange(0, ids.size(-1), dtype=torch.long).unsqueeze(0)
        x = self.wte(ids) + self.wpe(pos)
        for block in self.h:
            x = block(x)
        x = self.ln_f(x)
        return torch.matmul(x, self.wte.weight.t())  # tied LM head


def randomize_ln(model, generator):
    for m in model.modules():
        if isinstance(m, nn.LayerNorm):
            m.weight.data = torch.rand(m.weight.shape, generator=generator) + 0.5
            m.bias.data = torch.randn(m.bias.shape, generator=generator) * 0.1


def export(name, model, x, opset, keep_bn):
    model.eval()
    with torch.no_grad():
        y = model(x)
    path = os.path.join(OUT_DIR, name + ".onnx")
    kwargs = {}
    if keep_bn:
        kwargs = {"training": torch.onnx.TrainingMode.PRESERVE, "do_constant_folding": False}
    torch.onnx.export(model, (x,), path, input_names=["input"], output_names=["output"],
                      opset_version=opset, **kwargs)
    np.save(os.path.join(OUT_DIR, name + ".input.npy"), x.numpy())
    np.save(os.path.join(OUT_DIR, name + ".output.npy"), y.numpy().astype(np.float32))
    print(f"{name}: {os.path.getsize(path)} bytes, output {tuple(y.shape)}")


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)

    cnn = DwSeCnn()
    randomize_bn(cnn, g)
    export("dwse_cnn", cnn, torch.randn(1, 3, 32, 32, generator=g), 13, keep_bn=True)

    res = ResnetMini()
    randomize_bn(res, g)
    export("resnet_mini", res, torch.randn(2, 3, 64, 64, generator=g), 13, keep_bn=True)

    for name, opset, erf in (("gpt_mini", 13, False), ("gpt_mini_ln17", 17, True)):
        torch.manual_seed(2)
        gpt = GptMini(erf_gelu=erf)
        randomize_ln(gpt, g)
        ids = torch.randint(0, 128, (1, 16), generator=g)
        export(name, gpt, ids, opset, keep_bn=False)


if __name__ == "__main__":
    main()
