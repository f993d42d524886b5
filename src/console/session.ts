// One console: Login:/Password: prompts, then a RouterOS shell, over any pair of streams (the
// daemon's stdio, a serial port). On a terminal our line editor (line-editor.ts) gives line
// editing, history, Tab completion and `?` help at once; a key press stops a running monitor or
// ping. Without a terminal (a piped script) input is read line by line. `quit` logs out and the
// console asks for a login again. Passwords are checked against their scrypt hashes off the
// event loop; repeated failures from one console make its next prompt wait.
import type { WallClock } from '../wall-clock.js';
import { StringDecoder } from 'node:string_decoder';
import { Writable, type Readable } from 'node:stream';
import type { ConfigModel } from '../config/model.js';
import type { RuntimeState } from '../config/runtime.js';
import type { LogBook, Logger } from '../log.js';
import { Shell, type LicenseView, type ResourceView, type FirmwareView } from '../cli/shell.js';
import type { PowerControl } from '../cli/power.js';
import { userPolicies } from '../cli/permissions.js';
import { verifyPassword } from '../config/password-hash.js';
import { LineEditor, type EditorEvent } from './line-editor.js';
import { LoginThrottle } from './login-throttle.js';
import type { ActiveUsers } from '../remote/active-users.js';
import type { ValueError } from '../config/types.js';

export interface ConsoleDeps {
  readonly model: ConfigModel;
  readonly runtime: RuntimeState;
  readonly log: LogBook;
  readonly license?: LicenseView;
  readonly resources?: ResourceView;
  readonly firmware?: FirmwareView;
  /** Shown after every login (a damaged configuration that was set aside, a refused licence). */
  readonly notices: readonly string[];
  /** Failed-login bookkeeping shared by the consoles (a serial port reopened keeps its count). */
  readonly loginThrottle?: LoginThrottle;
  /** Who is logged in (`/user active`). */
  readonly activeUsers?: ActiveUsers;
  /** Files a user names at the console, relative to the data directory. */
  readonly readFile?: (name: string) => string | ValueError;
  /** `print file=NAME`: writes NAME.txt in the data directory; an error line or undefined. */
  readonly writeFile?: (name: string, text: string) => string | undefined;
  /** /system reboot and /system shutdown (routerd --power-command). */
  readonly power?: PowerControl;
  /** The router's clock (/system clock set time=). */
  readonly clock?: WallClock;
  /**
   * Settles once the router is up: a login that passed waits for it before the shell opens, so
   * Login: can come first (routerd opens its consoles before it starts the router) while every
   * command still meets a running router.
   */
  readonly ready?: Promise<void>;
}

export interface ConsoleIo {
  readonly input: Readable;
  readonly output: NodeJS.WritableStream;
  /** A terminal: echo, line editing, completion, cursor movement. */
  readonly terminal: boolean;
  /** For the log: "serial /dev/ttyS1", "stdio". */
  readonly name: string;
  /** Send \r\n for \n (a raw serial line; a local terminal's tty does this itself). */
  readonly crlf?: boolean;
  /**
   * Logged in already (SSH checked the password or key): no Login: prompt, and quit ends the
   * session instead of asking for a login again.
   */
  readonly user?: string;
  /** For `/user active`: where the user is (an SSH peer's address) and by which service. */
  readonly address?: string;
  readonly via?: string;
}

/** Passes console output on, turning \n into \r\n, and drops echo while a password is typed. */
class ConsoleOutput extends Writable {
  muted = false;
  constructor(private readonly target: NodeJS.WritableStream, private readonly crlf: boolean) {
    super();
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    let text = chunk.toString();
    if (this.muted) text = text.includes('\n') ? '\n' : '';
    this.writeThrough(text);
    done();
  }
  /** Straight to the terminal, past the mute: a prompt written this way cannot be swallowed by it. */
  writeThrough(text: string): void {
    if (this.crlf) text = text.replace(/\r?\n/g, '\r\n');
    if (text) this.target.write(text);
  }
}

type Phase = 'login' | 'password' | 'checking' | 'shell' | 'closed';

