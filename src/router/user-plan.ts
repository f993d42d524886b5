// What a server-side user gets once authenticated: the secret's settings over its profile's
// (RouterOS: a value on the secret wins; an empty one falls back to the profile), addresses from
// /ip pool when a pool is named, and the secret's `routes=` to install while connected.
import { pppProfile, pppSecret, ipPool } from '../config/menus/index.js';
import type { ConfigModel } from '../config/model.js';
import { parseDuration } from '../config/types.js';
import type { NetworkSettings, UseEncryption } from '../ppp/session.js';
import type { PppSecret } from '../ppp/secrets.js';
import type { AddressPools } from './address-pools.js';
import { parseRateLimit, type RateLimit } from '../config/rate-limit.js';

function rateLimitOf(text: string): RateLimit | undefined {
  const r = text === '' ? undefined : parseRateLimit(text);
  return typeof r === 'object' ? r : undefined;
}

export interface PppRoute {
  readonly dst: string;
  /** Omitted: the route points at the tunnel interface itself. */
  readonly gateway?: string;
  readonly distance: number;
}

export interface UserPlan {
  readonly network: NetworkSettings;
  readonly routes: readonly PppRoute[];
  readonly onlyOne: boolean;
  readonly link: LinkProfile;
  /** Gives pool addresses back; called once when the session ends. */
  readonly release: () => void;
}

/** `routes="10.150.1.0/24 10.0.103.2 1, 10.9.0.0/16"` (validated by the schema already). */
export function parsePppRoutes(text: string): PppRoute[] {
  if (text.trim() === '') return [];
  return text.split(',').map((part) => {
    const [dst, gateway, distance] = part.trim().split(/\s+/);
    return { dst: dst!.includes('/') ? dst! : `${dst}/32`, gateway, distance: distance === undefined ? 1 : Number(distance) };
  });
}

/**
 * RouterOS's "default" lets MPPE be negotiated when the peer wants it (the seed's default
 * profile shows "MPPE128 stateless"), without insisting on it.
 */
export function encryptionOf(value: string): UseEncryption {
  return value === 'no' ? 'no' : value === 'required' ? 'required' : 'yes';
}

/** What a profile sets on a running link, either role. */
export interface LinkProfile {
  readonly changeTcpMss: boolean;
  /** Seconds after which the link is closed; 0: never. */
  readonly sessionTimeout: number;
  /** Seconds without a packet either way after which the link is closed; 0: never. */
  readonly idleTimeout: number;
  /** Shaping of the tunnel interface (profile rate-limit); undefined: none. */
  readonly rateLimit: RateLimit | undefined;
}

/**
 * change-tcp-mss "default" takes the default profile's value, and the default profile's own
 * "default" is RouterOS's yes; an empty session-timeout is none.
 */
export function linkProfileOf(model: ConfigModel, profile: ReturnType<typeof profileOf>): LinkProfile {
  const mss = profile['change-tcp-mss'];
  const changeTcpMss = mss !== 'default' ? mss === 'yes' : profileOf(model, 'default')['change-tcp-mss'] !== 'no';
  return {
    changeTcpMss,
    sessionTimeout: parseDuration(profile['session-timeout']) ?? 0,
    idleTimeout: parseDuration(profile['idle-timeout']) ?? 0,
    rateLimit: rateLimitOf(profile['rate-limit']),
  };
}

/** The profile a user or client runs with (unknown names fall back to "default"). */
export function profileOf(model: ConfigModel, name: string) {
  const profiles = model.list(pppProfile);
  return profiles.find((p) => p.name === name) ?? profiles.find((p) => p.name === 'default')!;
}

export function secretOf(model: ConfigModel, name: string): PppSecret | undefined {
  const row = model.list(pppSecret).find((s) => s.name === name);
  if (!row) return undefined;
  return {
    name: row.name,
    password: row.password,
    service: row.service,
    callerId: row['caller-id'],
    profile: row.profile,
    localAddress: row['local-address'],
    remoteAddress: row['remote-address'],
    routes: row.routes,
    disabled: row.disabled,
  };
}

/**
 * RouterOS's pptp offers only MPPE-128: with 40 and 56 on offer too, a man in the middle could
 * settle a weak key even under use-encryption=required. The PPP engine still speaks 40/56 for
 * tests and test peers; nothing in the configuration turns them on.
 */
export const MPPE_KEY_LENGTHS = [128] as const;

/**
 * The user's settings, or the reason it cannot be served: an exhausted pool, or no address for
 * one end (RouterOS refuses such a user too; a peer must never choose either address).
 */
export function planUser(model: ConfigModel, pools: AddressPools, secret: PppSecret, defaultProfile: string): UserPlan | string {
  const profile = profileOf(model, secret.profile || defaultProfile);
  const taken: string[] = [];
  const release = (): void => {
    for (const a of taken.splice(0)) pools.release(a);
  };
  const resolve = (value: string): string | undefined | Error => {
    if (value === '') return undefined;
    if (/^\d+\.\d+\.\d+\.\d+$/.test(value)) return value;
    const pool = model.list(ipPool).find((p) => p.name === value);
    if (!pool) return new Error(`pool ${value} does not exist`);
    const address = pools.allocate(pool.ranges);
    if (address === undefined) return new Error(`pool ${value} has no free address`);
    taken.push(address);
    return address;
  };
  const local = resolve(secret.localAddress || profile['local-address']);
  const remote = resolve(secret.remoteAddress || profile['remote-address']);
  for (const r of [local, remote]) {
    if (r instanceof Error) {
      release();
      return r.message;
    }
  }
  const missing = local === undefined ? 'local-address' : remote === undefined ? 'remote-address' : undefined;
  if (missing) {
    release();
    return `no ${missing} for user ${secret.name}: set it on the secret or its profile ${profile.name} (an address or an /ip pool)`;
  }
  return {
    network: {
      localAddress: local as string | undefined,
      remoteAddress: remote as string | undefined,
      dnsServers: profile['dns-server'],
      useEncryption: encryptionOf(profile['use-encryption']),
      mppeKeyLengths: MPPE_KEY_LENGTHS,
      bridge: profile.bridge || undefined,
    },
    routes: parsePppRoutes(secret.routes ?? ''),
    onlyOne: profile['only-one'] === 'yes',
    link: linkProfileOf(model, profile),
    release,
  };
}
