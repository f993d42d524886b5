// Run-time state the console shows but the configuration does not hold: tunnel status, connected
// users, hardware ports. The router (src/router) implements RuntimeState over the real tunnels;
// MemoryRuntime holds the same facts in memory for tests and for the daemon until the router is
// started. Actions that change run-time state (disconnecting a user) go through here too.

/** `/interface pptp-client monitor` values. Times in seconds. */
export interface ClientStatus {
  /** dialing | verifying password... | connected | terminated, or a refusal reason. */
  readonly status: string;
  readonly uptime?: number;
  readonly idleTime?: number;
  /** "MPPE128 stateless", "/"-separated when asymmetric. */
  readonly encoding?: string;
  readonly mtu?: number;
  readonly mru?: number;
  /** The peer's MRRU when Multilink was negotiated. */
  readonly mrru?: number;
}

/** One connected PPP user (a row of `/ppp active`). */
export interface PppSession {
  readonly id: string;
  readonly user: string;
  readonly service: string;
  /** The peer's outer address (RouterOS shows it as caller-id for PPTP). */
  readonly callerId: string;
  /** The address the peer got inside the tunnel. */
  readonly address: string;
  /** The tunnel's interface (`pptp-in1`, `<pptp-ex>`); absent: `<pptp-USER>` or the user's static entry. */
  readonly interfaceName?: string;
  /** What `/interface pptp-server` shows as CLIENT-ADDRESS. */
  readonly clientAddress: string;
  readonly uptime: number;
  readonly encoding: string;
  readonly mtu: number;
  readonly mru: number;
  /** The peer's MRRU when Multilink was negotiated. */
  readonly mrru?: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface EthernetPort {
  readonly defaultName: string;
  readonly mac: string;
  readonly running: boolean;
  /** The link's MTU when found: a new port's row starts with it, so the router changes nothing unasked. */
  readonly mtu?: number;
}

/** One row of `/interface print` / `print stats`: every interface the router has. */
export interface InterfaceStats {
  readonly name: string;
  /** "ether", "pptp-in", "pptp-out". */
  readonly type: string;
  readonly running: boolean;
  readonly dynamic: boolean;
  readonly disabled: boolean;
  readonly mtu?: number;
  readonly rxBytes: number;
  readonly txBytes: number;
  readonly rxPackets: number;
  readonly txPackets: number;
}

/** One row of `/ppp login-throttle`: failed PPP logins of an address or a user name. */
export interface LoginThrottleRow {
  readonly kind: 'address' | 'user';
  readonly name: string;
  readonly failures: number;
  /** Seconds of back-off left (0: free to try). */
  readonly waitSeconds: number;
}

/** One row of `/interface pptp-server pending`: what unauthenticated peers hold of one pool. */
export interface PendingRow {
  readonly kind: 'connections' | 'calls';
  /** A source address, or undefined for the pool's total. */
  readonly address: string | undefined;
  readonly held: number;
  readonly limit: number;
  /** Seconds one may be held before the server closes it. */
  readonly timeoutSeconds: number;
}

/** What a firewall rule matched since the rule set was last loaded. */
export interface RuleCounters {
  readonly bytes: number;
  readonly packets: number;
}

/** One connection the kernel tracks (a row of `/ip firewall connection`). */
export interface TrackedConnection {
  readonly protocol: string;
  /** address:port (address alone for protocols without ports). */
  readonly src: string;
  readonly dst: string;
  readonly replySrc: string;
  readonly replyDst: string;
  /** TCP state in RouterOS's words (established, syn-sent ...); empty for other protocols. */
  readonly tcpState: string;
  readonly timeout: number;
  readonly seenReply: boolean;
  readonly assured: boolean;
}

/** A lease the DHCP server handed out (a dynamic row of `/ip dhcp-server lease`). */
export interface DhcpLease {
  readonly address: string;
  /** Upper case, colon separated. */
  readonly mac: string;
  readonly hostName: string;
  /** The /ip dhcp-server name. */
  readonly server: string;
  /** Seconds left. */
  readonly expiresAfter: number;
}

/** `/ip dhcp-client print` columns of one client (times already in RouterOS form). */
export interface DhcpClientStatus {
  readonly status: string;
  readonly address?: string;
  readonly gateway?: string;
  readonly dhcpServer?: string;
  readonly primaryDns?: string;
  readonly expiresAfter?: string;
}

/** An address or route that exists because of something running (a DHCP lease, a tunnel): flag D. */
export interface DynamicEntry {
  readonly values: Readonly<Record<string, string>>;
  /** Flags besides D: a tunnel's routes are A (active) and C (connect) or S (static). */
  readonly flags?: string;
}

/** One record the DNS cache holds (a row of `/ip dns cache`). */
export interface DnsCacheRow {
  readonly name: string;
  readonly type: string;
  readonly data: string;
  /** Seconds left. */
  readonly ttl: number;
}

/** `/system ntp client print` run-time values. */
export interface NtpClientStatus {
  /** stopped | waiting | synchronized | error */
  readonly status: string;
  /** Servers learnt from DHCP leases (use-peer-ntp). */
  readonly dynamicServers: readonly string[];
  readonly syncedServer?: string;
  readonly syncedStratum?: number;
  /** The last accepted sample's offset (ms). */
  readonly offsetMs?: number;
  readonly lastError?: string;
}

export interface RuntimeState {
  clientStatus(name: string): ClientStatus | undefined;
  sessions(): readonly PppSession[];
  /** Disconnects a session; false when it is no longer there. */
  disconnect(sessionId: string): boolean;
  ethernetPorts(): readonly EthernetPort[];
  interfaces(): readonly InterfaceStats[];
  /** Absent where no PPP server runs (tests' MemoryRuntime): the menu prints no rows. */
  loginThrottle?(): readonly LoginThrottleRow[];
  /** Absent where no PPP server runs: the menu prints no rows. */
  pptpPending?(): readonly PendingRow[];
  /** Counters of a rule of /ip firewall filter or nat (by row id); undefined until loaded. */
  ruleCounters?(path: string, id: number): RuleCounters | undefined;
  /** Connections tracked by the kernel (issue 16). */
  connections?(): readonly TrackedConnection[];
  /** Leases handed out and not configured as static ones (issue 16). */
  dhcpLeases?(): readonly DhcpLease[];
  /** State of the /ip dhcp-client row with this id. */
  dhcpClientStatus?(id: number): DhcpClientStatus | undefined;
  /** release or renew of a DHCP client; an error line, or undefined. */
  dhcpClientAction?(id: number, action: 'release' | 'renew'): string | undefined;
  /** Dynamic rows of /ip address and /ip route. */
  dynamicEntries?(path: '/ip address' | '/ip route' | '/interface bridge port'): readonly DynamicEntry[];
  /** Whether the /ip route row with this id is on the host now (flag A). */
  routeActive?(id: number): boolean;
  /** `/radius monitor` values of one server row (by internal id); absent before the router runs. */
  radiusCounters?(id: number): Readonly<Record<string, string>> | undefined;
  /** What the DNS cache holds (dnsmasq's own dump); a string: why it cannot be read. */
  dnsCache?(): Promise<readonly DnsCacheRow[] | string>;
  /** Empties the DNS cache; an error line, or undefined. */
  dnsCacheFlush?(): Promise<string | undefined>;
  /** The NTP client's state (issue 16); absent before the router runs. */
  ntpStatus?(): NtpClientStatus;
}

/** RuntimeState held in memory: the daemon's until the router runs, and the tests'. */
export class MemoryRuntime implements RuntimeState {
  readonly clients = new Map<string, ClientStatus>();
  readonly active = new Map<string, PppSession>();
  ports: EthernetPort[] = [];
  stats: InterfaceStats[] = [];

  clientStatus(name: string): ClientStatus | undefined {
    return this.clients.get(name);
  }
  sessions(): readonly PppSession[] {
    return [...this.active.values()];
  }
  disconnect(sessionId: string): boolean {
    return this.active.delete(sessionId);
  }
  ethernetPorts(): readonly EthernetPort[] {
    return this.ports;
  }
  interfaces(): readonly InterfaceStats[] {
    return this.stats;
  }
}

/**
 * A RuntimeState that answers from `initial` until use() hands it the router's: routerd opens
 * its consoles before the router has started (issue 18: Login: does not wait for it), and
 * what holds the runtime keeps this one object.
 */
export function switchableRuntime(initial: RuntimeState): { readonly runtime: RuntimeState; use(next: RuntimeState): void } {
  let current = initial;
  const runtime = new Proxy({} as RuntimeState, {
    get(_, key) {
      const value: unknown = Reflect.get(current, key);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(current) : value;
    },
    has: (_, key) => key in current,
  });
  return { runtime, use: (next) => void (current = next) };
}
