// IPv4 routes in the main table (`ip route`). RouterOS's `distance` maps to the kernel metric:
// both prefer the lower value among routes to the same destination.
import { type CommandRunner, type SystemResult, failed, ipJson, ok, runQuiet } from './command.js';

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

export async function listRoutes(runner: CommandRunner): Promise<SystemResult<Route[]>> {
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

export function addRoute(runner: CommandRunner, route: Route): Promise<SystemResult<void>> {
  if (route.gateway === undefined && route.device === undefined) {
    return Promise.resolve({ ok: false, error: { kind: 'SystemError', argv: ['ip', 'route', 'add', ...routeArgs(route)], code: -1, stderr: 'a route needs a gateway or a device' } });
  }
  return runQuiet(runner, ['ip', 'route', 'add', ...routeArgs(route)]);
}

/** Adds or replaces the route to the same destination and metric. */
export function replaceRoute(runner: CommandRunner, route: Route): Promise<SystemResult<void>> {
  return runQuiet(runner, ['ip', 'route', 'replace', ...routeArgs(route)]);
}

export function removeRoute(runner: CommandRunner, route: Route): Promise<SystemResult<void>> {
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
