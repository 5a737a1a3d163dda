/* Every key a screen or panel acts on is in its `?` help.
 *
 * For every screen, and the panels reached from them by keys, every key a
 * terminal can send is dispatched (on a fresh desk each time) and the
 * dispatcher says who took it. A key taken by a key binding, or by a
 * screen's raw-key hook while no text field has focus, must be named in
 * the help lines for that moment. Nothing here trusts a key table: a key a
 * panel switches on by hand is caught the same way. (While a text field
 * has focus, typing is the field's and is not listed key by key.) Not
 * reached: a subscription's wait / result panel (it needs a billed
 * subscribe confirmed) and the forms (they take every key). */
#include "pay_fixture.h"

#include <curses.h>
#include <fcntl.h>
#include <time.h>

#include "paydesk/jobs.h"
#include "paydesk/payments_store.h"
#include "paydesk/setup.h"
#include "paydesk/stripe_account.h"
#include "../../src/ui/qr_view.h"
#include "../../src/ui/shell.h"
#include "../../src/ui/widgets.h"

/* The vault (unlocked, the key sealed) every desk shares, and, for the
 * moments that need them, workers: jobs are queued as at a real desk and
 * fail at once (nothing listens), so the panels that open on a submitted
 * job (the save-a-card link) open. Like tui_run, a desk stops its workers
 * before its screens go (a job may hold a screen's progress record). */
static struct vault *vault;

static void no_sleep(void *ctx, double seconds, const atomic_bool *cancel)
{
	(void)ctx, (void)seconds, (void)cancel;
}

static struct jobs *start_workers(const char *db_path)
{
	struct jobs *jobs = NULL;
	struct pd_error err = {0};
	struct jobs_opts o = {.db_path = db_path,
			      .workers = 1,
			      .client = {.api_base = "http://127.0.0.1:9", /* nothing listens */
					 .retry = stripe_retry_policy_default(1),
					 .sleep = no_sleep}};
	if (jobs_start(&o, &jobs, &err))
		fail_msg("jobs_start: %s", err.msg);
	return jobs;
}

/* A desk with every screen open, signed in as the admin, on one tab. */
struct desk {
	struct app app;
	struct ui ui;
};

static void desk_open(struct fx *f, struct desk *d, int tab, bool workers)
{
	memset(d, 0, sizeof *d);
	config_init(&d->app.cfg);
	d->app.db = f->db;
	d->app.db_path = f->path;
	d->app.session = f->admin;
	d->app.vault = vault;
	d->app.jobs = workers ? start_workers(f->path) : NULL;
	d->ui.app = &d->app;
	d->ui.tab = tab;
	ui_load_account(&d->ui);
	for (int i = 0; i < UI_SCREENS; i++)
		d->ui.state[i] = ui_screens[i]->open(&d->ui);
	if (ui_screens[tab]->reload)
		ui_screens[tab]->reload(d->ui.state[tab], &d->ui);
	d->ui.running = true;
}

static void desk_close(struct desk *d)
{
	jobs_stop(&d->app.jobs);
	ui_dialog_close(&d->ui);
	ui_unlock_close(&d->ui);
	ui_signin_close(&d->ui);
	ui_qr_screen_close(&d->ui);
	for (int i = 0; i < UI_SCREENS; i++)
		ui_screens[i]->close(d->ui.state[i]);
	config_free(&d->app.cfg);
}

/* Whether help names key (its keys column lists names, comma-separated)
 * on a line that says text (NULL: any line). */
static bool help_names(const struct ui_help_line *lines, int n, int key, const char *text)
{
	char name[24];
	ui_key_name(key, name, sizeof name);
	for (int i = 0; i < n; i++) {
		if (lines[i].heading || (text && strcmp(lines[i].text, text) != 0))
			continue;
		const char *p = lines[i].keys;
		size_t len = strlen(name);
		while (*p) {
			size_t w = strcspn(p, ",");
			if (w == len && strncmp(p, name, len) == 0)
				return true;
			p += w;
			while (*p == ',' || *p == ' ')
				p++;
		}
	}
	return false;
}

/* Every key a terminal sends that could mean something here. */
static int all_keys(int *keys)
{
	int n = 0;
	for (int c = 1; c < 0x20; c++)
		keys[n++] = c; /* Ctrl-A … Ctrl-_, Tab, Enter, Esc */
	for (int c = 0x20; c < 0x7f; c++)
		keys[n++] = c;
	keys[n++] = 0x7f;
	keys[n++] = 0xe9; /* é */
	static const int fn[] = {KEY_UP,    KEY_DOWN,  KEY_LEFT, KEY_RIGHT, KEY_NPAGE,
				 KEY_PPAGE, KEY_HOME,  KEY_END,  KEY_BTAB,  KEY_BACKSPACE,
				 KEY_DC,    KEY_IC,    KEY_ENTER};
	for (size_t i = 0; i < sizeof fn / sizeof fn[0]; i++)
		keys[n++] = UI_KEY_FN(fn[i]);
	for (int i = 1; i <= 12; i++)
		keys[n++] = UI_KEY_FN(KEY_F(i));
	return n;
}

