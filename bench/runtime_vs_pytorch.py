#!/usr/bin/python3
"""Tessera's executor vs Debian's PyTorch, side by side in one run.

Usage: /usr/bin/python3 bench/runtime_vs_pytorch.py TESSERA_BINARY [--threads N]
       [--inferences K] [--warmup W] [--models resnet50,mobilenet_v2,vit_b16] [--batches 1,8]

For each model and batch, alternately (Tessera, PyTorch, Tessera, PyTorch, ... `--rounds`
times), each in its own process so that peak RSS is its own:
  - `tessera run MODEL --random-weights 1 --batch B --threads N --warmup W --inferences K
    --json -` on the zoo model (same architecture as torchvision's), and
  - torchvision's model in eval mode under torch.no_grad(), torch.set_num_threads(N), the same
    input shape, W untimed then K timed inferences, peak RSS from getrusage.
Prints a Markdown table: mean latency of each (the best round's mean, to damp a shared
machine's noise), the ratio Tessera / PyTorch (< 1: Tessera faster) and both peak RSS.
Needs python3-torch and python3-torchvision (Debian).
"""
import argparse
import json
import subprocess
import sys

TORCH_SCRIPT = r"""
import json, resource, sys, time
import torch, torchvision
name, batch, threads, warmup, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
torch.set_num_threads(threads)
torch.manual_seed(0)
builders = {"resnet50": torchvision.models.resnet50, "mobilenet_v2": torchvision.models.mobilenet_v2,
            "vit_b16": torchvision.models.vit_b_16}
model = builders[name]().eval()
x = torch.rand(batch, 3, 224, 224) * 2 - 1
times = []
with torch.no_grad():
    for _ in range(warmup):
        model(x)
    for _ in range(k):
        t = time.perf_counter()
        model(x)
        times.append((time.perf_counter() - t) * 1e3)
print(json.dumps({"mean_ms": sum(times) / len(times),
                  "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def run_tessera(binary, model, batch, threads, warmup, k):
    out = subprocess.run([binary, "run", model, "--random-weights", "1", "--batch", str(batch),
                          "--threads", str(threads), "--warmup", str(warmup), "--inferences",
                          str(k), "--json", "-"], check=True, capture_output=True, text=True)
    doc = json.loads(out.stdout)
    return doc["latency_ms"]["mean"], doc["peak_rss_bytes"]


def run_torch(model, batch, threads, warmup, k):
    out = subprocess.run([sys.executable, "-c", TORCH_SCRIPT, model, str(batch), str(threads),
                          str(warmup), str(k)], check=True, capture_output=True, text=True)
    doc = json.loads(out.stdout.strip().splitlines()[-1])
    return doc["mean_ms"], doc["peak_rss_bytes"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("tessera")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--inferences", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--models", default="resnet50,mobilenet_v2,vit_b16")
    p.add_argument("--batches", default="1,8")
    a = p.parse_args()
    print(f"threads {a.threads}, {a.warmup} warm-up + {a.inferences} timed inferences per "
          f"process, best of {a.rounds} alternating rounds\n")
    print("| model | batch | Tessera mean ms | PyTorch mean ms | ratio Tessera/PyTorch | "
          "Tessera peak RSS MB | PyTorch peak RSS MB |")
    print("|---|---|---|---|---|---|---|")
    for model in a.models.split(","):
        for batch in (int(b) for b in a.batches.split(",")):
            t_best = p_best = float("inf")
            t_rss = p_rss = 0
            for _ in range(a.rounds):
                t, t_rss = run_tessera(a.tessera, model, batch, a.threads, a.warmup, a.inferences)
                q, p_rss = run_torch(model, batch, a.threads, a.warmup, a.inferences)
                t_best, p_best = min(t_best, t), min(p_best, q)
            print(f"| {model} | {batch} | {t_best:.1f} | {p_best:.1f} | {t_best / p_best:.2f} | "
                  f"{t_rss / 1e6:.0f} | {p_rss / 1e6:.0f} |", flush=True)


if __name__ == "__main__":
    main()
