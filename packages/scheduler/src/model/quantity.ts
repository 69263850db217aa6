// Kubernetes resource quantities ("100m", "1.5", "128Mi", "1G", "2e3") as plain numbers.
// A local helper: @skiff/api did not export one when the scheduler was written.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

/** The value of a quantity in base units (cores, bytes); throws on a malformed quantity. */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = QUANTITY.exec(q.trim());
  if (!m) throw new Error(`invalid quantity ${JSON.stringify(q)}`);
  const n = Number(m[1]);
  if (m[2]) return n * 10 ** Number(m[2].slice(1));
  const suffix = m[3] ?? '';
  return n * (BINARY[suffix] ?? DECIMAL[suffix]);
}

/** CPU in millicores, rounded up as Kubernetes does ("0.0001" is 1m). */
export function milliCpu(q: string | number | undefined): number {
  return q === undefined ? 0 : Math.ceil(Math.round(parseQuantity(q) * 1e6) / 1e3);
}

/** Memory (or any count) in whole base units, rounded up. */
export function wholeUnits(q: string | number | undefined): number {
  return q === undefined ? 0 : Math.ceil(parseQuantity(q));
}
