#!/usr/bin/env python3
"""The PyTorch reference for `vae bench compare`: the model every PyTorch user knows (784-400-20, ReLU,
Bernoulli decoder on intensities in [0, 1], analytic KL, Adam 1e-3, batch 128), trained on the IDX files
that `vae` itself fetched and verified, so both engines see the same bytes.

Prints one JSON object per epoch and a final summary line, all on stdout:
  {"engine": "pytorch", "epoch": 1, "images_per_sec": ..., "seconds": ..., "train_elbo": ...}
  {"engine": "pytorch", "summary": true, "test_elbo": ..., "images_per_sec_median": ..., "peak_rss_mb": ...}

ELBO figures are per example in nats (the negative of the example's loss divided by the count), the test
ELBO with one sample of z per example, as `vae eval` reports it. Only numpy and torch are needed.
"""
import argparse
import gzip
import json
import os
import resource
import statistics
import struct
import sys
import time


def read_idx(folder, name):
    """Reads an IDX file (raw or .gz) and returns (shape, bytes); refuses anything malformed."""
    for candidate in (os.path.join(folder, name), os.path.join(folder, name + ".gz")):
        if os.path.exists(candidate):
            opener = gzip.open if candidate.endswith(".gz") else open
            with opener(candidate, "rb") as f:
                data = f.read()
            break
    else:
        sys.exit(f"pytorch_vae.py: {name}(.gz) not found in {folder}")
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        sys.exit(f"pytorch_vae.py: {name} is not an unsigned-byte IDX file")
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    body = data[4 + 4 * dims:]
    count = 1
    for d in shape:
        count *= d
    if len(body) != count:
        sys.exit(f"pytorch_vae.py: {name} holds {len(body)} bytes of data, its header says {count}")
    return shape, body


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="folder with train-images-idx3-ubyte(.gz) and t10k-images-idx3-ubyte(.gz)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--hidden", type=int, default=400)
    parser.add_argument("--latent", type=int, default=20)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=int, default=0, help="train on the first N examples only (0: all)")
    args = parser.parse_args()

    import numpy as np
    import torch
    from torch import nn
    from torch.nn import functional as F

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    def images(name):
        shape, body = read_idx(args.data, name)
        array = np.frombuffer(body, dtype=np.uint8).reshape(shape[0], -1).astype(np.float32) / 255.0
        return torch.from_numpy(array)

    train = images("train-images-idx3-ubyte")
    test = images("t10k-images-idx3-ubyte")
    if args.limit > 0:
        train = train[: args.limit]
    features = train.shape[1]

    class VAE(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(features, args.hidden)
            self.fc21 = nn.Linear(args.hidden, args.latent)
            self.fc22 = nn.Linear(args.hidden, args.latent)
            self.fc3 = nn.Linear(args.latent, args.hidden)
            self.fc4 = nn.Linear(args.hidden, features)

        def forward(self, x):
            h = F.relu(self.fc1(x))
            mu, logvar = self.fc21(h), self.fc22(h)
            z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
            return self.fc4(F.relu(self.fc3(z))), mu, logvar

    def negative_elbo(logits, x, mu, logvar):
        reconstruction = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return reconstruction + kl

    model = VAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    rates = []
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(train.shape[0])
        total = 0.0
        start = time.perf_counter()
        for first in range(0, train.shape[0], args.batch):
            x = train[order[first:first + args.batch]]
            optimizer.zero_grad(set_to_none=True)
            logits, mu, logvar = model(x)
            loss = negative_elbo(logits, x, mu, logvar)
            loss.backward()
            optimizer.step()
            total += loss.item()
        seconds = time.perf_counter() - start
        rates.append(train.shape[0] / seconds)
        print(json.dumps({"engine": "pytorch", "epoch": epoch, "images_per_sec": round(rates[-1], 1),
                          "seconds": round(seconds, 3), "train_elbo": -total / train.shape[0]}), flush=True)

    model.eval()
    with torch.no_grad():
        total = 0.0
        for first in range(0, test.shape[0], 500):
            x = test[first:first + 500]
            logits, mu, logvar = model(x)
            total += negative_elbo(logits, x, mu, logvar).item()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports KiB
    print(json.dumps({"engine": "pytorch", "summary": True, "torch": torch.__version__, "threads": args.threads,
                      "test_elbo": -total / test.shape[0], "images_per_sec_median": round(statistics.median(rates), 1),
                      "peak_rss_mb": round(peak_mb, 1)}), flush=True)


if __name__ == "__main__":
    main()
