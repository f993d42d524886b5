#!/usr/bin/env python3
"""Trims the ICU data linked into the official Node binary to what a router needs, in place.

The official build embeds full ICU (33 MB: every locale, 200 charset converters, the Thai/CJK
word dictionaries). routerd formats nothing per locale, and Node's build offers small-icu only
from source, which cannot be built here. So the embedded ICU package is rewritten in the same
place with a table of contents that lists only: root and English locale data, the tables every
locale needs (time zones, plurals, properties, normalisation, collation root), and no converters
or dictionaries; the bytes freed are zeroed, which costs nothing once compressed. ICU falls back
to root for a locale it cannot find, so Intl keeps working in English.

  node-icu-trim.py NODE_BINARY     (rewrites the file; prints one line of sizes)
"""
import re
import struct
import sys

KEEP_LOCALES = {'root', 'en', 'en_US', 'en_001', 'en_US_POSIX', 'res_index', 'pool'}
LOCALE = re.compile(r'([a-z]{2,3}(_[A-Za-z0-9_]+)?)\.res')


def dropped(name: str) -> bool:
    base = name.rsplit('/', 1)[-1]
    if base.endswith('.cnv'):
        return True
    if '/brkitr/' in name and base.endswith('.dict'):
        return True
    m = LOCALE.fullmatch(base)
    return bool(m and m.group(1) not in KEEP_LOCALES)


def main() -> None:
    path = sys.argv[1]
    data = bytearray(open(path, 'rb').read())
    # A common-data package: header (u16 size, magic DA 27, UDataInfo with format "CmnD"), then
    # a table of contents (u32 count; count x (u32 name offset, u32 data offset) from its start).
    found = [m.start() - 2 for m in re.finditer(rb'\xda\x27.{8}CmnD', data, re.S)]
    if len(found) != 1:
        sys.exit(f'node-icu-trim: expected one embedded ICU package, found {len(found)}')
    start = found[0]
    header = struct.unpack_from('<H', data, start)[0]
    base = start + header
    count = struct.unpack_from('<I', data, base)[0]
    toc = [struct.unpack_from('<II', data, base + 4 + 8 * i) for i in range(count)]

    def name(off: int) -> str:
        end = data.index(b'\0', base + off)
        return data[base + off:end].decode('ascii')

    items = []
    for i, (noff, doff) in enumerate(toc):
        if i + 1 == count:
            # The last item's length is not recorded anywhere; it has to be one that goes.
            if not dropped(name(noff)):
                sys.exit(f'node-icu-trim: the last item {name(noff)} would be kept')
            break
        if not dropped(name(noff)):
            items.append((name(noff), bytes(data[base + doff:base + toc[i + 1][1]])))
    old_end = base + toc[-1][1]

    names = b''.join(n.encode('ascii') + b'\0' for n, _ in items)
    head_len = 4 + 8 * len(items)
    first = (head_len + len(names) + 15) & ~15
    out = bytearray(struct.pack('<I', len(items)))
    offset = first
    name_at = head_len
    for n, blob in items:
        out += struct.pack('<II', name_at, offset)
        name_at += len(n) + 1
        offset += (len(blob) + 15) & ~15
    out += names
    out += b'\0' * (first - len(out))
    for _, blob in items:
        out += blob + b'\0' * (((len(blob) + 15) & ~15) - len(blob))
    if base + len(out) > old_end:
        sys.exit('node-icu-trim: the trimmed package is not smaller')
    data[base:old_end] = out + b'\0' * (old_end - base - len(out))
    open(path, 'wb').write(data)
    print(f'ICU data {(old_end - base) / 1e6:.1f} MB -> {len(out) / 1e6:.1f} MB ({len(items)} of {count} items kept)')


if __name__ == '__main__':
    main()
