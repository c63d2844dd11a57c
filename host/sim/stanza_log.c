/* The stanza log (sim_int.h, "stanza log"): one line per stanza in either direction and per
 * connection event, for debugging and for comparing what different clients send:
 *
 *     12:00:01.234 C> 15550000001:1@s.whatsapp.net <iq id="1" type="get" xmlns="w:p"><ping/></iq>
 *     12:00:01.235 S> 15550000001:1@s.whatsapp.net <iq from="@s.whatsapp.net" .../>
 *     12:00:01.300 ** conn#3 ** closing: login refused: wrong noise key
 *
 * Nodes are printed by binary/print.h, which shows byte content as `[N bytes]`, so keys,
 * signatures and ciphertexts never reach the file. Long child lists (812 prekeys in an upload)
 * are cut to their first few children and a <... n="N more"/> marker. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "binary/print.h"
#include "sim/sim_int.h"

#define LOG_KIDS 8 /* children shown per node */

/* A view of n for the log: the same node with at most LOG_KIDS children (each cut the same
 * way), built from shallow copies in a (the strings and bytes are shared, not copied). */
static const wb_node *cut(wb_arena *a, const wb_node *n, int depth) {
    if (n->kind != WB_CONTENT_NODES || depth > 64)
        return n;
    int cut_here = n->nkids > LOG_KIDS;
    uint32_t keep = cut_here ? LOG_KIDS : n->nkids;
    wb_node *v = wb_arena_alloc(a, sizeof *v);
    wb_node **kids = wb_arena_alloc(a, (keep + 1) * sizeof *kids);
    if (!v || !kids)
        return n;
    *v = *n;
    for (uint32_t i = 0; i < keep; i++)
        kids[i] = (wb_node *)cut(a, n->kids[i], depth + 1);
    if (cut_here) {
        char more[24];
        snprintf(more, sizeof more, "%u more", n->nkids - keep);
        kids[keep++] = WB_NODE(a, "...", {"n", more});
    }
    v->kids = kids;
    v->nkids = v->kids_cap = keep;
    return v;
}

static void stamp(const wb_sim *sim, char out[16]) {
    uint64_t ms = wb_sim_now_ms(sim);
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    snprintf(out, 16, "%02d:%02d:%02d.%03u", tm.tm_hour, tm.tm_min, tm.tm_sec,
             (unsigned)(ms % 1000));
}

void wb_sim_log_stanza(wb_sim_conn *c, int dir, const wb_node *n) {
    FILE *f = c->sim->stanza_log;
    if (!f)
        return;
    wb_buf b = WB_BUF_INIT;
    wb_arena a;
    wb_arena_init(&a, 0);
    char t[16];
    stamp(c->sim, t);
    if (wb_node_print(cut(&a, n, 0), &b, 0) == 0)
        fprintf(f, "%s %s %s %.*s\n", t, dir == WB_SIM_IN ? "C>" : "S>", c->label, (int)b.len,
                (const char *)b.data);
    wb_buf_free(&b);
    wb_arena_free(&a);
}

void wb_sim_log_event(wb_sim_conn *c, const char *fmt, ...) {
    FILE *f = c->sim->stanza_log;
    if (!f)
        return;
    char t[16];
    stamp(c->sim, t);
    fprintf(f, "%s ** %s ", t, c->label);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
}
