#!/usr/bin/python3
"""Regenerates the graph-only ONNX fixtures in tests/data/onnx/ (not run by the tests).

Needs Debian's PyTorch, torchvision and onnx (run with /usr/bin/python3):
    apt-get install -y --no-install-recommends python3-torch python3-torchvision python3-onnx
    /usr/bin/python3 tests/data/make_onnx_fixtures.py

Each model is exported with torch.onnx (eval mode, constant folding on, so BatchNormalization
is folded into the preceding convolution), with a symbolic batch dimension ("batch"; GPT-2 also
has a symbolic "sequence"), then converted to external data and the .data file is deleted: only
the graph and the weights' metadata (dims, data_type, data_location EXTERNAL) remain, a few KB
per layer. Tensors under 1 KiB (shape constants, small biases) stay inline.

Weights are random (no download): the fixtures only carry structure and shapes. Every parameter
and BatchNorm statistic is drawn at random because torch.onnx deduplicates initializers with equal
values (default-initialised LayerNorm weights are all ones, folded biases all zeros) into one
tensor plus Identity nodes, which would make tied weights out of independent ones.
"""
import math
import os
import sys

import onnx
import onnx.external_data_helper
import torch
import torch.nn as nn
import torchvision

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "onnx")
OPSET = 13


# ------------------------------------------------------------------------------------------------
# GPT-2 written in plain torch.nn, following Hugging Face transformers' modeling_gpt2.py
# (GPT2LMHeadModel, v4.x) line by line where it matters for the exported graph: Conv1D (addmm over
# a 2-D view), split heads by view + permute, the `bias` causal-mask buffer sliced by the key
# length, torch.where with finfo.min, gelu_new written out with tanh, position ids from arange.


class Conv1D(nn.Module):
    """HF's Conv1D: a linear layer with weight [in, out], computed as addmm on a 2-D view."""

    def __init__(self, nf, nx):
        super().__init__()
        self.nf = nf
        self.weight = nn.Parameter(torch.empty(nx, nf).normal_(std=0.02))
        self.bias = nn.Parameter(torch.zeros(nf))

    def forward(self, x):
        size_out = x.size()[:-1] + (self.nf,)
        x = torch.addmm(self.bias, x.view(-1, x.size(-1)), self.weight)
        return x.view(size_out)


class GPT2Attention(nn.Module):
    def __init__(self, n_embd, n_head, n_positions):
        super().__init__()
        self.register_buffer(
            "bias",
            torch.tril(torch.ones((n_positions, n_positions), dtype=torch.bool)).view(
                1, 1, n_positions, n_positions),
            persistent=False)
        self.num_heads = n_head
        self.head_dim = n_embd // n_head
        self.split_size = n_embd
        self.c_attn = Conv1D(3 * n_embd, n_embd)
        self.c_proj = Conv1D(n_embd, n_embd)

    def _attn(self, query, key, value):
        attn_weights = torch.matmul(query, key.transpose(-1, -2))
        attn_weights = attn_weights / torch.full(
            [], value.size(-1)**0.5, dtype=attn_weights.dtype, device=attn_weights.device)
        query_length, key_length = query.size(-2), key.size(-2)
        causal_mask = self.bias[:, :, key_length - query_length:key_length, :key_length]
        mask_value = torch.finfo(attn_weights.dtype).min
        mask_value = torch.full([], mask_value, dtype=attn_weights.dtype,
                                device=attn_weights.device)
        attn_weights = torch.where(causal_mask, attn_weights, mask_value)
        attn_weights = nn.functional.softmax(attn_weights, dim=-1)
        return torch.matmul(attn_weights, value)

    def _split_heads(self, tensor):
        new_shape = tensor.size()[:-1] + (self.num_heads, self.head_dim)
        return tensor.view(new_shape).permute(0, 2, 1, 3)

    def _merge_heads(self, tensor):
        tensor = tensor.permute(0, 2, 1, 3).contiguous()
        new_shape = tensor.size()[:-2] + (self.num_heads * self.head_dim,)
        return tensor.view(new_shape)

    def forward(self, hidden_states):
        query, key, value = self.c_attn(hidden_states).split(self.split_size, dim=2)
        attn_output = self._attn(self._split_heads(query), self._split_heads(key),
                                 self._split_heads(value))
        return self.c_proj(self._merge_heads(attn_output))


