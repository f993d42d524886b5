import t from 'tap';
import fc from 'fast-check';
import {
  parseControlMessage,
  emitControlMessage,
  emitControlMessageInto,
  controlMessageLength,
  FIELDS,
  MESSAGE_LENGTH,
  type ControlMessage,
  type FieldSpec,
} from '../../src/wire/pptp-control.js';
import { readControlMessage } from '../../src/wire/pptp-stream.js';
import { ControlMessageType } from '../../src/wire/pptp-codes.js';
import { WireError } from '../../src/wire/error.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const header = (length: number, type: number) =>
  length.toString(16).padStart(4, '0') + '0001 1a2b3c4d ' + type.toString(16).padStart(4, '0') + '0000';
const text = (s: string, size: number) => Buffer.concat([Buffer.from(s, 'latin1'), Buffer.alloc(size - s.length)]).toString('hex');

// Hand-built from the layouts of RFC 2637 section 2, field by field.
const vectors: Array<[string, string, ControlMessage]> = [
  [
    'Start-Control-Connection-Request',
    header(156, 1) + '0100 0000 00000001 00000001 0000 0001' + text('local', 64) + text('linux', 64),
    { type: 1, protocolVersion: 0x100, framingCapabilities: 1, bearerCapabilities: 1, maximumChannels: 0, firmwareRevision: 1, hostName: 'local', vendorString: 'linux' },
  ],
  [
    'Start-Control-Connection-Reply',
    header(156, 2) + '0100 01 00 00000003 00000003 0001 0100' + text('router', 64) + text('MikroTik', 64),
    { type: 2, protocolVersion: 0x100, resultCode: 1, errorCode: 0, framingCapabilities: 3, bearerCapabilities: 3, maximumChannels: 1, firmwareRevision: 0x100, hostName: 'router', vendorString: 'MikroTik' },
  ],
  ['Stop-Control-Connection-Request', header(16, 3) + '03 00 0000', { type: 3, reason: 3 }],
  ['Stop-Control-Connection-Reply', header(16, 4) + '01 00 0000', { type: 4, resultCode: 1, errorCode: 0 }],
  ['Echo-Request', header(16, 5) + 'deadbeef', { type: 5, identifier: 0xdeadbeef }],
  ['Echo-Reply', header(20, 6) + 'deadbeef 01 00 0000', { type: 6, identifier: 0xdeadbeef, resultCode: 1, errorCode: 0 }],
  [
    'Outgoing-Call-Request',
    header(168, 7) + 'c001 0002 0000012c 05f5e100 00000003 00000003 0040 0000 0003 0000' + text('123', 64) + text('', 64),
    { type: 7, callId: 0xc001, callSerialNumber: 2, minimumBps: 300, maximumBps: 100000000, bearerType: 3, framingType: 3, packetReceiveWindowSize: 64, packetProcessingDelay: 0, phoneNumberLength: 3, phoneNumber: '123', subaddress: '' },
  ],
  [
    'Outgoing-Call-Reply',
    header(32, 8) + '0005 c001 01 00 0000 05f5e100 0040 0000 00000000',
    { type: 8, callId: 5, peerCallId: 0xc001, resultCode: 1, errorCode: 0, causeCode: 0, connectSpeed: 100000000, packetReceiveWindowSize: 64, packetProcessingDelay: 0, physicalChannelId: 0 },
  ],
  [
    'Incoming-Call-Request',
    header(220, 9) + '0007 0001 00000001 00000009 0002 0003' + text('55', 64) + text('666', 64) + text('x', 64),
    { type: 9, callId: 7, callSerialNumber: 1, callBearerType: 1, physicalChannelId: 9, dialedNumberLength: 2, dialingNumberLength: 3, dialedNumber: '55', dialingNumber: '666', subaddress: 'x' },
  ],
  [
    'Incoming-Call-Reply',
    header(24, 10) + '0000 0007 03 00 0040 0000 0000',
    { type: 10, callId: 0, peerCallId: 7, resultCode: 3, errorCode: 0, packetReceiveWindowSize: 64, packetTransmitDelay: 0 },
  ],
  [
    'Incoming-Call-Connected',
    header(28, 11) + '0007 0000 0000fa00 0010 0002 00000001',
    { type: 11, peerCallId: 7, connectSpeed: 64000, packetReceiveWindowSize: 16, packetTransmitDelay: 2, framingType: 1 },
  ],
  ['Call-Clear-Request', header(16, 12) + 'c001 0000', { type: 12, callId: 0xc001 }],
  [
    'Call-Disconnect-Notify',
    header(148, 13) + '0005 04 00 0000 0000' + text('rx 10 tx 20', 128),
    { type: 13, callId: 5, resultCode: 4, errorCode: 0, causeCode: 0, callStatistics: 'rx 10 tx 20' },
  ],
  [
    'WAN-Error-Notify',
    header(40, 14) + '0005 0000 00000001 00000002 00000003 00000004 00000005 00000006',
    { type: 14, peerCallId: 5, crcErrors: 1, framingErrors: 2, hardwareOverruns: 3, bufferOverruns: 4, timeoutErrors: 5, alignmentErrors: 6 },
  ],
  ['Set-Link-Info', header(24, 15) + '0005 0000 ffffffff ffffffff', { type: 15, peerCallId: 5, sendAccm: 0xffffffff, receiveAccm: 0xffffffff }],
];

