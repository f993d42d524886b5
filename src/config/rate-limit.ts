// RouterOS's rate-limit text as the PPP profile takes it: "rx/tx" from the router's side.

export interface RateLimit {
  /** Bits per second; 0: no limit that way. */
  readonly rxBps: number;
  readonly txBps: number;
}

/** "2M/4M" (rx/tx), "512k", "1G/0": bits per second with k, M, G suffixes (RouterOS: 1k = 1000). */
export function parseRateLimit(text: string): RateLimit | string {
  const parts = text.trim().split('/');
  if (text.includes(' ')) return 'only "rx/tx" rates are supported (burst and priority parts are not implemented)';
  if (parts.length > 2) return 'expected rx-rate[/tx-rate], e.g. 2M/4M';
  const rates = parts.map((p) => {
    const m = /^(\d+(?:\.\d+)?)([kKMG]?)$/.exec(p);
    if (!m) return undefined;
    const unit = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9 }[m[2]!]!;
    return Math.round(Number(m[1]) * unit);
  });
  if (rates.some((r) => r === undefined)) return 'expected rx-rate[/tx-rate] in bits per second with k, M or G, e.g. 2M/4M';
  const [rx, tx] = [rates[0]!, rates[1] ?? rates[0]!];
  if ((rx > 0 && rx < 8000) || (tx > 0 && tx < 8000)) return 'a rate below 8k is too small to shape';
  return { rxBps: rx, txBps: tx };
}
