/**
 * Builds the browser lab (web/ -> web/dist) with the vaekit library bundled in. Library modules that import Node
 * builtins only use them on Node code paths (backend choice, file reading); here each `node:*` import becomes a stub
 * whose functions throw, so those paths fail loudly if ever reached and everything else bundles unchanged.
 */
import { defineConfig, type Plugin } from 'vite';

const STUB = '\0vaekit-node-stub:';

/** Replaces `node:*` imports with stubs exporting the same names as the real module. */
function nodeStubs(): Plugin {
  return {
    name: 'vaekit-node-stubs',
    enforce: 'pre',
    resolveId(id) {
      return id.startsWith('node:') ? STUB + id.slice('node:'.length) : null;
    },
    async load(id) {
      if (!id.startsWith(STUB)) return null;
      const name = id.slice(STUB.length);
      const real = (await import(`node:${name}`)) as Record<string, unknown>;
      const names = Object.keys(real).filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n));
      const fail = `() => { throw new Error('node:${name} is not available in the browser'); }`;
      return [
        `const fail = ${fail};`,
        `export default new Proxy({}, { get: () => fail });`,
        ...names.map((n) => `export const ${n} = fail;`),
      ].join('\n');
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [nodeStubs()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // tfjs alone is over a megabyte; the lab is served locally, so one large chunk costs nothing worth a warning.
    chunkSizeWarningLimit: 4096,
    reportCompressedSize: false,
  },
  server: { host: '127.0.0.1' },
});
