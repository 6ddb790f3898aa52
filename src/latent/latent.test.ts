/** Latent tools against independent answers: endpoints, norms, one-dimension traversals, quantiles, recovered structure. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, Rng, tf } from '../engine/index.js';
import { buildModel, type Model } from '../models/index.js';
import { resolveConfig } from '../config/index.js';
import { decodeCodes, encodeMeans, interpolate, manifoldGrid, nearestNeighbours, normalQuantile, project, reconstructRows, row, samplePrior, traverse, type Rows, type StepProgress } from './index.js';
import { UMAP } from 'umap-js';
import { TSNE } from '@saehrimnir/druidjs';

const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((a, x) => a + x * x, 0));

function tinyModel(latent: number, inputDim = 12): Model {
  const config = resolveConfig({ preset: 'mnist-vae', overrides: { model: { latent, encoder: { hidden: [8] }, decoder: { hidden: [8] } } } });
  return buildModel(config.model, inputDim, new Rng(3));
}

beforeAll(async () => {
  await initBackend('cpu');
});

describe('interpolate', () => {
  const zFrom = Float32Array.from([1, -2, 0.5, 3]);
  const zTo = Float32Array.from([-1, 0.25, 2, -0.5]);

  it('includes both endpoints exactly, lerp and slerp', () => {
    for (const method of ['lerp', 'slerp'] as const) {
      const p = interpolate({ zFrom, zTo, steps: 10, method });
      expect(p.n).toBe(10);
      expect(Array.from(row(p, 0))).toEqual(Array.from(zFrom));
      expect(Array.from(row(p, 9))).toEqual(Array.from(zTo));
    }
  });

  it('lerp moves on the straight line at constant speed', () => {
    const p = interpolate({ zFrom, zTo, steps: 5, method: 'lerp' });
    const mid = row(p, 2);
    zFrom.forEach((a, j) => expect(mid[j]).toBeCloseTo((a + zTo[j]) / 2, 6));
  });

  it('slerp keeps the norm of codes of equal norm, and stays on the plane of the endpoints', () => {
    const a = Float32Array.from([3, 0, 0, 4]); // norm 5
    const b = Float32Array.from([0, 5, 0, 0]); // norm 5
    const p = interpolate({ zFrom: a, zTo: b, steps: 9, method: 'slerp' });
    for (let s = 0; s < 9; s++) {
      const z = row(p, s);
      expect(norm(z)).toBeCloseTo(5, 4);
      expect(z[2]).toBeCloseTo(0, 6);
    }
    // The midpoint of a 90-degree arc is the normalized sum of the endpoints, scaled to norm 5.
    const mid = row(p, 4);
    const sum = a.map((x, j) => x + b[j]);
    sum.forEach((x, j) => expect(mid[j]).toBeCloseTo((5 * x) / norm(sum), 4));
  });

  it('interpolated endpoints decode to decode(z_from) and decode(z_to)', () => {
    const model = tinyModel(4);
    const before = tf.memory().numTensors;
    const path = decodeCodes(model, interpolate({ zFrom, zTo, steps: 10, method: 'slerp' }));
    const ends = decodeCodes(model, { data: Float32Array.from([...zFrom, ...zTo]), n: 2, dim: 4 });
    expect(Array.from(row(path, 0))).toEqual(Array.from(row(ends, 0)));
    expect(Array.from(row(path, 9))).toEqual(Array.from(row(ends, 1)));
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('traverse', () => {
  it('changes only the chosen dimension, over [-range, range], the rest at the base code', () => {
    const base = Float32Array.from([0.5, -1, 2]);
    const t = traverse({ latentDim: 3, dims: [2, 0], range: 2, steps: 5, base });
    expect(t.values).toEqual([-2, -1, 0, 1, 2]);
    expect(t.n).toBe(10);
    [2, 0].forEach((d, r) => {
      for (let c = 0; c < 5; c++) {
        const z = row(t, r * 5 + c);
        for (let j = 0; j < 3; j++) expect(z[j]).toBe(j === d ? t.values[c] : base[j]);
      }
    });
    const zero = traverse({ latentDim: 3, dims: [1], range: 3, steps: 3 });
    expect(Array.from(zero.data)).toEqual([0, -3, 0, 0, 0, 0, 0, 3, 0]);
  });

  it('rejects a dimension outside the latent space', () => {
    expect(() => traverse({ latentDim: 2, dims: [2] })).toThrow(/dimension 2 is not in 0\.\.1/);
  });
});

describe('manifold grid', () => {
  it('spaces codes by the N(0, 1) quantiles, z0 along columns and z1 decreasing down rows', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
    const g = manifoldGrid({ size: 4, spacing: 'quantiles' });
    expect(g.values[0]).toBeCloseTo(normalQuantile(0.125), 9);
    expect(g.values[3]).toBeCloseTo(-g.values[0], 9);
    expect(row(g, 0)[0]).toBeCloseTo(g.values[0]); // top-left: smallest z0, largest z1
    expect(row(g, 0)[1]).toBeCloseTo(g.values[3]);
    expect(row(g, 15)[0]).toBeCloseTo(g.values[3]); // bottom-right
    expect(row(g, 15)[1]).toBeCloseTo(g.values[0]);
    const sq = manifoldGrid({ size: 3, spacing: 'square', range: 2 });
    expect(sq.values).toEqual([-2, 0, 2]);
  });
});

describe('model helpers', () => {
  it('encodeMeans, reconstructRows and samplePrior match the model methods and leak no tensors', () => {
    const model = tinyModel(3);
    const x = new Rng(5).uniformArray(7 * 12);
    const before = tf.memory().numTensors;
    const z = encodeMeans(model, { data: x, n: 7, dim: 12 });
    const recon = reconstructRows(model, { data: x, n: 7, dim: 12 });
    const s = samplePrior(model, 5, new Rng(9));
    expect(tf.memory().numTensors).toBe(before);
    const direct = tf.tidy(() => {
      const xt = tf.tensor2d(x, [7, 12]);
      return { z: model.encode(xt).mean.arraySync().flat(), r: model.reconstruct(xt).arraySync().flat(), s: model.sample(5, new Rng(9)).arraySync().flat() };
    });
    expect(Array.from(z.data)).toEqual(direct.z.map(Math.fround));
    expect(Array.from(recon.data)).toEqual(direct.r.map(Math.fround));
    expect(Array.from(s.data)).toEqual(direct.s.map(Math.fround));
    model.dispose();
  });
});

/** Two Gaussian blobs in 8-D, 30 points each, 10 units apart along every axis. */
function twoClusters(): Rows {
  const rng = new Rng(11);
  const n = 60;
  const dim = 8;
  const data = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) data[i * dim + j] = (i < 30 ? 0 : 10) + 0.5 * rng.normal();
  return { data, n, dim };
}

