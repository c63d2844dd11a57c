/* The dispatch tables (sim_int.h, "dispatch"): every family of handlers is listed here once;
 * a stanza goes to the first route of its tag, an IQ to the first route matching its xmlns, type
 * and first child, the answer to one of the server's own IQs to the waiting callback, and an HTTP
 * request to the first route of its path. Unknown IQs get an empty result and are counted. */
#include <string.h>

#include "core/log.h"
#include "sim/sim_int.h"

/* Add a family here (and its `extern` in sim_int.h). Order matters only between routes that
 * match the same stanza: the first wins. */
static const wb_sim_family *const families[] = {
    &wb_sim_family_iq,       &wb_sim_family_pair,     &wb_sim_family_pair_code,
    &wb_sim_family_prekeys,  &wb_sim_family_usync,    &wb_sim_family_privacy,
    &wb_sim_family_presence, &wb_sim_family_queue,    &wb_sim_family_admin,
    &wb_sim_family_route,    &wb_sim_family_receipt,  &wb_sim_family_notify,
    &wb_sim_family_groups,   &wb_sim_family_groups_iq, &wb_sim_family_groups_admin,
    &wb_sim_family_media,    &wb_sim_family_media_http, &wb_sim_family_profile,
};
#define NFAMILIES (sizeof families / sizeof *families)

static int when_of(const wb_sim_conn *c) {
    return c->state == WB_SIM_REGISTERING ? WB_SIM_ON_REG
           : c->state == WB_SIM_LOGGED_IN ? WB_SIM_ON_LOGIN
                                          : 0;
}

static int same(const char *route, const char *value) {
    return !route || (value && strcmp(route, value) == 0);
}

/* An answer to one of the server's IQs: its callback runs (and may close the connection).
 * Unknown ids are ignored (a late answer). */
static int on_answer(wb_sim_conn *c, wb_node *iq) {
    if (wb_wa_iqs_answer(&c->iqs, iq) == 0)
        wb_sim_count(c->sim, "iqs.unmatched_answers", 1);
    return c->state == WB_SIM_CLOSING ? WB_ECLOSED : 0;
}

static int on_iq(wb_sim_conn *c, wb_node *iq, int when) {
    wb_sim *sim = c->sim;
    const char *id = wb_node_attr(iq, "id"), *type = wb_node_attr(iq, "type");
    if (!id || !*id || !type)
        return wb_sim_conn_fail(c, WB_EPROTO, "iq without id or type");
    if (strcmp(type, "result") == 0 || strcmp(type, "error") == 0)
        return on_answer(c, iq);
    if (strcmp(type, "get") != 0 && strcmp(type, "set") != 0)
        return wb_sim_conn_fail(c, WB_EPROTO, "iq of type '%.32s'", type);
    const char *xmlns = wb_node_attr(iq, "xmlns");
    wb_node *first = wb_node_child(iq, NULL);
    wb_sim_countf(sim, 1, "iqs.in.%s", xmlns ? xmlns : "none");
    for (size_t f = 0; f < NFAMILIES; f++)
        for (const wb_sim_iq_route *r = families[f]->iqs; r && r->xmlns; r++) {
            if (!(r->when & when) || !xmlns || strcmp(r->xmlns, xmlns) != 0 ||
                !same(r->type, type) || !same(r->child, first ? first->tag : NULL))
                continue;
            wb_node *reply = wb_sim_iq_result(c, iq);
            int rc = r->fn(c, iq, reply);
            if (rc == 0)
                rc = wb_sim_conn_send(c, reply);
            return rc < 0 ? rc : 0;
        }
    wb_sim_count(sim, "iqs.unknown.total", 1);
    wb_sim_countf(sim, 1, "iqs.unknown.by_xmlns.%s", xmlns ? xmlns : "none");
    WB_DEBUG("sim", "%s: unknown iq xmlns=%s type=%s <%s>", c->label, xmlns ? xmlns : "", type,
             first ? first->tag : "");
    return wb_sim_conn_send(c, wb_sim_iq_result(c, iq));
}

int wb_sim_dispatch(wb_sim_conn *c, wb_node *n) {
    int when = when_of(c);
    if (!when)
        return 0;
    if (wb_node_is(n, "iq"))
        return on_iq(c, n, when);
    for (size_t f = 0; f < NFAMILIES; f++)
        for (const wb_sim_stanza_route *r = families[f]->stanzas; r && r->tag; r++)
            if ((r->when & when) && strcmp(r->tag, n->tag) == 0)
                return r->fn(c, n);
    wb_sim_countf(c->sim, 1, "stanzas.unhandled.%s", n->tag);
    return 0;
}

int wb_sim_families_init(wb_sim *sim) {
    for (size_t f = 0; f < NFAMILIES; f++) {
        int rc = families[f]->init ? families[f]->init(sim) : 0;
        if (rc < 0) {
            WB_ERROR("sim", "family %s failed to start: %s", families[f]->name, wb_strerror(rc));
            return rc;
        }
    }
    return 0;
}

void wb_sim_families_free(wb_sim *sim) {
    for (size_t f = NFAMILIES; f-- > 0;)
        if (families[f]->free)
            families[f]->free(sim);
}

void wb_sim_hook_linked(wb_sim *sim, wb_sim_device *d) {
    for (size_t f = 0; f < NFAMILIES; f++)
        if (families[f]->on_device_linked)
            families[f]->on_device_linked(sim, d);
}

void wb_sim_hook_removed(wb_sim *sim, wb_sim_device *d) {
    for (size_t f = 0; f < NFAMILIES; f++)
        if (families[f]->on_device_removed)
            families[f]->on_device_removed(sim, d);
}

/* The first route of table matching req (*path_ok set when some route had its path). */
static const wb_sim_http_route *find_in(const wb_sim_http_route *table, const wb_sim_request *req,
                                        int *path_ok) {
    for (const wb_sim_http_route *r = table; r && r->path; r++) {
        size_t n = strlen(r->path);
        int match = n && r->path[n - 1] == '*' ? strncmp(req->path, r->path, n - 1) == 0
                                               : strcmp(req->path, r->path) == 0;
        if (!match)
            continue;
        *path_ok = 1;
        if (!r->method || strcmp(r->method, req->method) == 0 ||
            (strcmp(r->method, "GET") == 0 && strcmp(req->method, "HEAD") == 0))
            return r; /* HEAD is GET without the body (the host leaves it out) */
    }
    return NULL;
}

const wb_sim_http_route *wb_sim_http_find(const wb_sim_request *req, int *path_ok,
                                          int *streamed) {
    const wb_sim_http_route *r = NULL;
    *path_ok = 0;
    for (size_t f = 0; f < NFAMILIES && !r; f++) {
        r = find_in(families[f]->http, req, path_ok);
        *streamed = !r && (r = find_in(families[f]->http_streamed, req, path_ok)) != NULL;
    }
    return r;
}
