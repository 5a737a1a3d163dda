/* A set of strings, each kept once as the set's own copy, in the order they
 * were added: for ids already seen (the events feed) and for interning
 * (the history roll-ups' names). Hashed: adding n strings costs O(n). */
#ifndef PAYDESK_STRSET_H
#define PAYDESK_STRSET_H

#include <stdbool.h>
#include <stddef.h>

struct strset {
	char **items; /* in the order added */
	size_t n, cap;
	size_t *index; /* hash slots: position in items + 1, 0 when free */
	size_t slots;
};

/* The set's copy of s, added when absent (*added, which may be NULL, says
 * whether it was); NULL when out of memory. */
const char *strset_add(struct strset *set, const char *s, bool *added);
void strset_free(struct strset *set);

#endif
