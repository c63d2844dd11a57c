/* String-keyed hash map (strmap.h): FNV-1a, power-of-two capacity, at most 3/4 full counting
 * tombstones, which a rehash drops. */
#include "core/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

static char tombstone_[1];
#define TOMBSTONE tombstone_

static uint64_t hash(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

void wb_strmap_init(wb_strmap *m) { memset(m, 0, sizeof *m); }

void wb_strmap_free(wb_strmap *m) {
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key && m->slots[i].key != TOMBSTONE)
            free(m->slots[i].key);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

/* The slot of key, or (when absent) NULL. */
static wb_strmap_slot *find(const wb_strmap *m, const char *key) {
    if (!m->cap)
        return NULL;
    for (size_t i = hash(key) & (m->cap - 1), n = 0; n < m->cap; i = (i + 1) & (m->cap - 1), n++) {
        wb_strmap_slot *s = &m->slots[i];
        if (!s->key)
            return NULL;
        if (s->key != TOMBSTONE && strcmp(s->key, key) == 0)
            return s;
    }
    return NULL;
}

void *wb_strmap_get(const wb_strmap *m, const char *key) {
    wb_strmap_slot *s = find(m, key);
    return s ? s->value : NULL;
}

static int grow(wb_strmap *m) {
    size_t cap = 16; /* at most half full after the rehash, tombstones dropped */
    while (cap < 2 * (m->live + 1))
        cap *= 2;
    wb_strmap_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return WB_ENOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        wb_strmap_slot *s = &m->slots[i];
        if (!s->key || s->key == TOMBSTONE)
            continue;
        size_t j = hash(s->key) & (cap - 1);
        while (slots[j].key)
            j = (j + 1) & (cap - 1);
        slots[j] = *s;
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    m->used = m->live;
    return 0;
}

int wb_strmap_put(wb_strmap *m, const char *key, void *value, void **old) {
    wb_strmap_slot *s = find(m, key);
    if (s) {
        if (old)
            *old = s->value;
        s->value = value;
        return 0;
    }
    if ((m->used + 1) * 4 > m->cap * 3 && grow(m) < 0)
        return WB_ENOMEM;
    char *copy = strdup(key);
    if (!copy)
        return WB_ENOMEM;
    size_t i = hash(key) & (m->cap - 1);
    while (m->slots[i].key && m->slots[i].key != TOMBSTONE)
        i = (i + 1) & (m->cap - 1);
    if (!m->slots[i].key)
        m->used++;
    m->slots[i].key = copy;
    m->slots[i].value = value;
    m->live++;
    if (old)
        *old = NULL;
    return 0;
}

void *wb_strmap_del(wb_strmap *m, const char *key) {
    wb_strmap_slot *s = find(m, key);
    if (!s)
        return NULL;
    void *v = s->value;
    free(s->key);
    s->key = TOMBSTONE;
    s->value = NULL;
    m->live--;
    return v;
}

int wb_strmap_next(const wb_strmap *m, size_t *i, const char **key, void **value) {
    for (; *i < m->cap; (*i)++) {
        wb_strmap_slot *s = &m->slots[*i];
        if (s->key && s->key != TOMBSTONE) {
            *key = s->key;
            *value = s->value;
            (*i)++;
            return 1;
        }
    }
    return 0;
}

size_t wb_strmap_count(const wb_strmap *m) { return m->live; }
