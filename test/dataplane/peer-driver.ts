// Starts test/dataplane/peer.ts inside a namespace and talks to it (one JSON line per message).
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Netns } from '../lib/netns.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const tsLoader = fileURLToPath(new URL('../../node_modules/@tapjs/typescript/dist/esm/import.mjs', import.meta.url));

export interface PeerEvent {
  event: string;
  [k: string]: unknown;
}

export class Peer {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  readonly events: PeerEvent[] = [];
  private readonly ready: Promise<void>;
  stderr = '';

  constructor(readonly ns: Netns) {
    const child = ns.spawn('node', ['--import', tsLoader, `${here}peer.ts`], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' },
    });
    this.child = child;
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    let markReady: () => void = () => {};
    this.ready = new Promise((r) => (markReady = r));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (typeof msg.event === 'string') {
        if (msg.event === 'ready') markReady();
        else this.events.push(msg as PeerEvent);
        return;
      }
      const p = this.pending.get(msg.id as number);
      if (!p) return;
      this.pending.delete(msg.id as number);
      if (msg.ok) p.resolve(msg);
      else p.reject(new Error(String(msg.error)));
    });
    child.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`peer exited (${code}): ${this.stderr}`));
      this.pending.clear();
    });
  }

  private readonly child: ReturnType<Netns['spawn']>;

  async call(cmd: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    await this.ready;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.stdin!.write(`${JSON.stringify({ id, cmd, ...args })}\n`);
    });
  }
}