for (const [name, bytesHex, value] of vectors) {
  t.test(`${name}: fixed vector parses to its fields and emits the same bytes`, async (t) => {
    const bytes = hex(bytesHex);
    t.equal(bytes.length, MESSAGE_LENGTH[value.type], 'RFC length');
    const parsed = parseControlMessage(bytes);
    t.same(parsed, value);
    t.same(emitControlMessage(value), bytes);
    t.equal(controlMessageLength(value), bytes.length);
    const read = readControlMessage(Buffer.concat([bytes, hex('0010')]));
    t.ok(!(read instanceof WireError) && read.kind === 'message' && read.consumed === bytes.length, 'stream reader consumes exactly one message');
  });
}

t.test('every message type has a vector', async (t) => {
  t.same(vectors.map(([, , v]) => v.type).sort((a, b) => a - b), Object.values(ControlMessageType).sort((a, b) => a - b));
});

const bad: Array<[string, string, string, string]> = [
  ['bad magic cookie', '0010 0001 1a2b3c4e 0005 0000 00000001', 'Magic Cookie', 'PPTP control header'],
  ['management message type', '0010 0002 1a2b3c4d 0005 0000 00000001', 'PPTP Message Type', 'PPTP control header'],
  ['unknown control message type', '0010 0001 1a2b3c4d 0010 0000 00000001', 'Control Message Type', 'PPTP control header'],
  ['wrong length for the type', '0014 0001 1a2b3c4d 0005 0000 00000001 00000000', 'Length', 'Echo-Request'],
  ['non-zero Reserved0', '0010 0001 1a2b3c4d 0005 0001 00000001', 'Reserved0', 'Echo-Request'],
  ['non-zero body reserved field', header(16, 12) + '0001 0100', 'Reserved1', 'Call-Clear-Request'],
  ['undefined result code', header(16, 4) + '09 00 0000', 'Result Code', 'Stop-Control-Connection-Reply'],
  ['undefined error code', header(16, 4) + '01 07 0000', 'Error Code', 'Stop-Control-Connection-Reply'],
  ['length below the header', '0004 0001 1a2b3c4d 0005 0000', 'Length', 'PPTP control header'],
];
for (const [what, bytes, field, message] of bad) {
  t.test(`rejects ${what} with a WireError naming ${field}`, async (t) => {
    const r = parseControlMessage(hex(bytes));
    t.ok(r instanceof WireError, 'parse');
    if (r instanceof WireError) {
      t.equal(r.field, field);
      t.equal(r.message, message);
    }
    const s = readControlMessage(hex(bytes));
    t.ok(s instanceof WireError, 'stream reader');
  });
}

t.test('checkReserved=false accepts non-zero reserved fields', async (t) => {
  const r = parseControlMessage(hex(header(16, 12) + '0001 0100'), 0, { checkReserved: false });
  t.same(r, { type: 12, callId: 1 });
});

