#include "curl_api.h"

#include <dlfcn.h>
#include <malloc.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/log.h"

/* The ABI name libcurl has kept since 7.16 (2006); the build links against
 * the same major version through pkg-config's headers. */
#ifndef PAYDESK_LIBCURL
#define PAYDESK_LIBCURL "libcurl.so.4"
#endif

/* libcurl builds each request, the key's Authorization line included, in
 * buffers of its own and frees them without clearing: 9 copies of the key
 * were found in a memory dump after a verify. Its memory functions
 * (curl_global_init_mem) and OpenSSL's (CRYPTO_set_mem_functions, the TLS
 * record buffers hold the request in clear before encryption) are these:
 * plain malloc, but every block is zeroed before it is freed or moved. */
static void wiping_free(void *p)
{
	if (p) {
		sodium_memzero(p, malloc_usable_size(p));
		free(p);
	}
}

static void *wiping_realloc(void *p, size_t n)
{
	if (!p)
		return malloc(n);
	if (n == 0) {
		wiping_free(p);
		return NULL;
	}
	size_t old = malloc_usable_size(p);
	if (n <= old)
		return p; /* stays in place: nothing left behind */
	void *moved = malloc(n);
	if (!moved)
		return NULL;
	memcpy(moved, p, old);
	wiping_free(p);
	return moved;
}

static char *wiping_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *copy = malloc(n);
	return copy ? memcpy(copy, s, n) : NULL;
}

static void *ossl_malloc(size_t n, const char *file, int line)
{
	(void)file, (void)line;
	return malloc(n);
}

static void *ossl_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file, (void)line;
	return wiping_realloc(p, n);
}

static void ossl_free(void *p, const char *file, int line)
{
	(void)file, (void)line;
	wiping_free(p);
}

/* OpenSSL takes memory functions only before its first allocation, so this
 * runs before curl_global_init; false when it is too late or absent (a
 * libcurl built on another TLS library). dlsym on libcurl's handle also
 * searches the libraries it loaded. */
static bool openssl_wipe_on_free(void *curl_lib)
{
	int (*set)(void *(*)(size_t, const char *, int),
		   void *(*)(void *, size_t, const char *, int), void (*)(void *, const char *, int));
	*(void **)&set = dlsym(curl_lib, "CRYPTO_set_mem_functions");
	return set && set(ossl_malloc, ossl_realloc, ossl_free) == 1;
}

static struct curl_api api;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[400];

/* dlsym returns void *; POSIX guarantees it converts to a function pointer. */
#define LOAD(field, name)                                                               \
	do {                                                                            \
		void *sym = dlsym(lib, name);                                           \
		if (!sym) {                                                             \
			snprintf(load_error, sizeof load_error, "%s has no %s", PAYDESK_LIBCURL, \
				 name);                                                 \
			return;                                                         \
		}                                                                       \
		*(void **)&api.field = sym;                                             \
	} while (0)

static void load(void)
{
	void *lib = dlopen(PAYDESK_LIBCURL, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		const char *why = dlerror();
		snprintf(load_error, sizeof load_error,
			 "cannot load %s (%s): install libcurl 4 (Debian: libcurl4)", PAYDESK_LIBCURL,
			 why ? why : "not found");
		return;
	}
	/* lib stays open for the life of the process: handles are cached. */
	LOAD(global_init, "curl_global_init");
	LOAD(easy_init, "curl_easy_init");
	LOAD(easy_setopt, "curl_easy_setopt");
	LOAD(easy_perform, "curl_easy_perform");
	LOAD(easy_getinfo, "curl_easy_getinfo");
	LOAD(easy_reset, "curl_easy_reset");
	LOAD(easy_cleanup, "curl_easy_cleanup");
	LOAD(easy_strerror, "curl_easy_strerror");
	LOAD(slist_append, "curl_slist_append");
	LOAD(slist_free_all, "curl_slist_free_all");
	CURLcode (*init_mem)(long, curl_malloc_callback, curl_free_callback, curl_realloc_callback,
			     curl_strdup_callback, curl_calloc_callback);
	*(void **)&init_mem = dlsym(lib, "curl_global_init_mem");
	bool openssl_wiped = openssl_wipe_on_free(lib);
	CURLcode rc = init_mem ? init_mem(CURL_GLOBAL_DEFAULT, malloc, wiping_free, wiping_realloc,
					  wiping_strdup, calloc)
			       : api.global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK)
		snprintf(load_error, sizeof load_error, "cannot initialise libcurl");
	else
		log_msg(LOG_INFO, "libcurl loaded; its freed memory is zeroed, %s",
			openssl_wiped ? "and OpenSSL's too"
				      : "but not the TLS library's (not OpenSSL, or it allocated "
					"before paydesk could set its memory functions)");
}

const struct curl_api *curl_api_get(struct pd_error *err)
{
	pthread_once(&once, load);
	if (load_error[0]) {
		pd_error_set(err, PD_ERR, "%s", load_error);
		return NULL;
	}
	return &api;
}
