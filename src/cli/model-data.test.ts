/** The --data help of the commands that apply a model names every kind of data loadDataset accepts, from its one list. */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_DATASETS, DATA_ACCEPTED } from '../data/index.js';
import { modelDataOptions } from './model-data.js';

describe('modelDataOptions', () => {
  it('--data lists DATA_ACCEPTED: every built-in dataset, the file formats and PNG folders', () => {
    const help = modelDataOptions(new Command('anomaly')).options.find((o) => o.long === '--data')!.description;
    expect(help).toContain(DATA_ACCEPTED);
    for (const name of BUILT_IN_DATASETS) expect(help).toContain(name);
    expect(help).toContain('folder of PNG images');
  });
});
