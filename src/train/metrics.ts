/** The per-epoch record written to metrics.jsonl. */

/** Means per example of the loss and its terms. */
export interface Terms {
  loss: number;
  reconstruction: number;
  kl: number;
  /** A discrete-code model's (VQ-VAE's) codebook over the evaluated examples: the fraction of codes used, the perplexity of their use, and K. */
  codebook?: { usage: number; perplexity: number; size: number };
}

export interface EpochMetrics {
  epoch: number;
  /** Running mean over the epoch's training batches (training mode), as pytorch/examples reports it. */
  train: Terms;
  /** Mean over the test split in evaluation mode. */
  test: Terms;
  samplesPerSecond: number;
  epochSeconds: number;
  elapsedSeconds: number;
  time: string;
  /** The learning rate of the epoch (from the schedule). */
  lr?: number;
  /** The epoch's KL (or anchor) weight from the beta schedule; absent for an autoencoder. */
  beta?: number;
  /** The epoch's capacity C in nats, for the capacity schedule (Burgess et al.). */
  capacity?: number;
}

/** One metrics.jsonl line. */
export function metricsLine(m: EpochMetrics): string {
  return JSON.stringify(m) + '\n';
}
