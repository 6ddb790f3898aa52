import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { importModel } from '../io/model-format.js';
import type { Model } from '../models/index.js';
import { checkTensorCountPerTest, tempDir } from '../../test/helpers.js';
import { EXPORT_FAMILIES, seededModel } from '../../test/export-families.js';
import { encodeSafetensors, decodeSafetensors } from './safetensors.js';
import { fromSafetensors, toPytorch } from './pytorch.js';
import { klWeight } from '../train/index.js';

/** Debian's python3-torch lives under /usr/bin/python3; the python3 first on PATH may lack torch. */
const PYTHON = process.env.VAEKIT_TORCH_PYTHON ?? '/usr/bin/python3';
const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
const torchReason = probe.status === 0 ? undefined : `${PYTHON} cannot import torch and numpy (${(probe.stderr || String(probe.error)).trim().split('\n').pop()})`;
if (torchReason) console.log(`skipping the PyTorch round trip: ${torchReason}`);

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const tmp = tempDir('pytorch');
afterAll(tmp.remove);

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** The torch side: outputs of the exported module, two Adam steps on elbo() in training mode, outputs after them, the tuned file. */
const DRIVER = `
import json, sys
import torch
sys.path.insert(0, sys.argv[1])
from vaekit_model import VaekitModel, load_safetensors, save_safetensors
torch.manual_seed(0)
d = sys.argv[1]
inp, _ = load_safetensors(d + "/inputs.safetensors")
label = inp["label"].long() if "label" in inp else None
model = VaekitModel.from_safetensors(d + "/model.safetensors").eval()
def outputs():
    with torch.no_grad():
        mean, log_var = model.encode(inp["x"], label)
        res = {"mean": mean.flatten().tolist(), "params": model.decode(inp["z"], label).flatten().tolist(),
               "xMean": model.decode_mean(inp["z"], label).flatten().tolist()}
        if log_var is not None:
            res["logVar"] = log_var.flatten().tolist()
        return res
before = outputs()
with torch.no_grad():
    loss = {k: float(v) for k, v in model.elbo(inp["x"], label, eps=inp["eps"]).items()}
model.train()
with torch.no_grad():
    train_loss = {k: float(v) for k, v in model.elbo(inp["x"], label, eps=inp["eps"]).items()}
opt = torch.optim.Adam(model.parameters(), lr=0.01)
for _ in range(2):
    opt.zero_grad()
    model.elbo(inp["x"], label)["loss"].backward()
    opt.step()
model.eval()
save_safetensors(model, d + "/tuned.safetensors")
print(json.dumps({"before": before, "loss": loss, "trainLoss": train_loss, "after": outputs()}))
`;

/** vaekit's eval-mode outputs on fixed inputs. */
function vaekitOutputs(model: Model, x: Float32Array, z: Float32Array, n: number, labels?: Int32Array): Record<string, Float32Array> {
  return tf.tidy(() => {
    const ctx = { training: false, rng: new Rng(0), labels };
    const enc = model.encode(tf.tensor2d(x, [n, model.inputDim]), ctx);
    const zt = tf.tensor2d(z, [n, model.latentDim]);
    const out: Record<string, Float32Array> = {
      mean: enc.mean.dataSync() as Float32Array,
      params: model.decoderOutput(zt, ctx).dataSync() as Float32Array,
      xMean: model.decode(zt, labels).dataSync() as Float32Array,
    };
    if (enc.logVar) out.logVar = enc.logVar.dataSync() as Float32Array;
    return out;
  });
}

