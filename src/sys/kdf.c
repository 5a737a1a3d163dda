/* Argon2id in a helper process (see kdf.h). The helper is this program,
 * exec'd afresh with posix_spawn (safe beside the TUI's threads, unlike a
 * fork that would run libsodium in a copy of a multithreaded process): it
 * starts not dumpable (main's harden_start comes before it reads a byte),
 * takes the secret from a socketpair on its standard input into guarded
 * memory, and ends by exiting, which returns Argon2's memory to the kernel
 * instead of to paydesk's heap. Nothing secret goes through argv or the
 * environment. */
#include "paydesk/kdf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "paydesk/log.h"

extern char **environ;

enum { KDF_DERIVE = 'K', KDF_HASH = 'H', KDF_VERIFY = 'V' };
enum { ANSWER_OK = 0, ANSWER_MISMATCH = 1, ANSWER_FAILED = 2 };

#define KDF_OUT_MAX 64
#define KDF_PASS_MAX 4096 /* longer ones (no form takes them) are derived here */
#define KDF_MEM_MAX ((uint64_t)4 << 30) /* the vault refuses larger stored limits too */

/* One request; the passphrase (passlen bytes) follows it on the socket. The
 * helper is the same build (or, after an upgrade in place, a newer one: the
 * magic then differs and the caller derives here). */
struct kdf_request {
	char magic[8];
	uint32_t op, outlen, passlen, pad;
	uint64_t opslimit, memlimit;
	unsigned char salt[crypto_pwhash_SALTBYTES];
	char hash[crypto_pwhash_STRBYTES];
};

static const char MAGIC[8] = "pdkdf01";

static char helper_path[PATH_MAX];
static atomic_bool helper_on;
static atomic_bool fallback_said;

void kdf_child_use(const char *exe)
{
	atomic_store(&helper_on, false);
	if (!exe || strlen(exe) >= sizeof helper_path)
		return;
	snprintf(helper_path, sizeof helper_path, "%s", exe);
	atomic_store(&helper_on, true);
}

void kdf_child_enable(void)
{
	/* Resolved now: under valgrind /proc/self/exe itself is valgrind's. */
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0 || (size_t)n >= sizeof self - 1)
		return;
	self[n] = '\0';
	kdf_child_use(self);
}

bool kdf_child_enabled(void)
{
	return atomic_load(&helper_on);
}

/* ---- the helper's side ---------------------------------------------------- */

