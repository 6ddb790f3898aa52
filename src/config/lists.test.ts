/** The schema's enumerated lists agree with the code that acts on each entry: activations, kinds, backends. */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_CANDIDATES, initBackend, Rng, STEP_ACTIVATIONS, tf } from '../engine/index.js';
import { activate } from '../nn/activations.js';
import { buildModel } from '../models/registry.js';
import { checkTensorCountPerTest, rejection } from '../../test/helpers.js';
import { ACTIVATIONS, BACKEND_OPTIONS, BACKENDS, LIKELIHOOD_KINDS, MODEL_KINDS, OBJECTIVE_KINDS, PAGE_BACKENDS, configSchema, modelSchema } from './schema.js';

beforeAll(async () => {
  await initBackend('cpu');
});

checkTensorCountPerTest();

/** `SA_LEAKY_RELU` -> `leakyRelu`. */
const camel = (name: string) => name.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

describe('activations', () => {
  it('each has an activate() case: a finite result of the input shape', () => {
    for (const fn of ACTIVATIONS) {
      const y = tf.tidy(() => Array.from(activate(fn, tf.tensor2d([[-2, 0, 3]])).dataSync()));
      expect(y, fn).toHaveLength(3);
      expect(y.every(Number.isFinite), fn).toBe(true);
    }
  });

  it("each has its fused-kernel code, the native addon's StepAct number", () => {
    // The C++ enum, read from the addon's source: SA_LINEAR = 0, SA_RELU, ... numbered from 0 in order.
    const source = readFileSync(new URL('../native/addon/elbo_step.inc', import.meta.url), 'utf8');
    const body = /enum StepAct : int \{([^}]*)\}/.exec(source)?.[1];
    expect(body, 'enum StepAct in elbo_step.inc').toBeDefined();
    const names = body!.split(',').map((e) => camel(e.split('=')[0].trim().replace(/^SA_/, '')));
    expect([...STEP_ACTIVATIONS]).toEqual(names);
    expect(STEP_ACTIVATIONS).toBe(ACTIVATIONS);
  });

  it('each has a PyTorch export', () => {
    const source = readFileSync(new URL('../export/pytorch.ts', import.meta.url), 'utf8');
    const dict = /\nACTIVATIONS = \{\n([\s\S]*?)\n\}/.exec(source)?.[1] ?? '';
    const keys = [...dict.matchAll(/^\s*"(\w+)":/gm)].map((m) => m[1]);
    expect(keys).toEqual([...ACTIVATIONS]);
  });
});

describe('model and likelihood kinds', () => {
  const network = { hidden: [3] };
  // codeDim: the VQ-VAE's vectors must divide the latent size (other kinds drop the key).
  const model = (kind: string, likelihood: string) => modelSchema.parse({ kind, latent: 2, codeDim: 2, encoder: network, decoder: network, likelihood: { kind: likelihood } });

  it('the lists are the schema discriminators, each once', () => {
    expect(MODEL_KINDS).toEqual(['autoencoder', 'vae', 'poor-man-vae', 'cvae', 'beta-tcvae', 'dip-vae', 'info-vae', 'wae-mmd', 'rae', 'factor-vae', 'vq-vae', 'vamp-prior', 'flow-vae', 'hierarchical-vae']);
    expect(LIKELIHOOD_KINDS).toEqual(['bernoulli', 'gaussian', 'squared-error']);
    expect(OBJECTIVE_KINDS).toEqual(['elbo', 'iwae', 'miwae', 'ciwae', 'piwae']);
  });

  it('every model kind with every likelihood builds a model of that kind', () => {
    for (const kind of MODEL_KINDS) {
      for (const likelihood of LIKELIHOOD_KINDS) {
        const m = buildModel(model(kind, likelihood), 4, new Rng(1));
        expect(m.config.kind, `${kind} with ${likelihood}`).toBe(kind);
        expect(m.config.likelihood.kind).toBe(likelihood);
        m.dispose();
      }
    }
  });
});

describe('backends', () => {
  it("the config's options are auto and the engine's Node candidates, in order", () => {
    expect([...BACKEND_OPTIONS]).toEqual(['auto', ...BACKENDS]);
    expect(BACKEND_CANDIDATES.node).toBe(BACKENDS);
    expect(BACKEND_CANDIDATES.page).toBe(PAGE_BACKENDS);
    for (const b of BACKEND_OPTIONS) expect(configSchema.shape.backend.parse(b)).toBe(b);
  });

  it('--backend names the same list when it rejects a name', async () => {
    const err = await rejection(() => initBackend('webgpu'));
    expect(err.message).toBe(`--backend: unknown backend 'webgpu'; expected one of ${BACKEND_OPTIONS.join(', ')}`);
  });
});
