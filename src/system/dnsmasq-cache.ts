// `/ip dns cache print` reads what dnsmasq's cache holds from dnsmasq itself: on SIGUSR1 it
// writes its statistics and, run with --log-queries, one line per cached record to its log
// (our pipe). The dump has no end marker, so the router asks twice: the second dump's first
// line ends the first. This reader takes dnsmasq's log lines one at a time, collects the
// dump asked for, and says which lines are dump or query-log chatter that the router's log
// should not repeat. Pure: no signals, no timers (src/router/dhcp-dns.ts has those).

export interface DnsCacheEntry {
  /** As dnsmasq prints it: names longer than 30 characters are cut there. */
  readonly name: string;
  readonly type: 'A' | 'AAAA' | 'CNAME';
  readonly data: string;
  /** Seconds left. */
  readonly ttl: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// Column layout of dnsmasq's dump_cache (2.90): name %-30.30s, address %-40.40s, flags, then
// ctime() of the expiry (24 characters; dnsmasq runs with TZ=UTC so it is UTC).
const NAME_END = 30;
const ADDRESS_START = 31;
const ADDRESS_END = 71;
const FLAGS_START = 72;
const EXPIRES_START = 83;

function isRow(line: string): boolean {
  return line.length >= FLAGS_START && line[NAME_END] === ' ' && line[ADDRESS_END] === ' ';
}

/** "Mon Dec  7 15:00:32 2026" as seconds since the epoch (UTC), or undefined. */
function ctimeSeconds(text: string): number | undefined {
  const m = /^\w{3} (\w{3}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) (\d{4})$/.exec(text.trim());
  if (!m || !MONTHS.includes(m[1]!)) return undefined;
  return Date.UTC(Number(m[6]), MONTHS.indexOf(m[1]!), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])) / 1000;
}

/**
 * One row of the dump as a record to list, or undefined for what the cache holds but is not a
 * name's answer: negative and NXDOMAIN entries (N, X), reverse entries (R), records that never
 * expire (I: configuration, /ip dns static, DHCP names), DNSSEC keys.
 */
export function parseCacheRow(line: string, dumpTime: number): DnsCacheEntry | undefined {
  if (!isRow(line)) return undefined;
  const name = line.slice(0, NAME_END).trim();
  const data = line.slice(ADDRESS_START, ADDRESS_END).trim();
  const flags = line.slice(FLAGS_START, EXPIRES_START).replace(/\s+/g, '');
  const expires = ctimeSeconds(line.slice(EXPIRES_START, EXPIRES_START + 24));
  if (name === '' || data === '' || expires === undefined || /[NXRI]/.test(flags)) return undefined;
  const type = flags.startsWith('4') ? 'A' : flags.startsWith('6') ? 'AAAA' : flags.startsWith('C') ? 'CNAME' : undefined;
  if (!type) return undefined;
  return { name, type, data, ttl: Math.max(0, expires - dumpTime) };
}

// --log-queries prints each query and its answer; the router's log is no query log.
const QUERY_LOG = /^(query\[|forwarded |reply |cached |cached-stale |config |validation |dnssec-query|DHCP |\/\S+ )/;

export class DnsCacheReader {
  private inDump = false;
  private inTable = false;
  private wanted = false;
  private collecting: DnsCacheEntry[] | undefined;
  private dumpTime = 0;

  constructor(private readonly events: {
    /** The dump asked for has begun: ask for the next one, whose start ends it. */
    readonly started: () => void;
    readonly finished: (entries: DnsCacheEntry[]) => void;
    /** dnsmasq emptied its cache (SIGHUP, or its start). */
    readonly cleared?: () => void;
  }) {}

  /** The next dump is ours to collect. */
  want(): void {
    this.wanted = true;
  }

  /** One line of dnsmasq's log (its "dnsmasq[pid]: " prefix may be there); true: not for the router's log. */
  feed(raw: string): boolean {
    const line = raw.replace(/^dnsmasq(\[\d+\])?: /, '');
    const time = /^time (\d+)$/.exec(line);
    if (time) {
      if (this.collecting) {
        const entries = this.collecting;
        this.collecting = undefined;
        this.events.finished(entries);
      }
      if (this.wanted) {
        this.wanted = false;
        this.collecting = [];
        this.dumpTime = Number(time[1]);
        this.events.started();
      }
      this.inDump = true;
      this.inTable = false;
      return true;
    }
    if (this.inDump && !this.inTable) {
      if (/^Host {2,}Address/.test(line)) this.inTable = true;
      return true;
    }
    if (this.inTable && (/^-{10,}/.test(line) || isRow(line))) {
      const entry = this.collecting ? parseCacheRow(line, this.dumpTime) : undefined;
      if (entry) this.collecting!.push(entry);
      return true;
    }
    this.inDump = false;
    this.inTable = false;
    if (line === 'cleared cache') this.events.cleared?.();
    return QUERY_LOG.test(line);
  }
}
