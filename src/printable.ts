// Text that came from a peer (PPTP host and vendor names, PPP user names, anything a client
// sends) is shown on consoles and written to the journal. Control characters there could move
// the cursor, forge log lines or flip the reading order of a line, so every such place shows
// them escaped instead: C0 and C1 controls and DEL as \xNN, Unicode line separators, bidi
// controls and U+FFFD (what invalid UTF-8 decodes to) as \u{NNNN}.

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufffd]/gu;

export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.codePointAt(0)!;
    return code <= 0xff ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}` : `\\u{${code.toString(16).toUpperCase()}}`;
  });
}
