/** The lab's training form as a run config: the form's values over a preset's model, checked by the config schema. */
import { findPreset } from '../../src/config/presets.js';
import { configSchema, type RunConfig, type RunConfigInput } from '../../src/config/schema.js';

/** The form's fields, with the config path each one sets (a schema error on that path names the field). */
const FIELDS = [
  { name: 'latent', path: 'model.latent' },
  { name: 'hidden', path: 'model.encoder.hidden' },
  { name: 'hidden', path: 'model.decoder.hidden' },
  { name: 'epochs', path: 'train.epochs' },
  { name: 'batch', path: 'train.batchSize' },
  { name: 'lr', path: 'train.lr' },
  { name: 'seed', path: 'train.seed' },
] as const;

/** A schema issue as the form needs it; a union's (an encoder is an MLP or a conv net) holds each branch's issues. */
interface Issue {
  path: PropertyKey[];
  message: string;
  errors?: Issue[][];
}

/** The issue to show: inside a union, the first issue of the branch that came closest (the fewest issues), recursively. */
function leafIssue(issue: Issue): Issue {
  if (!issue.errors?.length) return issue;
  const closest = issue.errors.reduce((a, b) => (b.length < a.length ? b : a));
  const inner = leafIssue(closest[0]);
  return { path: [...issue.path, ...inner.path], message: inner.message };
}

/**
 * The page's own bounds on top of the schema's rules: a model and a run the tab trains without freezing (the CLI has
 * no such bounds). A value past one throws naming the field, the value and the bound.
 */
const PAGE_BOUNDS = { latent: 64, hidden: 2048, epochs: 1000, batch: 5000 } as const;

function checkPageBounds(value: (field: string) => string, latent: number, hidden: number[], train: { epochs: number; batchSize: number }): void {
  const over = (field: keyof typeof PAGE_BOUNDS, n: number) => {
    if (n > PAGE_BOUNDS[field]) throw new Error(`${field}: '${value(field).trim()}' is over the lab's bound of ${PAGE_BOUNDS[field]}${field === 'hidden' ? ' per layer' : ''} (train larger models with the CLI)`);
  };
  over('latent', latent);
  for (const h of hidden) over('hidden', h);
  over('epochs', train.epochs);
  over('batch', train.batchSize);
}

/** A form value as a number; an empty field is NaN, which the schema refuses like any other non-number. */
const toNumber = (raw: string): number => (raw.trim() === '' ? NaN : Number(raw));

/**
 * The run config the Train form describes (`value` reads a field): the preset's model with the chosen latent size and hidden widths (an MLP's
 * encoder layers, mirrored in the decoder; a conv VAE's dense layers between its convs and the code), and the
 * form's epochs, batch size, learning rate and seed; every other setting (Adam's included) is the schema's default.
 * A value the schema refuses throws an Error naming the form field, the value and what the schema expected.
 */
export function formConfig(value: (field: string) => string, { preset: presetName, data, conv }: { preset: string; data: string; conv: boolean }): RunConfig {
  const preset = findPreset(presetName);
  if (!preset) throw new Error(`preset ${presetName}: not found`);
  const base = preset.config.model as Record<string, unknown> & { encoder: Record<string, unknown> };
  const latent = toNumber(value('latent'));
  const hidden = value('hidden').split(',').map(toNumber);
  const activation = base.encoder.activation;
  const model = conv ? { ...base, latent, encoder: { ...base.encoder, hidden } } : { ...base, latent, encoder: { hidden, activation }, decoder: { hidden: [...hidden].reverse(), activation } };
  const train = { epochs: toNumber(value('epochs')), batchSize: toNumber(value('batch')), lr: toNumber(value('lr')), seed: toNumber(value('seed')) };
  const parsed = configSchema.safeParse({ preset: preset.name, data: { name: data }, model, train } as RunConfigInput);
  if (parsed.success) {
    checkPageBounds(value, latent, hidden, train);
    return parsed.data;
  }
  const issue = leafIssue(parsed.error.issues[0] as Issue);
  const at = issue.path.join('.');
  const field = FIELDS.find((f) => at === f.path || at.startsWith(`${f.path}.`));
  throw new Error(field ? `${field.name}: '${value(field.name).trim()}' is not valid: ${issue.message}` : `${at}: ${issue.message}`);
}
