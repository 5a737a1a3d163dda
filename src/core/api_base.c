#include "paydesk/api_base.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct url_parts {
	bool https;
	char host[256];
	long port; /* 0 when absent */
};

static bool parse_url(const char *url, struct url_parts *u)
{
	const char *p;
	if (strncmp(url, "https://", 8) == 0) {
		u->https = true;
		p = url + 8;
	} else if (strncmp(url, "http://", 7) == 0) {
		u->https = false;
		p = url + 7;
	} else {
		return false;
	}
	size_t hl;
	if (*p == '[') { /* IPv6 literal */
		const char *close = strchr(p, ']');
		if (!close)
			return false;
		hl = (size_t)(close - p) + 1;
	} else {
		hl = strcspn(p, ":/?#@");
	}
	if (hl == 0 || hl >= sizeof u->host)
		return false;
	memcpy(u->host, p, hl);
	u->host[hl] = '\0';
	for (size_t i = 0; i < hl; i++)
		u->host[i] = (char)tolower((unsigned char)u->host[i]);
	p += hl;
	u->port = 0;
	if (*p == ':') {
		char *end;
		u->port = strtol(p + 1, &end, 10);
		if (end == p + 1 || u->port < 1 || u->port > 65535)
			return false;
		p = end;
	}
	/* Only an optional trailing slash: paths, queries and credentials have no place. */
	return *p == '\0' || (p[0] == '/' && p[1] == '\0');
}

static bool host_is_loopback(const char *host)
{
	if (strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
		return true;
	if (strncmp(host, "127.", 4) != 0)
		return false;
	int dots = 0;
	for (const char *c = host; *c; c++) {
		if (*c == '.')
			dots++;
		else if (!isdigit((unsigned char)*c))
			return false;
	}
	return dots == 3;
}

int api_base_check(const char *url, struct pd_error *err)
{
	struct url_parts u;
	if (!url || !parse_url(url, &u))
		return pd_error_set(err, PD_ERR_USAGE,
				    "api_base '%s' is not a URL of the form https://host[:port]",
				    url ? url : "");
	if (!u.https && !host_is_loopback(u.host))
		return pd_error_set(err, PD_ERR_USAGE,
				    "api_base '%s' uses plain http to another machine; use https:// "
				    "(http is allowed only for localhost / 127.0.0.1 / [::1])",
				    url);
	return PD_OK;
}

bool api_base_is_loopback(const char *url)
{
	struct url_parts u;
	return url && parse_url(url, &u) && host_is_loopback(u.host);
}
