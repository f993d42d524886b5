// What an interop guest is told to be, and the files that tell it: a pptpd server with users, a
// pptp-linux client, or an idle machine. renderGuestFiles turns a GuestSetup into the files of
// the extra cpio the harness appends to the initrd (/etc/guest/config plus pppd's and pptpd's
// own configuration); the guest's /init (test/interop/guest/init) reads /etc/guest/config.
import type { NewcEntry } from './newc.js';

export interface PptpdUser {
  readonly name: string;
  readonly password: string;
  /** The address pppd gives this user; default "*" (from pptpd.conf remoteip). */
  readonly address?: string;
}

/** pptpd (poptop) with pppd behind it. */
export interface PptpdRole {
  readonly kind: 'pptpd';
  readonly users: readonly PptpdUser[];
  /** pptpd.conf `localip`: the server's end of every tunnel, e.g. "10.0.0.1". */
  readonly localIp: string;
  /** pptpd.conf `remoteip`: addresses for clients, e.g. "10.0.0.2-20". */
  readonly remoteIp: string;
  /**
   * Lines of /etc/ppp/pptpd-options (pppd options, one per line), e.g. ["refuse-pap",
   * "refuse-chap", "refuse-mschap", "require-mschap-v2", "require-mppe-128"]. The harness
   * puts `name`, `debug` and `nodefaultroute` first.
   */
  readonly pppdOptions: readonly string[];
  /** The server's PPP name (pppd `name`, second column of chap-secrets); default "pptpd". */
  readonly serverName?: string;
  /** Extra lines for /etc/pptpd.conf (e.g. "stimeout 10"). */
  readonly pptpdConf?: readonly string[];
}

/** pptp-linux dialling once through pppd (`pppd call guest`). */
export interface PptpClientRole {
  readonly kind: 'pptp';
  /** Address of the PPTP server (TCP 1723). */
  readonly server: string;
  readonly user: string;
  readonly password: string;
  /**
   * pppd options, one per line, e.g. ["require-mppe-128", "refuse-pap", "refuse-eap",
   * "refuse-chap", "refuse-mschap"]. The harness adds `pty "pptp SERVER --nolaunchpppd"`,
   * name/user, `remotename`, `noauth`, `debug`, `ipparam guest`.
   */
  readonly pppdOptions: readonly string[];
  /** Extra arguments for pptp-linux, e.g. ["--loglevel", "2"]. */
  readonly pptpArgs?: readonly string[];
  /** pppd `remotename` (which chap-secrets line applies); default "pptp-server". */
  readonly remoteName?: string;
  /** "at-boot" (default): dial once as soon as the guest is up; "on-request": wait for Guest.dial(). */
  readonly dial?: 'at-boot' | 'on-request';
}

export interface IdleRole {
  readonly kind: 'idle';
}

export type GuestRole = PptpdRole | PptpClientRole | IdleRole;

export interface GuestSetup {
  /** Hostname; every syslog line of the guest carries it. Letters, digits and '-'. */
  readonly name: string;
  /** eth0's address with prefix length, inside 198.18.0.0/15, e.g. "198.18.40.2/24". */
  readonly address: string;
  /** Optional default route of the guest. */
  readonly gateway?: string;
  readonly role: GuestRole;
  /** Any further files for the guest (scripts, payloads), merged over the generated ones. */
  readonly files?: readonly NewcEntry[];
}

/** A word for pppd's option and secrets files: double-quoted with backslash escapes (pppd options.c getword). */
export function pppdWord(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

/** A word for the guest's /bin/sh. */
function shellWord(s: string): string {
  return "'" + s.replace(/'/g, "'\\''") + "'";
}

function lines(list: readonly string[]): string {
  return list.map((l) => l + '\n').join('');
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/;

/** The files that make the guest what setup says. Throws on a setup the guest cannot take. */
export function renderGuestFiles(setup: GuestSetup): NewcEntry[] {
  if (!NAME.test(setup.name)) throw new Error(`guest name ${JSON.stringify(setup.name)}: letters, digits, '-'`);
  if (!/^198\.1[89]\.\d{1,3}\.\d{1,3}\/\d{1,2}$/.test(setup.address)) {
    throw new Error(`guest address ${setup.address} must be inside 198.18.0.0/15, with a prefix length`);
  }
  const config = [
    `GUEST_NAME=${shellWord(setup.name)}`,
    `GUEST_ADDRESS=${shellWord(setup.address)}`,
    `GUEST_GATEWAY=${shellWord(setup.gateway ?? '')}`,
    `GUEST_ROLE=${shellWord(setup.role.kind)}`,
    `GUEST_DIAL=${shellWord(setup.role.kind === 'pptp' ? (setup.role.dial ?? 'at-boot') : '')}`,
  ];
  const files: NewcEntry[] = [{ path: 'etc/guest/config', data: lines(config) }];
  const role = setup.role;
  if (role.kind === 'pptpd') {
    const serverName = role.serverName ?? 'pptpd';
    files.push({
      path: 'etc/pptpd.conf',
      data: lines([
        'option /etc/ppp/pptpd-options',
        // Each call's pppd exit status reaches the console through this wrapper.
        'ppp /usr/sbin/pppd-exit-status',
        'debug',
        `localip ${role.localIp}`,
        `remoteip ${role.remoteIp}`,
        ...(role.pptpdConf ?? []),
      ]),
    });
    files.push({
      path: 'etc/ppp/pptpd-options',
      data: lines([`name ${pppdWord(serverName)}`, 'debug', 'nodefaultroute', ...role.pppdOptions]),
    });
    const secrets = role.users.map((u) => `${pppdWord(u.name)} ${pppdWord(serverName)} ${pppdWord(u.password)} ${u.address ?? '*'}`);
    files.push({ path: 'etc/ppp/chap-secrets', data: lines(secrets), mode: 0o600 });
    files.push({ path: 'etc/ppp/pap-secrets', data: lines(secrets), mode: 0o600 });
  } else if (role.kind === 'pptp') {
    const remoteName = role.remoteName ?? 'pptp-server';
    const pty = ['pptp', role.server, '--nolaunchpppd', ...(role.pptpArgs ?? [])].join(' ');
    files.push({
      path: 'etc/ppp/peers/guest',
      data: lines([
        `pty ${pppdWord(pty)}`,
        `name ${pppdWord(role.user)}`,
        `user ${pppdWord(role.user)}`,
        `remotename ${pppdWord(remoteName)}`,
        // The server need not authenticate itself to us (MS-CHAPv2's mutual check still runs).
        'noauth',
        'debug',
        'ipparam guest',
        ...role.pppdOptions,
      ]),
    });
    const secret = `${pppdWord(role.user)} * ${pppdWord(role.password)} *`;
    files.push({ path: 'etc/ppp/chap-secrets', data: lines([secret]), mode: 0o600 });
    files.push({ path: 'etc/ppp/pap-secrets', data: lines([secret]), mode: 0o600 });
  }
  return [...files, ...(setup.files ?? [])];
}
