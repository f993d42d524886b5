// A PPP login as a RADIUS Access-Request (RFC 2865; CHAP 2.2 and 5.3; MS-CHAP RFC 2548 2.3),
// and the Access-Accept as what the PPP engine and the router need: the Success message to
// relay, MPPE start keys (RFC 2548 2.4), addresses, routes, limits and Class.
import { createHash } from 'node:crypto';
import type { Credential, KeyMaterial, RemoteVerdict } from '../ppp/auth/outcome.js';
import type { PppSecret, RemoteGrant } from '../ppp/secrets.js';
import { WireError } from '../wire/error.js';
import {
  ATTR, MS_ATTR, MS_VENDOR_ID, RADIUS_CODE, addressValue, attrAddress, attrInt, attrString, decryptMppeKey,
  decryptMsChapMppeKeys, emitAccessRequest, hidePassword, intValue, randomAuthenticator, vendorAttr, vendorAttributes,
  type RadiusAttribute, type RadiusPacket,
} from '../wire/radius.js';
import type { Built } from './client.js';

export interface NasInfo {
  /** NAS-Identifier: the router's identity. */
  readonly identifier: string;
  /** Calling-Station-Id: the PPTP client's address. */
  readonly callingStation: string;
}

const SERVICE_FRAMED = 2;
const PROTOCOL_PPP = 1;
const PORT_TYPE_VIRTUAL = 5;

function credentialAttributes(c: Credential, secret: Buffer, authenticator: Buffer): RadiusAttribute[] {
  switch (c.method) {
    case 'pap':
      return [{ type: ATTR.USER_PASSWORD, value: hidePassword(Buffer.from(c.password, 'utf8'), secret, authenticator) }];
    case 'chap':
      return [
        { type: ATTR.CHAP_PASSWORD, value: Buffer.concat([Buffer.from([c.identifier]), c.response]) },
        { type: ATTR.CHAP_CHALLENGE, value: c.challenge },
      ];
    case 'mschap1':
      // PPP's 49 octets are LM 24, NT 24, Use-NT 1; RFC 2548 2.3.2 puts Ident and Flags first.
      return [
        vendorAttr(MS_VENDOR_ID, MS_ATTR.CHAP_CHALLENGE, c.challenge),
        vendorAttr(MS_VENDOR_ID, MS_ATTR.CHAP_RESPONSE, Buffer.concat([Buffer.from([c.identifier, c.response[48] ?? 0]), c.response.subarray(0, 48)])),
      ];
    case 'mschap2':
      // PPP: Peer-Challenge 16, Reserved 8, NT-Response 24, Flags 1; RFC 2548 2.3.3: Ident, Flags, then the rest.
      return [
        vendorAttr(MS_VENDOR_ID, MS_ATTR.CHAP_CHALLENGE, c.challenge),
        vendorAttr(MS_VENDOR_ID, MS_ATTR.CHAP2_RESPONSE, Buffer.concat([Buffer.from([c.identifier, c.response[48] ?? 0]), c.response.subarray(0, 48)])),
      ];
  }
}

/** The request builder handed to ask(): a fresh authenticator per server, its secret. */
export function accessRequest(name: string, credential: Credential, nas: NasInfo, srcAddress: (s: { srcAddress: string | undefined }) => string | undefined) {
  return (server: { secret: Buffer; srcAddress: string | undefined }, identifier: number): Built => {
    const authenticator = randomAuthenticator();
    const nasIp = srcAddress(server);
    const attributes: RadiusAttribute[] = [
      attrString(ATTR.USER_NAME, name),
      ...credentialAttributes(credential, server.secret, authenticator),
      attrInt(ATTR.SERVICE_TYPE, SERVICE_FRAMED),
      attrInt(ATTR.FRAMED_PROTOCOL, PROTOCOL_PPP),
      attrInt(ATTR.NAS_PORT_TYPE, PORT_TYPE_VIRTUAL),
      attrString(ATTR.NAS_IDENTIFIER, nas.identifier),
      attrString(ATTR.CALLING_STATION_ID, nas.callingStation),
      ...(nasIp ? [attrAddress(ATTR.NAS_IP_ADDRESS, nasIp)] : []),
    ];
    return { packet: emitAccessRequest(identifier, authenticator, attributes, server.secret), authenticator };
  };
}

/** The text of an MS-CHAP2-Success or MS-CHAP-Error: an Ident octet, then ASCII. */
function msText(v: Buffer | undefined): string | undefined {
  return v && v.length > 1 ? v.subarray(1).toString('latin1') : undefined;
}

