export function quantile(sorted, q) {
  if (!sorted.length) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function summarize(values) {
  const s = [...values].sort((a, b) => a - b);
  return {
    n: s.length,
    min: s[0],
    p50: quantile(s, 0.5),
    p90: quantile(s, 0.9),
    p99: quantile(s, 0.99),
    max: s[s.length - 1],
  };
}

/** Fisher–Yates, so each round runs the subjects in a fresh order. */
export function shuffle(list) {
  const a = [...list];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

export const fmt = {
  ms: (v) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : "—"),
  ratio: (v) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : "—"),
  mib: (b) => (Number.isFinite(b) ? `${(b / 1024 / 1024).toFixed(1)} MiB` : "—"),
  bytes: (b) => (Number.isFinite(b) ? Math.round(b).toLocaleString("en-US") : "—"),
};
