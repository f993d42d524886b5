// /system clock print: the router's time as RouterOS prints it (`time: 12:41:07`,
// `date: dec/07/2026`), in the time zone the daemon runs in (TZ, else the host's /etc/localtime;
// the image has none, so UTC). The clock is the host's: the daemon may not set it (ProtectClock),
// so time-zone-name is shown, not set.
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Minutes east of UTC of zone at instant. */
function offsetMinutes(at: Date, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  }).formatToParts(at);
  const n = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const wall = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return Math.round((wall - Math.floor(at.getTime() / 1000) * 1000) / 60000);
}

const two = (n: number) => String(n).padStart(2, '0');

export function clockRecord(at: Date, zone = Intl.DateTimeFormat().resolvedOptions().timeZone): (readonly [string, string])[] {
  const offset = offsetMinutes(at, zone);
  const local = new Date(at.getTime() + offset * 60000);
  const year = local.getUTCFullYear();
  // Daylight saving is on when the offset is above the year's smaller one (January or July).
  const standard = Math.min(offsetMinutes(new Date(Date.UTC(year, 0, 1)), zone), offsetMinutes(new Date(Date.UTC(year, 6, 1)), zone));
  const abs = Math.abs(offset);
  return [
    ['time', `${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())}`],
    ['date', `${MONTHS[local.getUTCMonth()]}/${two(local.getUTCDate())}/${year}`],
    ['time-zone-name', zone],
    ['gmt-offset', `${offset < 0 ? '-' : '+'}${two(Math.floor(abs / 60))}:${two(abs % 60)}`],
    ['dst-active', offset > standard ? 'yes' : 'no'],
  ];
}
