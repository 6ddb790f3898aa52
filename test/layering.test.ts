/** Only src/engine/ imports the tensor library: every other .ts file under src/ and web/src/ gets tf from the engine. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const SCANNED = ['src', 'web/src'];
const ENGINE = path.join(ROOT, 'src', 'engine');

/** Every .ts file under `dir`, recursively, except those under src/engine/. */
function tsFiles(dir: string): string[] {
  if (dir === ENGINE) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : tsFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

// A module specifier starting @tensorflow/ in a static import or export, a dynamic import() or a require().
const TENSORFLOW_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"`]@tensorflow\//;

/**
 * The `file:line` of each line in `text` that imports @tensorflow/*.
 *
 * @example
 * tensorflowImports('a.ts', "import * as tf from '@tensorflow/tfjs-core';"); // ['a.ts:1']
 */
function tensorflowImports(file: string, text: string): string[] {
  return text.split('\n').flatMap((line, i) => (TENSORFLOW_IMPORT.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
}

describe('layering', () => {
  it('the scan recognizes each form of import', () => {
    const forms = [
      "import * as tf from '@tensorflow/tfjs-core';",
      "import '@tensorflow/tfjs';",
      "export { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';",
      "const wasm = await import('@tensorflow/tfjs-backend-wasm');",
      "import url from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';",
      "const tf = require(\"@tensorflow/tfjs-node\");",
    ];
    for (const form of forms) expect(tensorflowImports('a.ts', form), form).toHaveLength(1);
    expect(tensorflowImports('a.ts', "import { tf } from '../engine/index.js'; // not @tensorflow/tfjs itself")).toEqual([]);
  });

  it('no .ts file outside src/engine/ imports @tensorflow/*', () => {
    const files = SCANNED.flatMap((d) => tsFiles(path.join(ROOT, d)));
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((f) => tensorflowImports(path.relative(ROOT, f), readFileSync(f, 'utf8')));
    expect(found, 'import the tensor library through src/engine/ (tf.ts and its siblings)').toEqual([]);
  });
});
