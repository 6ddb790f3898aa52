"""PyTorch peer for bench/speed.ts's IWAE row: Burda et al.'s one-stochastic-layer model (784-200-200-50 tanh, Bernoulli
decoder) trained on the IWAE bound with k samples per example, Adam (beta2 0.999, epsilon 1e-4), as vaekit's
iwae-paper preset with --objective iwae builds it.

The bound is computed as Burda et al. and vaekit do: encode once, draw k samples of z per example, decode all k * B
rows in one batch, log w = log p(x|z) + log p(z) - log q(z|x), loss = -mean_i logsumexp_s(log w_si) + log k.
Prints one JSON line: training examples/s, the loss, peak RSS, torch's thread count and the BLAS setting.
"""
import argparse
import json
import math
import os
import resource
import struct
import sys
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


class Iwae(nn.Module):
    def __init__(self, d=784, h=200, latent=50):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(d, h), nn.Tanh(), nn.Linear(h, h), nn.Tanh())
        self.mean = nn.Linear(h, latent)
        self.log_var = nn.Linear(h, latent)
        self.dec = nn.Sequential(nn.Linear(latent, h), nn.Tanh(), nn.Linear(h, h), nn.Tanh(), nn.Linear(h, d))

    def loss(self, x, k):
        h = self.enc(x)
        mean, log_var = self.mean(h), self.log_var(h)
        sd = torch.exp(0.5 * log_var)
        eps = torch.randn((k,) + mean.shape)
        z = mean + sd * eps  # [k, B, L]
        logits = self.dec(z)  # [k, B, D]
        log_px = -F.binary_cross_entropy_with_logits(logits, x.expand_as(logits), reduction="none").sum(-1)
        log_pz = -0.5 * (z.pow(2) + math.log(2 * math.pi)).sum(-1)
        log_qz = -0.5 * (eps.pow(2) + log_var + math.log(2 * math.pi)).sum(-1)
        log_w = log_px + log_pz - log_qz  # [k, B]
        return -(torch.logsumexp(log_w, 0) - math.log(k)).mean()


def load_images(path, limit):
    with open(path, "rb") as f:
        _, n, rows, cols = struct.unpack(">IIII", f.read(16))
        n = min(n, limit)
        data = np.frombuffer(f.read(n * rows * cols), dtype=np.uint8)
    return torch.from_numpy(data.reshape(n, rows * cols).astype(np.float32) / 255.0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--images", required=True)
    p.add_argument("--k", type=int, default=50)
    p.add_argument("--batch", type=int, default=20)
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--threads", type=int, default=0)
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    images = load_images(a.images, 60000)
    model = Iwae()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-4)
    n = images.shape[0] // a.batch

    def step(i):
        x = torch.bernoulli(images[(i % n) * a.batch:(i % n + 1) * a.batch])  # dynamic binarization, as vaekit
        opt.zero_grad()
        loss = model.loss(x, a.k)
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
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(),
                      "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""), "mode": "train",
                      "samplesPerSec": a.steps * a.batch / dt, "loss": loss.item(),
                      "maxRssKiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


if __name__ == "__main__":
    sys.exit(main())
