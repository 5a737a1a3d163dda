/* Fill a paydesk database with N synthetic billing-history records, through
 * the same ingest code a sync uses (Stripe-shaped JSON list pages of 100,
 * parsed and upserted). Deterministic for a seed: same rows, same ids.
 *
 *   history_gen --db PATH --rows N [--seed S] [--end UNIX] [--days D]
 *   history_gen --db PATH --ingest PAGE.json...   (fixtures, for tests)
 *
 * Mix (by design, roughly a busy salon/clinic): 85% payments (80% succeeded,
 * 8% failed, 3% canceled, 3% refunded, 2% partially refunded, 0.3% disputed,
 * rest processing/requires_action), 8% refunds of earlier payments, 7%
 * invoices; currencies usd 70 / eur 15 / gbp 10 / jpy 5; one client per
 * ~400 records with UTF-8 names (first, middle initial, last); 2% of records reviewed, 0.2% flagged.
 * Prints "ingest_rate N records/s" (parse + store, generation excluded:
 * read here, stored by the sync's writer thread) and each thread's CPU
 * time per record. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"
#include "paydesk/history.h"
#include "paydesk/history_sync.h"

#define PAGE 100

static uint64_t rng_state;

static uint64_t rnd(void) /* splitmix64 */
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int pick(int n)
{
	return (int)(rnd() % (uint64_t)n);
}

/* A Stripe-looking id: prefix + 24 base62 characters derived from (kind, n). */
static void make_id(char *out, const char *prefix, uint64_t kind, uint64_t n, uint64_t seed)
{
	static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	uint64_t z = seed * 0x9e3779b97f4a7c15ULL ^ (kind << 56) ^ n;
	int len = sprintf(out, "%s", prefix);
	for (int i = 0; i < 24; i++) {
		z += 0x9e3779b97f4a7c15ULL;
		uint64_t x = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		x ^= x >> 27;
		out[len++] = b62[x % 62];
	}
	out[len] = '\0';
}

static const char *const first[] = {
	"Anna",  "Ben",    "Chloé",  "David", "Emma",   "François", "Grace",  "Hiro",
	"Inès",  "Jack",   "Kofi",   "Léa",   "Maria",  "Noah",     "Olivia", "Paul",
	"Quinn", "Rosa",   "Sven",   "Tomás", "Uma",    "Victor",   "Wen",    "Xavier",
	"Yara",  "Zoë",    "Łukasz", "Søren", "Björn",  "Aoife",    "Mateo",  "Priya",
};
static const char *const last[] = {
	"Smith",  "Dubois",   "García", "Müller", "Rossi",  "Nakamura", "O'Brien", "Kowalski",
	"Jensen", "Novak",    "Silva",  "Brontë", "Nguyen", "Okafor",   "Haddad",  "Ivanova",
	"Lee",    "Martínez", "Patel",  "Schmidt", "Taylor", "Walsh",   "Yilmaz",  "Zhang",
};
static const char *const services[] = {
	"Haircut", "Colour", "Massage 60 min", "Physio session", "Consultation", "Facial",
	"Follow-up visit", "Package: 5 sessions", "Membership", "Late cancellation fee",
};
static const char *const brands[] = {"visa", "visa", "visa", "visa", "visa", "visa",
				     "mastercard", "mastercard", "mastercard", "amex", "amex",
				     "discover"};

struct client {
	char id[40];
	char name[64];
	char email[96];
};

struct gen {
	uint64_t seed;
	long rows;
	int64_t start, span;
	struct client *clients;
	int nclients;
	long payments; /* payments made so far, for refunds to point at */
	/* GEN_PRICE_LIST=1: payments at 40 list prices, no cents (~16,000
	 * amounts otherwise): what the amount index costs a business whose
	 * prices are few (the same rows and ids otherwise) */
	bool price_list;
	char *buf;
	size_t cap, len;
};

static void put(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct gen *g, const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(g->buf + g->len, g->cap - g->len, fmt, ap);
		va_end(ap);
		if ((size_t)n < g->cap - g->len) {
			g->len += (size_t)n;
			return;
		}
		g->cap *= 2;
		g->buf = realloc(g->buf, g->cap);
		if (!g->buf)
			exit(1);
	}
}

static const char *currency(int64_t *scale)
{
	int r = pick(100);
	*scale = 1;
	if (r < 70)
		return "usd";
	if (r < 85)
		return "eur";
	if (r < 95)
		return "gbp";
	*scale = 0;
	return "jpy";
}

