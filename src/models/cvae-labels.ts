/** Class labels for a conditional model: checks of the labels a user gives (`--label`, a dataset's labels) and the one-hot rows the model reads. */
import { tf, type Tensor2D } from '../engine/index.js';
import { UsageError } from '../errors.js';
import type { Model } from './types.js';

/**
 * One-hot rows [B, K] for a batch's labels, checked: one label per row, each in 0..classes-1.
 *
 * @example
 * const y = oneHotLabels({ labels: Int32Array.of(7, 1), rows: 2, classes: 10 }); // [2, 10]
 */
export function oneHotLabels({ labels, rows, classes }: { labels: Int32Array | undefined; rows: number; classes: number }): Tensor2D {
  if (!labels) throw new UsageError('a conditional VAE needs the class labels of its inputs (a labelled dataset, or --label)');
  if (labels.length !== rows) throw new UsageError(`cvae: ${labels.length} labels for ${rows} rows`);
  for (const y of labels) {
    if (!Number.isInteger(y) || y < 0 || y >= classes) throw new UsageError(`cvae: label ${y} is outside 0..${classes - 1} (model.classes ${classes})`);
  }
  return tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat() as Tensor2D);
}

/**
 * Checks a class label chosen for decoding (`--label k`): a conditional model takes one in 0..classes-1; any other
 * model takes none. Returns the label.
 *
 * @example
 * checkLabel(model, flags.label); // throws `--label 12: expected a class in 0..9` for a 10-class CVAE
 */
export function checkLabel(model: Model, label: number | undefined, flag = '--label'): number | undefined {
  if (label === undefined) return undefined;
  if (model.classes === undefined) throw new UsageError(`${flag} ${label}: only a conditional VAE (model.kind cvae) decodes a given class; this model is a ${model.config.kind}`);
  if (!Number.isInteger(label) || label < 0 || label >= model.classes) throw new UsageError(`${flag} ${label}: out of range; expected a class in 0..${model.classes - 1} (the model has ${model.classes} classes)`);
  return label;
}

/**
 * The labels a conditional model is given for `n` examples: `label` for every one when it is given (checked with
 * {@link checkLabel}), otherwise the first n of the examples' own `labels`; undefined for an unconditional model. A
 * UsageError says when a conditional model's examples have no labels (`what` names the examples).
 *
 * @example
 * const y = labelsFor({ model, labels: dataset.test.labels, n: 100, what: "the test split of 'mnist'" }); // [100] for a CVAE
 */
export function labelsFor({ model, labels, n, what, label }: { model: Model; labels: Int32Array | undefined; n: number; what: string; label?: number }): Int32Array | undefined {
  if (checkLabel(model, label) !== undefined) return new Int32Array(n).fill(label!);
  if (model.classes === undefined) return undefined;
  if (!labels) throw new UsageError(`${what} has no labels, and a conditional VAE encodes each example with its class label (give --label k to use class k for every example)`);
  if (labels.length < n) throw new UsageError(`${what}: ${labels.length} labels for ${n} examples`);
  const out = labels.subarray(0, n);
  const bad = out.findIndex((y) => y < 0 || y >= model.classes!);
  if (bad >= 0) throw new UsageError(`${what}: example ${bad} has label ${out[bad]}, outside the model's classes 0..${model.classes - 1}`);
  return out;
}
