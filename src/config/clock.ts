// /system clock: the router's time as RouterOS prints it (`time: 12:41:07`, `date: dec/07/2026`)
// in the time zone of /system clock time-zone-name (IANA names, from Node's own ICU data, so
// the image needs no zoneinfo files), and the parsing of `set time= date=`.
import { ValueError, type PropType } from './types.js';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Minutes east of UTC of zone at instant. */
export function offsetMinutes(at: Date, zone: string): number {
  const parts = formatter(zone).formatToParts(at);
  const n = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const wall = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return Math.round((wall - Math.floor(at.getTime() / 1000) * 1000) / 60000);
}

const two = (n: number) => String(n).padStart(2, '0');

/** The wall time of `at` in zone, as a Date whose UTC fields are the local ones. */
function local(at: Date, zone: string): Date {
  return new Date(at.getTime() + offsetMinutes(at, zone) * 60000);
}

/** hh:mm:ss of `at` in zone (the /log print column). */
export function timeOfDay(at: Date, zone: string): string {
  const l = local(at, zone);
  return `${two(l.getUTCHours())}:${two(l.getUTCMinutes())}:${two(l.getUTCSeconds())}`;
}

export function clockRecord(at: Date, zone = 'UTC'): (readonly [string, string])[] {
  const offset = offsetMinutes(at, zone);
  const l = local(at, zone);
  const year = l.getUTCFullYear();
  // Daylight saving is on when the offset is above the year's smaller one (January or July).
  const standard = Math.min(offsetMinutes(new Date(Date.UTC(year, 0, 1)), zone), offsetMinutes(new Date(Date.UTC(year, 6, 1)), zone));
  const abs = Math.abs(offset);
  return [
    ['time', timeOfDay(at, zone)],
    ['date', `${MONTHS[l.getUTCMonth()]}/${two(l.getUTCDate())}/${year}`],
    ['time-zone-name', zone],
    ['gmt-offset', `${offset < 0 ? '-' : '+'}${two(Math.floor(abs / 60))}:${two(abs % 60)}`],
    ['dst-active', offset > standard ? 'yes' : 'no'],
  ];
}

/**
 * An IANA time zone name (Europe/Warsaw, UTC), as ICU knows it, stored in its canonical
 * spelling. Offsets (+01:00) and POSIX TZ strings are refused: RouterOS takes names.
 */
export const timeZoneName: PropType<string> = {
  describe: 'IANA time zone name, e.g. Europe/Warsaw',
  parse(raw, p) {
    if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(raw) || raw.length > 64) return new ValueError(`invalid value for argument ${p}: not a time zone name`);
    try {
      return new Intl.DateTimeFormat('en-US', { timeZone: raw }).resolvedOptions().timeZone;
    } catch {
      return new ValueError(`invalid value for argument ${p}: unknown time zone ${raw}`);
    }
  },
  format: (v) => v,
  quoted: false,
  choices: [],
};

/** `date=`: RouterOS's dec/07/2026 or v7's 2026-12-07. */
export function parseClockDate(raw: string): { year: number; month: number; day: number } | ValueError {
  let m = /^([a-z]{3})\/(\d{1,2})\/(\d{4})$/i.exec(raw);
  let ymd: [number, number, number] | undefined;
  if (m) ymd = [Number(m[3]), MONTHS.indexOf(m[1]!.toLowerCase()) + 1, Number(m[2])];
  else if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw))) ymd = [Number(m[1]), Number(m[2]), Number(m[3])];
  const bad = new ValueError('invalid value for argument date (expected mmm/dd/yyyy or yyyy-mm-dd)');
  if (!ymd) return bad;
  const [year, month, day] = ymd;
  const check = new Date(Date.UTC(year, month - 1, day));
  if (month < 1 || year < 1970 || year > 2099 || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return bad;
  return { year, month, day };
}

/** `time=`: hh:mm:ss (24 hours). */
export function parseClockTime(raw: string): { hour: number; minute: number; second: number } | ValueError {
  const m = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(raw);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3]) > 59) return new ValueError('invalid value for argument time (expected hh:mm:ss)');
  return { hour: Number(m[1]), minute: Number(m[2]), second: Number(m[3]) };
}

/**
 * The instant whose wall time in zone is the given date and time, with the fields not given
 * taken from `now` in that zone. Around a daylight saving change the offset after it is used.
 */
export function clockInstant(now: number, zone: string, date?: { year: number; month: number; day: number }, time?: { hour: number; minute: number; second: number }): number {
  const l = local(new Date(now), zone);
  const d = date ?? { year: l.getUTCFullYear(), month: l.getUTCMonth() + 1, day: l.getUTCDate() };
  const t = time ?? { hour: l.getUTCHours(), minute: l.getUTCMinutes(), second: l.getUTCSeconds() };
  const wall = Date.UTC(d.year, d.month - 1, d.day, t.hour, t.minute, t.second);
  const guess = wall - offsetMinutes(new Date(wall), zone) * 60000;
  return wall - offsetMinutes(new Date(guess), zone) * 60000;
}
