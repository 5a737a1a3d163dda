/* The process's "is Stripe answering" record (stripe_reach.h). A mutex, not
 * atomics: since and down change together. */
#include "paydesk/stripe_reach.h"

#include <pthread.h>

static pthread_mutex_t reach_lock = PTHREAD_MUTEX_INITIALIZER;
static bool reach_is_down;
static time_t reach_since;
static uint64_t reach_gen;
/* When each call now waiting started (0: free): the worker pool is small. */
#define REACH_SLOTS 32
static time_t reach_waiting[REACH_SLOTS];

bool stripe_reach_status_is_down(long http_status)
{
	return http_status <= 0 || http_status >= 500;
}

void stripe_reach_note(long http_status, time_t now)
{
	bool down = stripe_reach_status_is_down(http_status);
	pthread_mutex_lock(&reach_lock);
	if (down != reach_is_down) {
		reach_is_down = down;
		reach_since = down ? now : 0;
		reach_gen++;
	}
	pthread_mutex_unlock(&reach_lock);
}

bool stripe_reach_down(time_t *since)
{
	pthread_mutex_lock(&reach_lock);
	bool down = reach_is_down;
	if (since)
		*since = reach_since;
	pthread_mutex_unlock(&reach_lock);
	return down;
}

uint64_t stripe_reach_generation(void)
{
	pthread_mutex_lock(&reach_lock);
	uint64_t g = reach_gen;
	pthread_mutex_unlock(&reach_lock);
	return g;
}

int stripe_reach_begin(time_t now)
{
	int slot = -1;
	pthread_mutex_lock(&reach_lock);
	for (int i = 0; i < REACH_SLOTS && slot < 0; i++)
		if (!reach_waiting[i]) {
			reach_waiting[i] = now > 0 ? now : 1;
			slot = i;
		}
	pthread_mutex_unlock(&reach_lock);
	return slot;
}

void stripe_reach_end(int slot)
{
	if (slot < 0 || slot >= REACH_SLOTS)
		return;
	pthread_mutex_lock(&reach_lock);
	reach_waiting[slot] = 0;
	pthread_mutex_unlock(&reach_lock);
}

long stripe_reach_waiting(time_t now)
{
	time_t oldest = 0;
	pthread_mutex_lock(&reach_lock);
	for (int i = 0; i < REACH_SLOTS; i++)
		if (reach_waiting[i] && (!oldest || reach_waiting[i] < oldest))
			oldest = reach_waiting[i];
	pthread_mutex_unlock(&reach_lock);
	return oldest && now > oldest ? (long)(now - oldest) : 0;
}

void stripe_reach_reset(void)
{
	pthread_mutex_lock(&reach_lock);
	for (int i = 0; i < REACH_SLOTS; i++)
		reach_waiting[i] = 0;
	reach_is_down = false;
	reach_since = 0;
	reach_gen = 0;
	pthread_mutex_unlock(&reach_lock);
}
