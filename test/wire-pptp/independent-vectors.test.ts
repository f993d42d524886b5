// Byte vectors produced by an independent implementation (scapy's regression tests,
// test/scapy/layers/pptp.uts): facts about the wire format, checked against our codecs.
import t from 'tap';
import { parseControlMessage, emitControlMessage } from '../../src/wire/pptp-control.js';
import { parseGre, emitGre } from '../../src/wire/gre.js';
import { WireError } from '../../src/wire/error.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const z = (n: number) => '00'.repeat(n);
const padded = (s: string, size: number) => Buffer.from(s, 'latin1').toString('hex') + z(size - s.length);

const control: Array<[string, string, Record<string, unknown>]> = [
  [
    'Start-Control-Connection-Request',
    '009c00011a2b3c4d00010000010000000000000100000002002a002f' + padded('test host name', 64) + padded('test vendor string', 64),
    { type: 1, protocolVersion: 0x100, framingCapabilities: 1, bearerCapabilities: 2, maximumChannels: 42, firmwareRevision: 47, hostName: 'test host name', vendorString: 'test vendor string' },
  ],
  [
    'Start-Control-Connection-Reply',
    '009c00011a2b3c4d00020000010002010000000200000001ffff0100' + padded('linux', 64) + padded('vendor', 64),
    { type: 2, resultCode: 2, errorCode: 1, framingCapabilities: 2, bearerCapabilities: 1, maximumChannels: 0xffff, firmwareRevision: 0x100, hostName: 'linux', vendorString: 'vendor' },
  ],
  ['Stop-Control-Connection-Request', '001000011a2b3c4d0003000003000000', { type: 3, reason: 3 }],
  ['Stop-Control-Connection-Reply', '001000011a2b3c4d0004000002060000', { type: 4, resultCode: 2, errorCode: 6 }],
  ['Echo-Request', '001000011a2b3c4d000500000000002a', { type: 5, identifier: 42 }],
  ['Echo-Reply', '001400011a2b3c4d000600000000002a01000000', { type: 6, identifier: 42, resultCode: 1, errorCode: 0 }],
  [
    'Outgoing-Call-Request',
    '00a800011a2b3c4d000700001092002f000003e80000271000000002000000030010000100090000' + padded('123456789', 64) + padded('test', 64),
    { type: 7, callId: 4242, callSerialNumber: 47, minimumBps: 1000, maximumBps: 10000, bearerType: 2, framingType: 3, packetReceiveWindowSize: 16, packetProcessingDelay: 1, phoneNumberLength: 9, phoneNumber: '123456789', subaddress: 'test' },
  ],
  [
    'Outgoing-Call-Reply',
    '002000011a2b3c4d00080000109310920404002a00001388002000030000002a',
    { type: 8, callId: 4243, peerCallId: 4242, resultCode: 4, errorCode: 4, causeCode: 42, connectSpeed: 5000, packetReceiveWindowSize: 32, packetProcessingDelay: 3, physicalChannelId: 42 },
  ],
  [
    'Incoming-Call-Request',
    '00dc00011a2b3c4d000900001092002f000000020000000c0009000a' + padded('123456789', 64) + padded('0123456789', 64) + padded('test', 64),
    { type: 9, callId: 4242, callSerialNumber: 47, callBearerType: 2, physicalChannelId: 12, dialedNumberLength: 9, dialingNumberLength: 10, dialedNumber: '123456789', dialingNumber: '0123456789', subaddress: 'test' },
  ],
  [
    'Incoming-Call-Connected',
    '001c00011a2b3c4d000b00001092000002d4683b0010000700000003',
    { type: 11, peerCallId: 4242, connectSpeed: 47474747, packetReceiveWindowSize: 16, packetTransmitDelay: 7, framingType: 3 },
  ],
  ['Call-Clear-Request', '001000011a2b3c4d000c000010920000', { type: 12, callId: 4242 }],
  [
    'Call-Disconnect-Notify',
    '009400011a2b3c4d000d000010920300002f0000' + padded('some description', 128),
    { type: 13, callId: 4242, resultCode: 3, errorCode: 0, causeCode: 47, callStatistics: 'some description' },
  ],
  [
    'WAN-Error-Notify',
    '002800011a2b3c4d000e000010920000000000010000000200000003000000040000000500000006',
    { type: 14, peerCallId: 4242, crcErrors: 1, framingErrors: 2, hardwareOverruns: 3, bufferOverruns: 4, timeoutErrors: 5, alignmentErrors: 6 },
  ],
  ['Set-Link-Info', '001800011a2b3c4d000f0000109200000f0f0f0ff0f0f0f0', { type: 15, peerCallId: 4242, sendAccm: 0x0f0f0f0f, receiveAccm: 0xf0f0f0f0 }],
];

for (const [name, bytesHex, fields] of control) {
  t.test(`${name} from an independent implementation parses and re-emits byte for byte`, async (t) => {
    const bytes = hex(bytesHex);
    const m = parseControlMessage(bytes);
    if (m instanceof WireError) throw new Error(m.toString());
    t.match(m, fields);
    t.same(emitControlMessage(m), bytes);
  });
}

t.test("an Incoming-Call-Reply whose Length field says 148 instead of 24 is refused (scapy's own vector)", async (t) => {
  const r = parseControlMessage(hex('009400011a2b3c4d000a00001093109201000010002a0000'));
  t.ok(r instanceof WireError);
  t.match(r, { message: 'Incoming-Call-Reply', field: 'Length' });
  const fixed = parseControlMessage(hex('001800011a2b3c4d000a00001093109201000010002a0000'));
  t.match(fixed, { type: 10, callId: 4243, peerCallId: 4242, resultCode: 1, errorCode: 0, packetReceiveWindowSize: 16, packetTransmitDelay: 42 });
});

t.test('captured GRE packet carrying LCP Configure-Request (after a 20-byte IP header)', async (t) => {
  const ip = hex('4500003c18324000402f0e5a0a0000020a0000063001880b001c9bf500000000ff03c021010100180206000000000304c2270506fbb8831007020802');
  const p = parseGre(ip, 20);
  if (p instanceof WireError) throw new Error(p.toString());
  t.equal(p.callId, 39925);
  t.equal(p.sequence, 0);
  t.equal(p.ack, undefined);
  t.equal(p.payload.length, 28);
  t.same([...p.payload.subarray(0, 4)], [0xff, 0x03, 0xc0, 0x21]);
  t.same(emitGre(p), ip.subarray(20));
});

t.test('GRE with sequence 47 and acknowledgment 42 encodes as the independent implementation does', async (t) => {
  const ip = hex('4500003600010000402ff944c0a80001c0a800023081880b001200000000002f0000002aff03c021092a000e00001092616263646566');
  const p = parseGre(ip, 20);
  if (p instanceof WireError) throw new Error(p.toString());
  t.match(p, { callId: 0, sequence: 47, ack: 42 });
  t.equal(p.payload.length, 18);
  t.same(emitGre({ callId: 0, sequence: 47, ack: 42, payload: p.payload }), ip.subarray(20));
});