class NewGELU(nn.Module):
    def forward(self, x):
        return 0.5 * x * (1.0 + torch.tanh(
            math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class GPT2MLP(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.c_fc = Conv1D(4 * n_embd, n_embd)
        self.c_proj = Conv1D(n_embd, 4 * n_embd)
        self.act = NewGELU()

    def forward(self, x):
        return self.c_proj(self.act(self.c_fc(x)))


class GPT2Block(nn.Module):
    def __init__(self, n_embd, n_head, n_positions):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd, eps=1e-5)
        self.attn = GPT2Attention(n_embd, n_head, n_positions)
        self.ln_2 = nn.LayerNorm(n_embd, eps=1e-5)
        self.mlp = GPT2MLP(n_embd)

    def forward(self, hidden_states):
        hidden_states = hidden_states + self.attn(self.ln_1(hidden_states))
        return hidden_states + self.mlp(self.ln_2(hidden_states))


class GPT2LMHeadModel(nn.Module):
    """GPT-2 small (vocab 50257, 1024 positions, width 768, 12 heads) with `n_layer` blocks.

    The LM head is tied to wte, as in HF. HF's nn.Linear(bias=False) on the 3-D hidden states
    exports as MatMul(h, Transpose(wte)), which constant folding turns into a transposed *copy*
    of wte (38.6M extra parameters in the file). Written here as addmm over the 2-D view (the
    same arithmetic: logits = h @ wte^T + 0), it exports as Gemm(h, wte, transB=1) reading wte
    in place, which is what the zoo's gpt2 builds.
    """

    def __init__(self, n_layer, vocab=50257, n_positions=1024, n_embd=768, n_head=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, n_embd)
        self.wpe = nn.Embedding(n_positions, n_embd)
        self.h = nn.ModuleList([GPT2Block(n_embd, n_head, n_positions) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd, eps=1e-5)
        self.register_buffer("lm_head_zero", torch.zeros(1), persistent=False)

    def forward(self, input_ids):
        input_shape = input_ids.size()
        input_ids = input_ids.view(-1, input_shape[-1])
        position_ids = torch.arange(0, input_shape[-1], dtype=torch.long,
                                    device=input_ids.device)
        position_ids = position_ids.unsqueeze(0).view(-1, input_shape[-1])
        hidden_states = self.wte(input_ids) + self.wpe(position_ids)
        for block in self.h:
            hidden_states = block(hidden_states)
        hidden_states = self.ln_f(hidden_states)
        width = hidden_states.size(-1)
        logits = torch.addmm(self.lm_head_zero, hidden_states.view(-1, width),
                             self.wte.weight.t())
        return logits.view(input_shape + (logits.size(-1),))


# ------------------------------------------------------------------------------------------------


def randomize(model):
    """Distinct random values for every parameter and buffer (see the module docstring)."""
    with torch.no_grad():
        for name, tensor in list(model.named_parameters()) + list(model.named_buffers()):
            if not tensor.is_floating_point() or name == "lm_head_zero":
                continue
            if name.endswith("running_var"):
                tensor.uniform_(0.5, 1.5)
            else:
                tensor.normal_(std=0.02)
    return model


def merge_equal_constants(model):
    """Keeps one Constant node per distinct value (torch emits one per use: ~1200 in GPT-2, most
    of them the same axes and indices), renaming readers to the kept node's output. Keeps the
    GPT-2 fixture under 300 KB; the graph computes the same values."""
    graph = model.graph
    kept = {}
    rename = {}
    nodes = []
    outputs = {o.name for o in graph.output}
    for node in graph.node:
        if (node.op_type == "Constant" and len(node.attribute) == 1 and
                node.attribute[0].name == "value" and node.output[0] not in outputs):
            tensor = onnx.TensorProto()
            tensor.CopyFrom(node.attribute[0].t)
            tensor.name = ""
            key = tensor.SerializeToString()
            if key in kept:
                rename[node.output[0]] = kept[key]
                continue
            kept[key] = node.output[0]
        nodes.append(node)
    for node in nodes:
        for i, name in enumerate(node.input):
            if name in rename:
                node.input[i] = rename[name]
    del graph.node[:]
    graph.node.extend(nodes)
    return model


def graph_only(path):
    """Moves every tensor of 1 KiB or more (initializers and Constant values, such as GPT-2's
    1024x1024 causal mask) to `<name>.data`, then deletes that file."""
    model = merge_equal_constants(onnx.load(path))
    data_name = os.path.basename(path) + ".data"
    onnx.external_data_helper.convert_model_to_external_data(
        model, all_tensors_to_one_file=True, location=data_name, size_threshold=1024,
        convert_attribute=True)
    onnx.save_model(model, path)
    os.remove(os.path.join(os.path.dirname(path), data_name))
    print(f"{path}: {os.path.getsize(path)} bytes")


def export_cnn(name, model):
    randomize(model).eval()
    path = os.path.join(OUT_DIR, name + ".onnx")
    torch.onnx.export(model, torch.randn(1, 3, 224, 224), path, opset_version=OPSET,
                      do_constant_folding=True, input_names=["x"], output_names=["logits"],
                      dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}})
    graph_only(path)


def export_gpt2(name, n_layer):
    model = randomize(GPT2LMHeadModel(n_layer)).eval()
    path = os.path.join(OUT_DIR, name + ".onnx")
    ids = torch.randint(0, 50257, (1, 16), dtype=torch.long)
    with torch.no_grad():
        torch.onnx.export(model, ids, path, opset_version=OPSET, do_constant_folding=True,
                          input_names=["input_ids"], output_names=["logits"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "sequence"},
                                        "logits": {0: "batch", 1: "sequence"}})
    graph_only(path)


