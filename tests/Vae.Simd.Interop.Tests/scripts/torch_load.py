#!/usr/bin/env python3
"""Loads a Vae.Simd safetensors export into the PyTorch example's VAE module (pytorch/examples, vae/main.py)
with load_state_dict(strict=True), and writes its encoder's mean and log variance for some inputs:

    torch_load.py MODEL.safetensors X.npy OUT.npy     (OUT holds [mean | logvar] per row)

It uses safetensors.torch.load_file when the safetensors package is installed, else an equivalent plain
reader (F32 files), so it runs wherever torch and numpy do.
"""
import json
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


class VAE(nn.Module):
    """The example's module, unchanged."""

    def __init__(self):
        super(VAE, self).__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)


def load_file(path):
    try:
        from safetensors.torch import load_file as load
        return load(path)
    except ImportError:
        with open(path, "rb") as f:
            n = struct.unpack("<Q", f.read(8))[0]
            header = json.loads(f.read(n))
            data = f.read()
        header.pop("__metadata__", None)
        return {name: torch.from_numpy(np.frombuffer(data[t["data_offsets"][0]:t["data_offsets"][1]], dtype="<f4").reshape(t["shape"]).copy())
                for name, t in header.items()}


def main():
    model_path, x_path, out_path = sys.argv[1:4]
    model = VAE()
    model.load_state_dict(load_file(model_path))  # strict: every name and shape must match
    x = torch.from_numpy(np.load(x_path).astype(np.float32))
    with torch.no_grad():
        mean, logvar = model.encode(x)
    np.save(out_path, np.concatenate([mean.numpy(), logvar.numpy()], axis=1))


if __name__ == "__main__":
    main()