export class ConsoleSession {
  private readonly editor = new LineEditor();
  private readonly decoder = new StringDecoder('utf8');
  private readonly out: ConsoleOutput;
  private readonly log: Logger;
  private phase: Phase = 'login';
  private user = '';
  private shell: Shell | undefined;
  private queue: string[] = [];
  private draining: Promise<void> | undefined;
  private submitting = false;
  /** Without a terminal: the part of the input after the last newline. */
  private partial = '';
  private ended = false;
  private readonly onData = (chunk: Buffer | string): void => this.receive(typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
  private readonly onInputEnd = (): void => this.end();
  /** Lines typed while a login is checked or throttled: more attempts, or the first commands. */
  private loginLines: string[] = [];
  private checking: Promise<void> | undefined;
  private readonly throttle: LoginThrottle;
  /** Ends this login's row of `/user active`. */
  private leave: (() => void) | undefined;

  constructor(private readonly deps: ConsoleDeps, private readonly io: ConsoleIo, private readonly onEnd?: () => void) {
    this.log = deps.log.logger('system');
    this.throttle = deps.loginThrottle ?? new LoginThrottle();
    this.out = new ConsoleOutput(io.output, io.crlf ?? false);
    // A local terminal gives us its keys one by one, unechoed, as a serial line does.
    if (io.terminal) this.rawMode(true);
    io.input.on('data', this.onData);
    io.input.on('end', this.onInputEnd);
    io.input.on('close', this.onInputEnd);
  }

  start(): void {
    if (this.io.user === undefined) return this.askLogin();
    this.user = this.io.user;
    this.openShell();
  }

  close(): void {
    this.end();
  }

  /** Input ended (stdin closed, port gone): lines already received still run, then the console ends. */
  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.io.input.off('data', this.onData);
    this.io.input.off('end', this.onInputEnd);
    this.io.input.off('close', this.onInputEnd);
    if (this.io.terminal) this.rawMode(false);
    if (!this.io.terminal && this.partial !== '') {
      const last = this.partial;
      this.partial = '';
      this.onLine(last);
    }
    void this.settled().then(() => {
      this.phase = 'closed';
      this.leave?.();
      this.leave = undefined;
      this.shell?.interrupt();
      this.onEnd?.();
    });
  }

  /** Resolves when no login is being checked and no command is running or queued. */
  private async settled(): Promise<void> {
    while (this.checking || this.draining) {
      await this.checking;
      await this.draining;
    }
  }

  /** Raw mode on a local tty (a serial port is opened raw already). */
  private rawMode(on: boolean): void {
    const tty = this.io.input as Readable & { isTTY?: boolean; setRawMode?: (on: boolean) => void };
    if (tty.isTTY) tty.setRawMode?.(on);
  }

  private write(text: string): void {
    this.out.write(text);
  }

  private receive(text: string): void {
    if (this.ended || text === '') return;
    if (!this.io.terminal) {
      const lines = (this.partial + text).split('\n');
      this.partial = lines.pop()!;
      for (const line of lines) this.onLine(line.replace(/\r$/, ''));
      return;
    }
    if (this.phase === 'shell' && this.shell?.busy) {
      // Any key stops a running monitor or ping and is not part of the next command; the Enter
      // that started the command (its LF, a slow terminal's separate CR) is not such a key.
      if (!this.submitting) {
        this.shell.interrupt();
        this.editor.clear();
      }
      return;
    }
    // Key by key: a line can change the phase (a login name typed ahead of its password must
    // not let the password echo).
    for (const key of Array.from(text)) {
      this.editor.echo = !this.out.muted;
      const { output, events } = this.editor.feed(key);
      this.write(output);
      for (const e of events) this.onEditorEvent(e);
    }
  }

  private onEditorEvent(e: EditorEvent): void {
    switch (e.kind) {
      case 'line':
        if (this.phase === 'shell' && this.out.muted) {
          // The answer to a password question (its Enter's newline got past the mute): the
          // hiding ends here, and the answer is not history.
          this.out.muted = false;
        } else if (this.phase === 'shell') this.editor.remember(e.text);
        this.onLine(e.text);
        return;
      case 'interrupt':
        this.onInterrupt();
        return;
      case 'complete': {
        if (!this.shell || this.phase !== 'shell') return;
        const [candidates, fragment] = this.shell.complete(e.before);
        this.write(this.editor.complete(candidates, fragment));
        return;
      }
      case 'help':
        // Help at once, as RouterOS does; the line is kept without the '?'.
        if (!this.shell || this.phase !== 'shell') return;
        this.write('\n' + this.shell.help(e.line).join('\n') + '\n');
        this.prompt();
        return;
    }
  }

  private askLogin(): void {
    this.phase = 'login';
    this.out.muted = false;
    this.setPrompt('Login: ');
  }

  /** Ctrl-C: stops a running command, or drops the half-typed line (the editor shows ^C). */
  private onInterrupt(): void {
    if (this.shell?.busy) this.shell.interrupt();
    else if (this.phase === 'shell') {
      this.shell?.cancelLine();
      this.prompt();
    }
    else if (this.phase === 'login') this.askLogin();
  }

  private setPrompt(text: string): void {
    if (this.io.terminal) this.write(this.editor.showPrompt(text));
    else this.write(text);
  }

  private prompt(): void {
    if (!this.shell || this.phase !== 'shell') return;
    if (this.io.terminal && this.shell.askingSecret) {
      // As the login's Password: the prompt goes past the mute, then the keys are not echoed.
      this.editor.showPrompt('');
      this.out.writeThrough(this.shell.prompt());
      this.out.muted = true;
      return;
    }
    this.out.muted = false;
    this.setPrompt(this.shell.prompt());
  }

