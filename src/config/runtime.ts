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

export interface RuntimeState {
  clientStatus(name: string): ClientStatus | undefined;
  sessions(): readonly PppSession[];
  /** Disconnects a session; false when it is no longer there. */
  disconnect(sessionId: string): boolean;
  ethernetPorts(): readonly EthernetPort[];
  interfaces(): readonly InterfaceStats[];
  /** `/radius monitor` values of one server row (by internal id); absent before the router runs. */
  radiusCounters?(id: number): Readonly<Record<string, string>> | undefined;
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
