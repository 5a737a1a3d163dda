/* The sync's writer thread: pages parsed on the fetching thread are stored
 * here, several to a transaction, while the next page is on the network. */
#include "paydesk/history.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/db.h"

#define WRITER_QUEUE 3

struct queued {
	struct history_page page;
	char *request_id, *sync_object, *cursor;
};

struct history_writer {
	struct history_ingester *in;
	sqlite3 *db;
	int pages_per_commit;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t changed;
	struct queued q[WRITER_QUEUE];
	int head, count;
	/* written pages, freed by the producer, which has time to spare */
	struct queued done[WRITER_QUEUE + 1];
	int ndone;
	bool busy, closing, flush;
	int rc;
	struct pd_error err;
	struct history_ingest_stats stats;
	int in_txn; /* pages in the open transaction */
	bool bulk;  /* random-order indexes dropped: built again at the finish */
};

static void queued_clear(struct queued *x)
{
	history_page_clear(&x->page);
	free(x->request_id);
	free(x->sync_object);
	free(x->cursor);
	memset(x, 0, sizeof *x);
}

static int writer_commit(struct history_writer *w)
{
	if (!w->in_txn)
		return PD_OK;
	w->in_txn = 0;
	int rc = history_ingester_flush(w->in, &w->err);
	if (!rc)
		rc = db_commit(w->db, &w->err);
	if (rc) {
		db_rollback(w->db);
		history_ingester_discard(w->in);
	}
	return rc;
}

static void *writer_main(void *arg)
{
	struct history_writer *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->count && !w->closing && !w->flush) {
			if (w->in_txn && !w->rc) {
				/* Nothing queued: the next page is still on the network.
				 * Commit now rather than hold the write lock across it —
				 * a payment or a booking must not wait for a sync. */
				pthread_mutex_unlock(&w->mu);
				int rc = writer_commit(w);
				pthread_mutex_lock(&w->mu);
				if (rc && !w->rc)
					w->rc = rc;
				continue;
			}
			pthread_cond_wait(&w->changed, &w->mu);
		}
		if (!w->count) {
			/* asked to flush (or closing) with nothing queued: commit */
			int rc = w->rc ? PD_OK : writer_commit(w);
			if (rc)
				w->rc = rc;
			w->flush = false;
			pthread_cond_broadcast(&w->changed);
			if (w->closing)
				break;
			continue;
		}
		struct queued x = w->q[w->head];
		memset(&w->q[w->head], 0, sizeof x);
		w->head = (w->head + 1) % WRITER_QUEUE;
		w->count--;
		w->busy = true;
		pthread_cond_broadcast(&w->changed);
		pthread_mutex_unlock(&w->mu);
		int rc = w->rc;
		if (!rc && !w->in_txn)
			rc = db_begin(w->db, &w->err);
		if (!rc) {
			w->in_txn++;
			rc = history_ingester_page(w->in, &x.page, x.request_id, x.sync_object, x.cursor,
						   &w->stats, &w->err);
			if (rc) {
				db_rollback(w->db);
				history_ingester_discard(w->in);
				w->in_txn = 0;
			}
		}
		/* Several pages a transaction: pages of random-order index keys
		 * are then written once for many records. Page and cursor still
		 * commit together, so a crash resumes after the last commit. */
		if (!rc && w->in_txn >= w->pages_per_commit)
			rc = writer_commit(w);
		pthread_mutex_lock(&w->mu);
		if (w->ndone < WRITER_QUEUE + 1) {
			w->done[w->ndone++] = x;
		} else {
			pthread_mutex_unlock(&w->mu);
			queued_clear(&x);
			pthread_mutex_lock(&w->mu);
		}
		if (rc && !w->rc)
			w->rc = rc;
		w->busy = false;
		pthread_cond_broadcast(&w->changed);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int history_writer_start(sqlite3 *db, int pages_per_commit, struct history_writer **out,
			 struct pd_error *err)
{
	struct history_writer *w = calloc(1, sizeof *w);
	if (!w)
		return pd_error_set(err, PD_ERR, "out of memory");
	w->db = db;
	w->pages_per_commit = pages_per_commit > 0 ? pages_per_commit : 1;
	int rc = history_ingester_new(db, &w->in, err);
	if (rc) {
		free(w);
		return rc;
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->changed, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		history_ingester_free(&w->in);
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->changed);
		free(w);
		return pd_error_set(err, PD_ERR, "cannot start the history writer thread");
	}
	*out = w;
	return PD_OK;
}

