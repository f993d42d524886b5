// SSH (the npm package ssh2 as server): the same console the serial port gives. A password is
// checked against /user (its scrypt hash), a public key against /user ssh-keys; the user's group
// needs the `ssh` policy. A shell with a pty gets the full line editor; a shell without one reads
// plain lines; a command on the ssh command line (`ssh admin@router '/ppp active print'`) runs,
// prints and exits. Failed logins go through the consoles' throttle, per peer address.
import ssh2 from 'ssh2';
import type { AuthContext, Connection, ServerChannel } from 'ssh2';
import { verifyPassword } from '../config/password-hash.js';
import { userPolicies } from '../cli/permissions.js';
import { Shell } from '../cli/shell.js';
import { ConsoleSession, type ConsoleDeps } from '../console/session.js';
import { LoginThrottle } from '../console/login-throttle.js';
import { ActiveUsers } from './active-users.js';
import { allowedFrom, plainAddress } from './address-filter.js';
import { isScript } from '../cli/script/console.js';

const { Server, utils } = ssh2;

export interface SshDeps extends ConsoleDeps {
  readonly loginThrottle: LoginThrottle;
  readonly activeUsers: ActiveUsers;
}

/**
 * RouterOS takes terminal options after a `+` in the login name (`admin+cet1024w`, which
 * Ansible's network_cli sends to turn colours and terminal detection off): the user is the part
 * before it.
 */
export function loginName(sshUser: string): string {
  const plus = sshUser.indexOf('+');
  return plus < 0 ? sshUser : sshUser.slice(0, plus);
}

/** Whether the public key the client offers is one of the user's keys. */
function keyOfUser(deps: SshDeps, user: string, algo: string, data: Buffer): ssh2.ParsedKey | undefined {
  for (const row of deps.model.rows('/user ssh-keys')) {
    if (row.values.user !== user) continue;
    const parsed = utils.parseKey(String(row.values.key));
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!key || key instanceof Error) continue;
    if (key.type === algo && key.getPublicSSH().equals(data)) return key;
  }
  return undefined;
}

export function createSshServer(deps: SshDeps, hostKey: string, allowed: () => readonly string[]): InstanceType<typeof Server> {
  const log = deps.log.logger('system');
  return new Server({ hostKeys: [hostKey], ident: 'ROSSSH' }, (client: Connection, info) => {
    const address = plainAddress(info.ip);
    if (!allowedFrom(address, allowed())) {
      log.info(`ssh: connection from ${address} refused: not in /ip service address`);
      client.end();
      return;
    }
    let user = '';
    client.on('error', () => {});
    client.on('authentication', (ctx: AuthContext) => void authenticate(ctx));

    async function authenticate(ctx: AuthContext): Promise<void> {
      const name = loginName(ctx.username);
      const source = `ssh ${address}`;
      const row = deps.model.rows('/user').find((r) => r.values.name === name && r.values.disabled !== true);
      const mayUse = userPolicies(deps.model, name).has('ssh');
      let ok = false;
      if (ctx.method === 'password') {
        ok = (await verifyPassword(row ? String(row.values.password) : undefined, ctx.password)) && mayUse;
      } else if (ctx.method === 'publickey') {
        const key = row && mayUse ? keyOfUser(deps, name, ctx.key.algo, ctx.key.data) : undefined;
        // Without a signature the client only asks whether this key would do.
        if (key && !ctx.signature) return ctx.accept();
        ok = !!key && !!ctx.signature && !!ctx.blob && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true;
        if (!ok && !key) return ctx.reject(['password', 'publickey']);
      } else {
        return ctx.reject(['password', 'publickey']);
      }
      if (ok) {
        deps.loginThrottle.succeeded(source);
        user = name;
        log.info(`user ${name} logged in from ${address} via ssh`);
        return ctx.accept();
      }
      const wait = deps.loginThrottle.failed(source);
      log.warning(`login failure for user ${name} from ${address} via ssh`);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      ctx.reject(['password', 'publickey']);
    }

    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        let pty = false;
        session.on('pty', (ok) => {
          pty = true;
          ok?.();
        });
        session.on('window-change', (ok) => ok?.());
        session.on('env', (ok) => ok?.());
        session.on('shell', (ok) => {
          const stream = ok();
          const console = new ConsoleSession(
            deps,
            { input: stream, output: stream, terminal: pty, crlf: pty, name: `ssh ${address}`, user, address, via: 'ssh' },
            () => finish(stream, 0),
          );
          console.start();
        });
        session.on('exec', (ok, _reject, info) => {
          const stream = ok();
          void runCommand(deps, user, address, info.command, stream, pty).then((code) => finish(stream, code));
        });
      });
    });
    client.on('close', () => {
      if (user !== '') log.info(`user ${user} logged out from ${address} via ssh`);
    });
  });
}

/**
 * A command line cut at newlines and at `;` outside quotes (`/ppp active print; /log print`); a
 * script (`:foreach ... do={...}`) runs whole, its `;` and newlines being its own.
 */
export function commandLines(command: string): string[] {
  if (isScript(command)) return [command];
  const lines: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (c === '\\' && quoted && i + 1 < command.length) {
      current += c + command[++i]!;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (!quoted && (c === ';' || c === '\n')) {
      lines.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  lines.push(current);
  return lines.map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
}

function finish(stream: ServerChannel, code: number): void {
  if (stream.destroyed) return;
  stream.exit(code);
  stream.end();
}

/** `ssh admin@router '/ppp active print'`: each line of the command runs as typed at the console. */
async function runCommand(deps: SshDeps, user: string, address: string, command: string, stream: ServerChannel, pty: boolean): Promise<number> {
  const leave = deps.activeUsers.add({ name: user, address, via: 'ssh', when: new Date() });
  try {
    const shell = new Shell({
      model: deps.model,
      runtime: deps.runtime,
      log: deps.log,
      license: deps.license,
      resources: deps.resources,
      activeUsers: deps.activeUsers,
      readFile: deps.readFile,
      writeFile: deps.writeFile,
      clock: deps.clock,
      user,
      write: (text) => {
        if (!stream.destroyed) stream.write(pty ? text.replace(/\r?\n/g, '\r\n') : text);
      },
    });
    for (const line of commandLines(command)) await shell.input(line);
    return 0;
  } finally {
    leave();
  }
}
