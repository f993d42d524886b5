// BCP (RFC 3518): the option and bridged-frame codecs, the option handler's Acks and Rejects,
// and two of our sessions back to back: BCP opens beside IPCP when both profiles name a bridge,
// and a peer that does not bridge Protocol-Rejects it without taking the link down.
import t from 'tap';
import { BcpHandler } from '../../src/ppp/bcp.js';
import { WireError } from '../../src/wire/error.js';
import {
  BCP_OPTION, decodeBcpOption, emitBcpOptions, emitBridgedFrame, encodeBcpOption, parseBcpOptions, parseBridgedFrame,
} from '../../src/wire/bcp.js';
import { PPP_PROTOCOL } from '../../src/wire/ppp-frame.js';
import { parsePppPacket } from '../../src/wire/ppp-packet.js';
import { backToBack, exClient, exServer } from './harness.js';

const ethernet = Buffer.concat([Buffer.from('ffffffffffff020000000b010806', 'hex'), Buffer.alloc(46, 0xab)]);

t.test('BCP options: typed, round trip, malformed lengths and values named', async (t) => {
  const all = [
    { kind: 'mac-support', macType: 1 },
    { kind: 'tinygram-compression', enabled: false },
    { kind: 'mac-address', address: Buffer.from('020000000b01', 'hex') },
    { kind: 'ieee-802-tagged-frame', enabled: true },
    { kind: 'management-inline' },
    { kind: 'unknown', type: 2, data: Buffer.from([0x12, 0x34]) },
  ] as const;
  const bytes = emitBcpOptions(all);
  t.equal(bytes.toString('hex'), '030301' + '040302' + '0608020000000b01' + '080301' + '0902' + '02041234');
  t.same(parseBcpOptions(bytes), all);
  t.match(decodeBcpOption({ type: BCP_OPTION.MAC_SUPPORT, data: Buffer.from([1, 2]) }, 8), { field: 'option 3 length', offset: 9 });
  t.match(decodeBcpOption({ type: BCP_OPTION.TINYGRAM_COMPRESSION, data: Buffer.from([3]) }), { field: 'option 4 value' });
  t.ok(parseBcpOptions(Buffer.from([3, 9, 1])) instanceof WireError, 'an option longer than the packet');
});

t.test('bridged frames: our header, and the peer\'s FCS, pads, LAN ID and tinygrams undone', async (t) => {
  const emitted = emitBridgedFrame(ethernet);
  t.equal(emitted.subarray(0, 2).toString('hex'), '0001', 'no flags, no pads, MAC type 1 (IEEE 802.3)');
  t.same(parseBridgedFrame(emitted), { macType: 1, frame: ethernet });
  const fcsAndPads = Buffer.concat([Buffer.from([0x80 | 3, 1]), ethernet, Buffer.from('deadbeef', 'hex'), Buffer.alloc(3)]);
  t.same(parseBridgedFrame(fcsAndPads), { macType: 1, frame: ethernet }, 'F: the LAN FCS goes, and 3 pad octets');
  const lanId = Buffer.concat([Buffer.from([0x40, 1, 0, 0, 0, 7]), ethernet]);
  t.same(parseBridgedFrame(lanId), { macType: 1, frame: ethernet }, 'I: the LAN ID is skipped');
  const tiny = Buffer.concat([Buffer.from([0x20, 1]), ethernet.subarray(0, 42)]);
  const padded = parseBridgedFrame(tiny);
  t.ok(!(padded instanceof WireError) && padded.frame.length === 60 && padded.frame.subarray(42).every((b) => b === 0), 'Z: padded back to 60 octets with zeros');
  t.match(parseBridgedFrame(Buffer.from([0x10, 1, ...ethernet])), { field: 'flags' }, 'the reserved bit is refused');
  t.match(parseBridgedFrame(Buffer.from([0, 1, 1, 2, 3])), { field: 'frame' }, 'less than an Ethernet header');
  t.match(parseBridgedFrame(Buffer.from([0])), { field: 'header' });
});