int history_writer_bulk(struct history_writer *w, struct pd_error *err)
{
	/* the thread has nothing queued yet: the connection is idle */
	pthread_mutex_lock(&w->mu);
	bool idle = !w->count && !w->busy && !w->in_txn;
	pthread_mutex_unlock(&w->mu);
	if (!idle || w->bulk)
		return PD_OK;
	return history_bulk_begin(w->db, &w->bulk, err);
}

static int writer_failed(struct history_writer *w, struct pd_error *err)
{
	*err = w->err;
	return w->rc;
}

int history_writer_push(struct history_writer *w, struct history_page *page,
			const char *request_id, const char *sync_object, const char *cursor,
			struct pd_error *err)
{
	struct queued x = {.page = *page};
	memset(page, 0, sizeof *page);
	x.request_id = request_id ? strdup(request_id) : NULL;
	x.sync_object = sync_object ? strdup(sync_object) : NULL;
	x.cursor = cursor ? strdup(cursor) : NULL;
	struct queued done[WRITER_QUEUE + 1];
	pthread_mutex_lock(&w->mu);
	int ndone = w->ndone;
	memcpy(done, w->done, sizeof done);
	w->ndone = 0;
	pthread_mutex_unlock(&w->mu);
	for (int i = 0; i < ndone; i++)
		queued_clear(&done[i]);
	pthread_mutex_lock(&w->mu);
	while (w->count == WRITER_QUEUE && !w->rc)
		pthread_cond_wait(&w->changed, &w->mu);
	int rc = w->rc;
	if (rc) {
		rc = writer_failed(w, err);
	} else {
		w->q[(w->head + w->count) % WRITER_QUEUE] = x;
		w->count++;
		pthread_cond_broadcast(&w->changed);
	}
	pthread_mutex_unlock(&w->mu);
	if (rc)
		queued_clear(&x);
	return rc;
}

int history_writer_flush(struct history_writer *w, struct pd_error *err)
{
	pthread_mutex_lock(&w->mu);
	w->flush = true;
	pthread_cond_broadcast(&w->changed);
	while ((w->flush || w->count || w->busy) && !w->rc)
		pthread_cond_wait(&w->changed, &w->mu);
	int rc = w->rc ? writer_failed(w, err) : PD_OK;
	pthread_mutex_unlock(&w->mu);
	return rc;
}

int history_writer_finish(struct history_writer **wp, struct history_ingest_stats *stats,
			  struct pd_error *err)
{
	struct history_writer *w = *wp;
	if (!w)
		return PD_OK;
	pthread_mutex_lock(&w->mu);
	w->closing = true;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	/* after a failure, pages still queued are dropped (never half-written) */
	for (int i = 0; i < WRITER_QUEUE; i++)
		queued_clear(&w->q[i]);
	for (int i = 0; i < w->ndone; i++)
		queued_clear(&w->done[i]);
	if (w->in_txn)
		db_rollback(w->db);
	int rc = w->rc ? writer_failed(w, err) : PD_OK;
	if (w->bulk) {
		/* whatever happened, the indexes the queries rely on come back */
		struct pd_error ierr = {0};
		int irc = history_indexes_ensure(w->db, &ierr);
		if (irc && !rc) {
			rc = irc;
			*err = ierr;
		}
	}
	if (stats) {
		stats->inserted += w->stats.inserted;
		stats->updated += w->stats.updated;
		stats->unchanged += w->stats.unchanged;
		stats->skipped += w->stats.skipped;
	}
	history_ingester_free(&w->in);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->changed);
	free(w);
	*wp = NULL;
	return rc;
}
