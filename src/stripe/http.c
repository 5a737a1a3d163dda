/* One Stripe call: build the request, run attempts over the client's curl
 * handle, classify each attempt for the retry policy, parse the answer. */
#include "paydesk/stripe_client.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/api_base.h"
#include "paydesk/log.h"
#include "paydesk/stripe_reach.h"

#include "curl_api.h"

struct stripe_client {
	CURL *curl; /* kept across calls: its connection cache is the reuse */
	char *api_base;
	long connect_timeout, timeout;
	struct stripe_retry_policy retry;
	stripe_sleep_fn sleep;
	void *sleep_ctx;
};

/* What one attempt received. */
struct attempt_io {
	char *body;
	size_t len, cap;
	bool too_big;
	char request_id[128];
	int should_retry;
	double retry_after;
	bool replayed;
	const atomic_bool *cancel;
	bool cancelled;
};

/* Set once by the first stripe_client_new; every other function here runs
 * on a client, so after it. */
static const struct curl_api *cu;
static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static struct pd_error global_err;

static void global_init(void)
{
	cu = curl_api_get(&global_err);
	if (cu && sodium_init() < 0) {
		pd_error_set(&global_err, PD_ERR, "cannot initialise libsodium");
		cu = NULL;
	}
}

void stripe_client_opts_from_config(struct stripe_client_opts *o, const struct config *cfg)
{
	memset(o, 0, sizeof *o);
	o->api_base = cfg->api_base;
	o->connect_timeout = cfg->connect_timeout;
	o->timeout = cfg->request_timeout;
	o->retry = stripe_retry_policy_default(cfg->max_retries);
}

/* The production sleep: in short slices so a cancel is noticed quickly. */
static void sleep_cancellable(void *ctx, double seconds, const atomic_bool *cancel)
{
	(void)ctx;
	while (seconds > 0 && !(cancel && atomic_load(cancel))) {
		double slice = seconds < 0.05 ? seconds : 0.05;
		struct timespec ts = {0, (long)(slice * 1e9)};
		nanosleep(&ts, NULL);
		seconds -= slice;
	}
}

int stripe_client_new(const struct stripe_client_opts *opts, struct stripe_client **out,
                      struct pd_error *err)
{
	*out = NULL;
	pthread_once(&global_once, global_init);
	if (!cu)
		return pd_error_set(err, PD_ERR, "%s", global_err.msg);
	/* Checked again here, whatever the caller did: the key must never go to
	 * a remote host in clear text. */
	int rc = api_base_check(opts->api_base ? opts->api_base : "", err);
	if (rc)
		return rc;
	struct stripe_client *c = calloc(1, sizeof *c);
	if (!c)
		return pd_error_set(err, PD_ERR, "out of memory");
	c->curl = cu->easy_init();
	c->api_base = strdup(opts->api_base ? opts->api_base : "");
	if (!c->curl || !c->api_base) {
		stripe_client_free(&c);
		return pd_error_set(err, PD_ERR, "cannot create an HTTP client");
	}
	size_t n = strlen(c->api_base);
	while (n && c->api_base[n - 1] == '/')
		c->api_base[--n] = '\0';
	c->connect_timeout = opts->connect_timeout > 0 ? opts->connect_timeout : 10;
	c->timeout = opts->timeout > 0 ? opts->timeout : 60;
	c->retry = opts->retry;
	c->sleep = opts->sleep ? opts->sleep : sleep_cancellable;
	c->sleep_ctx = opts->sleep_ctx;
	*out = c;
	return PD_OK;
}

void stripe_client_free(struct stripe_client **c)
{
	if (!c || !*c)
		return;
	if ((*c)->curl)
		cu->easy_cleanup((*c)->curl);
	free((*c)->api_base);
	free(*c);
	*c = NULL;
}

void stripe_response_clear(struct stripe_response *resp)
{
	if (!resp)
		return;
	free(resp->request_id);
	json_decref(resp->json);
	free(resp->body);
	stripe_error_clear(&resp->error);
	memset(resp, 0, sizeof *resp);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
	struct attempt_io *io = userp;
	size_t n = size * nmemb;
	if (n > STRIPE_BODY_MAX - io->len) {
		io->too_big = true;
		return 0; /* makes curl fail the transfer with CURLE_WRITE_ERROR */
	}
	if (io->len + n + 1 > io->cap) {
		size_t cap = io->cap ? io->cap : 16384;
		while (cap < io->len + n + 1)
			cap *= 2;
		char *grown = realloc(io->body, cap);
		if (!grown)
			return 0;
		io->body = grown;
		io->cap = cap;
	}
	memcpy(io->body + io->len, data, n);
	io->len += n;
	io->body[io->len] = '\0';
	return n;
}

