"""Reads a vaekit model folder with numpy alone and runs its encoder and decoder (docs/model-format.md).

Usage: python3 read_vaekit_model.py MODEL_DIR INPUT.npy [LABELS.npy]
prints JSON {"mean": ..., "logVar": ... or null, "decoded": ...} where decoded = decode(mean).
A conditional VAE (kind "cvae") needs LABELS.npy, one class index per example: its encoder reads [x, onehot(y)]
and its decoder [z, onehot(y)].
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


def same_padding(n, k, s):
    """TensorFlow's 'same' padding: output size and the padding before and after."""
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return out, total // 2, total - total // 2


def conv2d(x, kernel, s):
    """NHWC cross-correlation, kernel [kh, kw, in, out], 'same' padding."""
    b, n_h, n_w, _ = x.shape
    k = kernel.shape[0]
    o_h, top, bottom = same_padding(n_h, k, s)
    o_w, left, right = same_padding(n_w, k, s)
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    y = np.zeros((b, o_h, o_w, kernel.shape[3]))
    for u in range(k):
        for v in range(k):
            y += xp[:, u:u + (o_h - 1) * s + 1:s, v:v + (o_w - 1) * s + 1:s, :] @ kernel[u, v]
    return y


def conv2d_transpose(x, kernel, s, out_shape):
    """The transpose of conv2d from out_shape [H', W', out] to x's [H, W, in]; kernel [kh, kw, out, in]."""
    b, n_h, n_w, _ = x.shape
    k = kernel.shape[0]
    _, top, _ = same_padding(out_shape[0], k, s)
    _, left, _ = same_padding(out_shape[1], k, s)
    size_h = max((n_h - 1) * s + k, top + out_shape[0])
    size_w = max((n_w - 1) * s + k, left + out_shape[1])
    yp = np.zeros((b, size_h, size_w, out_shape[2]))
    for u in range(k):
        for v in range(k):
            yp[:, u:u + (n_h - 1) * s + 1:s, v:v + (n_w - 1) * s + 1:s, :] += x @ kernel[u, v].T
    return yp[:, top:top + out_shape[0], left:left + out_shape[1], :]


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
        elif kind == "reshape":
            h = h.reshape([h.shape[0], *op["shape"]])
        elif kind == "conv2d":
            h = conv2d(h, w[op["kernel"]], op["stride"]) + w[op["bias"]]
        elif kind == "conv2dTranspose":
            h = conv2d_transpose(h, w[op["kernel"]], op["stride"], op["outputShape"]) + w[op["bias"]]
        elif kind == "crop":
            h = h[:, : op["height"], : op["width"], :]
        elif kind == "transpose":
            h = np.transpose(h, op["perm"])
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


def one_hot(labels, classes):
    """[n] class indices -> [n, classes] rows of 0 and 1."""
    y = np.asarray(labels).reshape(-1)
    if np.any(y != np.round(y)) or np.any(y < 0) or np.any(y >= classes):
        raise ValueError(f"labels must be class indices in 0..{classes - 1}")
    return np.eye(classes)[y.astype(np.int64)]


def main():
    meta, w = load(sys.argv[1])
    x = np.load(sys.argv[2]).astype(np.float64).reshape(-1, meta["inputDim"])
    w = {k: v.astype(np.float64) for k, v in w.items()}
    g = meta["graph"]
    condition = lambda h: h  # noqa: E731 (unconditional models read x and z alone)
    if meta["kind"] == "cvae":
        if len(sys.argv) < 4:
            raise SystemExit("a conditional VAE needs LABELS.npy, one class index per example")
        y = one_hot(np.load(sys.argv[3]), meta["config"]["classes"])
        if y.shape[0] != x.shape[0]:
            raise SystemExit(f"{y.shape[0]} labels for {x.shape[0]} examples")
        condition = lambda h: np.concatenate([h, y], axis=1)  # noqa: E731 ([n, F] -> [n, F + K])
    h = run(g["encoder"], condition(x), w)
    mean = run(g["heads"]["mean"], h, w)
    log_var = run(g["heads"]["logVar"], h, w) if "logVar" in g["heads"] else None
    decoded = decoder_mean(meta, run(g["decoder"], condition(mean), w))
    print(json.dumps({
        "mean": mean.tolist(),
        "logVar": None if log_var is None else log_var.tolist(),
        "decoded": decoded.tolist(),
    }))


if __name__ == "__main__":
    main()
