/** The lab's training form read as a run config: the config schema decides what is valid, and its errors name the form field. */
import { describe, expect, it } from 'vitest';
import { trainSchema } from '../src/config/schema.js';
import { findPreset } from '../src/config/presets.js';
import { formConfig } from '../web/src/train-config.js';

const FORM = { latent: '2', hidden: '256,128', epochs: '10', batch: '100', lr: '0.001', seed: '1' };
const reader = (over: Partial<typeof FORM> = {}) => (name: string) => ({ ...FORM, ...over })[name as keyof typeof FORM];

describe('the lab training form', () => {
  it("gives the preset's model with the form's sizes, the form's train settings and the schema's Adam defaults", () => {
    const config = formConfig(reader(), { preset: 'mnist-vae-pytorch', data: 'mnist', conv: false });
    expect(config.model).toMatchObject({ kind: 'vae', latent: 2, encoder: { hidden: [256, 128] }, decoder: { hidden: [128, 256] } });
    const { beta1, beta2, epsilon } = trainSchema.parse({});
    expect(config.train).toMatchObject({ epochs: 10, batchSize: 100, lr: 0.001, seed: 1, beta1, beta2, epsilon, lrSchedule: { kind: 'constant' } });
    expect(config.preset).toBe('mnist-vae-pytorch');
  });

  it("keeps a conv preset's convolutions and sets its dense layers", () => {
    const config = formConfig(reader({ hidden: '16' }), { preset: 'mnist-conv-vae', data: 'mnist', conv: true });
    const preset = findPreset('mnist-conv-vae')!.config.model as { encoder: { kind: string } };
    expect(config.model.encoder).toMatchObject({ kind: preset.encoder.kind, hidden: [16] });
  });

  it('refuses what the schema refuses, naming the form field and the value', () => {
    const refused = (over: Partial<typeof FORM>) => () => formConfig(reader(over), { preset: 'mnist-vae-pytorch', data: 'mnist', conv: false });
    expect(refused({ batch: '0' })).toThrow(/^batch: '0' is not valid: /);
    expect(refused({ epochs: '' })).toThrow(/^epochs: '' is not valid: /);
    expect(refused({ lr: '-1' })).toThrow(/^lr: '-1' is not valid: /);
    expect(refused({ seed: '1.5' })).toThrow(/^seed: '1\.5' is not valid: /);
    expect(refused({ latent: 'two' })).toThrow(/^latent: 'two' is not valid: /);
    expect(refused({ hidden: '256,x' })).toThrow(/^hidden: '256,x' is not valid: .*number/);
  });

  it("refuses sizes past the page's bounds, which keep the tab responsive, naming the field and the bound", () => {
    const refused = (over: Partial<typeof FORM>) => () => formConfig(reader(over), { preset: 'mnist-vae-pytorch', data: 'mnist', conv: false });
    expect(refused({ latent: '65' })).toThrow(/^latent: '65' is over the lab's bound of 64 \(train larger models with the CLI\)$/);
    expect(refused({ hidden: '256,4096' })).toThrow(/^hidden: '256,4096' is over the lab's bound of 2048 per layer/);
    expect(refused({ epochs: '1001' })).toThrow(/^epochs: '1001' is over the lab's bound of 1000/);
    expect(refused({ batch: '5001' })).toThrow(/^batch: '5001' is over the lab's bound of 5000/);
    expect(() => formConfig(reader({ latent: '64', hidden: '2048', epochs: '1000', batch: '5000' }), { preset: 'mnist-vae-pytorch', data: 'mnist', conv: false })).not.toThrow();
  });
});
