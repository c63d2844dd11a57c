/* A hash map from strings to pointers, for the client's caches (device lists by user, group
 * metadata by group, retry counts by message id). Open addressing with linear probing; keys are
 * copied, values are the caller's. Not thread-safe; one owner.
 *
 *     wb_strmap m; wb_strmap_init(&m);
 *     wb_strmap_put(&m, "155@s.whatsapp.net", list, &old);  // old: what the key held (or NULL)
 *     list = wb_strmap_get(&m, "155@s.whatsapp.net");
 *     wb_strmap_del(&m, key);                                // returns the value it held
 *     for (size_t i = 0; wb_strmap_next(&m, &i, &key, &val);) ...
 *     wb_strmap_free(&m);                                    // the values are the caller's */
#ifndef WB_CORE_STRMAP_H
#define WB_CORE_STRMAP_H

#include <stddef.h>

typedef struct wb_strmap_slot {
    char *key;   /* NULL: empty; the tombstone marker: deleted */
    void *value;
} wb_strmap_slot;

typedef struct wb_strmap {
    wb_strmap_slot *slots;
    size_t cap, used, live; /* used counts live entries and tombstones */
} wb_strmap;

void wb_strmap_init(wb_strmap *m);
void wb_strmap_free(wb_strmap *m);
/* The value of key, or NULL. */
void *wb_strmap_get(const wb_strmap *m, const char *key);
/* Sets key to value; *old (may be NULL) gets the value it replaces, or NULL. Returns 0 or
 * WB_ENOMEM (nothing changed). */
int wb_strmap_put(wb_strmap *m, const char *key, void *value, void **old);
/* Removes key; returns the value it held, or NULL. */
void *wb_strmap_del(wb_strmap *m, const char *key);
/* Iteration: start *i at 0; returns 1 with the next entry, 0 at the end. Deleting the entry just
 * returned is allowed; putting is not. */
int wb_strmap_next(const wb_strmap *m, size_t *i, const char **key, void **value);
size_t wb_strmap_count(const wb_strmap *m);

#endif
