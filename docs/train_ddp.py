"""Fine-tunes a vaekit model exported with `vaekit export RUN --format pytorch --out DIR` under torchrun (DDP).

    torchrun --nproc_per_node=4 docs/train_ddp.py DIR data.npy [--labels labels.npy] --epochs 5 --out tuned.safetensors
    vaekit import tuned.safetensors --out runs/tuned

data.npy holds the model's input (already preprocessed as vaekit does: e.g. pixels / 255), one example per row or
[N, H, W, C]; it is flattened row-major (NHWC), as vaekit flattens. CPU uses the gloo backend, GPUs nccl.
"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler


class Elbo(torch.nn.Module):
    """DDP wraps forward(); this routes it to the model's elbo() so the gradients are synchronized."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x, label=None):
        return self.model.elbo(x, label)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("export_dir")
    p.add_argument("data")
    p.add_argument("--labels")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--out", default="tuned.safetensors")
    args = p.parse_args()

    cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if cuda else "gloo")
    rank = dist.get_rank()
    device = torch.device(f"cuda:{int(os.environ['LOCAL_RANK'])}" if cuda else "cpu")
    sys.path.insert(0, args.export_dir)
    from vaekit_model import VaekitModel, save_safetensors  # the generated module

    model = VaekitModel.from_safetensors(os.path.join(args.export_dir, "model.safetensors")).to(device)
    x = torch.from_numpy(np.load(args.data).astype(np.float32))
    x = x.reshape(x.shape[0], -1)  # [N, D], row-major (NHWC for images)
    tensors = [x] + ([torch.from_numpy(np.load(args.labels).astype(np.int64))] if args.labels else [])
    data = TensorDataset(*tensors)
    sampler = DistributedSampler(data, shuffle=True, seed=0)
    loader = DataLoader(data, batch_size=args.batch_size, sampler=sampler, drop_last=True)
    ddp = DDP(Elbo(model))
    opt = torch.optim.Adam(ddp.parameters(), lr=args.lr)
    model.train()
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        total, n = 0.0, 0
        for batch in loader:
            batch = [t.to(device) for t in batch]
            terms = ddp(*batch)
            opt.zero_grad()
            terms["loss"].backward()
            opt.step()
            total, n = total + float(terms["loss"]) * len(batch[0]), n + len(batch[0])
        if rank == 0:
            print(f"epoch {epoch + 1}: loss {total / max(n, 1):.4f} (rank 0's shard)", flush=True)
    if rank == 0:
        model.eval()
        save_safetensors(model.cpu(), args.out)
        print(f"wrote {args.out}; vaekit import {args.out} --out RUN", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