/** Each row's k nearest rows by sorting all Euclidean distances (ties by index, the row itself first): the reference for nearestNeighbours. */
function sortedNeighbours(rows: number[][], k: number): { indices: number[][]; distances: number[][] } {
  const dist = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, x, c) => s + (x - b[c]) ** 2, 0));
  const order = rows.map((a, i) =>
    rows
      .map((b, j) => ({ j, d: j === i ? -1 : dist(a, b) }))
      .sort((p, q) => p.d - q.d || p.j - q.j)
      .slice(0, k),
  );
  return { indices: order.map((o) => o.map((p) => p.j)), distances: order.map((o) => o.map((p) => Math.max(p.d, 0))) };
}

/** Between-cluster centroid distance divided by the mean distance of points to their own centroid. */
function separation(xy: Float32Array): number {
  const c = [0, 1].map((k) => {
    let x = 0;
    let y = 0;
    for (let i = k * 30; i < (k + 1) * 30; i++) {
      x += xy[i * 2] / 30;
      y += xy[i * 2 + 1] / 30;
    }
    return [x, y];
  });
  let spread = 0;
  for (let i = 0; i < 60; i++) {
    const [cx, cy] = c[i < 30 ? 0 : 1];
    spread += Math.hypot(xy[i * 2] - cx, xy[i * 2 + 1] - cy) / 60;
  }
  return Math.hypot(c[0][0] - c[1][0], c[0][1] - c[1][1]) / spread;
}

