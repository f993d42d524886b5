// IPv4 routes in the main table (`ip route`). RouterOS's `distance` maps to the kernel metric:
// both prefer the lower value among routes to the same destination. Changes and the listing go
// through rtnetlink when the addon has it, else `ip`; `ip route get` stays (one per dial).
import { type CommandRunner, type SystemResult, failed, ipJson, ok, runQuiet } from './command.js';
import { changeViaNetlink, viaNetlink, type NetlinkSocket } from './netlink.js';

export interface Route {
  /** "0.0.0.0/0" (or "default") or "a.b.c.d/len"; a bare address means /32. */
  readonly dst: string;
  readonly gateway?: string | undefined;
  readonly device?: string | undefined;
  /** RouterOS distance; becomes the kernel metric. */
  readonly distance?: number | undefined;
}

interface IpRouteJson {
  dst: string;
  gateway?: string;
  dev?: string;
  metric?: number;
  protocol?: string;
}

function normaliseDst(dst: string): string {
  if (dst === 'default' || dst === '0.0.0.0/0') return 'default';
  return dst.includes('/') ? dst : `${dst}/32`;
}

const RTN_UNICAST = 1;

export async function listRoutes(runner: CommandRunner): Promise<SystemResult<Route[]>> {
  const nl = viaNetlink(runner, ['-4', 'route', 'show', 'table', 'main'], (n) => {
    const names = new Map(n.links().map((l) => [l.ifindex, l.name]));
    return n
      .routes()
      .filter((r) => r.type === RTN_UNICAST)
      .map((r) => ({
        dst: r.prefixLength === 0 ? '0.0.0.0/0' : `${r.dst}/${r.prefixLength}`,
        gateway: r.gateway,
        device: r.ifindex === undefined ? undefined : names.get(r.ifindex),
        distance: r.metric,
      }));
  });
  if (nl !== undefined) return nl;
  const r = await ipJson<IpRouteJson[]>(runner, ['-4', 'route', 'show', 'table', 'main']);
  if (!r.ok) return r;
  return ok(
    r.value.map((j) => ({
      dst: j.dst === 'default' ? '0.0.0.0/0' : j.dst.includes('/') ? j.dst : `${j.dst}/32`,
      gateway: j.gateway,
      device: j.dev,
      distance: j.metric,
    })),
  );
}

function routeArgs(route: Route): string[] {
  const args = [normaliseDst(route.dst)];
  if (route.gateway !== undefined) args.push('via', route.gateway);
  if (route.device !== undefined) args.push('dev', route.device);
  if (route.distance !== undefined) args.push('metric', String(route.distance));
  return args;
}

function routeViaNetlink(runner: CommandRunner, op: 'add' | 'replace' | 'del', route: Route): SystemResult<void> | undefined {
  return changeViaNetlink(runner, ['route', op, ...routeArgs(route)], (n: NetlinkSocket) => {
    const dst = normaliseDst(route.dst);
    const [address, length] = dst === 'default' ? ['0.0.0.0', 0] : [dst.split('/')[0]!, Number(dst.split('/')[1])];
    return n.route(op, address, length, { gateway: route.gateway, device: route.device, metric: route.distance });
  });
}

export function addRoute(runner: CommandRunner, route: Route): Promise<SystemResult<void>> {
  if (route.gateway === undefined && route.device === undefined) {
    return Promise.resolve({ ok: false, error: { kind: 'SystemError', argv: ['ip', 'route', 'add', ...routeArgs(route)], code: -1, stderr: 'a route needs a gateway or a device' } });
  }
  const nl = routeViaNetlink(runner, 'add', route);
  if (nl !== undefined) return Promise.resolve(nl);
  return runQuiet(runner, ['ip', 'route', 'add', ...routeArgs(route)]);
}

/** Adds or replaces the route to the same destination and metric. */
export function replaceRoute(runner: CommandRunner, route: Route): Promise<SystemResult<void>> {
  const nl = routeViaNetlink(runner, 'replace', route);
  if (nl !== undefined) return Promise.resolve(nl);
  return runQuiet(runner, ['ip', 'route', 'replace', ...routeArgs(route)]);
}

export function removeRoute(runner: CommandRunner, route: Route): Promise<SystemResult<void>> {
  const nl = routeViaNetlink(runner, 'del', route);
  if (nl !== undefined) return Promise.resolve(nl);
  return runQuiet(runner, ['ip', 'route', 'del', ...routeArgs(route)]);
}

/** How the kernel would reach dst now (`ip route get`): the next hop, if any, and the device. */
export async function routeGet(runner: CommandRunner, dst: string): Promise<SystemResult<{ gateway?: string; device: string }>> {
  const r = await ipJson<{ gateway?: string; dev: string }[]>(runner, ['-4', 'route', 'get', dst]);
  if (!r.ok) return r;
  const first = r.value[0];
  if (!first) return failed(['ip', '-4', 'route', 'get', dst], -1, 'no route');
  return ok({ gateway: first.gateway, device: first.dev });
}
