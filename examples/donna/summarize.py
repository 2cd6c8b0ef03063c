#!/usr/bin/env python3
"""Turns the plans examples/donna/run.sh wrote into the Markdown tables of docs/results.md
("DONNA's experiments"). Usage: summarize.py OUTPUT_DIR (prints Markdown to stdout)."""
import csv
import json
import sys
from pathlib import Path

MODELS = ["vgg8", "resnet152"]
CLUSTERS = ["donna-cpu", "donna-gpu", "donna-cim", "donna-hetero"]
ALPHAS = ["1", "0.75", "0.5", "0.25", "0"]


def seconds(s):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if s >= scale:
            return f"{s / scale:.3g} {unit}"
    return f"{s / 1e-9:.3g} ns"


def joules(j):
    for unit, scale in (("J", 1.0), ("mJ", 1e-3), ("µJ", 1e-6)):
        if j >= scale:
            return f"{j / scale:.3g} {unit}"
    return f"{j / 1e-9:.3g} nJ"


def pct(new, ref):
    return f"{(new / ref - 1.0) * 100.0:+.1f}%"


def load(out, name):
    return json.loads((out / name).read_text())


def stages(plan):
    return " → ".join(
        f"{s['device']}[{s['first_layer']}-{s['last_layer']}]" for s in plan["stages"])


def per_device_energy(metrics):
    used = metrics["energy_per_device_j"]
    return sum(used.values()) / len(used)


def check(out):
    """Properties any correct run has; a violation fails run.sh (and the ctest example_donna)."""
    problems = []
    for model in MODELS:
        for cluster in CLUSTERS:
            prev = None
            for alpha in ALPHAS:  # alpha decreasing: the period cannot fall, the energy cannot rise
                m = load(out, f"alpha-{model}-{cluster}-{alpha}.json")["metrics"]
                if prev and (m["period_s"] < prev["period_s"] * (1 - 1e-9) or
                             m["energy_per_inference_j"] > prev["energy_per_inference_j"] *
                             (1 + 1e-9)):
                    problems.append(f"{model} on {cluster}: alpha {alpha} is not between its "
                                    "neighbours on the front")
                prev = m
        # donna-hetero holds donna-cim's four chips on the same switch: it is at least as fast.
        het = load(out, f"plan-{model}-donna-hetero.json")["metrics"]["period_s"]
        cim = load(out, f"plan-{model}-donna-cim.json")["metrics"]["period_s"]
        if het > cim * (1 + 1e-9):
            problems.append(f"{model}: donna-hetero ({het} s) slower than donna-cim ({cim} s)")
    return problems


def main():
    out = Path(sys.argv[1])
    problems = check(out)
    for p in problems:
        print(f"summarize.py: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print("### Clusters (throughput-optimal plans)\n")
    print("| model | cluster | period | throughput/s | latency | energy/inference "
          "| devices used | stages |")
    print("|---|---|---|---|---|---|---|---|")
    for model in MODELS:
        for cluster in CLUSTERS:
            p = load(out, f"plan-{model}-{cluster}.json")
            m = p["metrics"]
            print(f"| {model} | {cluster} | {seconds(m['period_s'])} | "
                  f"{m['throughput_per_s']:.1f} | {seconds(m['latency_s'])} | "
                  f"{joules(m['energy_per_inference_j'])} | {m['devices_used']} | {stages(p)} |")

    print("\n### Alpha sweep (weighted objective; change relative to alpha = 1)\n")
    print("| model | cluster | alpha | period (slowest stage) | Δ period | energy/inference "
          "| Δ energy | devices used |")
    print("|---|---|---|---|---|---|---|---|")
    for model in MODELS:
        for cluster in CLUSTERS:
            ref = load(out, f"alpha-{model}-{cluster}-1.json")["metrics"]
            for alpha in ALPHAS:
                m = load(out, f"alpha-{model}-{cluster}-{alpha}.json")["metrics"]
                print(f"| {model} | {cluster} | {alpha} | {seconds(m['period_s'])} | "
                      f"{pct(m['period_s'], ref['period_s'])} | "
                      f"{joules(m['energy_per_inference_j'])} | "
                      f"{pct(m['energy_per_inference_j'], ref['energy_per_inference_j'])} | "
                      f"{m['devices_used']} |")

    print("\n### Clusters vs one GPU (one Xavier NX running the whole model)\n")
    print("| model | cluster | period | speed-up | energy/inference | GPU energy ÷ cluster energy "
          "| mean energy per used device | GPU ÷ cluster, per device |")
    print("|---|---|---|---|---|---|---|---|")
    for model in MODELS:
        gpu = load(out, f"plan-{model}-donna-gpu.json")["baselines"][0]["metrics"]
        print(f"| {model} | one Xavier NX | {seconds(gpu['period_s'])} | 1.00× | "
              f"{joules(gpu['energy_per_inference_j'])} | 1.00× | "
              f"{joules(per_device_energy(gpu))} | 1.00× |")
        for cluster in CLUSTERS:
            m = load(out, f"plan-{model}-{cluster}.json")["metrics"]
            print(f"| {model} | {cluster} | {seconds(m['period_s'])} | "
                  f"{gpu['period_s'] / m['period_s']:.2f}× | "
                  f"{joules(m['energy_per_inference_j'])} | "
                  f"{gpu['energy_per_inference_j'] / m['energy_per_inference_j']:.2f}× | "
                  f"{joules(per_device_energy(m))} | "
                  f"{per_device_energy(gpu) / per_device_energy(m):.2f}× |")

    for suffix, title in (("", "chips pipeline their layers"),
                          ("-layer-by-layer", "layer by layer, params.pipeline: 0")):
        print(f"\n### Pareto fronts of the CIM cluster (donna-cim, {title})\n")
        print("| model | # | period | throughput/s | energy/inference | latency | devices | stages |")
        print("|---|---|---|---|---|---|---|---|")
        for model in MODELS:
            with open(out / f"pareto-{model}-donna-cim{suffix}.csv", newline="") as f:
                for i, row in enumerate(csv.DictReader(f)):
                    print(f"| {model} | {i} | {seconds(float(row['period_s']))} | "
                          f"{float(row['throughput_per_s']):.1f} | "
                          f"{joules(float(row['energy_per_inference_j']))} | "
                          f"{seconds(float(row['latency_s']))} | {row['devices_used']} | "
                          f"{row['stages'].replace('->', '→')} |")

if __name__ == "__main__":
    main()
