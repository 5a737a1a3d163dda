#include "curl_api.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

/* The ABI name libcurl has kept since 7.16 (2006); the build links against
 * the same major version through pkg-config's headers. */
#ifndef PAYDESK_LIBCURL
#define PAYDESK_LIBCURL "libcurl.so.4"
#endif

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
	if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		snprintf(load_error, sizeof load_error, "cannot initialise libcurl");
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
