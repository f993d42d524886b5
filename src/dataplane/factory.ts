// The one place that chooses a data plane implementation: the router and the tests ask for one
// by name; "native" is the default wherever the addon has it (ARCHITECTURE.md: the reference stays
// as the oracle, chosen with routerd --dataplane reference).
import type { DataPlane, DataPlaneOptions } from './dataplane.js';
import { NativeDataPlane, nativeDataPlaneAvailable } from './native.js';
import { ReferenceDataPlane } from './reference.js';

export type DataPlaneKind = 'native' | 'reference';
export const DATA_PLANE_KINDS: readonly DataPlaneKind[] = ['native', 'reference'];

export function isDataPlaneKind(value: string): value is DataPlaneKind {
  return (DATA_PLANE_KINDS as readonly string[]).includes(value);
}

/** The default: native when the addon provides it, else the reference path. */
export function defaultDataPlaneKind(): DataPlaneKind {
  return nativeDataPlaneAvailable() ? 'native' : 'reference';
}

export function createDataPlane(kind: DataPlaneKind, options: DataPlaneOptions = {}): DataPlane {
  return kind === 'native' ? new NativeDataPlane(options) : new ReferenceDataPlane(options);
}
