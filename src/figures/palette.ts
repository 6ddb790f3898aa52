/**
 * The colour rule for a continuous value per point (the Swiss roll's position along the roll), shared by the CLI's
 * figures (Vega-Lite's `scheme`) and the lab page (which paints canvases itself): viridis over the values' range.
 */
// vega-scale, not all of vega: the lab bundles this module, and vega's index would add about 0.5 MB to the page.
import { scheme } from 'vega-scale';

/** The sequential Vega colour scheme for a continuous value per point. */
export const VALUE_SCHEME = 'viridis';

/**
 * A CSS colour per value: the value's place between the smallest and largest of `values` on {@link VALUE_SCHEME},
 * the domain Vega-Lite gives a quantitative colour field.
 *
 * @example
 * const colours = valueColours(position); // ['rgb(68, 1, 84)', ..., 'rgb(253, 231, 37)']
 */
export function valueColours(values: ArrayLike<number>): string[] {
  const interpolate = scheme(VALUE_SCHEME)!;
  let [lo, hi] = [Infinity, -Infinity];
  for (let i = 0; i < values.length; i++) [lo, hi] = [Math.min(lo, values[i]), Math.max(hi, values[i])];
  const span = hi > lo ? hi - lo : 1;
  return Array.from(values, (v) => interpolate((v - lo) / span));
}
