import t from 'tap';
import fc from 'fast-check';
import { WireError } from '../../src/wire/error.js';
import { emitPppFrame, parsePppFrame, pppFrameLength, PPP_PROTOCOL } from '../../src/wire/ppp-frame.js';
import { emitPppOptions, emitPppPacket, parsePppOptions, parsePppPacket, pppPacketLength } from '../../src/wire/ppp-packet.js';
import { emitLcpOptions, parseLcpOptions, type LcpOption } from '../../src/wire/lcp-options.js';
import { emitIpcpOptions, parseIpcpOptions, type IpcpOption } from '../../src/wire/ipcp-options.js';
import { emitCcpOptions, parseCcpOptions, MPPE_BIT } from '../../src/wire/ccp-options.js';

const bytes = (max = 64) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));
const protocol = fc.integer({ min: 0, max: 0x7fff }).map((n) => ((n << 1) | 1) & 0xffff).filter((p) => ((p >> 8) & 1) === 0);
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((a) => a.join('.'));

t.test('a PPP frame survives emit then parse under every ACFC/PFC combination', async (t) => {
  fc.assert(fc.property(protocol, bytes(), fc.boolean(), fc.boolean(), (p, info, acfc, pfc) => {
    const wire = emitPppFrame({ protocol: p, information: info }, { acfc, pfc });
    if (wire.length !== pppFrameLength({ protocol: p, information: info }, { acfc, pfc })) return false;
    const back = parsePppFrame(wire);
    if (back instanceof WireError) return false;
    // With ACFC off and a frame starting FF 03 the result is ambiguous only for protocol 0xff03: not a valid protocol.
    return back.protocol === p && back.information.equals(info);
  }));
});

t.test('PPP frame fixed vectors: full and compressed headers', async (t) => {
  t.same(emitPppFrame({ protocol: PPP_PROTOCOL.LCP, information: Buffer.from([1]) }, { acfc: false, pfc: false }), Buffer.from('ff03c02101', 'hex'));
  t.same(emitPppFrame({ protocol: PPP_PROTOCOL.IPV4, information: Buffer.from([0x45]) }, { acfc: true, pfc: true }), Buffer.from('2145', 'hex'));
  t.same(emitPppFrame({ protocol: PPP_PROTOCOL.IPCP, information: Buffer.alloc(0) }, { acfc: true, pfc: true }), Buffer.from('8021', 'hex'));
  t.match(parsePppFrame(Buffer.from('ff03', 'hex')), { field: 'protocol', offset: 2 });
  t.match(parsePppFrame(Buffer.from('0200', 'hex')), { field: 'protocol' });
  t.match(parsePppFrame(Buffer.from('ff0380', 'hex')), { field: 'protocol', offset: 2, reason: /truncated/ });
});

t.test('a control packet survives emit then parse, and padding is dropped', async (t) => {
  fc.assert(fc.property(fc.nat(255), fc.nat(255), bytes(200), bytes(8), (code, identifier, data, pad) => {
    const wire = emitPppPacket({ code, identifier, data });
    if (wire.length !== pppPacketLength({ code, identifier, data })) return false;
    const back = parsePppPacket(Buffer.concat([wire, pad]));
    return !(back instanceof WireError) && back.code === code && back.identifier === identifier && back.data.equals(data);
  }));
  t.match(parsePppPacket(Buffer.from('0101000a00', 'hex')), { field: 'length', offset: 2, reason: /exceeds/ });
  t.match(parsePppPacket(Buffer.from('01010003', 'hex')), { field: 'length', offset: 2 });
  t.match(parsePppPacket(Buffer.from('0101', 'hex')), { field: 'header', offset: 0 });
});

t.test('option lists round-trip and bad option lengths name the option and offset', async (t) => {
  const opt = fc.record({ type: fc.nat(255), data: bytes(40) });
  fc.assert(fc.property(fc.array(opt, { maxLength: 8 }), (opts) => {
    const back = parsePppOptions(emitPppOptions(opts));
    return !(back instanceof WireError) && back.length === opts.length && back.every((o, i) => o.type === opts[i]!.type && o.data.equals(opts[i]!.data));
  }));
  t.match(parsePppOptions(Buffer.from('0101', 'hex'), 'LCP options', 4), { field: 'option 1 length', offset: 5, reason: /below 2/ });
  t.match(parsePppOptions(Buffer.from('0106aabb', 'hex'), 'LCP options', 4), { field: 'option 1 length', offset: 5, reason: /past the end/ });
  t.match(parsePppOptions(Buffer.from('01', 'hex'), 'LCP options', 4), { field: 'option header', offset: 4 });
});

