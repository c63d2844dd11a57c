/* Counters (sim_int.h, "statistics") and the /admin/stats JSON: named counters that any family
 * bumps, nested by the dots in their names, plus per-device figures read from the model.
 * Names may carry client-chosen words (tags, xmlns), so they are cut to a length and their
 * number is bounded: past the bound, new names count under "other". */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_int.h"

#define NAME_MAX_LEN 80
#define MAX_COUNTERS 1024 /* a power of two: the table's size */

typedef struct counter {
    char name[NAME_MAX_LEN];
    int64_t value;
} counter;

struct wb_sim_stats {
    counter slots[MAX_COUNTERS];
    size_t used;
};

static uint32_t hash(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static counter *find(wb_sim *sim, const char *name, int create) {
    struct wb_sim_stats *st = sim->stats;
    if (!st) {
        if (!create || !(st = sim->stats = calloc(1, sizeof *st)))
            return NULL;
    }
    for (uint32_t i = hash(name) & (MAX_COUNTERS - 1);; i = (i + 1) & (MAX_COUNTERS - 1)) {
        counter *c = &st->slots[i];
        if (!c->name[0]) {
            if (!create)
                return NULL;
            if (st->used >= MAX_COUNTERS * 3 / 4)
                return strcmp(name, "other") == 0 ? NULL : find(sim, "other", 1);
            snprintf(c->name, sizeof c->name, "%s", name);
            st->used++;
            return c;
        }
        if (strcmp(c->name, name) == 0)
            return c;
    }
}

void wb_sim_count(wb_sim *sim, const char *name, int64_t n) {
    char cut[NAME_MAX_LEN];
    snprintf(cut, sizeof cut, "%s", name);
    counter *c = find(sim, cut, 1);
    if (c)
        c->value += n;
}

void wb_sim_countf(wb_sim *sim, int64_t n, const char *fmt, ...) {
    char name[NAME_MAX_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    wb_sim_count(sim, name, n);
}

int64_t wb_sim_counter(const wb_sim *sim, const char *name) {
    counter *c = find((wb_sim *)sim, name, 0);
    return c ? c->value : 0;
}

void wb_sim_stats_free(wb_sim *sim) {
    free(sim->stats);
    sim->stats = NULL;
}

/* Puts value at the dotted path name inside root, making objects on the way. A name that would
 * sit where a number already is (or the reverse) keeps its full name at that level. */
static void put(cJSON *root, const char *name, double value) {
    char part[NAME_MAX_LEN];
    const char *dot;
    cJSON *o = root;
    while ((dot = strchr(name, '.')) && dot[1]) {
        snprintf(part, sizeof part, "%.*s", (int)(dot - name), name);
        cJSON *next = cJSON_GetObjectItemCaseSensitive(o, part);
        if (!next)
            next = cJSON_AddObjectToObject(o, part);
        if (!cJSON_IsObject(next))
            break;
        o = next;
        name = dot + 1;
    }
    if (!cJSON_GetObjectItemCaseSensitive(o, name))
        cJSON_AddNumberToObject(o, name, value);
}

static int cmp_names(const void *a, const void *b) {
    return strcmp((*(const counter *const *)a)->name, (*(const counter *const *)b)->name);
}

int wb_sim_stats(wb_sim *sim, wb_buf *out) {
    cJSON *root = cJSON_CreateObject();
    counter *sorted[MAX_COUNTERS];
    size_t n = 0;
    for (size_t i = 0; sim->stats && i < MAX_COUNTERS; i++)
        if (sim->stats->slots[i].name[0])
            sorted[n++] = &sim->stats->slots[i];
    qsort(sorted, n, sizeof *sorted, cmp_names);
    for (size_t i = 0; i < n; i++)
        put(root, sorted[i]->name, (double)sorted[i]->value);
    cJSON *devs = cJSON_AddObjectToObject(root, "devices");
    for (size_t i = 0; i < sim->naccounts; i++) {
        wb_sim_account *a = sim->accounts[i];
        for (size_t j = 0; j < a->ndevices; j++) {
            wb_sim_device *d = a->devices[j];
            char jid[WB_JID_STR_MAX];
            wb_sim_device_jid(d, jid);
            cJSON *o = cJSON_AddObjectToObject(devs, jid);
            cJSON_AddNumberToObject(o, "handshakes", (double)d->stat_handshakes);
            cJSON_AddNumberToObject(o, "connections", (double)d->stat_logins);
            cJSON_AddNumberToObject(o, "messages", (double)d->stat_messages);
            cJSON_AddBoolToObject(o, "online", d->conn != NULL);
            cJSON_AddBoolToObject(o, "removed", d->removed);
            cJSON_AddNumberToObject(o, "queued", (double)wb_sim_queue_count(sim, d));
            cJSON_AddNumberToObject(o, "prekeys", (double)wb_sim_prekey_count(sim, d));
        }
    }
    cJSON_AddNumberToObject(root, "accounts", (double)sim->naccounts);
    char *text = cJSON_PrintUnformatted(root);
    int rc = text ? wb_buf_append(out, text, strlen(text)) : WB_ENOMEM;
    free(text);
    cJSON_Delete(root);
    return rc;
}