t.test('stream reader says need-more on a prefix and refuses a bad cookie before the message is complete', async (t) => {
  const whole = hex(vectors[0]![1]);
  for (let n = 0; n < whole.length; n++) {
    const r = readControlMessage(whole.subarray(0, n));
    if (r instanceof WireError || r.kind !== 'need-more') t.fail(`prefix ${n}`);
  }
  const early = readControlMessage(hex('009c 0001 deadbeef'));
  t.ok(early instanceof WireError && early.field === 'Magic Cookie');
  const len = readControlMessage(hex('ffff'));
  t.ok(len instanceof WireError && len.field === 'Length');
});

function arbField(f: FieldSpec): fc.Arbitrary<number | string> {
  switch (f.kind) {
    case 'u8':
      return fc.integer({ min: 0, max: 0xff });
    case 'u16':
      return fc.integer({ min: 0, max: 0xffff });
    case 'u32':
      return fc.integer({ min: 0, max: 0xffffffff });
    case 'code':
      return fc.constantFrom(...Object.values(f.values));
    case 'string':
      return fc.string({ unit: fc.integer({ min: 1, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: f.size });
    case 'reserved':
      return fc.constant(0);
  }
}

const arbMessage: fc.Arbitrary<ControlMessage> = fc.oneof(
  ...Object.entries(FIELDS).map(([type, fields]) => {
    const model: Record<string, fc.Arbitrary<number | string>> = { type: fc.constant(Number(type)) };
    for (const f of fields) if (f.kind !== 'reserved') model[f.key] = arbField(f);
    return fc.record(model).map((r) => r as unknown as ControlMessage);
  }),
);

t.test('parse(emit(m)) gives m back and emit(parse(b)) gives b back, for every message type', async (t) => {
  fc.assert(
    fc.property(arbMessage, (m) => {
      const bytes = emitControlMessage(m);
      const back = parseControlMessage(bytes);
      if (back instanceof WireError) return false;
      t.same(back, m);
      return emitControlMessage(back).equals(bytes);
    }),
    { numRuns: 2000 },
  );
});

t.test('emit into a caller buffer at an offset writes the same bytes', async (t) => {
  fc.assert(
    fc.property(arbMessage, fc.integer({ min: 0, max: 20 }), (m, off) => {
      const buf = Buffer.alloc(off + 230, 0xee);
      const n = emitControlMessageInto(m, buf, off);
      return buf.subarray(off, off + n).equals(emitControlMessage(m)) && (off === 0 || buf[off - 1] === 0xee);
    }),
  );
});

t.test('parse and the stream reader never throw on random or truncated bytes', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 240 }), (a) => {
      const b = Buffer.from(a);
      const p = parseControlMessage(b);
      const s = readControlMessage(b);
      return (p instanceof WireError || typeof p.type === 'number') && (s instanceof WireError || s.kind === 'need-more' || s.kind === 'message');
    }),
    { numRuns: 5000 },
  );
  // Random bodies behind a valid header reach the field checks.
  fc.assert(
    fc.property(fc.constantFrom(...Object.values(ControlMessageType)), fc.uint8Array({ minLength: 220, maxLength: 220 }), (type, body) => {
      const b = Buffer.concat([hex(header(MESSAGE_LENGTH[type], type)), Buffer.from(body)]).subarray(0, MESSAGE_LENGTH[type]);
      const p = parseControlMessage(b);
      return p instanceof WireError || p.type === type;
    }),
    { numRuns: 3000 },
  );
  fc.assert(
    fc.property(arbMessage, fc.nat(), (m, cut) => {
      const bytes = emitControlMessage(m);
      const n = cut % bytes.length;
      const s = readControlMessage(bytes.subarray(0, n));
      return parseControlMessage(bytes.subarray(0, n)) instanceof WireError && !(s instanceof WireError) && s.kind === 'need-more';
    }),
  );
});

t.test('emit refuses values that do not fit (programming errors)', async (t) => {
  t.throws(() => emitControlMessage({ type: 5, identifier: 2 ** 32 }), RangeError);
  t.throws(() => emitControlMessage({ type: 4, resultCode: 9 as 1, errorCode: 0 }), RangeError);
});