/* Value of header line "Name: value\r\n" into out when the name matches. */
static bool header_value(const char *line, size_t len, const char *name, char *out, size_t size)
{
	size_t nl = strlen(name);
	if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return false;
	const char *v = line + nl + 1, *end = line + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	size_t vl = (size_t)(end - v) < size - 1 ? (size_t)(end - v) : size - 1;
	memcpy(out, v, vl);
	out[vl] = '\0';
	return true;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *userp)
{
	struct attempt_io *io = userp;
	size_t n = size * nmemb;
	char value[128];
	if (header_value(line, n, "Request-Id", value, sizeof value))
		memcpy(io->request_id, value, sizeof io->request_id);
	else if (header_value(line, n, "Stripe-Should-Retry", value, sizeof value))
		io->should_retry = stripe_retry_parse_should_retry(value);
	else if (header_value(line, n, "Retry-After", value, sizeof value))
		io->retry_after = stripe_retry_parse_retry_after(value);
	else if (header_value(line, n, "Idempotent-Replayed", value, sizeof value))
		io->replayed = strcasecmp(value, "true") == 0;
	return n;
}

/* Cancel aborts the transfer at any stage; whether the request may already
 * have reached Stripe is judged afterwards from what curl sent. */
static int on_progress(void *userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	struct attempt_io *io = userp;
	if (io->cancel && atomic_load(io->cancel)) {
		io->cancelled = true;
		return 1;
	}
	return 0;
}

/* A key goes into a header line: refuse anything that could break it. */
static bool key_is_sane(const char *key)
{
	if (!key || !*key)
		return false;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return false;
	return true;
}

/* Zero every header line (one holds the key) before curl frees them. */
static void headers_wipe_free(struct curl_slist *h)
{
	for (struct curl_slist *i = h; i; i = i->next)
		sodium_memzero(i->data, strlen(i->data));
	cu->slist_free_all(h);
}

static struct curl_slist *headers_build(const struct stripe_request *req, const char *idem_key,
                                        bool *ok)
{
	struct curl_slist *h = NULL, *t;
	*ok = false;
	/* The key is joined into its header in guarded memory, then copied once
	 * into curl's list, which headers_wipe_free zeroes after the call. */
	size_t len = strlen("Authorization: Bearer ") + strlen(req->key) + 1;
	char *auth = sodium_malloc(len);
	if (!auth)
		return NULL;
	snprintf(auth, len, "Authorization: Bearer %s", req->key);
	t = cu->slist_append(h, auth);
	sodium_free(auth); /* sodium_free zeroes before releasing */
	if (!t)
		return NULL;
	h = t;
	char line[300];
	const char *fixed[] = {"User-Agent: paydesk/" PAYDESK_VERSION,
	                       "Stripe-Version: " STRIPE_API_VERSION, "Accept: application/json",
	                       "Expect:"};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		if (!(t = cu->slist_append(h, fixed[i])))
			goto fail;
		h = t;
	}
	if (req->method == STRIPE_POST) {
		if (!(t = cu->slist_append(h, "Content-Type: application/x-www-form-urlencoded")))
			goto fail;
		h = t;
		snprintf(line, sizeof line, "Idempotency-Key: %s", idem_key);
		if (!(t = cu->slist_append(h, line)))
			goto fail;
		h = t;
	}
	if (req->account) {
		snprintf(line, sizeof line, "Stripe-Account: %s", req->account);
		if (!(t = cu->slist_append(h, line)))
			goto fail;
		h = t;
	}
	*ok = true;
	return h;
fail:
	headers_wipe_free(h);
	return NULL;
}

static enum stripe_transport classify_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_OK:
		return STRIPE_NET_OK;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return STRIPE_NET_TRANSIENT;
	default: /* TLS verification, bad URL, write refused (oversized)… */
		return STRIPE_NET_FATAL;
	}
}

/* One HTTP exchange. Returns the curl code; io holds what came back. */
static CURLcode attempt_run(struct stripe_client *c, const struct stripe_request *req,
                            const char *url, const char *body, struct curl_slist *headers,
                            struct attempt_io *io, long *status, bool *sent)
{
	CURL *h = c->curl;
	cu->easy_reset(h); /* keeps the connection cache: reuse survives */
	cu->easy_setopt(h, CURLOPT_URL, url);
	cu->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");
	cu->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	cu->easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->connect_timeout);
	cu->easy_setopt(h, CURLOPT_TIMEOUT, c->timeout);
	cu->easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	cu->easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	cu->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	cu->easy_setopt(h, CURLOPT_WRITEDATA, io);
	cu->easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	cu->easy_setopt(h, CURLOPT_HEADERDATA, io);
	cu->easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	cu->easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	cu->easy_setopt(h, CURLOPT_XFERINFODATA, io);
	if (req->method == STRIPE_POST) {
		cu->easy_setopt(h, CURLOPT_POST, 1L);
		cu->easy_setopt(h, CURLOPT_POSTFIELDS, body);
		cu->easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	} else if (req->method == STRIPE_DELETE) {
		cu->easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE");
	}
	CURLcode rc = cu->easy_perform(h);
	*status = 0;
	if (rc == CURLE_OK)
		cu->easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	long request_size = 0;
	cu->easy_getinfo(h, CURLINFO_REQUEST_SIZE, &request_size);
	*sent = request_size > 0;
	/* Drop curl's own pointer to the header list before it is wiped. */
	cu->easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	return rc;
}