t.test('the handler asks for Ethernet and rejects what it does not implement', async (t) => {
  const h = new BcpHandler();
  h.resetci();
  t.same(h.addci(), [encodeBcpOption({ kind: 'mac-support', macType: 1 })], 'Configure-Request: MAC-Support 1');
  const ok = [
    encodeBcpOption({ kind: 'mac-support', macType: 1 }),
    encodeBcpOption({ kind: 'tinygram-compression', enabled: false }),
    encodeBcpOption({ kind: 'ieee-802-tagged-frame', enabled: false }),
  ];
  t.same(h.reqci(ok), { kind: 'ack', options: [] }, 'Ethernet, no tinygrams, no 802.1Q option: acknowledged');
  const unsupported = [
    encodeBcpOption({ kind: 'mac-support', macType: 4 }),
    encodeBcpOption({ kind: 'tinygram-compression', enabled: true }),
    encodeBcpOption({ kind: 'mac-address', address: Buffer.from('020000000b01', 'hex') }),
    encodeBcpOption({ kind: 'management-inline' }),
    { type: BCP_OPTION.BRIDGE_IDENTIFICATION, data: Buffer.from([0, 0x11]) },
    { type: BCP_OPTION.SPANNING_TREE_PROTOCOL, data: Buffer.from([1]) },
    { type: BCP_OPTION.MAC_SUPPORT, data: Buffer.from([1, 1]) },
  ];
  t.same(h.reqci([...ok, ...unsupported]), { kind: 'reject', options: unsupported }, 'each unsupported option Configure-Rejected, the rest not');
  t.equal(h.rejci([encodeBcpOption({ kind: 'mac-support', macType: 1 })]), true);
  t.same(h.addci(), [], 'MAC-Support rejected: not asked again');
  t.equal(h.rejci([encodeBcpOption({ kind: 'management-inline' })]), false, 'a Reject of an option we never sent is bogus');
});

t.test('both profiles name a bridge: BCP opens beside IPCP and bridged frames pass', async (t) => {
  const link = backToBack(exServer({ useEncryption: 'no', bridge: 'br-lan' }), exClient({ useEncryption: 'no', bridge: 'br-office' }));
  link.start();
  link.settle();
  t.ok(link.server.up && link.client.up, 'the link is up (IPCP)');
  t.same(link.server.bridging, ['br-lan'], 'the server bridges to its profile\'s bridge');
  t.same(link.client.bridging, ['br-office'], 'the client to its own');
  t.equal(link.server.session.stateOf(PPP_PROTOCOL.BCP), 'opened');
  const bcpRequests = link.client.sent.filter((f) => f.protocol === PPP_PROTOCOL.BCP).map((f) => parsePppPacket(f.information));
  t.ok(bcpRequests.some((p) => !(p instanceof WireError) && p.code === 1 && p.data.toString('hex') === '030301'), 'Configure-Request with MAC-Support 1');
  link.client.session.receive(PPP_PROTOCOL.BRIDGED, emitBridgedFrame(ethernet));
  t.same(link.client.bridged, [emitBridgedFrame(ethernet)], 'a bridged frame reaches the bridge side');
});

t.test('a peer without a bridge Protocol-Rejects BCP; the link stays up, unbridged', async (t) => {
  const link = backToBack(exServer({ useEncryption: 'no', bridge: 'br-lan' }), exClient({ useEncryption: 'no' }));
  link.start();
  link.settle();
  link.clock.advance(10_000);
  t.ok(link.server.up && link.client.up, 'the link is up');
  t.equal(link.server.down, undefined);
  t.same(link.server.bridging, [], 'never bridged');
  const rejects = link.client.sent.filter((f) => f.protocol === PPP_PROTOCOL.LCP).map((f) => parsePppPacket(f.information))
    .filter((p) => !(p instanceof WireError) && p.code === 8 && p.data.readUInt16BE(0) === PPP_PROTOCOL.BCP);
  t.ok(rejects.length >= 1, 'the client Protocol-Rejected BCP');
  t.equal(link.server.session.stateOf(PPP_PROTOCOL.BCP), undefined, 'and the server stopped negotiating it');
  const before = link.client.sent.length;
  link.client.session.receive(PPP_PROTOCOL.BRIDGED, emitBridgedFrame(ethernet));
  const last = parsePppPacket(link.client.sent[before]!.information);
  t.ok(!(last instanceof WireError) && last.code === 8 && last.data.readUInt16BE(0) === PPP_PROTOCOL.BRIDGED, 'a bridged frame to a link that does not bridge is Protocol-Rejected');
  link.server.session.receive(PPP_PROTOCOL.BRIDGED, emitBridgedFrame(ethernet));
  t.same(link.server.bridged, [], 'and one to a bridging link whose BCP is not Opened is discarded');
});