class TokenMlp(nn.Module):
    """Two token-wise Linear layers over a [batch, 16, 256] sequence, as transformers use them:
    torch.onnx exports a Linear on a 3-D input as MatMul (plus Add for its bias), so the first,
    bias-free one is a bare MatMul and the second MatMul + Add."""

    def __init__(self):
        super().__init__()
        self.up = nn.Linear(256, 512, bias=False)
        self.act = nn.GELU()
        self.down = nn.Linear(512, 256)

    def forward(self, x):
        return self.down(self.act(self.up(x)))


def export_token_mlp(name):
    model = randomize(TokenMlp()).eval()
    path = os.path.join(OUT_DIR, name + ".onnx")
    torch.onnx.export(model, torch.randn(1, 16, 256), path, opset_version=OPSET,
                      do_constant_folding=True, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
    graph_only(path)


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    torch.manual_seed(0)
    only = set(sys.argv[1:])
    cnns = {
        "resnet18": torchvision.models.resnet18,
        "resnet50": torchvision.models.resnet50,
        "resnet152": torchvision.models.resnet152,
        "mobilenet_v2": torchvision.models.mobilenet_v2,
        "vgg16": torchvision.models.vgg16,
        "alexnet": torchvision.models.alexnet,
    }
    for name, make in cnns.items():
        if not only or name in only:
            export_cnn(name, make(weights=None))
    if not only or "gpt2" in only:
        export_gpt2("gpt2", 12)
    if not only or "token_mlp" in only:
        export_token_mlp("token_mlp")


if __name__ == "__main__":
    main()
