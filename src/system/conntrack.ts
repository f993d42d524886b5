// /proc/net/nf_conntrack read as `/ip firewall connection` rows. Pure: the text in, typed rows
// out; lines it does not understand are skipped rather than guessed at. The kernel writes one
// connection per line: family, protocol name and number, seconds left, the TCP state, then the
// original direction's src/dst(/sport/dport) and the reply direction's, and flags in brackets.
import type { TrackedConnection } from '../config/runtime.js';

export function parseConntrack(text: string): TrackedConnection[] {
  const out: TrackedConnection[] = [];
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words.length < 6 || words[0] !== 'ipv4') continue;
    const protocol = words[2]!;
    const timeout = Number(words[4]);
    if (!Number.isFinite(timeout)) continue;
    let tcpState = '';
    const sides: Record<string, string>[] = [];
    let unreplied = false;
    let assured = false;
    for (const w of words.slice(5)) {
      if (w === '[UNREPLIED]') unreplied = true;
      else if (w === '[ASSURED]') assured = true;
      else if (/^[A-Z_]+$/.test(w) && sides.length === 0) tcpState = w.toLowerCase().replace(/_/g, '-');
      else {
        const eq = w.indexOf('=');
        if (eq < 0) continue;
        const key = w.slice(0, eq);
        if (key === 'src') sides.push({});
        if (sides.length > 0 && sides.length <= 2 && !(key in sides[sides.length - 1]!)) sides[sides.length - 1]![key] = w.slice(eq + 1);
      }
    }
    const [orig, reply] = sides;
    if (!orig?.src || !orig.dst || !reply?.src || !reply.dst) continue;
    const at = (side: Record<string, string>, a: 'src' | 'dst') => {
      const port = side[a === 'src' ? 'sport' : 'dport'];
      return port === undefined ? side[a]! : `${side[a]!}:${port}`;
    };
    out.push({
      protocol,
      src: at(orig, 'src'),
      dst: at(orig, 'dst'),
      replySrc: at(reply, 'src'),
      replyDst: at(reply, 'dst'),
      tcpState: protocol === 'tcp' ? tcpState : '',
      timeout,
      seenReply: !unreplied,
      assured,
    });
  }
  return out;
}
