#include "paydesk/job_progress.h"

void job_progress_init(struct job_progress *p)
{
	pthread_mutex_init(&p->lock, NULL);
	p->generation = 0;
}

void job_progress_destroy(struct job_progress *p)
{
	pthread_mutex_destroy(&p->lock);
}

unsigned job_progress_begin(struct job_progress *p)
{
	pthread_mutex_lock(&p->lock);
	return ++p->generation;
}

bool job_progress_claim(struct job_progress *p, unsigned gen)
{
	pthread_mutex_lock(&p->lock);
	if (p->generation == gen)
		return true;
	pthread_mutex_unlock(&p->lock);
	return false;
}

void job_progress_lock(struct job_progress *p)
{
	pthread_mutex_lock(&p->lock);
}

void job_progress_end(struct job_progress *p)
{
	pthread_mutex_unlock(&p->lock);
}
