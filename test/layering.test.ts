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

/**
 * The modules the package's browser entry reaches through runtime imports (type-only imports and re-exports left out),
 * each with the module that imported it first, and the bare specifiers it imports.
 */
function browserGraph(entry: string): { files: Map<string, string>; bare: Map<string, string> } {
  const files = new Map<string, string>([[entry, '(entry)']]);
  const bare = new Map<string, string>();
  const queue = [entry];
  const RUNTIME_IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?!type\b)(?:[^'"`;]*?\sfrom\s*)?['"]([^'"]+)['"]|(?<!typeof\s)\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g; // `typeof import('x')` is a type
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const m of readFileSync(file, 'utf8').matchAll(RUNTIME_IMPORT)) {
      const spec = m[1] ?? m[2];
      if (!spec.startsWith('.')) {
        if (!bare.has(spec)) bare.set(spec, path.relative(ROOT, file));
        continue;
      }
      const target = path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'));
      if (!files.has(target)) {
        files.set(target, path.relative(ROOT, file));
        queue.push(target);
      }
    }
  }
  return { files, bare };
}

describe('the browser entry', () => {
  it('reaches no Node builtin, no fs-reading data loader and no native addon (src/browser.ts, the package\'s browser condition)', () => {
    const { files, bare } = browserGraph(path.join(ROOT, 'src', 'browser.ts'));
    const node = [...bare].filter(([spec]) => spec.startsWith('node:') || ['fs', 'path', 'os', 'zlib', 'module', 'pngjs'].includes(spec)).map(([spec, by]) => `${spec} (imported by ${by})`);
    expect(node).toEqual([]);
    const nodeOnly = [...files].filter(([f]) => /src[\\/](native|cli|server)[\\/]|src[\\/]data[\\/](files|mnist|load|budget)\.ts$|src[\\/]train[\\/]loop\.ts$/.test(f)).map(([f, by]) => `${path.relative(ROOT, f)} (imported by ${by})`);
    expect(nodeOnly).toEqual([]);
    expect(files.size).toBeGreaterThan(30); // the walk really follows the entry's imports
  });
});
