/* A string set: items in insertion order, found through an open-addressing
 * index of their positions. See include/paydesk/strset.h. */
#include "paydesk/strset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	return (size_t)h;
}

/* The slot holding s, or the free slot where it would go. */
static size_t slot_of(const struct strset *set, const char *s)
{
	size_t i = hash(s) & (set->slots - 1);
	while (set->index[i] && strcmp(set->items[set->index[i] - 1], s) != 0)
		i = (i + 1) & (set->slots - 1);
	return i;
}

static bool reindex(struct strset *set, size_t slots)
{
	size_t *index = calloc(slots, sizeof *index);
	if (!index)
		return false;
	free(set->index);
	set->index = index;
	set->slots = slots;
	for (size_t k = 0; k < set->n; k++)
		set->index[slot_of(set, set->items[k])] = k + 1;
	return true;
}

const char *strset_add(struct strset *set, const char *s, bool *added)
{
	if (added)
		*added = false;
	if ((set->n + 1) * 4 > set->slots * 3 && !reindex(set, set->slots ? set->slots * 2 : 64))
		return NULL;
	size_t i = slot_of(set, s);
	if (set->index[i])
		return set->items[set->index[i] - 1];
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 32;
		char **grown = realloc(set->items, cap * sizeof *grown);
		if (!grown)
			return NULL;
		set->items = grown;
		set->cap = cap;
	}
	char *copy = strdup(s);
	if (!copy)
		return NULL;
	set->items[set->n++] = copy;
	set->index[i] = set->n;
	if (added)
		*added = true;
	return copy;
}

void strset_free(struct strset *set)
{
	for (size_t k = 0; k < set->n; k++)
		free(set->items[k]);
	free(set->items);
	free(set->index);
	memset(set, 0, sizeof *set);
}
