// Commands that belong to no menu record, with the policies they need (RouterOS v7): ping is a
// test tool, reset-configuration rewrites everything including the users and restarts, reboot
// and shutdown need reboot, /password changes one's own password.
import type { Policy } from '../policy.js';

export const COMMAND_POLICIES: Readonly<Record<string, readonly Policy[]>> = {
  '/ping': ['test'],
  '/export': ['read'],
  '/quit': [],
  '/system reset-configuration': ['write', 'policy', 'reboot'],
  '/system reboot': ['reboot'],
  '/system shutdown': ['reboot'],
  '/password': ['password'],
  '/tool fetch': ['read', 'write', 'test'],
};