static void payment(struct gen *g, long n, int64_t created)
{
	char pi[40], ch[40], txn[40], pm[40];
	uint64_t pno = (uint64_t)g->payments++;
	make_id(pi, "pi_", 1, pno, g->seed);
	make_id(ch, "ch_", 2, pno, g->seed);
	make_id(txn, "txn_", 3, pno, g->seed);
	make_id(pm, "pm_", 4, pno, g->seed);
	const struct client *c = &g->clients[pick(g->nclients)];
	int64_t scale;
	const char *cur = currency(&scale);
	int64_t amount = scale ? (int64_t)(1500 + pick(40) * 500 + pick(100)) * 10
			       : (int64_t)(1500 + pick(40) * 500);
	if (g->price_list && scale)
		amount = amount / 5000 * 5000; /* the list price: the cents (< 1000) dropped */
	int r = pick(1000);
	const char *pi_status = "succeeded", *ch_status = "succeeded";
	int64_t refunded = 0;
	bool disputed = false, has_charge = true, failed = false;
	if (r < 80) {
		pi_status = "requires_payment_method";
		ch_status = "failed";
		failed = true;
	} else if (r < 110) {
		pi_status = "canceled";
		has_charge = false;
	} else if (r < 140) {
		refunded = amount;
	} else if (r < 160) {
		refunded = amount / 2;
	} else if (r < 163) {
		disputed = true;
	} else if (r < 170) {
		pi_status = "processing";
		ch_status = "pending";
	} else if (r < 175) {
		pi_status = "requires_action";
		has_charge = false;
	}
	const char *brand = brands[pick((int)(sizeof brands / sizeof brands[0]))];
	int64_t fee = amount * 29 / 1000 + 30 * scale;
	(void)n;
	put(g,
	    "{\"id\":\"%s\",\"object\":\"payment_intent\",\"amount\":%" PRId64
	    ",\"amount_received\":%" PRId64 ",\"capture_method\":\"automatic\","
	    "\"created\":%" PRId64 ",\"currency\":\"%s\",\"customer\":{\"id\":\"%s\","
	    "\"object\":\"customer\",\"name\":\"%s\",\"email\":\"%s\"},"
	    "\"description\":\"%s\",\"livemode\":false,\"metadata\":{\"appointment_id\":\"apt_%" PRIu64
	    "\"},\"payment_method\":\"%s\",\"payment_method_types\":[\"card\"],"
	    "\"receipt_email\":\"%s\",\"status\":\"%s\",",
	    pi, amount, failed || !has_charge ? (int64_t)0 : amount, created, cur, c->id, c->name,
	    c->email, services[pick((int)(sizeof services / sizeof services[0]))], pno, pm, c->email,
	    pi_status);
	if (failed)
		put(g, "\"last_payment_error\":{\"code\":\"card_declined\",\"decline_code\":"
		       "\"insufficient_funds\",\"message\":\"Your card has insufficient funds.\","
		       "\"type\":\"card_error\"},");
	if (!has_charge) {
		put(g, "\"latest_charge\":null}");
		return;
	}
	put(g,
	    "\"latest_charge\":{\"id\":\"%s\",\"object\":\"charge\",\"amount\":%" PRId64
	    ",\"amount_captured\":%" PRId64 ",\"amount_refunded\":%" PRId64 ","
	    "\"billing_details\":{\"email\":\"%s\",\"name\":\"%s\"},\"captured\":%s,"
	    "\"created\":%" PRId64 ",\"currency\":\"%s\",\"customer\":\"%s\",\"disputed\":%s,"
	    "\"paid\":%s,\"payment_intent\":\"%s\",\"payment_method\":\"%s\","
	    "\"payment_method_details\":{\"card\":{\"brand\":\"%s\",\"country\":\"US\","
	    "\"exp_month\":%d,\"exp_year\":%d,\"funding\":\"credit\",\"last4\":\"%04d\"},"
	    "\"type\":\"card\"},\"refunded\":%s,\"status\":\"%s\",",
	    ch, amount, failed ? (int64_t)0 : amount, refunded, c->email, c->name,
	    failed ? "false" : "true", created, cur, c->id, disputed ? "true" : "false",
	    failed ? "false" : "true", pi, pm, brand, 1 + pick(12), 2027 + pick(5), pick(10000),
	    refunded == amount ? "true" : "false", ch_status);
	if (failed || strcmp(ch_status, "pending") == 0) {
		put(g, "\"balance_transaction\":null}}");
		return;
	}
	put(g,
	    "\"balance_transaction\":{\"id\":\"%s\",\"object\":\"balance_transaction\","
	    "\"amount\":%" PRId64 ",\"available_on\":%" PRId64 ",\"created\":%" PRId64
	    ",\"currency\":\"%s\",\"fee\":%" PRId64 ",\"net\":%" PRId64 ","
	    "\"reporting_category\":\"charge\",\"source\":\"%s\",\"status\":\"available\","
	    "\"type\":\"charge\"}}}",
	    txn, amount, created + 2 * 86400, created, cur, fee, amount - fee, ch);
}

