// Types for the one vega-scale function vaekit imports: vega-scale ships an index.d.ts that its package.json
// "exports" hides from TypeScript's module resolution.
declare module 'vega-scale' {
  /** The colour interpolator of a named scheme (t in [0, 1] to a CSS colour), or undefined for an unknown name. */
  export function scheme(name: string): ((t: number) => string) | undefined;
}
