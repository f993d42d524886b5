// MPPE start keys from what authentication left behind: derived from the password (RFC 3079)
// when we checked it ourselves, or taken as given when a RADIUS server checked it (RFC 2548).
import type { MppeKeyBits } from '../../crypto/mppe.js';
import { mschap1StartKeys, mschap2StartKeys, type MppeRole, type MppeStartKeys } from '../../crypto/mppe-keys.js';
import type { KeyMaterial } from './outcome.js';

export function startKeysFor(material: KeyMaterial, bits: MppeKeyBits, role: MppeRole): MppeStartKeys {
  const len = bits === 128 ? 16 : 8;
  switch (material.kind) {
    case 'mschap2': return mschap2StartKeys(material.password, material.ntResponse, len, role);
    case 'mschap1': return mschap1StartKeys(material.password, material.challenge, len);
    // RFC 3079 3.4: a shorter key is the first octets of the same SHA-1 output.
    case 'start-keys': return { send: material.send.subarray(0, len), receive: material.receive.subarray(0, len) };
  }
}
