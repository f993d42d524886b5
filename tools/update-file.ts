// Vendor tool: signs a system slot image into an update file for `/system package update install`
// (format: src/wire/update-file.ts). Never shipped in the firmware.
//   node dist/tools/update-file.js --key vendor.pem --board qemu-virt --version 0.1.1 \
//        --payload out/build/qemu-virt/slot.squashfs --out out/pptp-router-qemu-virt-0.1.1.upd
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { emitUpdateHead } from '../src/wire/update-file.js';

const usage = 'usage: update-file --key PRIVATE.pem --board BOARD --version VERSION --payload SLOT_IMAGE --out FILE';

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      key: { type: 'string' },
      board: { type: 'string' },
      version: { type: 'string' },
      payload: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (!values.key || !values.board || !values.version || !values.payload || !values.out) {
    console.error(usage);
    return 2;
  }
  const key = createPrivateKey(readFileSync(values.key));
  const hash = createHash('sha256');
  await pipeline(createReadStream(values.payload), hash);
  const head = emitUpdateHead(
    { board: values.board, version: values.version, size: statSync(values.payload).size, sha256: hash.digest('hex') },
    (data) => sign(null, data, key),
  );
  const out = createWriteStream(values.out);
  out.write(head);
  await pipeline(createReadStream(values.payload), out);
  console.log(`wrote ${values.out} (${values.board} ${values.version})`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(`update-file: ${e.message}`);
    process.exit(1);
  },
);