describe.skipIf(torchReason !== undefined)('PyTorch export and import, checked with torch', () => {
  for (const family of EXPORT_FAMILIES) {
    it(`${family.name}: the generated module matches vaekit to 1e-5, and its fine-tuned weights come back`, () => {
      const { model, metadata, weights } = seededModel(family);
      const n = 4;
      const x = new Rng(7).uniformArray(n * model.inputDim);
      const z = new Rng(8).normalArray(n * model.latentDim);
      const labels = model.classes ? Int32Array.from({ length: n }, (_, i) => (3 * i + 1) % model.classes!) : undefined;
      const want = vaekitOutputs(model, x, z, n, labels);
      // vaekit's loss in evaluation mode draws eps as the first normalArray of its rng: hand torch the same draws.
      const lossRng = new Rng(9);
      const eps = new Rng(9).normalArray(n * model.latentDim);
      const lossOf = (training: boolean, rng: Rng) =>
        tf.tidy(() => {
          const t = model.loss(tf.tensor2d(x, [n, model.inputDim]), { training, rng, labels, klWeight: klWeight(model.config, 'unscheduled') });
          return { loss: t.loss.mean().dataSync()[0], reconstruction: t.reconstruction.mean().dataSync()[0], kl: t.kl.mean().dataSync()[0] };
        });
      const wantLoss = lossOf(false, lossRng);
      // In training mode too (BatchNorm on the batch's statistics), where no dropout draws from the rng before eps.
      const blocks = metadata.config as unknown as Record<'encoder' | 'decoder', { dropout?: number }>;
      const hasDropout = (blocks.encoder.dropout ?? 0) > 0 || (blocks.decoder.dropout ?? 0) > 0;
      const wantTrainLoss = hasDropout ? undefined : lossOf(true, new Rng(9));
      model.dispose();

      const dir = path.join(tmp.dir, family.name.replace(/[^a-z0-9]+/gi, '-'));
      const { safetensors, module } = toPytorch(metadata, weights);
      spawnSync('mkdir', ['-p', dir]);
      writeFileSync(path.join(dir, 'model.safetensors'), safetensors);
      writeFileSync(path.join(dir, 'vaekit_model.py'), module);
      const inputs = [
        { name: 'x', shape: [n, model.inputDim], data: x },
        { name: 'z', shape: [n, model.latentDim], data: z },
        { name: 'eps', shape: [n, model.latentDim], data: eps },
        ...(labels ? [{ name: 'label', shape: [n], data: Float32Array.from(labels) }] : []),
      ];
      writeFileSync(path.join(dir, 'inputs.safetensors'), encodeSafetensors(inputs));
      const run = spawnSync(PYTHON, ['-c', DRIVER, dir], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
      expect(run.status, run.stderr).toBe(0);
      const torch = JSON.parse(run.stdout) as { before: Record<string, number[]>; loss: Record<string, number>; trainLoss: Record<string, number>; after: Record<string, number[]> };

      const diffs: Record<string, number> = {};
      for (const k of Object.keys(want)) diffs[k] = maxAbs(torch.before[k], want[k]);
      expect(Object.keys(torch.before).sort()).toEqual(Object.keys(want).sort());
      // Losses are sums over up to 784 values: relative to their size above 1.
      const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));
      for (const k of ['loss', 'reconstruction', 'kl'] as const) {
        diffs[`elbo.${k}`] = rel(torch.loss[k], wantLoss[k]);
        if (wantTrainLoss) diffs[`elbo.train.${k}`] = rel(torch.trainLoss[k], wantTrainLoss[k]);
      }

      // Import the fine-tuned file: vaekit must compute what torch computes after its training steps.
      const tunedPath = path.join(dir, 'tuned.safetensors');
      const tuned = fromSafetensors(readFileSync(tunedPath), tunedPath, metadata);
      const { model: back } = importModel(JSON.parse(JSON.stringify(metadata)), tuned.weights);
      const got = vaekitOutputs(back, x, z, n, labels);
      back.dispose();
      let moved = 0;
      for (const k of Object.keys(got)) {
        diffs[`imported.${k}`] = maxAbs(torch.after[k], got[k]);
        moved = Math.max(moved, maxAbs(got[k], want[k]));
      }
      console.log(`pytorch ${family.name}: max abs ${JSON.stringify(diffs)}`);
      for (const [k, d] of Object.entries(diffs)) expect(d, k).toBeLessThan(1e-5);
      expect(moved, 'fine-tuning changed the outputs').toBeGreaterThan(1e-4);
      expect(tuned.description?.kind).toBe(metadata.kind);
    });
  }
});

describe('safetensors', () => {
  const file = 'bad.safetensors';
  const good = encodeSafetensors([{ name: 'w', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }], { format: 'pt' });

  it('round-trips tensors and metadata, with the data 8-byte aligned', () => {
    const { tensors, metadata } = decodeSafetensors(good, file);
    expect(metadata).toEqual({ format: 'pt' });
    expect(tensors[0]).toEqual({ name: 'w', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) });
    expect(Number(new DataView(good.buffer).getBigUint64(0, true)) % 8).toBe(0);
  });

  const corrupt = (edit: (header: Record<string, any>) => void, tail = 0): Uint8Array => {
    const n = Number(new DataView(good.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(good.subarray(8, 8 + n)));
    edit(header);
    const h = new TextEncoder().encode(JSON.stringify(header));
    const out = new Uint8Array(8 + h.length + 24 + tail);
    new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
    out.set(h, 8);
    return out;
  };
  const cases: [string, Uint8Array, RegExp][] = [
    ['too short', good.subarray(0, 5), /shorter than the 8-byte header length/],
    ['header length past the end', (() => { const b = good.slice(); new DataView(b.buffer).setBigUint64(0, 1n << 40n, true); return b; })(), /header length \d+ exceeds the file/],
    ['truncated data', good.subarray(0, good.length - 4), /ends at byte 24 of the data, which holds 20/],
    ['bad dtype', corrupt((h) => (h.w.dtype = 'Q8')), /dtype "Q8"/],
    ['bad shape', corrupt((h) => (h.w.shape = [2, -3])), /shape \[2,-3\]/],
    ['offsets for another size', corrupt((h) => (h.w.data_offsets = [0, 20])), /needs 24 bytes, data_offsets span 20/],
    ['overlap', corrupt((h) => (h.v = { dtype: 'F32', shape: [2], data_offsets: [16, 24] })), /overlap/],
    ['not JSON', (() => { const b = good.slice(); b[9] = 0x7b; b[10] = 0x7b; return b; })(), /header is not UTF-8 JSON/],
  ];
  for (const [name, bytes, message] of cases) {
    it(`refuses a corrupt file (${name}) in one line naming it`, () => {
      let err: Error | undefined;
      try {
        decodeSafetensors(bytes, file);
      } catch (e) {
        err = e as Error;
      }
      expect(err?.message).toMatch(message);
      expect(err?.message).toMatch(/^bad\.safetensors: /);
      expect(err?.message).not.toContain('\n');
    });
  }
});