static int read_all(int fd, void *buf, size_t len)
{
	unsigned char *p = buf;
	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static bool request_valid(const struct kdf_request *r)
{
	if (memcmp(r->magic, MAGIC, sizeof MAGIC) != 0 || r->passlen > KDF_PASS_MAX)
		return false;
	if (r->op == KDF_VERIFY)
		return memchr(r->hash, '\0', sizeof r->hash) != NULL;
	if (r->op != KDF_DERIVE && r->op != KDF_HASH)
		return false;
	return r->memlimit <= KDF_MEM_MAX &&
	       (r->op == KDF_HASH || (r->outlen > 0 && r->outlen <= KDF_OUT_MAX));
}

/* Runs the request; out gets what is sent after the answer byte. */
static unsigned char answer(const struct kdf_request *r, const char *pass, unsigned char *out,
			    size_t *out_len)
{
	*out_len = 0;
	switch (r->op) {
	case KDF_DERIVE:
		if (crypto_pwhash(out, r->outlen, pass, r->passlen, r->salt, r->opslimit,
				  (size_t)r->memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
			return ANSWER_FAILED;
		*out_len = r->outlen;
		return ANSWER_OK;
	case KDF_HASH:
		if (crypto_pwhash_str((char *)out, pass, r->passlen, r->opslimit,
				      (size_t)r->memlimit) != 0)
			return ANSWER_FAILED;
		*out_len = crypto_pwhash_STRBYTES;
		return ANSWER_OK;
	default:
		return crypto_pwhash_str_verify(r->hash, pass, r->passlen) == 0 ? ANSWER_OK
										 : ANSWER_MISMATCH;
	}
}

/* Whether a debugger attached in the moment between exec and harden_start,
 * before the process became non-dumpable (a tracer stays attached). */
static bool traced(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	bool yes = f == NULL;
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "TracerPid:", 10) == 0)
			yes = strtol(line + 10, NULL, 10) != 0;
	if (f)
		fclose(f);
	return yes;
}

int kdf_child_main(void)
{
	struct stat st;
	if (fstat(STDIN_FILENO, &st) != 0 || !S_ISSOCK(st.st_mode)) {
		/* Typed by a person: it is not an option of theirs. */
		fprintf(stderr, "paydesk: unknown option '%s'\n", KDF_CHILD_ARG);
		return 2;
	}
	if (traced())
		return 1; /* the caller derives in its own, non-dumpable, process */
	struct kdf_request r;
	if (read_all(STDIN_FILENO, &r, sizeof r) != 0 || !request_valid(&r))
		return 1;
	char *pass = sodium_malloc((size_t)r.passlen + 1);
	unsigned char *out = sodium_malloc(KDF_OUT_MAX + crypto_pwhash_STRBYTES);
	int rc = 1;
	if (pass && out && read_all(STDIN_FILENO, pass, r.passlen) == 0) {
		pass[r.passlen] = '\0';
		size_t out_len = 0;
		unsigned char verdict = answer(&r, pass, out, &out_len);
		sodium_free(pass); /* zeroed: gone before the answer leaves */
		pass = NULL;
		if (write_all(STDOUT_FILENO, &verdict, 1) == 0 &&
		    write_all(STDOUT_FILENO, out, out_len) == 0)
			rc = 0;
	}
	sodium_free(pass);
	sodium_free(out);
	return rc;
}

/* ---- the caller's side ---------------------------------------------------- */

/* Sends r and pass to a fresh helper; reads the answer byte into *verdict and
 * then out_len bytes into out. 0, or -1 when no answer came (the helper could
 * not be started, died, or is another version). */
static int ask_helper(const struct kdf_request *r, const char *pass, unsigned char *verdict,
		      void *out, size_t out_len, const char **why)
{
	int sv[2];
	*why = "no socket";
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	/* Both standard streams are the socket; stderr goes nowhere (it may be
	 * the TUI's terminal); nothing else of paydesk's is inherited. */
	posix_spawn_file_actions_adddup2(&fa, sv[1], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, sv[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
	/* Default signal dispositions and none blocked, whatever this thread has. */
	sigset_t all, none;
	sigfillset(&all);
	sigemptyset(&none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	char *argv[] = {"paydesk", KDF_CHILD_ARG, NULL};
	pid_t pid;
	int spawned = posix_spawn(&pid, helper_path, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(sv[1]);
	if (spawned != 0) {
		close(sv[0]);
		*why = strerror(spawned);
		return -1;
	}
	*why = "it ended without answering";
	struct iovec iov[2] = {{(void *)r, sizeof *r}, {(void *)pass, r->passlen}};
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
	size_t total = sizeof *r + r->passlen, sent = 0;
	int rc = 0;
	while (sent < total) { /* a few hundred bytes: one call, in practice */
		ssize_t n = sendmsg(sv[0], &msg, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = -1;
			break;
		}
		sent += (size_t)n;
		while (n > 0 && msg.msg_iovlen > 0) { /* skip what went */
			size_t step = (size_t)n < msg.msg_iov->iov_len ? (size_t)n
								       : msg.msg_iov->iov_len;
			msg.msg_iov->iov_base = (char *)msg.msg_iov->iov_base + step;
			msg.msg_iov->iov_len -= step;
			n -= (ssize_t)step;
			if (msg.msg_iov->iov_len == 0) {
				msg.msg_iov++;
				msg.msg_iovlen--;
			}
		}
	}
	if (!rc)
		rc = read_all(sv[0], verdict, 1);
	if (!rc && *verdict == ANSWER_OK)
		rc = read_all(sv[0], out, out_len);
	close(sv[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!rc && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		rc = -1;
	return rc;
}

/* The helper's answer, or -1 when the derivation must run here. */
static int via_helper(const struct kdf_request *r, const char *pass, void *out, size_t out_len)
{
	if (!kdf_child_enabled())
		return -1;
	unsigned char verdict = ANSWER_FAILED;
	const char *why = "";
	if (r->passlen <= KDF_PASS_MAX && ask_helper(r, pass, &verdict, out, out_len, &why) == 0)
		return verdict;
	if (r->passlen <= KDF_PASS_MAX && !atomic_exchange(&fallback_said, true))
		log_msg(LOG_WARN, "key derivation helper %s did not answer (%s): deriving in "
				  "paydesk itself, which holds its memory for the time",
			helper_path, why);
	return -1;
}

static void request_init(struct kdf_request *r, unsigned op, size_t passlen)
{
	memset(r, 0, sizeof *r);
	memcpy(r->magic, MAGIC, sizeof MAGIC);
	r->op = op;
	r->passlen = passlen > UINT32_MAX ? UINT32_MAX : (uint32_t)passlen;
}

int kdf_derive(unsigned char *out, size_t outlen, const char *pass, const unsigned char *salt,
	       unsigned long long opslimit, size_t memlimit)
{
	size_t passlen = strlen(pass);
	if (outlen == 0 || outlen > KDF_OUT_MAX)
		return -1;
	struct kdf_request r;
	request_init(&r, KDF_DERIVE, passlen);
	r.outlen = (uint32_t)outlen;
	r.opslimit = opslimit;
	r.memlimit = memlimit;
	memcpy(r.salt, salt, sizeof r.salt);
	int v = via_helper(&r, pass, out, outlen);
	if (v >= 0)
		return v == ANSWER_OK ? 0 : -1;
	return crypto_pwhash(out, outlen, pass, passlen, salt, opslimit, memlimit,
			     crypto_pwhash_ALG_ARGON2ID13);
}

int kdf_hash_str(char out[crypto_pwhash_STRBYTES], const char *pass,
		 unsigned long long opslimit, size_t memlimit)
{
	size_t passlen = strlen(pass);
	struct kdf_request r;
	request_init(&r, KDF_HASH, passlen);
	r.opslimit = opslimit;
	r.memlimit = memlimit;
	int v = via_helper(&r, pass, out, crypto_pwhash_STRBYTES);
	if (v >= 0) {
		out[crypto_pwhash_STRBYTES - 1] = '\0';
		return v == ANSWER_OK ? 0 : -1;
	}
	return crypto_pwhash_str(out, pass, passlen, opslimit, memlimit);
}

int kdf_verify_str(const char *hash, const char *pass, size_t passlen)
{
	size_t hash_len = strlen(hash);
	if (hash_len >= crypto_pwhash_STRBYTES)
		return -1;
	struct kdf_request r;
	request_init(&r, KDF_VERIFY, passlen);
	memcpy(r.hash, hash, hash_len + 1);
	int v = via_helper(&r, pass, NULL, 0);
	if (v >= 0)
		return v == ANSWER_OK ? 0 : -1;
	return crypto_pwhash_str_verify(hash, pass, passlen);
}
