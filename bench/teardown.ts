// What a benchmark made (namespaces, daemons) is undone in reverse order when it ends, as tap
// does for a test: the bench runners take the same TeardownHost the tests' helpers take.
import type { TeardownHost } from '../test/lib/netns.js';

export class Teardown implements TeardownHost {
  private readonly fns: (() => void | Promise<void>)[] = [];
  teardown(fn: () => void | Promise<void>): void {
    this.fns.push(fn);
  }
  async run(): Promise<void> {
    for (const fn of this.fns.splice(0).reverse()) await fn();
  }
}
