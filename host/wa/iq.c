/* IQ stanzas and the table of pending requests (iq.h). The table is a small array searched
 * linearly: a connection has a handful of requests in flight (Baileys' login has four, a send a
 * few), and an entry is taken out before its callback runs, so callbacks may change the table. */
#include "wa/iq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/random.h"

wb_node *wb_wa_iq_new(wb_arena *a, const char *type, const char *xmlns) {
    return WB_NODE(a, "iq", {"type", type}, {"xmlns", xmlns});
}

wb_node *wb_wa_iq_result(wb_arena *a, const wb_node *iq, enum wb_wa_side side) {
    const char *key = side == WB_WA_SERVER ? "to" : "from";
    const char *peer = wb_node_attr(iq, key);
    return WB_NODE(a, "iq", {side == WB_WA_SERVER ? "from" : "to",
                             peer && *peer ? peer : "@" WB_SERVER_USER},
                   {"type", "result"}, {"id", wb_node_attr(iq, "id")});
}

void wb_wa_iq_set_error(wb_node *answer, int code, const char *text) {
    wb_node_set(answer, "type", "error");
    wb_node_clear_content(answer);
    wb_node *e = WB_CHILD(answer, "error", {"text", text});
    wb_node_set_i64(e, "code", code);
}

int wb_wa_iq_error_of(const wb_node *iq, int *code, const char **text) {
    if (!wb_node_attr_is(iq, "type", "error"))
        return 0;
    wb_node *e = wb_node_child(iq, "error");
    wb_attrs a = wb_attrs_of(e);
    int64_t c = wb_attrs_opt_i64(&a, "code", 0);
    *code = wb_attrs_ok(&a) && c > 0 && c < 100000 ? (int)c : 0;
    *text = wb_node_attr(e, "text");
    return 1;
}

/* ---- the table ------------------------------------------------------------------------------ */

void wb_wa_iqs_init(wb_wa_iqs *t) {
    memset(t, 0, sizeof *t);
    /* "<16 bits>.<16 bits>-", as both clients make a fresh prefix per connection */
    snprintf(t->prefix, sizeof t->prefix, "%u.%u-", (unsigned)wb_random_uniform(65536),
             (unsigned)wb_random_uniform(65536));
}

void wb_wa_iqs_free(wb_wa_iqs *t) {
    free(t->v);
    t->v = NULL;
    t->n = t->cap = 0;
}

int wb_wa_iqs_add(wb_wa_iqs *t, uint64_t deadline, wb_wa_iq_fn fn, void *ud,
                  char id[WB_WA_IQ_ID_MAX]) {
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        wb_wa_iq_pending *v = realloc(t->v, cap * sizeof *v);
        if (!v)
            return WB_ENOMEM;
        t->v = v;
        t->cap = cap;
    }
    wb_wa_iq_pending *p = &t->v[t->n++];
    snprintf(p->id, sizeof p->id, "%s%llu", t->prefix, (unsigned long long)++t->seq);
    p->deadline = deadline;
    p->fn = fn;
    p->ud = ud;
    memcpy(id, p->id, sizeof p->id);
    return 0;
}

/* Removes entry i (order is not kept: deadlines are searched, not sorted). */
static wb_wa_iq_pending take(wb_wa_iqs *t, size_t i) {
    wb_wa_iq_pending p = t->v[i];
    t->v[i] = t->v[--t->n];
    return p;
}

static long find(const wb_wa_iqs *t, const char *id) {
    for (size_t i = 0; id && i < t->n; i++)
        if (strcmp(t->v[i].id, id) == 0)
            return (long)i;
    return -1;
}

int wb_wa_iqs_forget(wb_wa_iqs *t, const char *id) {
    long i = find(t, id);
    if (i < 0)
        return WB_ENOTFOUND;
    take(t, (size_t)i);
    return 0;
}

int wb_wa_iqs_answer(wb_wa_iqs *t, const wb_node *iq) {
    const char *id = wb_node_attr(iq, "id");
    int result = wb_node_attr_is(iq, "type", "result");
    if (!wb_node_is(iq, "iq") || !id || !(result || wb_node_attr_is(iq, "type", "error")))
        return WB_EPROTO;
    long i = find(t, id);
    if (i < 0)
        return 0;
    wb_wa_iq_pending p = take(t, (size_t)i);
    if (p.fn)
        p.fn(p.ud, result ? 0 : WB_EREFUSED, iq);
    return 1;
}

size_t wb_wa_iqs_expire(wb_wa_iqs *t, uint64_t now) {
    size_t done = 0;
    for (size_t i = 0; i < t->n;) {
        if (t->v[i].deadline > now) {
            i++;
            continue;
        }
        wb_wa_iq_pending p = take(t, i); /* entry i is now another one: look at it again */
        done++;
        if (p.fn)
            p.fn(p.ud, WB_ETIMEOUT, NULL);
    }
    return done;
}

void wb_wa_iqs_close(wb_wa_iqs *t) {
    while (t->n) {
        wb_wa_iq_pending p = take(t, t->n - 1);
        if (p.fn)
            p.fn(p.ud, WB_ECLOSED, NULL);
    }
}

uint64_t wb_wa_iqs_deadline(const wb_wa_iqs *t) {
    uint64_t d = WB_WA_NO_DEADLINE;
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].deadline < d)
            d = t->v[i].deadline;
    return d;
}

size_t wb_wa_iqs_count(const wb_wa_iqs *t) { return t->n; }
