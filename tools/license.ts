// Vendor licence tool (never shipped in the firmware):
//   npm run license -- keygen --private vendor.pem --public vendor.pub.pem
//   npm run license -- issue --key vendor.pem --software-id ABCD-EF23 --level 3 [--out license.key]
//   npm run license -- verify --public vendor.pub.pem --software-id ABCD-EF23 license.key
//   npm run license -- software-id SERIAL      (what a board with that serial reports)
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { issueKey, softwareIdFrom, verifyKey } from '../src/config/license.js';
import { ValueError } from '../src/config/types.js';
import { VENDOR_PUBLIC_KEY } from '../src/config/vendor-key.js';

const usage = `usage: license keygen --private FILE --public FILE
       license issue --key PRIVATE.pem --software-id XXXX-XXXX --level 1|3|4|5|6 [--out FILE]
       license verify [--public PUBLIC.pem] --software-id XXXX-XXXX KEYFILE
       license software-id SERIAL`;

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      private: { type: 'string' },
      public: { type: 'string' },
      key: { type: 'string' },
      'software-id': { type: 'string' },
      level: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [cmd, arg] = positionals;
  if (values.help || !cmd) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  switch (cmd) {
    case 'keygen': {
      if (!values.private || !values.public) break;
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      writeFileSync(values.private, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      writeFileSync(values.public, publicKey.export({ type: 'spki', format: 'pem' }));
      console.log(`wrote ${values.private} (keep it secret) and ${values.public}`);
      return 0;
    }
    case 'issue': {
      if (!values.key || !values['software-id'] || !values.level) break;
      const key = issueKey(createPrivateKey(readFileSync(values.key)), values['software-id'], Number(values.level));
      if (values.out) writeFileSync(values.out, key + '\n');
      else console.log(key);
      return 0;
    }
    case 'verify': {
      if (!values['software-id'] || !arg) break;
      const pub = createPublicKey(values.public ? readFileSync(values.public) : VENDOR_PUBLIC_KEY);
      const result = verifyKey(readFileSync(arg, 'utf8'), pub, values['software-id']);
      if (result instanceof ValueError) {
        console.error(result.message);
        return 1;
      }
      console.log(`valid: software-id ${result.softwareId}, level ${result.level}, issued ${result.issued}`);
      return 0;
    }
    case 'software-id':
      if (!arg) break;
      console.log(softwareIdFrom(arg));
      return 0;
  }
  console.error(usage);
  return 2;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error(`license: ${(e as Error).message}`);
  process.exitCode = 1;
}
