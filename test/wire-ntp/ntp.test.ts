// The NTP header codec (src/wire/ntp.ts): RFC 5905's layout and epoch, RFC 4330's era rule, and
// hostile bytes.
import fc from 'fast-check';
import t from 'tap';
import { isWireError, WireError } from '../../src/wire/error.js';
import {
  clientRequest, emitNtp, kissCode, parseNtp, timestampFromMs, timestampToMs, type NtpPacket,
} from '../../src/wire/ntp.js';

t.test('the Unix epoch is NTP second 2208988800 (RFC 5905 section 6); 2036 wraps into era 1', async (t) => {
  t.same(timestampFromMs(0), { seconds: 2_208_988_800, fraction: 0 });
  t.equal(timestampToMs({ seconds: 0x83aa7e80, fraction: 0 }), 0);
  t.same(timestampFromMs(1500), { seconds: 2_208_988_801, fraction: 0x8000_0000 });
  // 2036-02-07T06:28:16Z is second 0 of era 1: the top bit clear means after 2036 (RFC 4330 section 3).
  const wrap = Date.UTC(2036, 1, 7, 6, 28, 16);
  t.same(timestampFromMs(wrap), { seconds: 0, fraction: 0 });
  t.equal(timestampToMs({ seconds: 0, fraction: 0 }), wrap);
  const now = Date.UTC(2026, 11, 7, 12, 41, 7, 250);
  t.equal(timestampToMs(timestampFromMs(now)), now);
});

t.test('a client request: version 4, mode 3, only the transmit timestamp set', async (t) => {
  const buf = emitNtp(clientRequest({ seconds: 0xeb000000, fraction: 0x12345678 }));
  t.equal(buf.length, 48);
  t.equal(buf[0], 0x23, 'LI 0, VN 4, Mode 3');
  t.equal(buf.subarray(1, 40).every((b) => b === 0), true);
  t.equal(buf.readUInt32BE(40), 0xeb000000);
  t.equal(buf.readUInt32BE(44), 0x12345678);
});

t.test('a server reply parses field by field', async (t) => {
  const buf = Buffer.alloc(48);
  buf[0] = 0x24; // LI 0, VN 4, mode 4
  buf[1] = 8;
  buf[2] = 6;
  buf.writeInt8(-20, 3);
  buf.writeUInt32BE(0x00010000, 4); // 1 s root delay
  Buffer.from('LOCL').copy(buf, 12);
  buf.writeUInt32BE(0xeb000001, 24);
  buf.writeUInt32BE(0xeb000002, 32);
  buf.writeUInt32BE(0xeb000003, 40);
  const p = parseNtp(Buffer.concat([buf, Buffer.alloc(20)])); // a MAC after the header is ignored
  t.notOk(isWireError(p));
  const r = p as NtpPacket;
  t.match(r, { leap: 0, version: 4, mode: 4, stratum: 8, poll: 6, precision: -20, rootDelay: 0x10000 });
  t.equal(r.referenceId.toString(), 'LOCL');
  t.same([r.origin.seconds, r.receive.seconds, r.transmit.seconds], [0xeb000001, 0xeb000002, 0xeb000003]);
  t.equal(kissCode(r), undefined, 'stratum 8 is no kiss');
  const kiss = parseNtp(Buffer.from(emitNtp({ ...r, stratum: 0, referenceId: Buffer.from('DENY') }))) as NtpPacket;
  t.equal(kissCode(kiss), 'DENY');
});

t.test('short packets and versions 0 or 5-7 are a WireError naming the field', async (t) => {
  const short = parseNtp(Buffer.alloc(47));
  t.ok(short instanceof WireError);
  t.match(String(short), /NTP packet: bad length at offset 0/);
  const v0 = Buffer.alloc(48);
  v0[0] = 0x04;
  t.match(String(parseNtp(v0)), /bad version/);
  v0[0] = 0x2c; // version 5
  t.match(String(parseNtp(v0)), /version 5 is not 1-4/);
});

t.test('any 48+ bytes parse to a value or a WireError, and emit(parse(x)) gives the header back', async () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), (bytes) => {
    const buf = Buffer.from(bytes);
    const p = parseNtp(buf);
    if (isWireError(p)) return true;
    return emitNtp(p).equals(buf.subarray(0, 48));
  }), { numRuns: 2000 });
});
