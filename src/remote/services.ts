// `/ip service`: keeps one listener per enabled service on its configured port, and none for a
// disabled one. A change of the menu (set port=, disable, a reset) restarts only the services
// it touched; `address=` is read at every connection, so narrowing it needs no restart. A port
// that cannot be bound (taken by another program) is logged and the others keep running.
import { createServer as createTcpServer, type Server as NetServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from '../log.js';
import { ipService, type ServiceName } from '../config/menus/service.js';
import { allowedFrom, plainAddress } from './address-filter.js';
import type { ApiDeps } from './api-session.js';
import { serveApiConnection } from './api-server.js';
import { createSshServer, type SshDeps } from './ssh-server.js';
import { apiSslCertificate, namedCertificate, sshHostKey } from './keys.js';

export interface ServiceDeps extends SshDeps, ApiDeps {
  readonly dataDir: string;
  /** Address to listen on (default all IPv4 addresses). */
  readonly host?: string;
}

interface Running {
  readonly port: number;
  /** What the listener was made with: a change of either restarts it. */
  readonly certificate: string;
  readonly server: NetServer;
}

export class ManagementServices {
  private readonly running = new Map<ServiceName, Running>();
  private readonly log: Logger;
  private off: (() => void) | undefined;
  private applying: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly deps: ServiceDeps) {
    this.log = deps.log.logger('system');
  }

  async start(): Promise<void> {
    this.off = this.deps.model.onChange((e) => {
      if (e.op === 'reset' || e.path === ipService.path) void this.apply();
    });
    await this.apply();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.off?.();
    await this.applying;
    await Promise.all([...this.running.keys()].map((name) => this.close(name)));
  }

  /** Ports the services listen on now (for tests and the log). */
  listening(): ReadonlyMap<ServiceName, number> {
    return new Map([...this.running].map(([n, r]) => [n, r.port]));
  }

  private config(name: ServiceName): { port: number; disabled: boolean; address: readonly string[]; certificate: string } | undefined {
    const row = this.deps.model.list(ipService).find((r) => r.name === name);
    return row && { port: row.port, disabled: row.disabled, address: row.address, certificate: name === 'api-ssl' ? row.certificate : '' };
  }

  private apply(): Promise<void> {
    this.applying = this.applying.then(async () => {
      for (const name of ['ssh', 'api', 'api-ssl'] as const) {
        if (this.stopped) return;
        const want = this.config(name);
        const have = this.running.get(name);
        const port = want && !want.disabled ? want.port : undefined;
        const certificate = want?.certificate ?? '';
        if (have && have.port === port && have.certificate === certificate) continue;
        if (have) await this.close(name);
        if (port !== undefined) await this.open(name, port, certificate);
      }
    });
    return this.applying;
  }

  private async close(name: ServiceName): Promise<void> {
    const r = this.running.get(name);
    if (!r) return;
    this.running.delete(name);
    await new Promise<void>((resolve) => r.server.close(() => resolve()));
    this.log.info(`${name}: stopped listening on port ${r.port}`);
  }

  private async open(name: ServiceName, port: number, certificate: string): Promise<void> {
    const allowed = (): readonly string[] => this.config(name)?.address ?? [];
    let server: NetServer;
    try {
      server = await this.create(name, allowed, certificate);
    } catch (e) {
      this.log.error(`${name}: not started: ${(e as Error).message}`);
      return;
    }
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', (e: Error) => {
        this.log.error(`${name}: cannot listen on port ${port}: ${e.message}`);
        resolve(false);
      });
      server.listen(port, this.deps.host ?? '0.0.0.0', () => resolve(true));
    });
    if (!ok) return;
    server.on('error', (e: Error) => this.log.error(`${name}: ${e.message}`));
    this.running.set(name, { port, certificate, server });
    this.log.info(`${name}: listening on port ${port}`);
  }

  private async create(name: ServiceName, allowed: () => readonly string[], certificate: string): Promise<NetServer> {
    if (name === 'ssh') return createSshServer(this.deps, sshHostKey(this.deps.dataDir, this.log), allowed);
    const gate = (address: string | undefined): boolean => {
      const plain = plainAddress(address);
      if (allowedFrom(plain, allowed())) return true;
      this.log.info(`${name}: connection from ${plain} refused: not in /ip service address`);
      return false;
    };
    if (name === 'api') {
      return createTcpServer((socket) => {
        if (gate(socket.remoteAddress)) serveApiConnection(this.deps, socket, name);
        else socket.destroy();
      });
    }
    const identity = String(this.deps.model.settingsValues('/system identity').name);
    const tls = certificate === 'none' ? await apiSslCertificate(this.deps.dataDir, identity, this.log) : namedCertificate(this.deps.dataDir, certificate);
    const server = createTlsServer({ key: tls.key, cert: tls.cert }, (socket) => serveApiConnection(this.deps, socket, name));
    // Refused before the TLS handshake costs anything.
    server.on('connection', (socket: import('node:net').Socket) => {
      if (!gate(socket.remoteAddress)) socket.destroy();
    });
    server.on('tlsClientError', () => {});
    return server;
  }
}
