#include "paydesk/stripe_params.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pair {
	char *key;
	char *value;
};

struct stripe_params {
	struct pair *pairs;
	size_t n, cap;
};

struct stripe_params *stripe_params_new(void)
{
	return calloc(1, sizeof(struct stripe_params));
}

void stripe_params_free(struct stripe_params **p)
{
	if (!p || !*p)
		return;
	for (size_t i = 0; i < (*p)->n; i++) {
		free((*p)->pairs[i].key);
		free((*p)->pairs[i].value);
	}
	free((*p)->pairs);
	free(*p);
	*p = NULL;
}

int stripe_params_add(struct stripe_params *p, const char *key, const char *value)
{
	if (!p || !key || !*key || !value)
		return -1;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		struct pair *grown = realloc(p->pairs, cap * sizeof *grown);
		if (!grown)
			return -1;
		p->pairs = grown;
		p->cap = cap;
	}
	struct pair *slot = &p->pairs[p->n];
	slot->key = strdup(key);
	slot->value = strdup(value);
	if (!slot->key || !slot->value) {
		free(slot->key);
		free(slot->value);
		return -1;
	}
	p->n++;
	return 0;
}

int stripe_params_add_int(struct stripe_params *p, const char *key, int64_t value)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%" PRId64, value);
	return stripe_params_add(p, key, buf);
}

int stripe_params_add_bool(struct stripe_params *p, const char *key, bool value)
{
	return stripe_params_add(p, key, value ? "true" : "false");
}

size_t stripe_params_count(const struct stripe_params *p)
{
	return p ? p->n : 0;
}

const char *stripe_params_get(const struct stripe_params *p, const char *key)
{
	for (size_t i = 0; p && i < p->n; i++)
		if (strcmp(p->pairs[i].key, key) == 0)
			return p->pairs[i].value;
	return NULL;
}

static bool is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

char *stripe_form_escape(const char *s, size_t len, bool keep_brackets)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = malloc(len * 3 + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_unreserved(c) || (keep_brackets && (c == '[' || c == ']'))) {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

char *stripe_params_encode(const struct stripe_params *p)
{
	size_t cap = 1;
	for (size_t i = 0; p && i < p->n; i++)
		cap += 3 * (strlen(p->pairs[i].key) + strlen(p->pairs[i].value)) + 2;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; p && i < p->n; i++) {
		char *k = stripe_form_escape(p->pairs[i].key, strlen(p->pairs[i].key), true);
		char *v = stripe_form_escape(p->pairs[i].value, strlen(p->pairs[i].value), false);
		if (!k || !v) {
			free(k);
			free(v);
			free(out);
			return NULL;
		}
		len += (size_t)snprintf(out + len, cap - len, "%s%s=%s", i ? "&" : "", k, v);
		free(k);
		free(v);
	}
	return out;
}
