/** What every view gets: the lab, the backend name, and per-model results computed once (test codes, test ELBOs). */
import { tf } from '../../../src/engine/tf.js';
import { Rng } from '../../../src/engine/rng.js';
import { decodeCodes, encodeMeans, repeatLabel, type Rows } from '../../../src/latent/index.js';
import type { Model } from '../../../src/models/index.js';
import { klWeight } from '../../../src/train/beta-schedule.js';
import type { Lab } from '../lab.js';

/** The lab plus lazily computed per-model results; one per loaded model. */
export class ViewContext {
  /** The class a conditional VAE decodes codes as (chosen in the header); undefined for other models. */
  label: number | undefined;
  private codesCache?: Rows;
  private scoresCache?: Float32Array;

  constructor(
    readonly lab: Lab,
    readonly backend: string,
  ) {
    this.label = lab.model.classes === undefined ? undefined : 0;
  }

  /** The test examples the views can use: a conditional model needs their labels too. */
  private usableTest() {
    const { test, model } = this.lab;
    return test && (model.classes === undefined || test.labels) ? test : undefined;
  }

  /** Why the views that need test examples have none. */
  dataNote(): string {
    if (this.lab.test && !this.usableTest()) return 'a conditional VAE encodes each example with its class, and these test examples have no labels';
    return this.lab.dataNote ?? 'none were loaded';
  }

  /** The labels of the test examples as a conditional model reads them; undefined for other models. */
  private testLabels(): Int32Array | undefined {
    return this.lab.model.classes === undefined ? undefined : this.lab.test?.labels;
  }

  /** The encoder means of the test examples [n, L] (computed on first use). */
  codes(): Rows | undefined {
    const test = this.usableTest();
    if (!test) return undefined;
    this.codesCache ??= encodeMeans(this.lab.model, { data: test.x, n: test.n, dim: test.dim }, this.testLabels());
    return this.codesCache;
  }

  /** Each test example's loss (the negative ELBO for a VAE), averaged over z draws (computed on first use). */
  testScores(): Float32Array | undefined {
    const test = this.usableTest();
    if (!test) return undefined;
    this.scoresCache ??= exampleLoss(this.lab.model, test.x, test.n, SCORE_SAMPLES, this.testLabels());
    return this.scoresCache;
  }

  /** The decoded mean of one code z [L] (as the chosen class for a conditional model), a fresh [D] array. */
  decode(z: Float32Array): Float32Array {
    return decodeOne(this.lab.model, z, repeatLabel(this.label, 1));
  }

  /** Test example i's code decoded as its own class (a conditional model) or plainly. */
  decodeExample(i: number, z: Float32Array): Float32Array {
    return decodeOne(this.lab.model, z, this.testLabels()?.subarray(i, i + 1));
  }

  /** Labels for `n` inputs of the chosen class, for a conditional model's encoder or loss; undefined otherwise. */
  labels(n: number): Int32Array | undefined {
    return repeatLabel(this.label, n);
  }
}

/** z draws per example for the scores: enough that the sampling noise is small beside the spread across digits. */
export const SCORE_SAMPLES = 8;

/** The decoded mean of one code z [L] as a fresh [D] array; `labels` [1] for a conditional model. */
function decodeOne(model: Model, z: Float32Array, labels?: Int32Array): Float32Array {
  return decodeCodes(model, { data: z, n: 1, dim: model.latentDim }, labels).data;
}

/**
 * Per-example reconstruction + KL in evaluation mode, averaged over `samples` draws of z from a fixed seed, so a
 * drawing and the test set are scored the same way and the same input always gets the same score; `labels` [n] for a
 * conditional model.
 *
 * @example
 * const scores = exampleLoss(model, x, n, 8); // [n], nats for a Bernoulli VAE
 */
export function exampleLoss(model: Model, x: Float32Array, n: number, samples: number, labels?: Int32Array): Float32Array {
  const rng = new Rng(1);
  const out = new Float32Array(n);
  const batch = 250;
  for (let start = 0; start < n; start += batch) {
    const b = Math.min(batch, n - start);
    const sums = tf.tidy(() => {
      const xb = tf.tensor2d(x.subarray(start * model.inputDim, (start + b) * model.inputDim), [b, model.inputDim]); // [B, D]
      let total = tf.zeros([b]);
      for (let k = 0; k < samples; k++) {
        const terms = model.loss(xb, { training: false, rng, klWeight: klWeight(model.config, 'unscheduled'), ...(labels && { labels: labels.subarray(start, start + b) }) });
        total = tf.add(total, tf.add(terms.reconstruction, terms.kl));
      }
      return tf.div(total, samples).dataSync() as Float32Array;
    });
    out.set(sums, start);
  }
  return out;
}

/** Replaces an element's content with a short explanatory note. */
export function showNote(root: HTMLElement, text: string): void {
  root.replaceChildren(Object.assign(document.createElement('p'), { className: 'note', textContent: text }));
}

/** Properties to set on a new element; `style` as CSS text, `dataset` as data-* values. */
type ElementProps<K extends keyof HTMLElementTagNameMap> = Omit<Partial<HTMLElementTagNameMap[K]>, 'dataset' | 'style'> & {
  dataset?: Record<string, string>;
  style?: string;
};

/** Creates an element with attributes and children; a tiny stand-in for a template language. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElementProps<K> = {} as ElementProps<K>,
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const { dataset, style, ...rest } = props;
  const node = Object.assign(document.createElement(tag), rest);
  if (dataset) Object.assign(node.dataset, dataset);
  if (style) node.setAttribute('style', style);
  node.append(...children);
  return node;
}

/** A canvas of the given pixel size. */
export function canvas(width: number, height: number, testid?: string): HTMLCanvasElement {
  return el('canvas', { width, height, ...(testid && { dataset: { testid } }) });
}