static char *url_build(const struct stripe_client *c, const struct stripe_request *req,
                       const char *params)
{
	char *url = NULL;
	bool query = req->method != STRIPE_POST && params && *params;
	if (asprintf(&url, "%s%s%s%s", c->api_base, req->path, query ? "?" : "",
	             query ? params : "") < 0)
		return NULL;
	return url;
}

static int refuse(struct stripe_response *resp, struct pd_error *err, const char *why)
{
	resp->outcome = STRIPE_OUTCOME_REFUSED;
	stripe_error_set_local(&resp->error, NULL, why);
	return pd_error_set(err, PD_ERR_USAGE, "%s", why);
}

static double jitter_random(void)
{
	return randombytes_uniform(1000001) / 1e6;
}

/* How many times an unreadable 2xx answer is asked for again (bounded, and
 * independent of stripe.max_retries: this is not a retry of the action). */
#define BAD_BODY_REREADS 3

/* A 2xx answer whose body is not a JSON object, to a call that can be asked
 * again safely: a GET, or a POST with its Idempotency-Key (a DELETE has no
 * key, and a second one would not replay the first answer). */
static bool unreadable_answer(const struct stripe_request *req, enum stripe_transport tr,
                              long status, const struct attempt_io *io)
{
	if (tr != STRIPE_NET_OK || status < 200 || status >= 300 || req->raw_body || io->too_big)
		return false;
	if (req->method == STRIPE_DELETE)
		return false;
	json_error_t jerr;
	json_t *j = json_loadb(io->body ? io->body : "", io->len, 0, &jerr);
	bool object = json_is_object(j);
	json_decref(j);
	return !object;
}

/* Turn the last attempt into the response's outcome. */
static int finish(struct stripe_response *resp, CURLcode rc, enum stripe_transport tr,
                  struct attempt_io *io, bool raw_body, struct pd_error *err)
{
	char line[600];
	const char *rid = io->request_id[0] ? io->request_id : NULL;
	if (io->cancelled) {
		resp->outcome = STRIPE_OUTCOME_CANCELLED;
		stripe_error_set_local(&resp->error, rid, "cancelled");
	} else if (io->too_big) {
		resp->outcome = STRIPE_OUTCOME_BAD_BODY;
		snprintf(line, sizeof line, "Stripe's answer is larger than %zu MiB; refused",
		         STRIPE_BODY_MAX >> 20);
		stripe_error_set_local(&resp->error, rid, line);
	} else if (tr != STRIPE_NET_OK) {
		resp->outcome = STRIPE_OUTCOME_NETWORK;
		snprintf(line, sizeof line, "no answer from Stripe (offline? check the network): %s",
		         cu->easy_strerror(rc));
		stripe_error_set_local(&resp->error, rid, line);
	} else if (resp->http_status >= 200 && resp->http_status < 300 && raw_body &&
	           (io->body || (io->body = strdup("")))) {
		/* the caller reads it (a sync page: json_scan, without a tree) */
		resp->outcome = STRIPE_OUTCOME_OK;
		resp->body = io->body;
		resp->body_len = io->len;
		io->body = NULL;
		return PD_OK;
	} else if (resp->http_status >= 200 && resp->http_status < 300) {
		json_error_t jerr;
		json_t *j = json_loadb(io->body ? io->body : "", io->len, 0, &jerr);
		if (json_is_object(j)) {
			resp->outcome = STRIPE_OUTCOME_OK;
			resp->json = j;
			return PD_OK;
		}
		json_decref(j);
		resp->outcome = STRIPE_OUTCOME_BAD_BODY;
		snprintf(line, sizeof line,
		         "Stripe answered HTTP %ld with a body that is not a JSON object (%s)",
		         resp->http_status, jerr.text);
		stripe_error_set_local(&resp->error, rid, line);
	} else {
		resp->outcome = STRIPE_OUTCOME_API_ERROR;
		stripe_error_parse(&resp->error, resp->http_status, io->body, io->len, rid);
	}
	resp->error.http_status = resp->http_status;
	stripe_error_format(&resp->error, line, sizeof line);
	return pd_error_set(err, PD_ERR, "%s", line);
}

