/**
 * Reproduces the lab's bundled default (web/public/default/): trains the MNIST VAE with latent 2 through the CLI
 * (or takes `--run DIR`, an existing run), copies its model, and writes the MNIST subsets the page uses: the first
 * 1,000 test digits (latent map, interpolation, draw scores) and the first 5,000 training digits (the Train view).
 *
 *   npm run lab:default                 # trains runs/lab-default (about a minute on the native backend), then copies
 *   npm run lab:default -- --run DIR    # uses a run you trained yourself
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadDataset } from '../src/data/index.js';
import { labDataFiles } from '../src/server/lab-data.js';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'web', 'public', 'default');
const TRAIN = ['train', '--preset', 'mnist-vae-pytorch', '--latent', '2', '--hidden', '256,128', '--epochs', '20', '--seed', '1'];

const at = process.argv.indexOf('--run');
let run = at > 0 ? process.argv[at + 1] : undefined;
if (!run) {
  run = path.join(root, 'runs', 'lab-default');
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'vaekit.js'), ...TRAIN, '--out', run], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
mkdirSync(out, { recursive: true });
for (const file of ['model.json', 'weights.bin']) copyFileSync(path.join(run, 'model', file), path.join(out, file));
const mnist = loadDataset({ name: 'mnist', seed: 1, testFraction: 0.2 }); // MNIST has its own split; testFraction is unused
const test = labDataFiles(mnist, mnist.test, 1000);
const train = labDataFiles(mnist, mnist.train, 5000);
writeFileSync(path.join(out, 'test-images.idx.gz'), test.images);
writeFileSync(path.join(out, 'test-labels.idx.gz'), test.labels!);
writeFileSync(path.join(out, 'train-images.idx.gz'), train.images);
writeFileSync(path.join(out, 'train-labels.idx.gz'), train.labels!);
console.log(`wrote ${out} from ${run}`);
