/* The event queue (client_int.h): events are queued while the client works on a stanza and
 * delivered when the entry point is done, so a handler may call the client again (send a
 * reply) without finding it in the middle of something. Strings and arrays of queued events
 * live in the queue's arena, reset once the queue is empty; the WebMessageInfo objects of
 * message events belong to the queue until delivered. */
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"
#include "core/log.h"
#include "wb_proto.h"

void wb_client_emit(wb_client *c, const wb_client_event *ev) {
    wb_client_evq *q = &c->evq;
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        wb_client_event *v = realloc(q->v, cap * sizeof *v);
        if (!v) {
            WB_ERROR("client", "out of memory: an event (type %d) is lost", ev->type);
            if (ev->type == WB_CLIENT_EV_MESSAGES)
                for (size_t i = 0; i < ev->messages.n; i++)
                    wb_proto_free(ev->messages.msgs[i]);
            return;
        }
        q->v = v;
        q->cap = cap;
    }
    q->v[q->n++] = *ev;
}

const char *wb_client_evstr(wb_client *c, const char *s) {
    const char *copy = wb_arena_strdup(&c->evq.arena, s ? s : "");
    return copy ? copy : "";
}

void wb_client_emit_connection(wb_client *c, int state, int reason, const char *why, int final) {
    wb_client_event ev = {.type = WB_CLIENT_EV_CONNECTION};
    ev.connection.state = state;
    ev.connection.reason = reason;
    ev.connection.why = why ? wb_client_evstr(c, why) : NULL;
    ev.connection.final = final;
    ev.connection.is_new_login = state == WB_CONN_OPEN && c->is_new_login;
    wb_client_emit(c, &ev);
}

static void release(wb_client_event *ev) {
    if (ev->type != WB_CLIENT_EV_MESSAGES)
        return;
    for (size_t i = 0; i < ev->messages.n; i++)
        wb_proto_free(ev->messages.msgs[i]);
}

void wb_client_flush_events(wb_client *c) {
    wb_client_evq *q = &c->evq;
    if (q->delivering)
        return; /* an event handler called us: the outer loop delivers what it queued */
    q->delivering = 1;
    for (;;) {
        while (q->next < q->n) {
            wb_client_event ev = q->v[q->next++]; /* a copy: the array may move under the handler */
            c->io.event(c->ud, &ev);
            release(&ev);
        }
        wb_client_sends_deliver(c); /* completions of sends, which may queue events again */
        wb_client_calls_deliver(c); /* and of calls (calls.c) */
        wb_client_media_deliver(c); /* media_conn answers */
        if (q->next == q->n)
            break;
    }
    q->n = q->next = 0;
    wb_arena_reset(&q->arena);
    q->delivering = 0;
}

void wb_client_evq_free(wb_client *c) {
    wb_client_evq *q = &c->evq;
    for (size_t i = q->next; i < q->n; i++)
        release(&q->v[i]);
    free(q->v);
    wb_arena_free(&q->arena);
    memset(q, 0, sizeof *q);
}
