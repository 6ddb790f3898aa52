"""PyTorch peer for bench/speed.ts's conv rows: the same conv VAEs vaekit builds, trained and run forward on one CPU.

Models (NCHW here; vaekit is NHWC with TensorFlow 'same' padding, which for stride 2 on even sizes pads one pixel at
the end where PyTorch's padding=1 pads one at each side: the same shapes and the same FLOPs):
  keras     keras.io's VAE on 28x28x1: conv 32, 64 (3x3, stride 2, ReLU), dense 16, latent 2; decoder dense 7x7x64
            (ReLU), transposed conv 64, 32 (3x3, stride 2, ReLU), then a 3x3 stride-1 transposed conv to 1 channel.
  vanilla64 PyTorch-VAE's VanillaVAE shape on 64x64x1 as vaekit's dsprites-conv-vae preset builds it: conv 32-64-128-
            256-512 (3x3, stride 2, BatchNorm, LeakyReLU 0.01), latent 10; decoder dense to 2x2x512, transposed convs
            256, 128, 64, 32, 32 (3x3, stride 2, BatchNorm, LeakyReLU), then a 3x3 stride-1 transposed conv to 1 channel.
Loss: Bernoulli (BCE with logits, summed over pixels) + analytic KL, Adam 1e-3.

Prints one JSON line: samples/s, peak RSS, torch's thread count and the BLAS environment. Data: MNIST's images for
keras (--images), seeded random binary images for vanilla64 (the speed does not depend on the pixel values).
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


def encoder_convs(channels, filters, batch_norm, act):
    layers = []
    for f in filters:
        layers.append(nn.Conv2d(channels, f, 3, stride=2, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(f))
        layers.append(act())
        channels = f
    return nn.Sequential(*layers), channels


def decoder_convs(channels, filters, batch_norm, act):
    layers = []
    for f in filters:
        layers.append(nn.ConvTranspose2d(channels, f, 3, stride=2, padding=1, output_padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(f))
        layers.append(act())
        channels = f
    return nn.Sequential(*layers), channels


class ConvVae(nn.Module):
    def __init__(self, size, channels, enc_filters, dec_filters, hidden, dec_hidden, latent, batch_norm, act, first_channels=None):
        super().__init__()
        self.size, self.channels = size, channels
        self.convs, c = encoder_convs(channels, enc_filters, batch_norm, act)
        s = size // 2 ** len(enc_filters)
        flat = c * s * s
        fc = []
        for h in hidden:
            fc += [nn.Linear(flat, h), act()]
            flat = h
        self.fc = nn.Sequential(*fc)
        self.mean = nn.Linear(flat, latent)
        self.log_var = nn.Linear(flat, latent)
        self.first = (first_channels or dec_filters[0], size // 2 ** len(dec_filters), size // 2 ** len(dec_filters))
        dec_fc = []
        d_in = latent
        for h in dec_hidden:
            dec_fc += [nn.Linear(d_in, h), act()]
            d_in = h
        dec_fc += [nn.Linear(d_in, int(np.prod(self.first))), act()]
        self.dec_fc = nn.Sequential(*dec_fc)
        self.deconvs, c = decoder_convs(self.first[0], dec_filters, batch_norm, act)
        self.out = nn.ConvTranspose2d(c, channels, 3, stride=1, padding=1)

    def encode(self, x):
        h = self.fc(torch.flatten(self.convs(x), 1))
        return self.mean(h), self.log_var(h)

    def decode(self, z):
        h = self.dec_fc(z).view(-1, *self.first)
        return self.out(self.deconvs(h))

    def forward(self, x):
        mean, log_var = self.encode(x)
        z = mean + torch.randn_like(mean) * torch.exp(0.5 * log_var)
        return self.decode(z), mean, log_var


MODELS = {
    "keras": dict(size=28, channels=1, enc_filters=[32, 64], dec_filters=[64, 32], hidden=[16], dec_hidden=[], latent=2,
                  batch_norm=False, act=nn.ReLU),
    "vanilla64": dict(size=64, channels=1, enc_filters=[32, 64, 128, 256, 512], dec_filters=[256, 128, 64, 32, 32],
                      first_channels=512, hidden=[], dec_hidden=[], latent=10, batch_norm=True, act=lambda: nn.LeakyReLU(0.01)),
}


def loss_function(logits, x, mean, log_var):
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    kl = -0.5 * torch.sum(1 + log_var - mean.pow(2) - log_var.exp())
    return (rec + kl) / x.shape[0]


def load_data(model, images, n):
    spec = MODELS[model]
    if model == "keras":
        with open(images, "rb") as f:
            _, count, rows, cols = struct.unpack(">IIII", f.read(16))
            count = min(count, n)
            data = np.frombuffer(f.read(count * rows * cols), dtype=np.uint8)
        return torch.from_numpy(data.reshape(count, 1, rows, cols).astype(np.float32) / 255.0)
    g = np.random.default_rng(1)
    return torch.from_numpy((g.random((n, spec["channels"], spec["size"], spec["size"])) < 0.1).astype(np.float32))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=sorted(MODELS), required=True)
    p.add_argument("--images", default="")
    p.add_argument("--mode", choices=["train", "forward"], default="train")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: torch's default)")
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = ConvVae(**MODELS[a.model])
    data = load_data(a.model, a.images, max(a.batch * 8, 1024))
    n = data.shape[0] // a.batch
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(),
           "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""),
           "params": sum(p.numel() for p in model.parameters())}
    if a.mode == "train":
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        model.train()

        def step(i):
            x = data[(i % n) * a.batch:(i % n + 1) * a.batch]
            opt.zero_grad()
            logits, mean, log_var = model(x)
            loss = loss_function(logits, x, mean, log_var)
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
        out.update(mode="train", samplesPerSec=a.steps * a.batch / dt, loss=loss.item())
    else:
        model.eval()
        with torch.no_grad():
            for i in range(a.warmup):
                model(data[(i % n) * a.batch:(i % n + 1) * a.batch])
            t0 = time.perf_counter()
            for i in range(a.steps):
                torch.sigmoid(model(data[(i % n) * a.batch:(i % n + 1) * a.batch])[0]).sum().item()
            dt = time.perf_counter() - t0
        out.update(mode="forward", samplesPerSec=a.steps * a.batch / dt)
    out["maxRssKiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
