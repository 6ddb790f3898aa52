/** A fresh run's weights from another run's model (`train.initFrom`): fine-tuning, Burda et al.'s VAE-to-IWAE runs. */
import type { Model } from '../models/index.js';
import { ModelError, UsageError } from '../errors.js';
import { loadModel } from '../io/model-files.js';

/** What the messages call the setting: the config key and its flag. */
const WHAT = 'train.initFrom (--init-from)';

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/**
 * Overwrites every variable of `model` (trainable or not: BatchNorm statistics, a codebook) with the one of the same
 * name in the model of the run or model folder `from`, which must have exactly the same variables and shapes; the
 * optimizer state is not touched (a fresh run's Adam starts afresh). A missing folder, a variable missing on either
 * side or a shape that differs is a UsageError naming the folder and the variable; nothing is assigned then.
 *
 * @example
 * initFromRun(model, 'runs/vae'); // e.g. an IWAE (k = 50) run starting from a trained VAE of the same architecture
 */
export function initFromRun(model: Model, from: string): void {
  let source: Model;
  try {
    source = loadModel(from).model;
  } catch (err) {
    if (err instanceof ModelError) throw new UsageError(`${WHAT} ${err.message}`);
    throw err;
  }
  try {
    const theirs = new Map(source.variables().map((v) => [v.name, v.variable]));
    const ours = model.variables();
    const mismatch = (detail: string) => new UsageError(`${WHAT} ${from}: its model does not match this ${model.config.kind} model: ${detail}; --init-from needs the same architecture (every variable by name and shape)`);
    for (const { name, variable } of ours) {
      const t = theirs.get(name);
      if (!t) throw mismatch(`it has no variable '${name}' (${shapeText(variable.shape)} here)`);
      if (t.shape.length !== variable.shape.length || t.shape.some((n, i) => n !== variable.shape[i])) throw mismatch(`'${name}' is ${shapeText(t.shape)} there, ${shapeText(variable.shape)} here`);
    }
    const names = new Set(ours.map((v) => v.name));
    const extra = [...theirs.keys()].filter((n) => !names.has(n));
    if (extra.length > 0) throw mismatch(`it has ${extra.length === 1 ? 'a variable' : 'variables'} this model lacks: ${extra.slice(0, 3).map((n) => `'${n}'`).join(', ')}${extra.length > 3 ? `, and ${extra.length - 3} more` : ''}`);
    for (const { name, variable } of ours) variable.assign(theirs.get(name)!);
  } finally {
    source.dispose();
  }
}
