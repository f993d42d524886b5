// The router's log, shaped like RouterOS's `/log`: every entry has a time, topics
// (e.g. ["pptp", "info"]) and a message. Entries are kept in a bounded ring for `/log print`
// and handed to sinks (the console, stderr, a test) as they arrive. Messages quote what peers
// send, so each is made printable once here, before any sink or `/log print` sees it.
import { printable } from './printable.js';

export type LogLevel = 'debug' | 'info' | 'warning' | 'error' | 'critical';

export interface LogEntry {
  readonly time: Date;
  readonly topics: readonly string[]; // first the subsystem(s), last the level: ["pptp", "info"]
  readonly level: LogLevel;
  readonly message: string;
}

export type LogSink = (entry: LogEntry) => void;

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  critical(message: string): void;
  /** A logger for a sub-topic: log.child('ppp').info(...) has topics [..., 'ppp', 'info']. */
  child(topic: string): Logger;
}

export class LogBook {
  private readonly entries: LogEntry[] = [];
  private readonly sinks = new Set<LogSink>();

  /** now: the router's clock (src/wall-clock.ts), so entries are stamped with the time it keeps. */
  constructor(private readonly capacity = 1000, private readonly now: () => number = Date.now) {}

  write(topics: readonly string[], level: LogLevel, message: string): void {
    const entry: LogEntry = { time: new Date(this.now()), topics: [...topics, level], level, message: printable(message) };
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.shift();
    for (const sink of this.sinks) sink(entry);
  }

  list(): readonly LogEntry[] {
    return this.entries;
  }

  subscribe(sink: LogSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  logger(...topics: string[]): Logger {
    return new TopicLogger(this, topics);
  }
}

// Methods on the prototype rather than closures per logger: every tunnel makes several loggers
// (its call, its PPP engine, its data-plane session), and six closures with their contexts cost
// about 0.6 KiB each time. The methods need their receiver: call them as log.info(...).
class TopicLogger implements Logger {
  constructor(private readonly book: LogBook, private readonly topics: readonly string[]) {}

  debug(message: string): void { this.book.write(this.topics, 'debug', message); }
  info(message: string): void { this.book.write(this.topics, 'info', message); }
  warning(message: string): void { this.book.write(this.topics, 'warning', message); }
  error(message: string): void { this.book.write(this.topics, 'error', message); }
  critical(message: string): void { this.book.write(this.topics, 'critical', message); }
  child(topic: string): Logger { return new TopicLogger(this.book, [...this.topics, topic]); }
}

/** A logger that drops everything; for tests that do not look at the log. */
export const silentLogger: Logger = new LogBook(0).logger();
