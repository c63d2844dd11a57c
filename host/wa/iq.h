/* IQs: the request/answer stanzas of the protocol, for both ends (NOTES §5). The builders make
 * the request and answer shapes; the table keeps the requests one end has sent until each gets
 * exactly one completion: its answer (type result or error), its deadline passing, or the
 * connection closing. Sans-I/O: the table never sends or reads a clock; its owner feeds it the
 * answers it receives, the time (wb_wa_iqs_expire) and the end of the connection
 * (wb_wa_iqs_close), and sleeps until wb_wa_iqs_deadline.
 *
 *     char id[WB_WA_IQ_ID_MAX];
 *     wb_node *iq = wb_wa_iq_new(a, "get", "w:p");
 *     wb_node_set(iq, "to", "@" WB_SERVER_USER);
 *     if ((rc = wb_wa_iqs_add(&t, now + 20000, on_pong, ctx, id)) < 0) return rc;
 *     wb_node_set(iq, "id", id);
 *     if ((rc = send(iq)) < 0) { wb_wa_iqs_forget(&t, id); return rc; }   // on_pong never runs
 *
 * Used by host/client (its requests to the server) and host/sim (the server's requests to a
 * client: pair-device, pair-success). */
#ifndef WB_WA_IQ_H
#define WB_WA_IQ_H

#include <stddef.h>
#include <stdint.h>

#include "binary/node.h"

#define WB_WA_IQ_ID_MAX 32
#define WB_WA_NO_DEADLINE UINT64_MAX

/* ---- stanzas ------------------------------------------------------------------------------- */

/* <iq type=type xmlns=xmlns> (xmlns NULL: none) in arena a; the caller adds id and to/from. */
wb_node *wb_wa_iq_new(wb_arena *a, const char *type, const char *xmlns);

enum wb_wa_side {
    WB_WA_SERVER = 0, /* the server answers: from = the request's to (or @s.whatsapp.net) */
    WB_WA_CLIENT = 1, /* a client answers: to = the request's from (or @s.whatsapp.net) */
};
/* The empty answer to iq: <iq type="result" id=<iq's id> from|to=...>, as side answers. */
wb_node *wb_wa_iq_result(wb_arena *a, const wb_node *iq, enum wb_wa_side side);
/* Turns an answer into <iq type="error"><error code text/></iq> (its content replaced). */
void wb_wa_iq_set_error(wb_node *answer, int code, const char *text);
/* The <error code text> of an answer of type error: 1 and *code, *text (NULL when absent;
 * *code 0 when the code is missing or not a number), or 0 when iq is not an error answer. */
int wb_wa_iq_error_of(const wb_node *iq, int *code, const char **text);

/* ---- the table of pending requests --------------------------------------------------------- */

/* How a request ended: status 0 with the answer of type result; WB_EREFUSED with the answer of
 * type error (read it with wb_wa_iq_error_of); WB_ETIMEOUT or WB_ECLOSED with answer NULL. The
 * answer lives only during the call. The request has left the table before fn runs, so fn may
 * add requests, forget others, or close the table. */
typedef void (*wb_wa_iq_fn)(void *ud, int status, const wb_node *answer);

typedef struct wb_wa_iq_pending {
    char id[WB_WA_IQ_ID_MAX];
    uint64_t deadline; /* ms on the owner's clock; WB_WA_NO_DEADLINE for none */
    wb_wa_iq_fn fn;
    void *ud;
} wb_wa_iq_pending;

/* Caller-owned; initialise with wb_wa_iqs_init, release with wb_wa_iqs_close (which completes
 * what is left) and then wb_wa_iqs_free. */
typedef struct wb_wa_iqs {
    wb_wa_iq_pending *v;
    size_t n, cap;
    char prefix[16]; /* ids are prefix + a counter, like Baileys' and whatsmeow's */
    uint64_t seq;
} wb_wa_iqs;

void wb_wa_iqs_init(wb_wa_iqs *t);
/* Frees the table's memory. Requests still pending are dropped without a completion: call
 * wb_wa_iqs_close first when their owners must hear of it. */
void wb_wa_iqs_free(wb_wa_iqs *t);

/* Registers a request: writes a fresh id into id (put it on the stanza), remembers fn and ud
 * until the answer, the deadline (WB_WA_NO_DEADLINE: none) or the close. Returns 0, or WB_ENOMEM
 * (fn will never be called). */
int wb_wa_iqs_add(wb_wa_iqs *t, uint64_t deadline, wb_wa_iq_fn fn, void *ud,
                  char id[WB_WA_IQ_ID_MAX]);
/* Drops the request id without completing it (its stanza could not be sent: the caller reports
 * that itself). Returns 0 or WB_ENOTFOUND. */
int wb_wa_iqs_forget(wb_wa_iqs *t, const char *id);
/* Completes the request an incoming <iq type="result|error" id> answers. Returns 1 when one was
 * completed, 0 when the id is unknown (a late or foreign answer: ignore it), WB_EPROTO when iq is
 * not an answer (no id, another type). */
int wb_wa_iqs_answer(wb_wa_iqs *t, const wb_node *iq);
/* Completes with WB_ETIMEOUT every request whose deadline is <= now. Returns how many. */
size_t wb_wa_iqs_expire(wb_wa_iqs *t, uint64_t now);
/* Completes every request with WB_ECLOSED, including ones added by those completions. */
void wb_wa_iqs_close(wb_wa_iqs *t);
/* The earliest deadline, or WB_WA_NO_DEADLINE. */
uint64_t wb_wa_iqs_deadline(const wb_wa_iqs *t);
/* How many requests are pending. */
size_t wb_wa_iqs_count(const wb_wa_iqs *t);

#endif
