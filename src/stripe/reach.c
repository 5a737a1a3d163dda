/* The process's "is Stripe answering" record (stripe_reach.h). A mutex, not
 * atomics: since and down change together. */
#include "paydesk/stripe_reach.h"

#include <pthread.h>

static pthread_mutex_t reach_lock = PTHREAD_MUTEX_INITIALIZER;
static bool reach_is_down;
static time_t reach_since;
static uint64_t reach_gen;

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

void stripe_reach_reset(void)
{
	pthread_mutex_lock(&reach_lock);
	reach_is_down = false;
	reach_since = 0;
	reach_gen = 0;
	pthread_mutex_unlock(&reach_lock);
}