const lcpOption: fc.Arbitrary<LcpOption> = fc.oneof(
  fc.nat(0xffff).map((mru) => ({ kind: 'mru', mru }) as const),
  fc.nat(0xffffffff).map((accm) => ({ kind: 'accm', accm }) as const),
  fc.tuple(fc.nat(0xffff), bytes(4)).map(([p, data]) => ({ kind: 'auth-protocol', protocol: p, data }) as const),
  fc.tuple(fc.nat(0xffff), bytes(4)).map(([p, data]) => ({ kind: 'quality-protocol', protocol: p, data }) as const),
  fc.nat(0xffffffff).map((magic) => ({ kind: 'magic-number', magic }) as const),
  fc.constant({ kind: 'pfc' } as const),
  fc.constant({ kind: 'acfc' } as const),
  fc.tuple(fc.nat(255), bytes(8)).map(([operation, message]) => ({ kind: 'callback', operation, message }) as const),
  fc.nat(0xffff).map((mrru) => ({ kind: 'mrru', mrru }) as const),
  fc.constant({ kind: 'short-sequence' } as const),
  fc.tuple(fc.nat(255), bytes(20)).map(([c, address]) => ({ kind: 'endpoint-discriminator', class: c, address }) as const),
  fc.tuple(fc.constantFrom(6, 9, 10, 11, 12, 14, 15, 16, 20, 200), bytes(6)).map(([type, data]) => ({ kind: 'unknown', type, data }) as const),
);

t.test('typed LCP options survive emit then parse', async () => {
  fc.assert(fc.property(fc.array(lcpOption, { maxLength: 10 }), (opts) => {
    const back = parseLcpOptions(emitLcpOptions(opts));
    return !(back instanceof WireError) && JSON.stringify(back) === JSON.stringify(opts);
  }));
});

t.test('typed IPCP and CCP options survive emit then parse', async () => {
  const ipcp: fc.Arbitrary<IpcpOption> = fc.oneof(
    fc.tuple(fc.constantFrom('ip-address', 'primary-dns', 'secondary-dns', 'primary-nbns', 'secondary-nbns'), ipv4)
      .map(([kind, address]) => ({ kind, address }) as IpcpOption),
    fc.tuple(fc.nat(0xffff), bytes(4)).map(([protocol, data]) => ({ kind: 'ip-compression-protocol', protocol, data }) as const),
  );
  fc.assert(fc.property(fc.array(ipcp, { maxLength: 6 }), (opts) => {
    const back = parseIpcpOptions(emitIpcpOptions(opts));
    return !(back instanceof WireError) && JSON.stringify(back) === JSON.stringify(opts);
  }));
  fc.assert(fc.property(fc.nat(0xffffffff), (bits) => {
    const back = parseCcpOptions(emitCcpOptions([{ kind: 'mppe', bits }]));
    return !(back instanceof WireError) && back[0]!.kind === 'mppe' && back[0]!.bits === bits;
  }));
});

t.test('fixed vectors: a Windows-style LCP request and an MPPE-128 stateless option', async (t) => {
  // MRU 1400, magic 0x1a2b3c4d, PFC, ACFC, Callback op 6, MRRU 1614, Endpoint-Discriminator class 1
  const wire = Buffer.from('01040578' + '05061a2b3c4d' + '0702' + '0802' + '0d0306' + '1104064e' + '13070100010203', 'hex');
  const opts = parseLcpOptions(wire);
  t.same(opts, [
    { kind: 'mru', mru: 1400 }, { kind: 'magic-number', magic: 0x1a2b3c4d }, { kind: 'pfc' }, { kind: 'acfc' },
    { kind: 'callback', operation: 6, message: Buffer.alloc(0) }, { kind: 'mrru', mrru: 1614 },
    { kind: 'endpoint-discriminator', class: 1, address: Buffer.from('00010203', 'hex') },
  ]);
  t.same(emitLcpOptions(opts as LcpOption[]), wire);
  t.same(emitCcpOptions([{ kind: 'mppe', bits: MPPE_BIT.H | MPPE_BIT.S }]), Buffer.from('120601000040', 'hex'));
  t.same(emitIpcpOptions([{ kind: 'ip-address', address: '10.0.0.2' }, { kind: 'primary-dns', address: '0.0.0.0' }]), Buffer.from('03060a00000281060000' + '0000', 'hex'));
  t.match(parseLcpOptions(Buffer.from('010305', 'hex'), 4), { message: 'LCP option', field: 'option 1 length', offset: 5 });
  t.match(parseIpcpOptions(Buffer.from('0305010203', 'hex'), 4), { field: 'option 3 length', offset: 5 });
  t.match(parseCcpOptions(Buffer.from('12050100', 'hex').subarray(0, 4), 4), WireError);
});

t.test('no PPP parser throws on random or truncated input', async () => {
  const parsers = [parsePppFrame, (b: Buffer) => parsePppPacket(b), (b: Buffer) => parsePppOptions(b),
    (b: Buffer) => parseLcpOptions(b), (b: Buffer) => parseIpcpOptions(b), (b: Buffer) => parseCcpOptions(b)];
  fc.assert(fc.property(bytes(80), fc.nat(80), (buf, cut) => {
    for (const p of parsers) {
      for (const input of [buf, buf.subarray(0, cut)]) {
        const r = p(input);
        if (r === undefined || r === null) return false;
      }
    }
    return true;
  }), { numRuns: 2000 });
  // Truncations of a valid request, every length.
  const valid = Buffer.from('01040578' + '05061a2b3c4d' + '0702' + '13070100010203', 'hex');
  for (let n = 0; n <= valid.length; n++) parseLcpOptions(valid.subarray(0, n));
});
