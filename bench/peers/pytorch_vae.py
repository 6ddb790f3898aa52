"""PyTorch peer for bench/speed.ts: the pytorch/examples VAE (784-400-20, BCE summed + KL, Adam 1e-3) on MNIST.

Prints one JSON line: training samples/s at --batch for --steps steps (after warm-up), forward-only samples/s at
batch 1000, and peak RSS. Run by the benchmark in a child process, with and without OPENBLAS_CORETYPE.
"""
import argparse
import json
import os
import resource
import struct
import sys
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


class VAE(nn.Module):
    """pytorch/examples vae/main.py, unchanged."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def load_images(path, limit):
    with open(path, "rb") as f:
        magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
        n = min(n, limit)
        data = np.frombuffer(f.read(n * rows * cols), dtype=np.uint8)
    return torch.from_numpy(data.reshape(n, rows * cols).astype(np.float32) / 255.0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--images", required=True)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--forward-batch", type=int, default=1000)
    p.add_argument("--forward-steps", type=int, default=50)
    p.add_argument("--forward-warmup", type=int, default=20)
    p.add_argument("--mode", choices=["train", "forward"], default="train")
    a = p.parse_args()
    torch.manual_seed(1)
    data = load_images(a.images, 60000)
    model = VAE()
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(),
           "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", "")}
    if a.mode == "train":
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        model.train()
        n = data.shape[0] // a.batch

        def step(i):
            x = data[(i % n) * a.batch:(i % n + 1) * a.batch]
            opt.zero_grad()
            recon, mu, logvar = model(x)
            loss = loss_function(recon, x, mu, logvar)
            loss.backward()
            opt.step()
            return loss

        for i in range(a.warmup):
            step(i)
        t0 = time.perf_counter()
        for i in range(a.steps):
            loss = step(a.warmup + i)
        loss.item()
        dt = time.perf_counter() - t0
        out.update(mode="train", samplesPerSec=a.steps * a.batch / dt, msPerStep=dt / a.steps * 1000,
                   loss=loss.item() / a.batch)
    else:
        model.eval()
        x = data[: a.forward_batch]
        with torch.no_grad():
            for _ in range(a.forward_warmup):
                model(x)
            t0 = time.perf_counter()
            for _ in range(a.forward_steps):
                model(x)[0].sum().item()
            dt = time.perf_counter() - t0
        out.update(mode="forward", samplesPerSec=a.forward_steps * a.forward_batch / dt)
    out["maxRssKiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
