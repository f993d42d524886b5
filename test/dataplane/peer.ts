// One side of a data-plane test, run inside a network namespace (`ip netns exec NS node peer.ts`):
// the raw GRE socket and the TUN device belong to the namespace the process runs in. Driven by
// the test over stdin/stdout, one JSON object per line: {id, cmd, ...} in, {id, ok, ...} out;
// unsolicited {event, ...} lines report control frames and MPPE reset requests.
import { createInterface } from 'node:readline';
import { createSocket, type Socket } from 'node:dgram';
import { ReferenceDataPlane } from '../../src/dataplane/reference.js';
import type { DataPlaneSession } from '../../src/dataplane/dataplane.js';
import { ipv4ToNumber, openGreSocket, type NativeGreSocket } from '../../src/dataplane/native-io.js';
import { Host, describeSystemError } from '../../src/system/host.js';
import type { MppeImplementation, MppeKeyBits } from '../../src/crypto/mppe.js';

interface OpenCommand {
  key: string;
  localCallId: number;
  peerCallId: number;
  peerAddress: string;
  tunName: string;
  local: string;
  peer: string;
  mtu: number;
  acfc?: boolean;
  pfc?: boolean;
  mppe?: { module: string; bits: MppeKeyBits; stateless: boolean; sendKey: string; receiveKey: string };
}

type Request = { id: number; cmd: string } & Record<string, unknown>;

let plane: ReferenceDataPlane | undefined;
const sessions = new Map<string, DataPlaneSession>();
const injectors = new Map<string, NativeGreSocket>();
let udp: Socket | undefined;
const udpReceived: string[] = [];
const host = new Host();

function emit(obj: unknown): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

async function open(c: OpenCommand): Promise<Record<string, unknown>> {
  plane ??= new ReferenceDataPlane({ reorderTimeoutMs: 200 });
  const session = plane.openSession({
    localCallId: c.localCallId,
    peerCallId: c.peerCallId,
    peerAddress: c.peerAddress,
    tunName: c.tunName,
    onControlFrame: (protocol, information) => emit({ event: 'control', key: c.key, protocol, hex: information.toString('hex') }),
    onMppeResetNeeded: (cc) => emit({ event: 'mppe-reset', key: c.key, coherencyCount: cc }),
  });
  sessions.set(c.key, session);
  session.setFraming({ acfc: c.acfc ?? false, pfc: c.pfc ?? false });
  if (c.mppe) {
    const mod = (await import(c.mppe.module)) as Record<string, unknown>;
    const impl = Object.values(mod).find(
      (v): v is MppeImplementation => typeof v === 'object' && v !== null && 'encrypter' in v && 'decrypter' in v,
    );
    if (!impl) throw new Error(`${c.mppe.module} exports no MppeImplementation`);
    const common = { bits: c.mppe.bits, stateless: c.mppe.stateless };
    session.setMppe({
      implementation: impl,
      send: { ...common, startKey: Buffer.from(c.mppe.sendKey, 'hex') },
      receive: { ...common, startKey: Buffer.from(c.mppe.receiveKey, 'hex') },
    });
  }
  for (const r of [
    await host.setLinkMtu(session.tunName, c.mtu),
    await host.addAddress({ device: session.tunName, local: c.local, prefixLength: 32, peer: c.peer }),
    await host.setLinkUp(session.tunName, true),
  ]) {
    if (!r.ok) throw new Error(describeSystemError(r.error));
  }
  session.setIpEnabled(true);
  return { tunName: session.tunName };
}

function session(req: Request): DataPlaneSession {
  const s = sessions.get(req.key as string);
  if (!s) throw new Error(`no session ${String(req.key)}`);
  return s;
}

function closeAll(): void {
  for (const s of sessions.values()) s.close();
  sessions.clear();
  plane?.close();
}

async function handle(req: Request): Promise<Record<string, unknown>> {
  switch (req.cmd) {
    case 'open':
      return open(req as unknown as OpenCommand);
    case 'counters':
      return { session: req.key === undefined ? undefined : session(req).counters(), endpoint: plane?.counters() };
    case 'sendControl':
      session(req).sendControlFrame(req.protocol as number, Buffer.from(req.hex as string, 'hex'));
      return {};
    case 'setIpEnabled':
      session(req).setIpEnabled(req.enabled as boolean);
      return {};
    case 'inject': {
      // Raw GRE packets (hex) sent from our own raw socket, optionally bound to another source.
      const from = (req.from as string | undefined) ?? '';
      let sock = injectors.get(from);
      if (!sock) {
        sock = openGreSocket(() => {}, from === '' ? {} : { bindAddress: from });
        injectors.set(from, sock);
      }
      const to = ipv4ToNumber(req.to as string);
      let sent = 0;
      for (const hex of req.packets as string[]) {
        if (sock.send(Buffer.from(hex, 'hex'), to)) sent++;
        // A pause keeps the kernel from batching them into one read in a different order.
        await new Promise((r) => setTimeout(r, 2));
      }
      return { sent };
    }
    case 'udpListen':
      udp = createSocket('udp4');
      udp.on('message', (m) => udpReceived.push(m.toString()));
      await new Promise<void>((r) => udp!.bind(req.port as number, req.address as string, () => r()));
      return {};
    case 'udpReceived':
      return { messages: udpReceived };
    case 'closeSession':
      session(req).close();
      sessions.delete(req.key as string);
      return {};
    case 'close':
      closeAll();
      for (const s of injectors.values()) s.close();
      udp?.close();
      setImmediate(() => process.exit(0));
      return {};
    default:
      throw new Error(`unknown command ${req.cmd}`);
  }
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (line.trim() === '') return;
  const req = JSON.parse(line) as Request;
  handle(req).then(
    (r) => emit({ id: req.id, ok: true, ...r }),
    (e: unknown) => emit({ id: req.id, ok: false, error: String(e instanceof Error ? e.stack : e) }),
  );
});
rl.on('close', () => {
  closeAll();
  process.exit(0);
});
emit({ event: 'ready' });
