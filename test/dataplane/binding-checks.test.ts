// The addon checks what JavaScript hands it (issue 13 item 6): a wrong type or length is a
// TypeError or RangeError at the boundary, never a read past the end of the caller's memory; and
// the benchmark exports (sizes and counts from JavaScript) live only in the bench addon.
// Nothing here sends a packet: every call is refused before it reaches a socket.
import t from 'tap';
import { loadNativeAddon, requireBenchExport, requireNativeExport } from '../../src/native.js';

type Ctor = new (...args: unknown[]) => Record<string, (...args: unknown[]) => unknown>;

t.test('the production addon has no benchmark exports; the bench addon has them', async (t) => {
  const addon = loadNativeAddon();
  t.equal(addon.cryptoBenchmark, undefined, 'no cryptoBenchmark in pptp_native');
  t.equal(addon.mppeKeySchedule, undefined, 'no mppeKeySchedule in pptp_native');
  t.type(requireBenchExport('cryptoBenchmark'), 'function', 'cryptoBenchmark in pptp_bench');
  const schedule = requireBenchExport<(k: unknown, b: unknown, c: unknown) => Buffer[]>('mppeKeySchedule');
  t.equal(schedule(Buffer.alloc(16, 1), 128, 2).length, 2, 'mppeKeySchedule works with good arguments');
  t.throws(() => schedule(new Uint32Array(4), 128, 1), TypeError, 'a Uint32Array start key is refused');
  t.throws(() => schedule(Buffer.alloc(16), 128, 1e9), TypeError, 'a count from JavaScript is bounded');
});

t.test('GreSocket: a Uint8Array where a Uint32Array is expected is a TypeError', async (t) => {
  const GreSocket = requireNativeExport<Ctor>('GreSocket');
  const sock = new GreSocket(() => {});
  try {
    t.throws(() => sock.sendBatch!([Buffer.alloc(20), Buffer.alloc(20), Buffer.alloc(20), Buffer.alloc(20)], new Uint8Array(4)), TypeError);
    t.throws(() => sock.sendBatch!([Buffer.alloc(20)], new Uint32Array(2)), RangeError, 'one address per packet');
    t.throws(() => sock.sendBatch!([new Uint16Array(10)], new Uint32Array(1)), TypeError, 'packets are bytes');
    t.throws(() => sock.send!(new Uint32Array(5), 0x7f000001), TypeError, 'send: packet must be a Uint8Array');
    t.throws(() => sock.send!(Buffer.alloc(20), -1), TypeError, 'send: address must be a uint32');
    t.throws(() => sock.send!(Buffer.alloc(20), 2 ** 32), TypeError, 'send: address must fit 32 bits');
    t.throws(() => sock.send!(Buffer.alloc(20), 0x7f000001, '127.0.0.1'), TypeError, 'send: the source is a uint32');
    t.throws(() => sock.sendBatch!([Buffer.alloc(20)], new Uint32Array(1), 2 ** 32), TypeError, 'sendBatch: the source fits 32 bits');
  } finally {
    sock.close!();
  }
});

t.test('DataPlaneEngine: arguments and session handles are checked', async (t) => {
  const Engine = requireNativeExport<Ctor>('DataPlaneEngine');
  t.throws(() => new Engine(() => {}, '0', 16, 30, 10), TypeError, 'bind address must be a number');
  t.throws(() => new Engine(() => {}, 0, 0, 30, 10), TypeError, 'reorder window of 0 refused');
  const engine = new Engine(() => {}, 0, 16, 30, 10);
  try {
    t.throws(() => engine.open!(70000, 1, 0x7f000001, 0, 'x'), TypeError, 'call IDs are 16 bits');
    t.throws(() => engine.open!(1, 1, '127.0.0.1', 0, 'x'), TypeError, 'the peer is a uint32');
    t.throws(() => engine.open!(1, 1, 0x7f000001, -1, 'x'), TypeError, 'the GRE source is a uint32');
    t.throws(() => engine.open!(1, 1, 0x7f000001, 'x'), TypeError, 'the GRE source is not optional');
    t.throws(() => engine.open!(1, 1, 0x7f000001, 0, 'x'.repeat(16)), { message: /longer than 15/ }, 'a TUN name longer than 15 characters');
    const notAHandle = new Uint8Array(16);
    for (const [name, args] of [
      ['setFraming', [notAHandle, true, false]],
      ['setIpEnabled', [{}, true]],
      ['setMssClamp', [null, 1360]],
      ['sendControl', [notAHandle, 0xc021, Buffer.alloc(4)]],
      ['sessionCounters', [notAHandle]],
      ['setMppe', [{ handle: 1 }, null]],
    ] as const) {
      t.throws(() => engine[name]!(...args), TypeError, `${name}: anything but a session handle is refused`);
    }
    const c = engine.counters!() as Float64Array;
    t.ok(c instanceof Float64Array && c.every((v) => v === 0), 'endpoint counters readable, nothing received');
  } finally {
    engine.close!();
  }
});

t.test('MPPE objects refuse a key that is not bytes', async (t) => {
  const Encrypter = requireNativeExport<Ctor>('MppeEncrypter');
  t.throws(() => new Encrypter(new Uint32Array(4), 128, true), TypeError);
  t.throws(() => new Encrypter(Buffer.alloc(16), '128', true), TypeError);
});
