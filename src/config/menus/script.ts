// `/system script environment`: the globals console scripts made with :global (kept until the
// daemon stops, as RouterOS keeps them until reboot). Rows come from the consoles' store.
import type { StatusMenu } from '../schema.js';

export const scriptEnvironment = {
  kind: 'status',
  path: '/system script environment',
  source: 'script-globals',
  commands: ['print', 'get', 'find', 'remove'],
  help: 'global variables of console scripts (:global), kept until routerd stops',
  shape: 'rows',
  columns: {
    name: { help: 'variable name', quoted: true },
    value: { help: 'its value', quoted: true },
  },
  print: {
    style: 'table',
    columns: [
      { key: 'name', header: 'NAME', width: 16 },
      { key: 'value', header: 'VALUE', width: 40 },
    ],
  },
} as const satisfies StatusMenu;
