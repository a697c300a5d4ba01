// Holds the CPU for `ms` milliseconds: a stand-in for CPU-bound work (hashing,
// image resizing, a large transform), for the demo's /cpu routes.

export const MAX_SPIN_MS = 1000;

export function spin(ms: number): { spunMs: number } {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // the work
  }
  return { spunMs: ms };
}
