// Independent oracles for MD4 and DES, found at test time: node:crypto when its OpenSSL offers
// the algorithm, else the openssl command with the legacy provider. Tests say which one ran.
import { createCipheriv, createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';

const LEGACY = ['-provider', 'legacy', '-provider', 'default'];

export type Md4Oracle = { readonly name: string; readonly digest: (data: Uint8Array) => Buffer };
export type DesOracle = { readonly name: string; readonly encrypt: (key8: Uint8Array, block8: Uint8Array) => Buffer };

function openssl(args: string[], input: Uint8Array): Buffer | undefined {
  const run = spawnSync('openssl', args, { input, maxBuffer: 1 << 20 });
  return run.status === 0 ? run.stdout : undefined;
}

export function findMd4Oracle(): Md4Oracle | undefined {
  try {
    createHash('md4').update('').digest();
    return { name: 'node:crypto md4', digest: (data) => createHash('md4').update(data).digest() };
  } catch {
    // This OpenSSL has MD4 only in the legacy provider, which Node does not load.
  }
  const digest = (data: Uint8Array): Buffer => {
    const out = openssl(['dgst', '-md4', ...LEGACY, '-binary'], data);
    if (!out) throw new Error('openssl dgst -md4 failed');
    return out;
  };
  try {
    if (digest(Buffer.alloc(0)).toString('hex') === '31d6cfe0d16ae931b73c59d7e0c089c0') {
      return { name: 'openssl dgst -md4 -provider legacy (command line)', digest };
    }
  } catch {
    // no openssl command, or no legacy provider
  }
  return undefined;
}

export function findDesOracle(): DesOracle | undefined {
  return findNodeDes() ?? findOpensslDes();
}

const DES_PROBE_KEY = Buffer.from('133457799bbcdff1', 'hex');
const DES_PROBE_PLAIN = Buffer.from('0123456789abcdef', 'hex');
const DES_PROBE_CIPHER = '85e813540f0ab405';

function findNodeDes(): DesOracle | undefined {
  const encrypt = (key8: Uint8Array, block8: Uint8Array): Buffer => {
    const c = createCipheriv('des-ecb', key8, null).setAutoPadding(false);
    return Buffer.concat([c.update(block8), c.final()]);
  };
  try {
    if (encrypt(DES_PROBE_KEY, DES_PROBE_PLAIN).toString('hex') === DES_PROBE_CIPHER) {
      return { name: 'node:crypto des-ecb', encrypt };
    }
  } catch {
    // This OpenSSL has DES only in the legacy provider, which Node does not load.
  }
  return undefined;
}

function findOpensslDes(): DesOracle | undefined {
  const encrypt = (key8: Uint8Array, block8: Uint8Array): Buffer => {
    const out = openssl(['enc', '-des-ecb', ...LEGACY, '-nopad', '-K', Buffer.from(key8).toString('hex')], block8);
    if (!out) throw new Error('openssl enc -des-ecb failed');
    return out;
  };
  try {
    if (encrypt(DES_PROBE_KEY, DES_PROBE_PLAIN).toString('hex') === DES_PROBE_CIPHER) {
      return { name: 'openssl enc -des-ecb -provider legacy (command line)', encrypt };
    }
  } catch {
    // no openssl command, or no legacy provider
  }
  return undefined;
}
