"""Reads a vaekit model folder with numpy alone and runs its encoder and decoder (docs/model-format.md).

Usage: python3 read_vaekit_model.py MODEL_DIR INPUT.npy
prints JSON {"mean": ..., "logVar": ... or null, "decoded": ...} where decoded = decode(mean).
"""
import json
import sys

import numpy as np


def load(model_dir):
    with open(f"{model_dir}/model.json", encoding="utf-8") as f:
        meta = json.load(f)
    if meta.get("format") != "vaekit-model" or meta.get("formatVersion", 0) > 1:
        raise ValueError(f"{model_dir}/model.json: not a vaekit model this reader knows")
    raw = np.fromfile(f"{model_dir}/{meta['weightsFile']}", dtype="<f4")
    weights = {}
    for e in meta["weights"]:
        start, count = e["offset"] // 4, e["byteLength"] // 4
        weights[e["name"]] = raw[start:start + count].reshape(e["shape"])
    return meta, weights


ACTIVATIONS = {
    "linear": lambda h: h,
    "relu": lambda h: np.maximum(h, 0),
    "leakyRelu": lambda h: np.where(h > 0, h, 0.01 * h),
    "sigmoid": lambda h: 1 / (1 + np.exp(-h)),
    "tanh": np.tanh,
    "elu": lambda h: np.where(h > 0, h, np.expm1(np.minimum(h, 0))),
    "softplus": lambda h: np.logaddexp(0, h),
}


def run(ops, h, w):
    for op in ops:
        kind = op["op"]
        if kind == "dense":
            h = h @ w[op["kernel"]] + w[op["bias"]]
        elif kind == "activation":
            h = ACTIVATIONS[op["fn"]](h)
        elif kind == "batchnorm":
            h = (h - w[op["mean"]]) / np.sqrt(w[op["variance"]] + op["epsilon"]) * w[op["gamma"]] + w[op["beta"]]
        elif kind == "log":
            h = np.log(h)
        else:
            raise ValueError(f"unknown op {kind}")
    return h


def decoder_mean(meta, out):
    lik = meta["likelihood"]
    if lik["kind"] == "bernoulli":
        return 1 / (1 + np.exp(-out))
    if lik["kind"] == "gaussian" and lik["variance"] == "learned":
        out = out[:, : out.shape[1] // 2]
    return ACTIVATIONS[lik["meanActivation"]](out)


def main():
    meta, w = load(sys.argv[1])
    x = np.load(sys.argv[2]).astype(np.float64).reshape(-1, meta["inputDim"])
    w = {k: v.astype(np.float64) for k, v in w.items()}
    g = meta["graph"]
    h = run(g["encoder"], x, w)
    mean = run(g["heads"]["mean"], h, w)
    log_var = run(g["heads"]["logVar"], h, w) if "logVar" in g["heads"] else None
    decoded = decoder_mean(meta, run(g["decoder"], mean, w))
    print(json.dumps({
        "mean": mean.tolist(),
        "logVar": None if log_var is None else log_var.tolist(),
        "decoded": decoded.tolist(),
    }))


if __name__ == "__main__":
    main()