int stripe_client_send(struct stripe_client *c, const struct stripe_request *req,
                       struct stripe_response *resp, struct pd_error *err)
{
	memset(resp, 0, sizeof *resp);
	if (!req->path || req->path[0] != '/')
		return refuse(resp, err, "a Stripe path must start with /");
	if (!key_is_sane(req->key))
		return refuse(resp, err, "no usable Stripe key (empty or with spaces)");
	if (req->account && strpbrk(req->account, "\r\n"))
		return refuse(resp, err, "bad Stripe-Account value");
	if (stripe_path_moves_money(req->method, req->path) && !req->via_outbox)
		return refuse(resp, err, "money-moving call must go through the outbox");
	if (req->method == STRIPE_POST) {
		if (req->idempotency_key &&
		    (!*req->idempotency_key ||
		     strlen(req->idempotency_key) >= STRIPE_IDEMPOTENCY_KEY_SIZE ||
		     strpbrk(req->idempotency_key, "\r\n")))
			return refuse(resp, err, "bad Idempotency-Key");
		if (req->idempotency_key)
			snprintf(resp->idempotency_key, sizeof resp->idempotency_key, "%s",
			         req->idempotency_key);
		else
			stripe_idempotency_key_new(resp->idempotency_key);
	}
	char *params = req->body ? strdup(req->body) : stripe_params_encode(req->params);
	char *url = params ? url_build(c, req, params) : NULL;
	bool ok = false;
	struct curl_slist *headers = url ? headers_build(req, resp->idempotency_key, &ok) : NULL;
	if (!ok) {
		free(params);
		free(url);
		return refuse(resp, err, "out of memory building the request");
	}

	struct attempt_io io;
	CURLcode rc = CURLE_OK;
	enum stripe_transport tr = STRIPE_NET_OK;
	memset(&io, 0, sizeof io);
	int waiting = stripe_reach_begin(time(NULL)); /* the desk can say it waits */
	for (;;) {
		free(io.body);
		memset(&io, 0, sizeof io);
		io.should_retry = -1;
		io.retry_after = -1;
		io.cancel = req->cancel;
		bool sent = false;
		long status = 0;
		resp->attempts++;
		rc = attempt_run(c, req, url, params, headers, &io, &status, &sent);
		tr = io.too_big ? STRIPE_NET_FATAL : classify_curl(rc);
		resp->http_status = status;
		if (io.request_id[0]) {
			free(resp->request_id);
			resp->request_id = strdup(io.request_id);
		}
		resp->replayed = io.replayed;
		/* 409 and 429 are answered before execution; anything else after a
		 * sent request may have run, and stays "maybe" across retries. */
		if (req->method != STRIPE_GET && sent && status != 409 && status != 429)
			resp->maybe_executed = true;
		log_msg(LOG_INFO, "stripe %s %s attempt %d: %s%ld %s",
		        stripe_method_name(req->method), req->path, resp->attempts,
		        tr == STRIPE_NET_OK ? "HTTP " : "", tr == STRIPE_NET_OK ? status : (long)rc,
		        tr == STRIPE_NET_OK ? (io.request_id[0] ? io.request_id : "-")
		                            : cu->easy_strerror(rc));
		if (io.cancelled)
			break;
		struct stripe_attempt a = {tr, status, io.should_retry, io.retry_after};
		double delay = 0;
		if (unreadable_answer(req, tr, status, &io)) {
			/* The call ran but its answer is lost in transit: asking again with the
			 * same key gets Stripe's stored answer (a GET reads again), so the
			 * outcome is learnt now rather than at the next start. */
			if (resp->attempts > BAD_BODY_REREADS)
				break;
			delay = stripe_retry_backoff(&c->retry, resp->attempts, jitter_random());
		} else if (!stripe_retry_decide(&c->retry, &a, resp->attempts, jitter_random(),
		                                &delay)) {
			break;
		}
		resp->waited += delay;
		c->sleep(c->sleep_ctx, delay, req->cancel);
		if (req->cancel && atomic_load(req->cancel)) {
			io.cancelled = true;
			break;
		}
	}
	stripe_reach_end(waiting);
	headers_wipe_free(headers);
	free(url);
	free(params);
	/* Any answer means Stripe is there; none, or only 5xx, after every retry
	 * means the desk is on its own (a cancelled call says nothing). */
	if (!io.cancelled)
		stripe_reach_note(tr == STRIPE_NET_OK || io.too_big ? resp->http_status : 0,
				  time(NULL));
	int ret = finish(resp, rc, tr, &io, req->raw_body, err);
	free(io.body);
	return ret;
}
