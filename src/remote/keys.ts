// Keys the management services need, made on first start and kept in the data directory so
// clients see the same router after a reboot: the SSH host key and api-ssl's self-signed
// certificate. Files are written mode 0600 through the atomic writer (a power cut leaves the
// old file or the new one, never half of one).
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { writeFileAtomic } from '../config/atomic-file.js';
import type { Logger } from '../log.js';

export const SSH_HOST_KEY_FILE = 'ssh_host_ecdsa_key';
export const API_SSL_KEY_FILE = 'api-ssl.key';
export const API_SSL_CERT_FILE = 'api-ssl.crt';

/** The SSH host key (ECDSA P-256, PEM), made when the data directory has none. */
export function sshHostKey(dataDir: string, log: Logger): string {
  const file = join(dataDir, SSH_HOST_KEY_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const { privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'sec1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  writeFileAtomic(file, privateKey, 0o600);
  log.info(`ssh: host key made and kept in ${file}`);
  return privateKey;
}

/** api-ssl's key and self-signed certificate (10 years), made when the data directory has none. */
export async function apiSslCertificate(dataDir: string, identity: string, log: Logger): Promise<{ key: string; cert: string }> {
  const keyFile = join(dataDir, API_SSL_KEY_FILE);
  const certFile = join(dataDir, API_SSL_CERT_FILE);
  if (existsSync(keyFile) && existsSync(certFile)) return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
  const notAfterDate = new Date(Date.now() + 10 * 365 * 86_400_000);
  const pems = await generate([{ name: 'commonName', value: identity }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256', notAfterDate });
  writeFileAtomic(keyFile, pems.private, 0o600);
  writeFileAtomic(certFile, pems.cert, 0o644);
  log.info(`api-ssl: self-signed certificate made and kept in ${certFile}`);
  return { key: pems.private, cert: pems.cert };
}

/**
 * `/ip service set api-ssl certificate=NAME`: the admin's own certificate, NAME.crt and NAME.key
 * (PEM) in the data directory. Throws with the file it could not read.
 */
export function namedCertificate(dataDir: string, name: string): { key: string; cert: string } {
  const read = (file: string): string => {
    try {
      return readFileSync(join(dataDir, file), 'utf8');
    } catch {
      throw new Error(`certificate ${name}: cannot read ${file} in the data directory`);
    }
  };
  return { cert: read(`${name}.crt`), key: read(`${name}.key`) };
}
