/* Keep secrets out of reach of other processes of the same user: no core
 * files, no ptrace, no secret left in /proc/PID/environ. */
#include "paydesk/harden.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

int harden_no_core_dumps(void)
{
	struct rlimit none = {0, 0};
	int rc = 0;
	if (setrlimit(RLIMIT_CORE, &none) != 0)
		rc = -1;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		rc = -1;
	return rc;
}

/* The variables that may carry a secret, and their guarded copies until
 * claimed. Process-wide, like the environment they replace. */
static struct env_secret {
	const char *name;
	char *value; /* sodium_malloc'd, or NULL */
	bool taken;
} env_secrets[] = {{"PAYDESK_PASSPHRASE", NULL, false},
		   {"PAYDESK_NEW_PASSPHRASE", NULL, false}, /* paydesk passphrase, scripted */
		   {"PAYDESK_PIN", NULL, false}};

/* Copy a variable into guarded memory, then zero its bytes where they are:
 * for a variable given at exec, the block /proc/PID/environ reads (unsetenv
 * alone only drops the pointer to it). */
static char *take_from_environ(const char *name)
{
	char *v = getenv(name);
	if (!v)
		return NULL;
	size_t n = strlen(v);
	char *copy = sodium_malloc(n + 1);
	if (copy)
		memcpy(copy, v, n + 1);
	sodium_memzero(v, n);
	unsetenv(name);
	return copy;
}

int harden_start(void)
{
	int rc = harden_no_core_dumps();
	bool sodium_ok = sodium_init() >= 0; /* sodium_malloc needs it */
	for (size_t i = 0; i < sizeof env_secrets / sizeof env_secrets[0]; i++) {
		struct env_secret *s = &env_secrets[i];
		bool set = getenv(s->name) != NULL;
		s->value = sodium_ok ? take_from_environ(s->name) : NULL;
		if (set && !s->value) {
			/* never leave it in the environment, even when it cannot be kept */
			char *v = getenv(s->name);
			if (v)
				memset(v, 0, strlen(v));
			unsetenv(s->name);
			rc = -1;
		}
		s->taken = true;
	}
	return rc;
}

bool harden_env_secret_waiting(const char *name)
{
	for (size_t i = 0; i < sizeof env_secrets / sizeof env_secrets[0]; i++) {
		const struct env_secret *s = &env_secrets[i];
		if (strcmp(s->name, name) == 0)
			return s->taken ? s->value != NULL : getenv(name) != NULL;
	}
	return false;
}

char *harden_env_secret_claim(const char *name)
{
	for (size_t i = 0; i < sizeof env_secrets / sizeof env_secrets[0]; i++) {
		struct env_secret *s = &env_secrets[i];
		if (strcmp(s->name, name) != 0)
			continue;
		if (!s->taken) {
			s->value = sodium_init() < 0 ? NULL : take_from_environ(name);
			s->taken = true;
		}
		char *v = s->value;
		s->value = NULL;
		return v;
	}
	return NULL;
}