static void refund(struct gen *g, long n, int64_t created)
{
	if (g->payments == 0) {
		payment(g, n, created);
		return;
	}
	/* a recent payment: refunds follow payments within weeks */
	long back = 1 + pick(3000);
	uint64_t pno = (uint64_t)(g->payments > back ? g->payments - back : 0);
	char re[40], pi[40], ch[40], txn[40];
	make_id(re, "re_", 5, (uint64_t)n, g->seed);
	make_id(pi, "pi_", 1, pno, g->seed);
	make_id(ch, "ch_", 2, pno, g->seed);
	make_id(txn, "txn_", 6, (uint64_t)n, g->seed);
	int64_t scale;
	const char *cur = currency(&scale);
	int64_t amount = (int64_t)(1000 + pick(60) * 250) * (scale ? 10 : 1);
	int r = pick(100);
	const char *status = r < 94 ? "succeeded" : r < 98 ? "pending" : "failed";
	put(g,
	    "{\"id\":\"%s\",\"object\":\"refund\",\"amount\":%" PRId64 ","
	    "\"balance_transaction\":{\"id\":\"%s\",\"object\":\"balance_transaction\","
	    "\"amount\":%" PRId64 ",\"created\":%" PRId64 ",\"currency\":\"%s\",\"fee\":0,"
	    "\"net\":%" PRId64 ",\"reporting_category\":\"refund\",\"source\":\"%s\","
	    "\"status\":\"available\",\"type\":\"refund\"},\"charge\":\"%s\",\"created\":%" PRId64
	    ",\"currency\":\"%s\",\"metadata\":{},\"payment_intent\":\"%s\","
	    "\"reason\":\"requested_by_customer\",\"status\":\"%s\"}",
	    re, amount, txn, -amount, created, cur, -amount, re, ch, created, cur, pi, status);
}

static void invoice(struct gen *g, long n, int64_t created)
{
	char in[40], sub[40];
	make_id(in, "in_", 7, (uint64_t)n, g->seed);
	const struct client *c = &g->clients[pick(g->nclients)];
	make_id(sub, "sub_", 8, (uint64_t)(c - g->clients), g->seed);
	int64_t scale;
	const char *cur = currency(&scale);
	int64_t amount = (int64_t)(2900 + pick(8) * 1000) * (scale ? 1 : 1);
	int r = pick(100);
	const char *status = r < 85 ? "paid" : r < 93 ? "open" : r < 97 ? "void" : "uncollectible";
	put(g,
	    "{\"id\":\"%s\",\"object\":\"invoice\",\"amount_due\":%" PRId64 ",\"amount_paid\":%" PRId64
	    ",\"created\":%" PRId64 ",\"currency\":\"%s\",\"customer\":\"%s\","
	    "\"customer_email\":\"%s\",\"customer_name\":\"%s\",\"description\":null,"
	    "\"livemode\":false,\"number\":\"INV-%06ld\",\"status\":\"%s\","
	    "\"status_transitions\":{\"paid_at\":%s},\"subscription\":\"%s\",\"total\":%" PRId64 "}",
	    in, amount, strcmp(status, "paid") == 0 ? amount : (int64_t)0, created, cur, c->id,
	    c->email, c->name, n, status, strcmp(status, "paid") == 0 ? "1" : "null", sub, amount);
	(void)scale;
}

