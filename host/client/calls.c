/* Calls (client_int.h): the requests of client.h's group, onWhatsApp and profile picture calls,
 * each one or two IQs with exactly one completion. The IQ table (wa/iq.h) completes an IQ while
 * the client is in the middle of a stanza, a tick or a close; a call's answer is read into the
 * call's own arena right then (the answer node does not outlive that moment), and its completion
 * waits in a list for the end of the entry point (wb_client_calls_deliver, from
 * wb_client_flush_events), as send completions do, so the caller's function never runs inside
 * the client's work and may call the client again. */
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"

wb_client_call *wb_client_call_new(wb_client *c, wb_client_call_answer_fn on_answer,
                                   wb_client_result_fn fn, void *ud) {
    wb_client_call *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    *k = (wb_client_call){.c = c, .on_answer = on_answer, .fn = fn, .ud = ud};
    wb_arena_init(&k->arena, 0);
    return k;
}

void wb_client_call_free(wb_client_call *k) {
    if (!k)
        return;
    wb_arena_free(&k->arena);
    free(k);
}

static void finish(wb_client_call *k, int status) {
    wb_client *c = k->c;
    k->status = status;
    k->next = NULL;
    if (!c->calls_tail)
        c->calls_tail = &c->calls_done;
    *c->calls_tail = k;
    c->calls_tail = &k->next;
}

static void on_iq(void *ud, int status, const wb_node *answer) {
    wb_client_call *k = ud;
    if (status == 0) {
        int rc = k->on_answer(k->c, k, answer);
        if (rc == 1)
            return; /* it asked again: the next answer completes the call */
        status = rc;
    } else if (status == WB_EREFUSED) {
        const char *text = NULL;
        wb_wa_iq_error_of(answer, &k->r.server_error, &text);
        k->r.server_text = text ? wb_arena_strdup(&k->arena, text) : NULL;
    }
    finish(k, status);
}

int wb_client_call_send(wb_client_call *k, wb_node *iq) {
    return iq ? wb_client_send_iq(k->c, iq, on_iq, k) : WB_ENOMEM;
}

int wb_client_call_start(wb_client_call *k, wb_node *iq) {
    wb_client *c = k->c;
    int rc = wb_client_call_send(k, iq);
    if (rc < 0)
        wb_client_call_free(k);
    wb_client_flush_events(c);
    return rc;
}

void wb_client_calls_deliver(wb_client *c) {
    while (c->calls_done) {
        wb_client_call *k = c->calls_done;
        c->calls_done = k->next;
        if (!c->calls_done)
            c->calls_tail = &c->calls_done;
        if (k->fn)
            k->fn(k->ud, k->status, &k->r);
        wb_client_call_free(k);
    }
}
