// Where the rows of each status menu come from. A status menu record names its source
// (StatusMenu.source in src/config/schema.ts); this table reads each one from the daemon's
// services, so the shell has no branch per menu path and a new status menu is one record plus,
// if its data is new, one reader here. The record type makes the table complete.
import type { RuntimeState } from '../config/runtime.js';
import type { StatusMenu, StatusSource } from '../config/schema.js';
import { formatDuration } from '../config/types.js';
import { timeOfDay } from '../config/clock.js';
import { defaultConfigurationPrint } from '../config/default-configuration.js';
import { matches, type Condition, type RowRef, type RowView } from './listing.js';
import type { StepMeter } from './regex/index.js';
import { daemonGlobals } from './script/console.js';
import { environmentRows, removeGlobals } from './script/environment.js';
import type { Token } from './tokens.js';
import { ConsoleError } from './work-budget.js';
import type { ShellContext } from './shell.js';

export interface StatusReadContext {
  readonly shell: ShellContext;
  /** The time zone /system clock shows (log times are printed in it). */
  readonly zone: string;
}

type Pairs = (readonly [string, string])[];

export interface StatusReader {
  /** Table rows (shape rows). */
  rows?(c: StatusReadContext): SourceRow[] | Promise<SourceRow[]>;
  /** One `name: value` record (shape record); a string: the error line. */
  record?(c: StatusReadContext): Pairs | string | Promise<Pairs | string>;
  /** print shows lines of text rather than a table (the log, a script). */
  printLines?(c: StatusReadContext, conditions: readonly Condition[], meter?: StepMeter): string[];
  /** `flush`: empties what the rows come from; an error line or undefined. */
  flush?(c: StatusReadContext): Promise<string | undefined>;
  /** `remove` of rows; an error line or undefined. */
  remove?(c: StatusReadContext, rows: readonly RowView[], numbered: readonly RowRef[] | undefined, words: readonly Token[]): string | undefined;
}

/**
 * One row as a source gives it: a handle (what remove gets back), the values by column and the
 * run-time flags. How each column prints (quoted, order) is the menu record's.
 */
export interface SourceRow {
  readonly key: string;
  readonly values: Readonly<Record<string, string>>;
  readonly flags?: string;
}

/** A source's row as print and the API show it, quoting and ordering from the record. */
export function rowView(menu: StatusMenu, r: SourceRow): RowView {
  const quoted = new Set(Object.entries(menu.columns).filter(([, c]) => c.quoted).map(([k]) => k));
  return { ref: { kind: 'dynamic', key: r.key }, flags: r.flags ?? '', values: r.values, quoted, keys: Object.keys(r.values) };
}

/**
 * `/ip firewall connection print`: flags S (seen reply), A (assured), N (source translated: the
 * reply goes to another address than the original source), D (destination translated).
 */
function connectionRows(runtime: RuntimeState): SourceRow[] {
  return (runtime.connections?.() ?? []).map((c, i) => {
    const host = (a: string) => a.replace(/:\d+$/, '');
    const flags = (c.seenReply ? 'S' : '') + (c.assured ? 'A' : '') +
      (host(c.replyDst) !== host(c.src) ? 'N' : '') + (host(c.replySrc) !== host(c.dst) ? 'D' : '');
    const values: Record<string, string> = {
      protocol: c.protocol,
      'src-address': c.src,
      'dst-address': c.dst,
      'reply-src-address': c.replySrc,
      'reply-dst-address': c.replyDst,
      'tcp-state': c.tcpState,
      timeout: formatDuration(c.timeout),
    };
    return { key: String(i), values, flags };
  });
}

const NOT_AB = 'failure: not booted from an A/B system image';