describe('project', () => {
  it('PCA recovers a line: the first axis is the position along it, the second is only the noise', () => {
    const rng = new Rng(2);
    const n = 200;
    const dir = [1, 2, -2, 0, 4].map((v) => v / 5);
    const t = Array.from({ length: n }, () => rng.uniform() * 10 - 5);
    const data = new Float32Array(n * 5);
    t.forEach((ti, i) => dir.forEach((d, j) => (data[i * 5 + j] = ti * d + 0.01 * rng.normal())));
    const xy = project({ data, n, dim: 5 }, { method: 'pca', rng: new Rng(0) }).data;
    const meanT = t.reduce((a, b) => a + b, 0) / n;
    for (let i = 0; i < n; i++) {
      expect(Math.abs(Math.abs(xy[i * 2]) - Math.abs(t[i] - meanT))).toBeLessThan(0.05);
      expect(Math.abs(xy[i * 2 + 1])).toBeLessThan(0.05);
    }
  });

  it('PCA, t-SNE and UMAP keep two separated clusters apart; t-SNE and UMAP are reproducible from the seed', () => {
    const z = twoClusters();
    for (const method of ['pca', 'tsne', 'umap'] as const) {
      const a = project(z, { method, rng: new Rng(1) }).data;
      expect(separation(a), method).toBeGreaterThan(3);
      const b = project(z, { method, rng: new Rng(1) }).data;
      expect(Array.from(b), method).toEqual(Array.from(a));
    }
  }, 60_000);

  it("t-SNE and UMAP report each iteration or epoch, and give the libraries' own one-call results", () => {
    const z = twoClusters();
    const rows = Array.from({ length: z.n }, (_, i) => Array.from(z.data.subarray(i * z.dim, (i + 1) * z.dim)));
    const rng = new Rng(1);
    const reference = new UMAP({ nComponents: 2, nNeighbors: Math.min(15, z.n - 1), minDist: 0.1, random: () => rng.uniform() });
    // project() gives umap-js exact neighbours: the reference gets them from a plain sort.
    const knn = sortedNeighbours(rows, Math.min(15, z.n - 1));
    reference.setPrecomputedKNN(knn.indices, knn.distances);
    const umap = reference.fit(rows);
    const seed = new Rng(1).int(2 ** 31);
    const tsne = new TSNE(rows, { d: 2, perplexity: Math.min(30, Math.floor((z.n - 1) / 3)), epsilon: 10, seed }).transform(500) as number[][];
    for (const [method, expected] of [['umap', umap], ['tsne', tsne]] as const) {
      const seen: StepProgress[] = [];
      const xy = project(z, { method, rng: new Rng(1), onProgress: (p) => seen.push(p) }).data;
      // The whole step's fraction never goes back across phases and ends at 1; the rest of the test reads the counts.
      const fractions = seen.map((p) => p.fraction!);
      expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]), method).toBe(true);
      expect(fractions.at(-1), method).toBeCloseTo(1, 12);
      seen.forEach((p) => delete p.fraction);
      expect(Array.from(xy), method).toEqual(expected.flat().map(Math.fround));
      // The neighbours (UMAP) or affinities (t-SNE) row by row, 60 rows in blocks of 2; UMAP's graph; then the epochs or iterations.
      const rowsPhase = method === 'umap' ? 'neighbours' : 'affinities';
      expect(seen.splice(0, 30), method).toEqual(Array.from({ length: 30 }, (_, i) => ({ phase: rowsPhase, done: 2 * (i + 1), total: 60 })));
      if (method === 'umap') expect(seen.shift()).toEqual({ phase: 'neighbour graph', done: 0, total: 1 });
      const steps = seen;
      expect(new Set(steps.map((p) => p.phase)), method).toEqual(new Set([method === 'umap' ? 'epochs' : 'iterations']));
      expect(steps.map((p) => p.done), method).toEqual(Array.from({ length: steps[0].total }, (_, i) => i + 1));
      if (method === 'tsne') expect(steps.length).toBe(500);
    }
  }, 60_000);

  it('nearestNeighbours gives the k nearest rows by a full sort, the row itself first, in blocks of n/50 rows', () => {
    const rng = new Rng(5);
    const n = 120;
    const dim = 3;
    const data = new Float32Array(n * dim).map(() => rng.normal());
    data.set(data.subarray(0, dim), 7 * dim); // row 7 duplicates row 0: distance 0 that is not the row itself
    const rows = Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * dim, (i + 1) * dim)));
    const done: number[] = [];
    const got = nearestNeighbours({ data, n, dim }, 6, (d) => done.push(d));
    const want = sortedNeighbours(rows, 6);
    expect(got.indices).toEqual(want.indices);
    for (let i = 0; i < n; i++) for (let j = 0; j < 6; j++) expect(got.distances[i][j]).toBeCloseTo(want.distances[i][j], 5);
    expect(got.indices[0].slice(0, 2)).toEqual([0, 7]);
    expect(got.indices[7].slice(0, 2)).toEqual([7, 0]);
    expect(done).toEqual(Array.from({ length: 40 }, (_, i) => 3 * (i + 1)));
  });
});
