import { describe, expect, it } from 'vitest';
import { tf } from './tf.js';
import { Rng } from './rng.js';
import { NoiseBuffer } from './noise.js';

describe('NoiseBuffer', () => {
  it('draws what normalArray draws, reusing its array only once the last tensor is disposed', () => {
    const before = tf.memory().numTensors;
    const noise = new NoiseBuffer();
    const rng = new Rng(3);
    const reference = new Rng(3);
    const a = noise.draw(rng, 4, 5);
    expect(Array.from(a.dataSync())).toEqual(Array.from(reference.normalArray(20)));
    const kept = Float32Array.from(a.dataSync());
    // `a` is still alive: the next draw must not overwrite the array under it.
    const b = noise.draw(rng, 4, 5);
    expect(Array.from(b.dataSync())).toEqual(Array.from(reference.normalArray(20)));
    expect(Array.from(a.dataSync())).toEqual(Array.from(kept));
    tf.dispose([a, b]);
    const c = noise.draw(rng, 2, 3); // another shape
    expect(Array.from(c.dataSync())).toEqual(Array.from(reference.normalArray(6)));
    c.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