/* A moment to test: a tab, and the keys that lead there from it. */
struct moment {
	const char *name;
	int tab;
	const char *keys; /* may be "" */
	bool workers;     /* the way there submits a job */
};

static const struct moment moments[] = {
	{"Appointments", 0, "", false},
	{"Appointments, the payment view", 0, "u", false},
	{"Clients", 1, "", false},
	{"Clients, a client at a glance", 1, "o", false},
	{"Clients, the save-a-card link", 1, "S", true},
	{"Clients, the services list", 1, "v", false},
	{"Clients, the staff list", 1, "vv", false},
	{"Subscriptions", 2, "", false},
	{"Subscriptions, the plans", 2, "v", false},
	{"History", 3, "", false},
	{"Setup", 4, "", false},
	{"Setup, the Express account panel", 4, "X", false},
	{"Setup, the card readers", 4, "r", true},
	{"Setup, registering a card reader", 4, "rn", true},
	{"Appointments, the visit history", 0, "H", false},
	{"Clients, the visit history", 1, "H", false},
	{"Clients, a client's visit history from its detail", 1, "oH", false},
	{"Audit", UI_SCREEN_AUDIT, "", false},
	{"Audit, an entry's details", UI_SCREEN_AUDIT, "\r", false},
};

/* The keys that lead to m, then a reload, as the loop does when the job a
 * key started has finished (the save-a-card link shows once it answers). */
static void reach(struct desk *d, const struct moment *m)
{
	for (const char *k = m->keys; *k; k++) {
		enum ui_taken t = ui_dispatch(&d->ui, (unsigned char)*k);
		if (t != UI_TAKEN_BINDING && t != UI_TAKEN_HOOK)
			fail_msg("%s: the key '%c' that leads there did nothing", m->name, *k);
	}
	const struct ui_screen *s = ui_screens[d->ui.tab];
	if (s->reload)
		s->reload(d->ui.state[d->ui.tab], &d->ui);
}

/* Dispatch with standard output going nowhere: C writes the link to the
 * terminal (OSC 52), which must not reach whoever runs the tests. */
static enum ui_taken dispatch_quietly(struct ui *ui, int key)
{
	fflush(stdout);
	int saved = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY);
	dup2(null, STDOUT_FILENO);
	enum ui_taken t = ui_dispatch(ui, key);
	dup2(saved, STDOUT_FILENO);
	close(null);
	close(saved);
	return t;
}

static const char *taker(enum ui_taken t)
{
	return t == UI_TAKEN_HOOK ? "the screen's raw-key hook" : "a key binding";
}

static void test_every_dispatched_key_is_in_help(void **state)
{
	struct fx *f = *state;
	int keys[256];
	int nkeys = all_keys(keys);
	int missing = 0;
	for (size_t m = 0; m < sizeof moments / sizeof moments[0]; m++) {
		for (int i = 0; i < nkeys; i++) {
			struct desk d;
			desk_open(f, &d, moments[m].tab, moments[m].workers);
			reach(&d, &moments[m]);
			const struct ui_screen *s = ui_screens[d.ui.tab];
			bool editing = s->editing && s->editing(d.ui.state[d.ui.tab]);
			struct ui_help_line lines[HELP_MAX_LINES];
			int n = ui_help_lines(&d.ui, lines);
			enum ui_taken t = dispatch_quietly(&d.ui, keys[i]);
			bool acts = t == UI_TAKEN_BINDING || (t == UI_TAKEN_HOOK && !editing);
			/* A binding: on the line that says what it does. */
			const struct ui_binding *b = ui_dispatch_last_binding();
			const char *text = t != UI_TAKEN_BINDING ? NULL
					   : b->help		     ? b->help
								     : ui_action_help(b->action);
			if (acts && !help_names(lines, n, keys[i], text)) {
				char name[24];
				ui_key_name(keys[i], name, sizeof name);
				print_message("%s: %s is taken by %s but not in ? help\n",
					      moments[m].name, name, taker(t));
				missing++;
			}
			desk_close(&d);
		}
	}
	assert_int_equal(missing, 0);
}

/* The moments above are reached: a client at a glance changes the help;
 * the payment view and the save-a-card link show their link's QR code on
 * Q (their keys are listed because they work, not because nothing ran). */
