/* The OpenSSL side of bench/crypto.ts: RC4, SHA-1 and MPPE-128 (stateful / stateless, RFC 3078
 * section 7.3 re-key) composed from libcrypto's RC4 and SHA-1, timed the same way as the native
 * loops. Usage: openssl-mppe rc4|sha1|mppe-stateful|mppe-stateless SIZE COUNT -> seconds */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/rc4.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned char start_key[16], session_key[16];

static void rekey(RC4_KEY *rc4) {
  static const unsigned char pad1[40] = {0};
  unsigned char pad2[40], digest[20];
  memset(pad2, 0xf2, sizeof pad2);
  SHA_CTX c;
  SHA1_Init(&c);
  SHA1_Update(&c, start_key, 16);
  SHA1_Update(&c, pad1, 40);
  SHA1_Update(&c, session_key, 16);
  SHA1_Update(&c, pad2, 40);
  SHA1_Final(digest, &c);
  RC4_set_key(rc4, 16, digest);
  RC4(rc4, 16, digest, session_key);
  RC4_set_key(rc4, 16, session_key);
}

int main(int argc, char **argv) {
  if (argc != 4) return 2;
  const char *kind = argv[1];
  size_t size = strtoul(argv[2], 0, 10);
  unsigned long count = strtoul(argv[3], 0, 10);
  unsigned char *in = calloc(1, size + 2), *out = calloc(1, size + 2), digest[20];
  for (int i = 0; i < 16; i++) start_key[i] = session_key[i] = (unsigned char)(i * 17 + 3);
  RC4_KEY rc4;
  RC4_set_key(&rc4, 16, session_key);
  unsigned ccount = 0;
  struct timespec a, b;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a); /* CPU time, like openssl speed */
  for (unsigned long n = 0; n < count; n++) {
    if (!strcmp(kind, "rc4")) {
      RC4(&rc4, size, in, out);
    } else if (!strcmp(kind, "sha1")) {
      SHA1(in, size, digest);
      in[0] = digest[0];
    } else {
      ccount = (ccount + 1) & 0xfff;
      if (!strcmp(kind, "mppe-stateless") || (ccount & 0xff) == 0xff) rekey(&rc4);
      out[0] = (unsigned char)(0x10 | (ccount >> 8));
      out[1] = (unsigned char)ccount;
      RC4(&rc4, size, in, out + 2);
    }
  }
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
  printf("%.9f\n", (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9 + (out[0] & 0) * 0.0);
  return 0;
}