static double cpu_s(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	struct gen g = {.seed = 1, .rows = 1000000};
	int64_t end = 1793491200; /* 2026-11-01T00:00:00Z: fixed, so runs compare */
	int64_t days = 730;
	bool oldest_first = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--oldest-first") == 0) {
			oldest_first = true;
			continue;
		}
		if (i + 1 >= argc)
			break;
		if (strcmp(argv[i], "--db") == 0)
			path = argv[++i];
		else if (strcmp(argv[i], "--rows") == 0)
			g.rows = atol(argv[++i]);
		else if (strcmp(argv[i], "--seed") == 0)
			g.seed = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--end") == 0)
			end = atoll(argv[++i]);
		else if (strcmp(argv[i], "--days") == 0)
			days = atoll(argv[++i]);
	}
	/* --ingest FILE...: ingest Stripe list pages from files instead (test fixtures). */
	for (int i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--ingest") != 0)
			continue;
		sqlite3 *idb = NULL;
		struct pd_error ierr = {0};
		if (!path || db_open(path, &idb, &ierr)) {
			fprintf(stderr, "history_gen: %s\n", path ? ierr.msg : "--db PATH first");
			return 1;
		}
		for (int k = i + 1; k < argc && strncmp(argv[k], "--", 2) != 0; k++) {
			json_error_t jerr;
			json_t *page = json_load_file(argv[k], 0, &jerr);
			struct history_ingest_stats st = {0};
			if (!page || history_ingest_page(idb, page, NULL, NULL, NULL, &st, &ierr)) {
				fprintf(stderr, "history_gen: %s: %s\n", argv[k],
					page ? ierr.msg : jerr.text);
				return 1;
			}
			json_decref(page);
			printf("%s: %ld inserted, %ld updated, %ld unchanged\n", argv[k], st.inserted,
			       st.updated, st.unchanged);
		}
		db_close(&idb);
		return 0;
	}
	if (!path || g.rows < 0) {
		fprintf(stderr, "usage: history_gen --db PATH --rows N [--seed S] [--end UNIX] "
				"[--days D] [--oldest-first]\n");
		return 2;
	}
	rng_state = g.seed;
	g.span = days * 86400;
	g.price_list = getenv("GEN_PRICE_LIST") != NULL;
	g.start = end - g.span;
	g.nclients = (int)(g.rows / 400 > 40 ? g.rows / 400 : 40);
	g.clients = calloc((size_t)g.nclients, sizeof *g.clients);
	for (int i = 0; i < g.nclients; i++) {
		struct client *c = &g.clients[i];
		make_id(c->id, "cus_", 9, (uint64_t)i, g.seed);
		const char *f = first[pick((int)(sizeof first / sizeof first[0]))];
		const char *l = last[pick((int)(sizeof last / sizeof last[0]))];
		/* a middle initial: 32 x 26 x 24 names, so clients rarely share one */
		snprintf(c->name, sizeof c->name, "%s %c. %s", f, 'A' + pick(26), l);
		char lf[16];
		snprintf(lf, sizeof lf, "%s", l);
		for (char *p = lf; *p; p++)
			if ((unsigned char)*p >= 0x80 || *p == '\'')
				*p = 'x';
		snprintf(c->email, sizeof c->email, "client%d.%s@example.com", i, lf);
		/* JSON-escape the apostrophe-free name: names hold no quotes or backslashes */
	}
	sqlite3 *db = NULL;
	struct pd_error err = {0};
	if (db_open(path, &db, &err)) {
		fprintf(stderr, "history_gen: %s\n", err.msg);
		return 1;
	}
	const char *env = getenv("GEN_BATCH");
	int batch = env && atoi(env) > 0 ? atoi(env) : HISTORY_SYNC_PAGES_PER_COMMIT;
	env = getenv("GEN_PRAGMAS");
	/* What a sync sets on its connection (GEN_PRAGMAS to try others). */
	db_exec(db, env ? env : HISTORY_SYNC_PRAGMAS, NULL);
	db_exec(db, "PRAGMA temp_store = MEMORY", NULL);
	/* The sync's own path: pages parsed on this thread, stored by the
	 * writer thread. Pages are generated ahead, a chunk at a time, so the
	 * timed part is parse + store (what a sync does once a body is in). */
	struct history_writer *w;
	if (history_writer_start(db, batch, &w, &err)) {
		fprintf(stderr, "history_gen: %s\n", err.msg);
		return 1;
	}
	/* as the sync does for payments: into an empty history, a bulk load
	 * (GEN_NO_BULK=1 to measure without) */
	if (!getenv("GEN_NO_BULK") && history_writer_bulk(w, &err)) {
		fprintf(stderr, "history_gen: %s\n", err.msg);
		return 1;
	}
	/* a commit's worth: the flush between chunks falls where a sync commits */
	enum { CHUNK_PAGES = HISTORY_SYNC_PAGES_PER_COMMIT };
	struct chunk_page {
		char *text;
		size_t len;
		char req[32];
	} *chunk = calloc(CHUNK_PAGES, sizeof *chunk);
	g.cap = 1 << 20;
	g.buf = malloc(g.cap);
	double spent = 0, parse_s = 0, cpu_parse = 0, cpu_store = 0;
	long done = 0;
	while (done < g.rows) {
		int np = 0;
		for (; np < CHUNK_PAGES && done < g.rows; np++) {
			g.len = 0;
			put(&g, "{\"object\":\"list\",\"url\":\"/v1/payment_intents\",\"has_more\":true,"
				"\"data\":[");
			for (int k = 0; k < PAGE && done < g.rows; k++, done++) {
				/* newest first, as Stripe lists them and a sync stores
				 * them (--oldest-first: the other way) */
				int64_t step = (int64_t)((double)g.span * (double)done /
							 (double)(g.rows ? g.rows : 1));
				int64_t created = oldest_first ? g.start + step + pick(60)
							       : end - 1 - step - pick(60);
				if (k)
					put(&g, ",");
				int r = pick(100);
				if (r < 85)
					payment(&g, done, created);
				else if (r < 93)
					refund(&g, done, created);
				else
					invoice(&g, done, created);
			}
			put(&g, "]}");
			free(chunk[np].text);
			chunk[np].text = malloc(g.len);
			memcpy(chunk[np].text, g.buf, g.len);
			chunk[np].len = g.len;
			snprintf(chunk[np].req, sizeof chunk[np].req, "req_gen%08ld", (done - 1) / PAGE);
		}
		double t0 = now_s();
		double c0 = cpu_s(CLOCK_PROCESS_CPUTIME_ID), m0 = cpu_s(CLOCK_THREAD_CPUTIME_ID);
		for (int i = 0; i < np; i++) {
			double p0 = now_s();
			/* as a sync does: the body read on this thread (json_scan), the
			 * page's objects handed to the writer */
			struct history_page page;
			if (history_page_from_text(chunk[i].text, chunk[i].len, &page, &err)) {
				fprintf(stderr, "history_gen: %s\n", err.msg);
				return 1;
			}
			parse_s += now_s() - p0;
			if (history_writer_push(w, &page, chunk[i].req, NULL, NULL, &err)) {
				fprintf(stderr, "history_gen: %s\n", err.msg);
				return 1;
			}
		}
		if (history_writer_flush(w, &err)) {
			fprintf(stderr, "history_gen: %s\n", err.msg);
			return 1;
		}
		spent += now_s() - t0;
		double main_cpu = cpu_s(CLOCK_THREAD_CPUTIME_ID) - m0;
		cpu_parse += main_cpu;
		cpu_store += cpu_s(CLOCK_PROCESS_CPUTIME_ID) - c0 - main_cpu;
	}
	/* timed too: after a bulk load, the finish builds the indexes (store work) */
	double f0 = now_s(), fc0 = cpu_s(CLOCK_PROCESS_CPUTIME_ID);
	struct history_ingest_stats stats = {0};
	if (history_writer_finish(&w, &stats, &err)) {
		fprintf(stderr, "history_gen: %s\n", err.msg);
		return 1;
	}
	double finish_s = now_s() - f0;
	spent += finish_s;
	cpu_store += cpu_s(CLOCK_PROCESS_CPUTIME_ID) - fc0;
	for (int i = 0; i < CHUNK_PAGES; i++)
		free(chunk[i].text);
	free(chunk);
	/* Review marks, deterministic: 2% reviewed, 0.2% flagged, 0.1% with a note. */
	db_exec(db,
		"INSERT OR IGNORE INTO reviews (stripe_id, reviewed, reviewed_by, reviewed_at,"
		" flagged, flagged_by, flagged_at, note, note_by, note_at)"
		" SELECT stripe_id, 1, 'admin', created + 86400,"
		" id % 500 = 0, CASE WHEN id % 500 = 0 THEN 'admin' END,"
		" CASE WHEN id % 500 = 0 THEN created + 86400 END,"
		" CASE WHEN id % 1000 = 0 THEN 'checked with client' END,"
		" CASE WHEN id % 1000 = 0 THEN 'admin' END,"
		" CASE WHEN id % 1000 = 0 THEN created + 86400 END"
		" FROM history WHERE id % 50 = 0",
		NULL);
	db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
	db_close(&db);
	printf("ingest_rate %.0f records/s\n", spent > 0 ? (double)g.rows / spent : 0.0);
	printf("rows %ld seconds %.2f (json parse %.2f, finish %.2f)\n", g.rows, spent, parse_s,
	       finish_s);
	/* CPU per record of each thread: what the machine's load does not change */
	double n = g.rows > 0 ? (double)g.rows : 1;
	printf("cpu_parse_thread %.1f us/record\ncpu_store_thread %.1f us/record\n",
	       cpu_parse * 1e6 / n, cpu_store * 1e6 / n);
	free(g.buf);
	free(g.clients);
	return 0;
}
