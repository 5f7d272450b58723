/**
 * When requests are due, as `vllm bench serve` spaces them: the first at
 * once, then gaps drawn from a gamma distribution with mean 1/rate and shape
 * `burstiness` (1 is a Poisson process; below 1 burstier, above 1 steadier).
 * Seeded, so a run can be repeated.
 */

/** mulberry32: small, fast, good enough for arrival times. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function standardNormal(random: () => number): number {
  // Box-Muller; 1 - u keeps log() away from 0.
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Gamma(shape, scale) by Marsaglia and Tsang (shape < 1 boosted by U^(1/shape)). */
export function gammaSample(shape: number, scale: number, random: () => number): number {
  if (shape < 1) return gammaSample(shape + 1, scale, random) * Math.pow(1 - random(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v * scale;
  }
}

/** The gap before the next request (ms); 0 for an infinite rate. */
export function arrivalGaps(requestRate: number, burstiness: number, seed: number): () => number {
  if (!Number.isFinite(requestRate)) return () => 0;
  const random = seededRandom(seed);
  const scaleMs = 1000 / (requestRate * burstiness);
  return () => gammaSample(burstiness, scaleMs, random);
}
