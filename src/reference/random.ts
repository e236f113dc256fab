/** Small seeded generators so tests and benchmarks build the same inputs everywhere. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** `count` normals times `scale`, as a Float32Array (what the GPU sees exactly). */
  normals(count: number, scale?: number): Float32Array;
}

/** mulberry32: 32-bit state, good enough for test data, identical in every JS engine. */
export function random(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    const u = 1 - next();
    const v = next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return {
    next,
    normal,
    normals(count, scale = 1) {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = normal() * scale;
      return out;
    },
  };
}