export const STATUS_SOURCES: Readonly<Record<StatusSource, StatusReader>> = {
  log: {
    rows: ({ shell, zone }) =>
      shell.log.list().map((e, i) => ({ key: String(i), values: { time: timeOfDay(e.time, zone), topics: e.topics.join(','), message: e.message } })),
    printLines: ({ shell, zone }, conditions, meter) => {
      // topics=ppp asks for entries that carry the topic among others, as RouterOS reads it.
      const topics = conditions.filter((c) => c.key === 'topics' && c.op === '=').map((c) => c.value);
      const others = conditions.filter((c) => !(c.key === 'topics' && c.op === '='));
      return shell.log
        .list()
        .map((e) => ({ e, time: timeOfDay(e.time, zone), topics: e.topics.join(',') }))
        .filter(({ e, time, topics: joined }) => {
          if (!topics.every((t) => e.topics.includes(t))) return false;
          const row: RowView = { ref: { kind: 'dynamic', key: '' }, flags: '', values: { time, topics: joined, message: e.message }, quoted: new Set(), keys: [] };
          return matches(row, others, meter);
        })
        .map(({ e, time, topics: joined }) => `${time} ${joined} ${e.message}`);
    },
  },
  'script-globals': {
    rows: ({ shell }) => environmentRows(shell.globals ?? daemonGlobals),
    remove: ({ shell }, rows, numbered, words) => removeGlobals(shell.globals ?? daemonGlobals, rows, numbered, words),
  },
  'console-users': {
    rows: ({ shell }) =>
      (shell.activeUsers?.list() ?? []).map((a) => {
        const group = shell.model.rows('/user').find((r) => r.values.name === a.name)?.values.group;
        const when = a.when.toISOString().replace('T', ' ').slice(0, 19);
        return { key: String(a.id), values: { when, name: a.name, address: a.address, via: a.via, group: String(group ?? '') } };
      }),
  },
  'system-slots': {
    rows: ({ shell }) => {
      const slots = shell.firmware?.packages() ?? NOT_AB;
      if (typeof slots === 'string') throw new ConsoleError(slots);
      return slots.map((r) => ({ key: r.slot, values: { name: r.slot, version: r.version, status: r.status } }));
    },
  },
  'ppp-sessions': {
    rows: ({ shell }) =>
      shell.runtime.sessions().map((s) => ({
        key: s.id,
        values: {
          name: s.user,
          service: s.service,
          'caller-id': s.callerId,
          address: s.address,
          uptime: formatDuration(s.uptime),
          encoding: s.encoding,
          'bytes-in': String(s.bytesIn),
          'bytes-out': String(s.bytesOut),
        },
      })),
    remove: ({ shell }, rows, numbered, words) => {
      const list = numbered ?? rows.map((r) => r.ref);
      const parts = words.flatMap((t) => t.text.split(','));
      const refs = parts.map((p) => (/^\d+$/.test(p) ? list[Number(p)] : rows.find((r) => r.values.name === p)?.ref));
      if (refs.length === 0 || refs.some((r) => r === undefined || r.kind !== 'dynamic')) return 'no such item';
      for (const r of refs as { kind: 'dynamic'; key: string }[]) if (!shell.runtime.disconnect(r.key)) return 'no such item';
      return undefined;
    },
  },
  'login-throttle': {
    rows: ({ shell }) =>
      (shell.runtime.loginThrottle?.() ?? []).map((r) => ({
        key: `${r.kind} ${r.name}`,
        values: { kind: r.kind, name: r.name, failures: String(r.failures), wait: `${r.waitSeconds}s` },
      })),
  },
  'pptp-pending': {
    rows: ({ shell }) =>
      (shell.runtime.pptpPending?.() ?? []).map((r, i) => ({
        key: String(i),
        values: { kind: r.kind, address: r.address ?? 'total', held: String(r.held), limit: String(r.limit), timeout: `${r.timeoutSeconds}s` },
      })),
  },
  interfaces: {
    rows: ({ shell }) =>
      shell.runtime.interfaces().map((i) => {
        const values = {
          name: i.name,
          type: i.type,
          mtu: i.mtu === undefined ? '' : String(i.mtu),
          'rx-byte': String(i.rxBytes),
          'tx-byte': String(i.txBytes),
          'rx-packet': String(i.rxPackets),
          'tx-packet': String(i.txPackets),
        };
        return { key: i.name, values, flags: (i.dynamic ? 'D' : '') + (i.disabled ? 'X' : '') + (i.running ? 'R' : '') };
      }),
  },
  connections: { rows: ({ shell }) => connectionRows(shell.runtime) },
  'dns-cache': {
    rows: async ({ shell }) => {
      const cache = shell.runtime.dnsCache ? await shell.runtime.dnsCache() : [];
      if (typeof cache === 'string') throw new ConsoleError(cache);
      return cache.map((c, i) => ({ key: String(i), values: { name: c.name, type: c.type, data: c.data, ttl: formatDuration(c.ttl) } }));
    },
    flush: async ({ shell }) => await shell.runtime.dnsCacheFlush?.(),
  },
  'default-configuration': { record: () => [], printLines: () => defaultConfigurationPrint() },
  licence: {
    record: ({ shell }) => {
      if (!shell.license) return 'failure: licence store not available';
      const s = shell.license.status();
      return [
        ['software-id', s.softwareId],
        ['level', String(s.level)],
        ['tunnel-limit', s.limit === Infinity ? 'unlimited' : String(s.limit)],
      ];
    },
  },
  routerboard: {
    record: async ({ shell }) => {
      // Off the image (a development host) there are no board files: the facts Ansible asks for.
      if (shell.firmware) return [...(await shell.firmware.routerboard())];
      const facts = shell.resources ? await shell.resources.facts() : [];
      return [['routerboard', 'no'], ['model', facts.find(([k]) => k === 'board-name')?.[1] ?? '']];
    },
  },
  resources: {
    record: async ({ shell }) => (shell.resources ? [...(await shell.resources.facts())] : 'failure: resource facts not available'),
  },
  'system-update': {
    record: ({ shell }) => {
      if (!shell.firmware) return NOT_AB;
      const r = shell.firmware.updateRecord();
      return typeof r === 'string' ? r : [...r];
    },
  },
};
