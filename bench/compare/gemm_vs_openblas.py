#!/usr/bin/env python3
"""GEMM GFLOP/s of `vae bench gemm` against OpenBLAS (through numpy) on the same shapes, in one run.

The two engines alternate shape by shape and round by round, so a noisy shared host disturbs both alike;
the table gives each side's median over the rounds and the ratio of medians. numpy's BLAS thread count is
fixed before numpy is imported (OPENBLAS_NUM_THREADS), so run once per thread count:

    /usr/bin/python3 bench/compare/gemm_vs_openblas.py --vae path/to/vae --threads 1 --rounds 5

Shapes are M x K x N of op(A)·op(B) as `vae bench gemm --shape` takes them; NT means A·Bᵀ, TN means Aᵀ·B.
Only numpy is needed (Debian: apt-get install python3-numpy, which brings OpenBLAS).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

SHAPES = ["128x400x40", "128x784x400", "128x400x784", "784x128x400", "128x40x400", "128x20x400"]


def numpy_gflops(np, m, k, n, trans, reps):
    a = np.random.default_rng(1).uniform(-1, 1, (k, m) if trans[0] == "T" else (m, k)).astype(np.float32)
    b = np.random.default_rng(2).uniform(-1, 1, (n, k) if trans[1] == "T" else (k, n)).astype(np.float32)
    opa = a.T if trans[0] == "T" else a
    opb = b.T if trans[1] == "T" else b
    c = np.empty((m, n), dtype=np.float32)
    flops = 2.0 * m * n * k
    inner = max(1, min(10000, int(2e7 / flops)))
    start = time.perf_counter()
    while time.perf_counter() - start < 0.3:  # warm-up, as vae bench gemm does
        np.matmul(opa, opb, out=c)
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        for _ in range(inner):
            np.matmul(opa, opb, out=c)
        times.append((time.perf_counter() - t) / inner)
    return flops / statistics.median(times) / 1e9


def vae_gflops(vae, shape, trans, threads, reps):
    out = subprocess.run([vae, "bench", "gemm", "--shape", shape, "--trans", trans, "--threads", str(threads), "--reps", str(reps), "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["gflops"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vae", default="vae", help="the vae executable")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--trans", default="NN,NT,TN")
    args = parser.parse_args()
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    import numpy as np

    print(f"threads {args.threads}, {args.rounds} rounds, engines alternating; GFLOP/s medians")
    print("| shape | trans | vae | OpenBLAS | vae / OpenBLAS |")
    print("| --- | --- | --- | --- | --- |")
    for shape in args.shapes.split(","):
        m, k, n = (int(v) for v in shape.split("x"))
        for trans in args.trans.split(","):
            ours, theirs = [], []
            for r in range(args.rounds):
                if r % 2 == 0:
                    ours.append(vae_gflops(args.vae, shape, trans, args.threads, args.reps))
                    theirs.append(numpy_gflops(np, m, k, n, trans, args.reps))
                else:
                    theirs.append(numpy_gflops(np, m, k, n, trans, args.reps))
                    ours.append(vae_gflops(args.vae, shape, trans, args.threads, args.reps))
            o, t = statistics.median(ours), statistics.median(theirs)
            print(f"| {shape} | {trans} | {o:.1f} | {t:.1f} | {o / t:.2f} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