static void test_moments_are_reached(void **state)
{
	struct fx *f = *state;
	struct desk d;
	desk_open(f, &d, 1, false);
	struct ui_help_line before[HELP_MAX_LINES], after[HELP_MAX_LINES];
	int nb = ui_help_lines(&d.ui, before);
	assert_int_equal(ui_dispatch(&d.ui, 'o'), UI_TAKEN_BINDING);
	int na = ui_help_lines(&d.ui, after);
	assert_true(na != nb || memcmp(before, after, (size_t)na * sizeof *after) != 0);
	desk_close(&d);
	static const struct {
		int tab;
		int key;
		const char *url;
	} links[] = {{0, 'u', "https://checkout.stripe.com/c/pay/cs_test_link"},
		     {1, 'S', "https://checkout.stripe.com/c/pay/cs_test_keys"}};
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
		desk_open(f, &d, links[i].tab, links[i].key == 'S');
		struct moment m = {"a link", links[i].tab, (char[]){(char)links[i].key, 0}, true};
		reach(&d, &m);
		int n = ui_help_lines(&d.ui, after);
		assert_true(help_names(after, n, 'Q', NULL));
		assert_int_equal(ui_dispatch(&d.ui, 'Q'), UI_TAKEN_BINDING);
		assert_non_null(d.ui.qr_screen_url);
		assert_string_equal(d.ui.qr_screen_url, links[i].url);
		desk_close(&d);
	}
}

/* Every keymap with a function table, at every moment, has a function for
 * every key it binds (else the key could only say "not available now"). */
static void test_every_binding_has_a_function(void **state)
{
	struct fx *f = *state;
	for (size_t m = 0; m < sizeof moments / sizeof moments[0]; m++) {
		struct desk d;
		desk_open(f, &d, moments[m].tab, moments[m].workers);
		reach(&d, &moments[m]);
		struct ui_keymaps maps;
		ui_keymaps_in_effect(&d.ui, &maps);
		for (int i = 0; i < maps.n; i++) {
			const struct ui_keymap *km = &maps.map[i];
			for (size_t k = 0; km->funcs && k < km->nkeys; k++) {
				size_t fn = 0;
				while (fn < km->nfuncs && km->funcs[fn].action != km->keys[k].action)
					fn++;
				if (fn == km->nfuncs)
					fail_msg("%s: key %d has no function", moments[m].name,
						 km->keys[k].key);
			}
		}
		desk_close(&d);
	}
}

/* The fixture, with an account (its key sealed), an appointment today (the
 * agenda opens on today) with an open pay link, and an open save-a-card
 * link, so every panel opens and Q / C have a link to act on. */
static int setup_desk(void **state)
{
	int rc = setup(state);
	struct fx *f = *state;
	struct pd_error err = {0};
	struct stripe_account_row row = {.account_id = "acct_1Test", .mode = "test",
					 .publishable_key = "pk_test_x", .verified_at = 1};
	assert_int_equal(stripe_account_save(f->db, &row, &err), 0);
	assert_int_equal(vault_create(f->db, "correct horse battery", &VAULT_KDF_INTERACTIVE, &vault,
				      &err),
			 0);
	static const char key[] = "rk_test_unitKey0000000000001234";
	assert_int_equal(vault_seal(vault, f->db, SETUP_SECRET_NAME, row.account_id, key,
				    sizeof key - 1, &err),
			 0);
	int64_t setup_id;
	assert_int_equal(card_setups_insert(f->db, f->client, "cs_test_keys",
					    "https://checkout.stripe.com/c/pay/cs_test_keys",
					    time(NULL) + 3600, "Alex", &setup_id, &err),
			 0);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	int64_t start;
	bool amb;
	assert_int_equal(tz_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, 12, 0, &start,
				       &amb, &err),
			 0);
	struct booking_request req = {&f->admin, f->client, 1, 1, start, ""};
	int64_t id;
	if (booking_create(f->db, &req, &id, &err) != 0)
		fail_msg("booking today: %s", err.msg);
	struct pay_attempt link = {.appointment_id = id, .method = PAYROW_LINK,
				   .status = PAYROW_OPEN, .amount = 4500, .currency = "eur",
				   .url = "https://checkout.stripe.com/c/pay/cs_test_link",
				   .actor = "Alex", .expires_at = time(NULL) + 3600};
	int64_t pid;
	assert_int_equal(payrows_insert(f->db, &link, &pid, &err), 0);
	return rc;
}

static int teardown_desk(void **state)
{
	vault_lock(&vault);
	return teardown(state);
}

int main(void)
{
	/* Curses for what screens measure (LINES, COLS), drawing nowhere. */
	setenv("TERM", "xterm", 0);
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	SCREEN *scr = newterm("xterm", out, in);
	if (!scr) {
		fprintf(stderr, "no terminfo for xterm\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_every_binding_has_a_function, setup_desk,
					    teardown_desk),
	    cmocka_unit_test_setup_teardown(test_moments_are_reached, setup_desk, teardown_desk),
	    cmocka_unit_test_setup_teardown(test_every_dispatched_key_is_in_help, setup_desk,
					    teardown_desk),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	return rc;
}
