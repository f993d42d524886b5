// The TypeScript fuzz targets (issue 15): each takes one input and throws when the code under test
// breaks a rule every input must keep. Codecs: parse never throws (hostile bytes give a typed
// WireError), and what parses re-emits to bytes that parse to the same value. State machines
// (the RFC 1661 automaton with the LCP handler, the PAP and CHAP/MS-CHAP authenticators, the
// console shell) take any sequence of events or lines without throwing. The configuration loader
// takes any file content and either loads a model or says why not.
import { isDeepStrictEqual } from 'node:util';
import { Shell } from '../../src/cli/shell.js';
import { tokenize } from '../../src/cli/tokens.js';
import { ConfigModel } from '../../src/config/model.js';
import { MemoryRuntime } from '../../src/config/runtime.js';
import { LogBook } from '../../src/log.js';
import { ChapAuthenticator, parseChapValue, emitChapValue, chapMd5 } from '../../src/ppp/auth/chap.js';
import { mschap1 } from '../../src/ppp/auth/mschap1.js';
import { mschap2 } from '../../src/ppp/auth/mschap2.js';
import type { AuthOutput, Authenticator } from '../../src/ppp/auth/outcome.js';
import { PapAuthenticator, parsePapRequest, emitPapRequest } from '../../src/ppp/auth/pap.js';
import { Fsm } from '../../src/ppp/fsm.js';
import { LcpHandler } from '../../src/ppp/lcp.js';
import type { PppSecret } from '../../src/ppp/secrets.js';
import { BcpHandler } from '../../src/ppp/bcp.js';
import { emitBcpOptions, emitBridgedFrame, parseBcpOptions, parseBridgedFrame } from '../../src/wire/bcp.js';
import { emitCcpOptions, parseCcpOptions } from '../../src/wire/ccp-options.js';
import { isWireError } from '../../src/wire/error.js';
import { emitGre, parseGre } from '../../src/wire/gre.js';
import { emitIpcpOptions, parseIpcpOptions } from '../../src/wire/ipcp-options.js';
import { emitLcpOptions, parseLcpOptions } from '../../src/wire/lcp-options.js';
import { emitPppFrame, parsePppFrame } from '../../src/wire/ppp-frame.js';
import { emitPppPacket, parsePppOptions, parsePppPacket } from '../../src/wire/ppp-packet.js';
import { emitControlMessage, parseControlMessage } from '../../src/wire/pptp-control.js';
import { readControlMessage } from '../../src/wire/pptp-stream.js';
import { interopSeeds } from './seeds.js';

export interface FuzzTarget {
  readonly name: string;
  /** Inputs from the real captures (and hand-made ones where the captures have none). */
  seeds(): Buffer[];
  run(input: Buffer): void | Promise<void>;
}

export class FuzzFinding extends Error {}

function check(ok: boolean, what: string): void {
  if (!ok) throw new FuzzFinding(what);
}

/** parse must not throw; a parsed value must survive emit and parse again unchanged. */
function roundTrip<T>(input: Buffer, parse: (b: Buffer) => T | object, emit: (v: T) => Buffer): void {
  const first = parse(input);
  if (isWireError(first)) return;
  const again = parse(emit(first as T));
  check(!isWireError(again), `re-emitted value does not parse: ${String((again as { message?: string }).message)}`);
  check(isDeepStrictEqual(again, first), 're-emitted value parses to something else');
}

const packetInfos = (protocol: number): Buffer[] =>
  (interopSeeds().byProtocol.get(protocol) ?? []).flatMap((p) => {
    const pkt = parsePppPacket(p);
    return isWireError(pkt) ? [] : [pkt.data];
  });

const optionSeeds = (protocol: number): Buffer[] =>
  (interopSeeds().byProtocol.get(protocol) ?? []).flatMap((p) => (p[0]! >= 1 && p[0]! <= 4 && p.length > 4 ? [p.subarray(4)] : []));

const secret: PppSecret = { name: 'ex', password: 'lkjrht', service: 'any', callerId: '', profile: 'default', disabled: false };
const timing = { restartMs: 3000, maxTries: 10 };
const context = { service: 'pptp', callerId: '198.18.0.2' };
const fixedRandom = (n: number): Buffer => Buffer.alloc(n, 0x42);

