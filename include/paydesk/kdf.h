/* Argon2id (libsodium's crypto_pwhash) run where its memory does not count:
 * in a short-lived helper process — this same program, started again with a
 * hidden argument — that gets one request over a socket on its standard
 * input (the passphrase or PIN included), answers on its standard output
 * (the derived key, a hash, or a verdict) and exits. A vault's 256 MiB, or a
 * PIN's 64 MiB, then never enters paydesk's own address space: the TUI stays
 * at its browsing footprint through a sign-in or an unlock, at the same cost
 * per guess. Until kdf_child_enable is called (unit tests, test tools), or
 * when the helper cannot be started, the derivation runs in this process. */
#ifndef PAYDESK_KDF_H
#define PAYDESK_KDF_H

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>

/* The argument that makes main answer one request (kdf_child_main). */
#define KDF_CHILD_ARG "--kdf-helper"

/* Derive in a helper process from now on: this program (/proc/self/exe,
 * resolved now) started with KDF_CHILD_ARG. Call from main, before threads. */
void kdf_child_enable(void);

/* Derive in exe (a paydesk binary: tests) from now on; NULL: in this
 * process. Not while a derivation runs. */
void kdf_child_use(const char *exe);

/* Whether derivations go to a helper process. */
bool kdf_child_enabled(void);

/* The helper's side, for main when argv[1] is KDF_CHILD_ARG (after
 * harden_start): read one request on standard input — which must be the
 * socket kdf_* made, else a usage error (2) — answer, return 0. */
int kdf_child_main(void);

/* crypto_pwhash, Argon2id13: out (outlen bytes, at most 64) from pass
 * (NUL-terminated) and salt (crypto_pwhash_SALTBYTES). 0, or -1 when it
 * could not run (memory). */
int kdf_derive(unsigned char *out, size_t outlen, const char *pass, const unsigned char *salt,
	       unsigned long long opslimit, size_t memlimit);

/* crypto_pwhash_str: the encoded hash of pass at this cost. 0 or -1. */
int kdf_hash_str(char out[crypto_pwhash_STRBYTES], const char *pass,
		 unsigned long long opslimit, size_t memlimit);

/* crypto_pwhash_str_verify: 0 when pass (passlen bytes) matches hash, -1
 * otherwise (a wrong pass, a malformed hash, or no memory to check). */
int kdf_verify_str(const char *hash, const char *pass, size_t passlen);

#endif
