// A real FreeRADIUS 3 server (Debian's freeradius) for the RADIUS scenarios: its whole
// configuration is written to a temporary directory, it runs in the foreground (`-f -l stdout`,
// debug `-xx`) inside a namespace the test made, listening only on the address given there, and
// it is killed by PID at teardown. Users live in a `users` file; accounting goes to a detail file
// the test reads.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Netns, TeardownHost } from './netns.js';

export interface FreeRadiusUser {
  readonly name: string;
  readonly password: string;
  /** Reply attributes, FreeRADIUS syntax: `Framed-IP-Address = 10.0.0.2`. */
  readonly reply?: readonly string[];
}

export interface FreeRadiusOptions {
  readonly listen: string;
  /** Network the router's requests come from (the client entry). */
  readonly clients: string;
  readonly secret: string;
  readonly users: readonly FreeRadiusUser[];
}

export interface FreeRadius {
  readonly dir: string;
  /** Everything FreeRADIUS has printed so far (its debug log). */
  output(): string;
  /** The accounting detail file's text ('' before the first record). */
  detail(): string;
}

export async function startFreeRadius(t: TeardownHost, ns: Netns, o: FreeRadiusOptions): Promise<FreeRadius> {
  const dir = mkdtempSync(join(tmpdir(), 'freeradius-'));
  // FreeRADIUS refuses to read a configuration others can write.
  chmodSync(dir, 0o700);
  mkdirSync(join(dir, 'acct'));
  const users = o.users
    .map((u) => `"${u.name}" Cleartext-Password := "${u.password}"\n${(u.reply ?? []).map((r, i, a) => `\t${r}${i < a.length - 1 ? ',' : ''}`).join('\n')}\n`)
    .join('\n');
  writeFileSync(join(dir, 'users'), users);
  writeFileSync(join(dir, 'dictionary'), '');
  writeFileSync(join(dir, 'radiusd.conf'), `
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
logdir = ${dir}
raddbdir = ${dir}
radacctdir = ${dir}/acct
name = freeradius
confdir = ${dir}
modconfdir = ${dir}
run_dir = ${dir}
db_dir = ${dir}
libdir = /usr/lib/freeradius
pidfile = ${dir}/radiusd.pid
max_request_time = 10
cleanup_delay = 1
max_requests = 256
hostname_lookups = no
log {
  destination = stdout
  auth = yes
  auth_badpass = yes
}
security {
  allow_core_dumps = no
  max_attributes = 200
  reject_delay = 0
  status_server = no
}
proxy_requests = no
client router {
  ipaddr = ${o.clients}
  secret = ${o.secret}
  require_message_authenticator = yes
}
thread pool {
  start_servers = 1
  max_servers = 2
  min_spare_servers = 1
  max_spare_servers = 2
}
modules {
  pap {
  }
  chap {
  }
  mschap {
    use_mppe = yes
    require_encryption = yes
    require_strong = yes
  }
  files {
    filename = ${dir}/users
  }
  detail {
    filename = ${dir}/acct/detail
    permissions = 0600
    header = "%t"
  }
}
server default {
  listen {
    type = auth
    ipaddr = ${o.listen}
    port = 1812
  }
  listen {
    type = acct
    ipaddr = ${o.listen}
    port = 1813
  }
  authorize {
    files
    chap
    mschap
    pap
  }
  authenticate {
    Auth-Type PAP {
      pap
    }
    Auth-Type CHAP {
      chap
    }
    Auth-Type MS-CHAP {
      mschap
    }
  }
  accounting {
    detail
    update reply {
      Message-Authenticator := 0x00000000000000000000000000000000
    }
  }
  # Debian 12's FreeRADIUS 3.2.1 predates the Blast-RADIUS fix (3.2.5) and signs a reply only
  # when the reply holds a Message-Authenticator; the router requires one on every reply.
  post-auth {
    update reply {
      Message-Authenticator := 0x00000000000000000000000000000000
    }
    Post-Auth-Type REJECT {
      update reply {
        Message-Authenticator := 0x00000000000000000000000000000000
      }
    }
  }
}
`);
  let text = '';
  const child: ChildProcess = ns.spawn('freeradius', ['-f', '-l', 'stdout', '-xx', '-d', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`FreeRADIUS did not start:\n${text}`)), 20_000);
    const check = (): void => {
      if (/Ready to process requests/.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`FreeRADIUS exited (${code}):\n${text}`));
    });
  });
  const detailFile = join(dir, 'acct', 'detail');
  return {
    dir,
    output: () => text,
    detail: () => (existsSync(detailFile) ? readFileSync(detailFile, 'utf8') : ''),
  };
}