/** Drives an authenticator: `verify` outputs are answered with the secret (or none). */
function drive(auth: Authenticator, packets: Buffer[]): void {
  const settle = (outs: AuthOutput[], depth = 0): void => {
    for (const o of outs) if (o.kind === 'verify' && depth < 4) settle(o.check(o.name === 'ex' ? secret : undefined), depth + 1);
  };
  settle(auth.start());
  for (const p of packets) settle(auth.receive(p));
  settle(auth.timeout());
}

/** Splits an input into pieces at 0xff bytes (a cheap way for one input to be an event sequence). */
function pieces(input: Buffer, max = 32): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= input.length && out.length < max; i++) {
    if (i === input.length || input[i] === 0xff) {
      out.push(input.subarray(start, i));
      start = i + 1;
    }
  }
  return out;
}

function chapTarget(name: string, algorithm: typeof chapMd5): FuzzTarget {
  return {
    name,
    seeds: () => interopSeeds().byProtocol.get(0xc223) ?? [],
    run: (input) => drive(new ChapAuthenticator(algorithm, timing, context, 'router', fixedRandom), pieces(input)),
  };
}

export const targets: readonly FuzzTarget[] = [
  {
    name: 'pptp-control',
    seeds: () => interopSeeds().control,
    run: (input) => roundTrip(input, (b) => parseControlMessage(b), emitControlMessage),
  },
  {
    name: 'pptp-stream',
    seeds: () => interopSeeds().control,
    run: (input) => {
      let buf = input;
      for (let i = 0; i < 64 && buf.length > 0; i++) {
        const r = readControlMessage(buf) as { consumed?: number };
        const used = typeof r.consumed === 'number' ? r.consumed : 0;
        check(used >= 0 && used <= buf.length, `consumed ${used} of ${buf.length} bytes`);
        if (used === 0) break;
        buf = buf.subarray(used);
      }
    },
  },
  { name: 'gre', seeds: () => interopSeeds().gre, run: (input) => roundTrip(input, (b) => parseGre(b), emitGre) },
  {
    name: 'ppp-frame',
    seeds: () => interopSeeds().ppp,
    run: (input) => {
      const f = parsePppFrame(input);
      if (isWireError(f)) return;
      for (const framing of [{ acfc: false, pfc: false }, { acfc: true, pfc: true }]) {
        const again = parsePppFrame(emitPppFrame(f, framing));
        check(!isWireError(again) && again.protocol === f.protocol && Buffer.compare(Buffer.from(again.information), Buffer.from(f.information)) === 0, 'frame does not round-trip');
      }
    },
  },
  { name: 'ppp-packet', seeds: () => [...interopSeeds().byProtocol.values()].flat(), run: (input) => roundTrip(input, (b) => parsePppPacket(b), emitPppPacket) },
  { name: 'lcp-options', seeds: () => optionSeeds(0xc021), run: (input) => roundTrip(input, (b) => parseLcpOptions(b), emitLcpOptions) },
  { name: 'ipcp-options', seeds: () => optionSeeds(0x8021), run: (input) => roundTrip(input, (b) => parseIpcpOptions(b), emitIpcpOptions) },
  { name: 'ccp-options', seeds: () => optionSeeds(0x80fd), run: (input) => roundTrip(input, (b) => parseCcpOptions(b), emitCcpOptions) },
  {
    // No capture has BCP (pppd does not speak it): hand-made Configure-Request bodies.
    name: 'bcp-options',
    seeds: () => ['030301', '0303010403020608020000000b010803010902', '0204123403030b'].map((h) => Buffer.from(h, 'hex')),
    run: (input) => {
      roundTrip(input, (b) => parseBcpOptions(b), emitBcpOptions);
      const options = parsePppOptions(input, 'fuzz');
      if (isWireError(options)) return;
      const h = new BcpHandler();
      h.resetci();
      const reply = h.reqci(options);
      check(reply.kind !== 'nak', 'BCP never Naks');
      h.rejci(options);
      h.nakci(options);
    },
  },
  {
    name: 'bcp-bridged-frame',
    seeds: () => [
      emitBridgedFrame(Buffer.alloc(60, 0xab)),
      Buffer.concat([Buffer.from([0xc3, 1, 0, 0, 0, 7]), Buffer.alloc(64, 0xcd), Buffer.alloc(3)]),
      Buffer.concat([Buffer.from([0x20, 1]), Buffer.alloc(20, 0xef)]),
    ],
    run: (input) => {
      const f = parseBridgedFrame(input);
      if (isWireError(f)) return;
      const again = parseBridgedFrame(emitBridgedFrame(f.frame, f.macType));
      check(!isWireError(again) && again.macType === f.macType && Buffer.compare(again.frame, f.frame) === 0, 'bridged frame does not round-trip');
    },
  },
  {
    name: 'pap',
    seeds: () => [emitPapRequest({ peerId: 'ex', password: 'lkjrht' })],
    run: (input) => {
      roundTrip(input, (b) => parsePapRequest(b), emitPapRequest);
      drive(new PapAuthenticator(timing, context), pieces(input));
    },
  },
  {
    name: 'chap-value',
    seeds: () => packetInfos(0xc223),
    run: (input) => roundTrip(input, (b) => parseChapValue(b, 'CHAP'), emitChapValue),
  },
  chapTarget('chap-md5', chapMd5),
  chapTarget('mschap1', mschap1),
  chapTarget('mschap2', mschap2),
  {
    name: 'lcp-automaton',
    seeds: () => interopSeeds().byProtocol.get(0xc021) ?? [],
    run: (input) => {
      // one byte picks the event; packets are the bytes up to the next 0xff
      const fsm = new Fsm('LCP', new LcpHandler({ role: 'authenticator', methods: ['mschap2', 'pap'], maxMru: 1500, maxMtu: 1500, mrru: undefined, magic: () => 0x12345678 }));
      for (const piece of pieces(input, 64)) {
        const op = piece[0] ?? 0;
        switch (op % 8) {
          case 0: fsm.up(); break;
          case 1: fsm.down(); break;
          case 2: fsm.open(); break;
          case 3: fsm.close('fuzz'); break;
          case 4: fsm.timeout(); break;
          default: {
            const pkt = parsePppPacket(piece.subarray(1));
            if (!isWireError(pkt)) fsm.receive(pkt.code, pkt.identifier, pkt.data);
          }
        }
      }
    },
  },
  {
    name: 'console-tokens',
    seeds: () => ['/ppp secret add name=ex password="a b" service=pptp', ':put [/ip address find where interface~"ether"]', '/interface pptp-client set 0 password=x\\"y'].map((s) => Buffer.from(s)),
    run: (input) => {
      const r = tokenize(input.toString('utf8'));
      check(Array.isArray(r) || typeof (r as { message?: unknown }).message === 'string', 'tokenize gave neither tokens nor an error');
    },
  },
  {
    name: 'console-shell',
    seeds: () => ['/ppp secret add name=ex password=lkjrht', '/ip route print detail where gateway=1.2.3.4', '/interface pptp-server server set enabled=yes', '/ppp login-throttle print'].map((s) => Buffer.from(s)),
    run: async (input) => {
      const model = new ConfigModel({ settingsDefaults: { '/system identity': { name: 'Fuzz' } } });
      // ping is replaced: nothing a fuzzed line says may send a packet
      const shell = new Shell({ model, runtime: new MemoryRuntime(), log: new LogBook(), user: 'admin', write: () => {}, ping: async () => {} });
      // lines run one after the other; one that starts a long-running command is interrupted
      for (const line of input.toString('utf8').split('\n').slice(0, 8)) {
        const done = shell.input(line);
        if (shell.busy) shell.interrupt();
        await done;
      }
    },
  },
  {
    name: 'config-loader',
    seeds: () => {
      const model = new ConfigModel({});
      return [Buffer.from(JSON.stringify(model.snapshot()))];
    },
    run: (input) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(input.toString('utf8'));
      } catch {
        return; // the store reports a damaged file itself (store.test.ts)
      }
      const model = ConfigModel.fromData(parsed, {});
      if (model instanceof ConfigModel) {
        const again = ConfigModel.fromData(JSON.parse(JSON.stringify(model.snapshot())), {});
        check(again instanceof ConfigModel, 'a loaded configuration does not load again after saving');
      } else {
        check(typeof (model as { message?: unknown }).message === 'string', 'a refused configuration has no message');
      }
    },
  },
];
