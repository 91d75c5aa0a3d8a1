#!/usr/bin/env python3
"""The PyTorch example's VAE in plain numpy, written as safetensors the way safetensors' save_file lays it out.

Used by the interop tests (PythonInteropTests) to prove that `vae import` reads a file made by a third party,
and that the imported model's Encode equals this independent forward pass:

    numpy_vae.py OUT_DIR --seed S --dtype F32|F16|BF16|F64 [--x X.npy] [--input 784 --hidden 400 --latent 20]

writes OUT_DIR/model.safetensors (fc1, fc21, fc22, fc3, fc4 with PyTorch's [out, in] weights and PyTorch's
default U(-1/sqrt(fan_in), 1/sqrt(fan_in)) init for weights and biases, no __metadata__, like
save_file(model.state_dict(), ...)), and, given --x (rows of float32 inputs), OUT_DIR/mean.npy and
OUT_DIR/logvar.npy: the encoder's outputs computed in float64 from the stored (dtype-rounded) weights.
"""
import argparse
import json
import os
import struct

import numpy as np

ALIGNMENT = 8  # safetensors pads the header with spaces so the data starts 8-byte aligned


def to_dtype(values, dtype):
    """float32 values -> (bytes as stored, the stored values as float64)."""
    values = values.astype(np.float32)
    if dtype == "F32":
        stored = values
        raw = stored.astype("<f4").tobytes()
    elif dtype == "F64":
        stored = values.astype(np.float64)
        raw = stored.astype("<f8").tobytes()
    elif dtype == "F16":
        stored = values.astype(np.float16)
        raw = stored.astype("<f2").tobytes()
    elif dtype == "BF16":
        bits = values.view(np.uint32).astype(np.uint64)
        # round to nearest even, as torch's float32 -> bfloat16 conversion does
        bits = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
        upper = bits.astype(np.uint16)
        raw = upper.astype("<u2").tobytes()
        stored = (upper.astype(np.uint32) << 16).view(np.float32)
    else:
        raise SystemExit(f"unknown dtype {dtype}")
    return raw, np.asarray(stored, dtype=np.float64)


def save_file(tensors, path, dtype):
    """tensors: {name: float32 array}. Sorted by name (one dtype, so save_file's (alignment, name) order is the name order)."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        raw, _ = to_dtype(tensors[name], dtype)
        header[name] = {"dtype": dtype, "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((ALIGNMENT - len(text) % ALIGNMENT) % ALIGNMENT)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def linear(rng, outputs, inputs):
    bound = 1.0 / np.sqrt(inputs)
    weight = rng.uniform(-bound, bound, size=(outputs, inputs)).astype(np.float32)
    bias = rng.uniform(-bound, bound, size=(outputs,)).astype(np.float32)
    return weight, bias


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dtype", default="F32")
    parser.add_argument("--x")
    parser.add_argument("--input", type=int, default=784)
    parser.add_argument("--hidden", type=int, default=400)
    parser.add_argument("--latent", type=int, default=20)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    d, h, l = args.input, args.hidden, args.latent
    tensors = {}
    for name, (outputs, inputs) in [("fc1", (h, d)), ("fc21", (l, h)), ("fc22", (l, h)), ("fc3", (h, l)), ("fc4", (d, h))]:
        tensors[name + ".weight"], tensors[name + ".bias"] = linear(rng, outputs, inputs)
    os.makedirs(args.out_dir, exist_ok=True)
    save_file(tensors, os.path.join(args.out_dir, "model.safetensors"), args.dtype)

    if args.x:
        stored = {name: to_dtype(value, args.dtype)[1] for name, value in tensors.items()}
        x = np.load(args.x).astype(np.float64)
        hidden = np.maximum(0.0, x @ stored["fc1.weight"].T + stored["fc1.bias"])  # the example's F.relu(self.fc1(x))
        mean = hidden @ stored["fc21.weight"].T + stored["fc21.bias"]
        logvar = hidden @ stored["fc22.weight"].T + stored["fc22.bias"]
        np.save(os.path.join(args.out_dir, "mean.npy"), mean)
        np.save(os.path.join(args.out_dir, "logvar.npy"), logvar)


if __name__ == "__main__":
    main()
