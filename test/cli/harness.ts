// A router in memory for console tests: a model, a MemoryRuntime and a shell whose output is
// collected. type() runs one line as if typed at the prompt and returns what it printed.
import { ConfigModel } from '../../src/config/model.js';
import { MemoryRuntime } from '../../src/config/runtime.js';
import { Shell, type LicenseView, type ShellContext } from '../../src/cli/shell.js';
import { LogBook } from '../../src/log.js';

export interface TestRouter {
  readonly model: ConfigModel;
  readonly runtime: MemoryRuntime;
  readonly shell: Shell;
  type(line: string): Promise<string>;
  /** Like type, but lets monitor/ping run to their own end. */
  typeAndWait(line: string): Promise<string>;
}

export function makeRouter(identity = 'MikroTik', extra: Partial<ShellContext> & { license?: LicenseView } = {}): TestRouter {
  const model = new ConfigModel({ settingsDefaults: { '/system identity': { name: identity } } });
  const runtime = new MemoryRuntime();
  let out = '';
  const shell = new Shell({
    model,
    runtime,
    log: new LogBook(),
    user: 'admin',
    write: (s) => (out += s),
    ...extra,
  });
  return {
    model,
    runtime,
    shell,
    async type(line: string) {
      out = '';
      const done = shell.input(line);
      // monitor (without once) and ping run until a key is pressed: press one after the first output.
      while (shell.busy && out === '') await new Promise((r) => setTimeout(r, 5));
      if (shell.busy) shell.interrupt();
      await done;
      return out;
    },
    async typeAndWait(line: string) {
      out = '';
      await shell.input(line);
      return out;
    },
  };
}

/** A router with ports ether1 and ether2, configured by lines that must each print nothing. */
export async function twoPortRouter(lines: readonly string[]): Promise<TestRouter> {
  const r = makeRouter();
  r.runtime.ports = [
    { defaultName: 'ether1', mac: '02:00:00:00:00:01', running: true },
    { defaultName: 'ether2', mac: '02:00:00:00:00:02', running: true },
  ];
  await r.type('/interface ethernet print');
  for (const line of lines) {
    const out = await r.type(line);
    if (out !== '') throw new Error(`${line}: ${out}`);
  }
  return r;
}
