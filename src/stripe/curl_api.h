/* libcurl's entry points, loaded with dlopen on the first Stripe client.
 * Linking libcurl pulls in about 30 shared libraries (TLS, Kerberos, LDAP,
 * SSH, ...) whose loading cost ~18 ms at every start on our 2-core machine,
 * before the first screen; paydesk only needs them once a worker talks to
 * Stripe. Only the calls http.c makes are here. */
#ifndef PAYDESK_CURL_API_H
#define PAYDESK_CURL_API_H

#include <curl/curl.h>

#include "paydesk/error.h"

struct curl_api {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *h);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	void (*easy_reset)(CURL *h);
	void (*easy_cleanup)(CURL *h);
	const char *(*easy_strerror)(CURLcode rc);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *line);
	void (*slist_free_all)(struct curl_slist *list);
};

/* Load libcurl once (thread-safe) and initialise it (curl_global_init).
 * NULL, with what to install in err, when it cannot be loaded. */
const struct curl_api *curl_api_get(struct pd_error *err);

#endif