  private onLine(line: string): void {
    if (this.phase === 'login' || this.phase === 'password' || this.phase === 'checking') {
      this.loginLines.push(line);
      this.nextLoginLine();
      return;
    }
    if (this.phase !== 'shell') return;
    if (this.shell?.busy) this.shell.interrupt();
    this.submitting = true;
    setImmediate(() => (this.submitting = false));
    this.queue.push(line);
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  /** Takes the typed-ahead lines of the login dialogue, one step at a time. */
  private nextLoginLine(): void {
    while (this.loginLines.length && (this.phase === 'login' || this.phase === 'password')) {
      const line = this.loginLines.shift()!;
      if (this.phase === 'login') {
        this.user = line.trim();
        this.phase = 'password';
        // The prompt goes out before muting and past the mute, so it cannot land in the muted
        // window on a serial line (seen on the image's UART).
        this.editor.showPrompt('');
        this.out.writeThrough('Password: ');
        this.out.muted = this.io.terminal;
      } else {
        this.out.muted = false;
        if (this.io.terminal) this.write('\n');
        this.phase = 'checking';
        // A failed check starts the next one itself: only the latest may clear the mark.
        const check: Promise<void> = this.login(line).finally(() => {
          if (this.checking === check) this.checking = undefined;
        });
        this.checking = check;
      }
    }
  }

  private async login(password: string): Promise<void> {
    const row = this.deps.model.rows('/user').find((r) => r.values.name === this.user);
    const usable = row && row.values.disabled !== true ? String(row.values.password) : undefined;
    // RouterOS's `local` policy is what lets a group log in at a console (serial or stdio).
    const local = userPolicies(this.deps.model, this.user).has('local');
    const ok = (await verifyPassword(usable, password)) && local;
    if (this.phase !== 'checking') return; // the console closed meanwhile
    if (!ok || !row) {
      const wait = this.throttle.failed(this.io.name);
      this.log.warning(`login failure for user ${this.user} via ${this.io.name}`);
      this.write('Login failed, incorrect username or password\n\n');
      if (wait > 0) {
        const failures = this.throttle.count(this.io.name);
        this.log.warning(`${failures} failed logins via ${this.io.name}: next login prompt in ${wait / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, wait));
        if (this.phase !== 'checking') return;
      }
      this.askLogin();
      this.nextLoginLine();
      return;
    }
    this.throttle.succeeded(this.io.name);
    this.log.info(`user ${this.user} logged in via ${this.io.name}`);
    await this.deps.ready;
    if (this.phase !== 'checking') return;
    this.openShell();
  }

  private openShell(): void {
    const row = this.deps.model.rows('/user').find((r) => r.values.name === this.user);
    this.leave = this.deps.activeUsers?.add({
      name: this.user,
      address: this.io.address ?? this.io.name,
      via: this.io.via ?? 'console',
      when: new Date(),
    });
    const identity = String(this.deps.model.settingsValues('/system identity').name);
    const lines = ['', `  ${identity}: routerd ${'(RouterOS-style PPTP router)'}`, ''];
    for (const n of this.deps.notices) lines.push(`NOTICE: ${n}`);
    if (row?.values.password === '') {
      lines.push(`WARNING: user ${this.user} has no password; set one with /user set ${this.user} password=...`);
    }
    this.write(lines.join('\n') + '\n\n');
    this.shell = new Shell({
      model: this.deps.model,
      runtime: this.deps.runtime,
      log: this.deps.log,
      license: this.deps.license,
      resources: this.deps.resources,
      firmware: this.deps.firmware,
      user: this.user,
      activeUsers: this.deps.activeUsers,
      readFile: this.deps.readFile,
      writeFile: this.deps.writeFile,
      power: this.deps.power,
      clock: this.deps.clock,
      ansi: this.io.terminal,
      write: (text) => this.write(text),
      logout: () => this.logout(),
    });
    this.phase = 'shell';
    this.prompt();
    // Lines typed ahead of the login's check (a piped script) are the first commands.
    for (const line of this.loginLines.splice(0)) this.onLine(line);
  }

  private logout(): void {
    this.log.info(`user ${this.user} logged out from ${this.io.name}`);
    this.leave?.();
    this.leave = undefined;
    if (this.io.user !== undefined) {
      // An SSH session ends with its shell.
      this.shell = undefined;
      this.queue = [];
      this.end();
      return;
    }
    this.write('interrupted\n\n');
    this.shell = undefined;
    this.queue = [];
    this.askLogin();
  }

  /** Runs queued lines one at a time (a pasted export arrives as many lines at once). */
  private async drain(): Promise<void> {
    while (this.queue.length && this.shell && this.phase === 'shell') {
      const shell = this.shell;
      await shell.input(this.queue.shift()!);
      if (this.shell === shell) this.prompt();
    }
  }
}
