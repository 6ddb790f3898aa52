import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, Rng } from '../engine/index.js';
import { checkTensorCountPerTest } from '../../test/helpers.js';
import { EXPORT_FAMILIES, seededModel } from '../../test/export-families.js';
import { ONNX_OPSET, toOnnx } from './onnx.js';
import onnxProto from 'onnx-proto';

const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof import('onnxruntime-node');

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('ONNX export, checked with onnxruntime-node', () => {
  for (const family of EXPORT_FAMILIES) {
    it(`${family.name}: encoder and decoder match vaekit to 1e-5`, async () => {
      const { model, metadata, weights } = seededModel(family);
      const n = 3;
      const D = model.inputDim;
      const L = model.latentDim;
      const x = new Rng(7).uniformArray(n * D);
      const z = new Rng(8).normalArray(n * L);
      const labels = model.classes ? Int32Array.from({ length: n }, (_, i) => (2 * i + 1) % model.classes!) : undefined;
      const want = tf.tidy(() => {
        const ctx = { training: false, rng: new Rng(0), labels };
        const enc = model.encode(tf.tensor2d(x, [n, D]), ctx);
        const params = model.decoderOutput(tf.tensor2d(z, [n, L]), ctx);
        const xMean = model.decode(tf.tensor2d(z, [n, L]), labels);
        return { mean: enc.mean.dataSync().slice(), logVar: enc.logVar?.dataSync().slice(), params: params.dataSync().slice(), xMean: xMean.dataSync().slice() };
      });
      model.dispose();

      const onnx = toOnnx(metadata, weights);
      const decoded = onnxProto.onnx.ModelProto.decode(onnx.encoder);
      expect(Number(decoded.opsetImport[0].version)).toBe(ONNX_OPSET);
      const label: Record<string, InstanceType<typeof ort.Tensor>> = labels ? { label: new ort.Tensor('int64', BigInt64Array.from(labels, (v) => BigInt(v)), [n]) } : {};
      const encSession = await ort.InferenceSession.create(onnx.encoder);
      const encOut = await encSession.run({ x: new ort.Tensor('float32', x, [n, D]), ...label });
      const decSession = await ort.InferenceSession.create(onnx.decoder);
      const decOut = await decSession.run({ z: new ort.Tensor('float32', z, [n, L]), ...label });

      const diffs = {
        mean: maxAbs(encOut.mean.data as Float32Array, want.mean),
        logVar: want.logVar ? maxAbs(encOut.logVar.data as Float32Array, want.logVar) : 0,
        params: maxAbs(decOut.params.data as Float32Array, want.params),
        xMean: maxAbs(decOut.xMean.data as Float32Array, want.xMean),
      };
      expect(Object.keys(encOut).sort()).toEqual(want.logVar ? ['logVar', 'mean'] : ['mean']);
      console.log(`onnx ${family.name}: max abs ${JSON.stringify(diffs)}`);
      for (const [k, d] of Object.entries(diffs)) expect(d, k).toBeLessThan(1e-5);
      // The outputs are not all near zero, so the differences above mean something.
      for (const k of ['mean', 'params'] as const) expect(Math.max(...Array.from(want[k], Math.abs)), k).toBeGreaterThan(0.05);
    });
  }
});

describe('ONNX export refuses what it cannot express', () => {
  it('names the model, the list and the op in one line', () => {
    const { model, metadata, weights } = seededModel(EXPORT_FAMILIES[6]);
    model.dispose();
    const bad = { ...metadata, graph: { ...metadata.graph, decoder: [...metadata.graph.decoder, { op: 'attention' } as never] } };
    expect(() => toOnnx(bad, weights, 'runs/roll')).toThrow(/^runs\/roll: decoder op \d+ \(attention\): the ONNX export does not know this op$/);
    const conv = { ...metadata, graph: { ...metadata.graph, encoder: [{ op: 'conv2d', kernel: 'k', bias: 'b', stride: 1, padding: 'same' } as never] } };
    expect(() => toOnnx(conv, weights, 'runs/roll')).toThrow(/^runs\/roll: encoder op 0 \(conv2d\): a convolution needs an image/);
  });
});