function keysFrom(reply: RadiusPacket, credential: Credential, secret: Buffer, requestAuthenticator: Buffer): KeyMaterial | string | undefined {
  const ms = vendorAttributes(reply.attributes, MS_VENDOR_ID);
  const find = (t: number): Buffer | undefined => ms.find((a) => a.type === t)?.value;
  const send = find(MS_ATTR.MPPE_SEND_KEY);
  const recv = find(MS_ATTR.MPPE_RECV_KEY);
  if (send && recv) {
    // RFC 2548 2.4.2/2.4.3: Send-Key is what the NAS (we) sends with, Recv-Key what it receives with.
    const s = decryptMppeKey(send, secret, requestAuthenticator);
    const r = decryptMppeKey(recv, secret, requestAuthenticator);
    if (s instanceof WireError) return s.toString();
    if (r instanceof WireError) return r.toString();
    if (s.length < 16 || r.length < 16) return `MPPE keys of ${s.length}/${r.length} octets, 16 needed for 128-bit`;
    return { kind: 'start-keys', send: s.subarray(0, 16), receive: r.subarray(0, 16) };
  }
  const v1 = find(MS_ATTR.CHAP_MPPE_KEYS);
  if (v1 && credential.method === 'mschap1') {
    const k = decryptMsChapMppeKeys(v1, secret, requestAuthenticator);
    if (k instanceof WireError) return k.toString();
    // RFC 3079 2.4 GetStartKey: the NT-Key is PasswordHashHash; the same key both ways.
    const key = createHash('sha1').update(k.ntKey).update(k.ntKey).update(credential.challenge).digest().subarray(0, 16);
    return { kind: 'start-keys', send: key, receive: Buffer.from(key) };
  }
  return undefined;
}

/**
 * Framed-Route (RFC 2865 5.22) is "dst [gateway [metric]]" like RouterOS's routes=; a gateway
 * of 0.0.0.0 means the user's own address, so the route goes to the tunnel itself.
 */
function routesOf(attributes: readonly RadiusAttribute[]): string {
  return attributes
    .filter((a) => a.type === ATTR.FRAMED_ROUTE)
    .map((a) => {
      const [dst, gw, metric] = a.value.toString('utf8').trim().split(/\s+/);
      if (!dst || !/^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(dst)) return undefined;
      const gateway = gw && gw !== '0.0.0.0' && /^\d+\.\d+\.\d+\.\d+$/.test(gw) ? gw : undefined;
      const distance = metric && /^\d+$/.test(metric) ? metric : undefined;
      return gateway ? [dst, gateway, distance ?? '1'].join(' ') : dst;
    })
    .filter((r): r is string => r !== undefined)
    .join(', ');
}

/** The verdict for the PPP engine from an Access-Accept or Access-Reject. */
export function verdictOf(
  name: string,
  credential: Credential,
  reply: RadiusPacket,
  secret: Buffer,
  requestAuthenticator: Buffer,
  server: string,
  defaultProfile: string,
): RemoteVerdict {
  const ms = vendorAttributes(reply.attributes, MS_VENDOR_ID);
  if (reply.code === RADIUS_CODE.ACCESS_REJECT) {
    const error = msText(ms.find((a) => a.type === MS_ATTR.CHAP_ERROR)?.value);
    return { ok: false, reason: `rejected by RADIUS server ${server}`, message: error };
  }
  if (reply.code !== RADIUS_CODE.ACCESS_ACCEPT) {
    return { ok: false, reason: `RADIUS server ${server} answered with code ${reply.code} (challenges are not supported)` };
  }
  const keys = keysFrom(reply, credential, secret, requestAuthenticator);
  if (typeof keys === 'string') return { ok: false, reason: `RADIUS server ${server}: ${keys}` };
  let message: string | undefined;
  if (credential.method === 'mschap2') {
    message = msText(ms.find((a) => a.type === MS_ATTR.CHAP2_SUCCESS)?.value);
    // Without it the peer cannot check the server (RFC 2759 mutual authentication) and hangs up.
    if (message === undefined || !/^S=[0-9A-Fa-f]{40}/.test(message)) return { ok: false, reason: `RADIUS server ${server} sent no MS-CHAP2-Success` };
  }
  const attr = (t: number): RadiusAttribute | undefined => reply.attributes.find((a) => a.type === t);
  const grant: RemoteGrant = {
    server,
    classes: reply.attributes.filter((a) => a.type === ATTR.CLASS).map((a) => a.value),
    sessionTimeout: intValue(attr(ATTR.SESSION_TIMEOUT)),
    idleTimeout: intValue(attr(ATTR.IDLE_TIMEOUT)),
    interimInterval: intValue(attr(ATTR.ACCT_INTERIM_INTERVAL)),
  };
  const remoteAddress = addressValue(attr(ATTR.FRAMED_IP_ADDRESS));
  const user: PppSecret = {
    name,
    password: '',
    service: 'any',
    callerId: '',
    profile: defaultProfile,
    // 255.255.255.254/255.255.255.255 (RFC 2865 5.8) leave the choice to the NAS: the profile's.
    remoteAddress: remoteAddress && !remoteAddress.startsWith('255.255.255.') ? remoteAddress : undefined,
    routes: routesOf(reply.attributes),
    disabled: false,
    remote: grant,
  };
  return { ok: true, message, keys, secret: user };
}
