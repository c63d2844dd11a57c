/* One client connection of the simulator (sim.h, sim_int.h): bytes -> frames -> Noise responder
 * -> handshake.c once -> decoded stanzas -> dispatch.c; and the reverse for everything sent.
 * Any error from a client closes only that client's socket, with the reason logged. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binary/codec.h"
#include "core/log.h"
#include "sim/sim_int.h"

/* ---- the Noise connection's callbacks -------------------------------------------------------- */

static int on_send(void *ud, const uint8_t *data, size_t len) {
    wb_sim_conn *c = ud;
    return c->sim->io.send(c->io_ud, data, len) < 0 ? WB_ECLOSED : 0;
}

static int on_handshake(void *ud, const uint8_t peer_static[32], const uint8_t *payload,
                        size_t len) {
    wb_sim_conn *c = ud;
    memcpy(c->peer_static, peer_static, WB_KEY_LEN);
    wb_sim_count(c->sim, "handshakes.total", 1);
    return wb_sim_handshake(c, payload, len);
}

static int on_frame(void *ud, const uint8_t *payload, size_t len) {
    wb_sim_conn *c = ud;
    if (c->state == WB_SIM_CLOSING)
        return 0; /* the rest of a batch that arrived with the stanza that ended the session */
    wb_arena_reset(&c->arena);
    wb_node *n;
    wb_error e = {0};
    int rc = wb_node_decode_payload(&c->arena, payload, len, &n, &e);
    if (rc < 0)
        return wb_sim_conn_fail(c, rc, "undecodable stanza (%s at byte %zu)", e.what, e.offset);
    wb_sim_log_stanza(c, WB_SIM_IN, n);
    wb_sim_countf(c->sim, 1, "stanzas.in.%s", n->tag);
    rc = wb_sim_dispatch(c, n);
    return rc < 0 ? rc : 0;
}

/* ---- life ------------------------------------------------------------------------------------ */

int wb_sim_conn_new(wb_sim *sim, void *io_ud, const char *peer, wb_sim_conn **out) {
    wb_sim_conn *c = calloc(1, sizeof *c);
    if (!c)
        return WB_ENOMEM;
    c->sim = sim;
    c->io_ud = io_ud;
    c->serial = ++sim->conn_serial;
    snprintf(c->peer, sizeof c->peer, "%s", peer ? peer : "");
    snprintf(c->label, sizeof c->label, "conn#%llu", (unsigned long long)c->serial);
    wb_arena_init(&c->arena, 0);
    wb_wa_iqs_init(&c->iqs);
    wb_noise_responder_cfg cfg = {.static_key = &sim->static_key,
                                  .cert_chain = sim->cert_chain.data,
                                  .cert_chain_len = sim->cert_chain.len};
    wb_noise_conn_callbacks cb = {.send = on_send, .on_handshake = on_handshake,
                                  .on_frame = on_frame};
    int rc = wb_noise_conn_new_responder(&c->noise, &cfg, &cb, c);
    if (rc < 0) {
        wb_arena_free(&c->arena);
        wb_wa_iqs_free(&c->iqs);
        free(c);
        return rc;
    }
    c->next = sim->conns;
    if (sim->conns)
        sim->conns->prev = c;
    sim->conns = c;
    wb_sim_count(sim, "connections.total", 1);
    wb_sim_count(sim, "connections.open", 1);
    wb_sim_log_event(c, "connected from %s", c->peer);
    *out = c;
    return 0;
}

int wb_sim_conn_feed(wb_sim_conn *c, const uint8_t *data, size_t len) {
    if (c->state == WB_SIM_CLOSING)
        return WB_ECLOSED;
    wb_error e = {0};
    int rc = wb_noise_conn_feed(c->noise, data, len, &e);
    if (rc < 0 && c->state != WB_SIM_CLOSING) {
        if (!c->why[0])
            snprintf(c->why, sizeof c->why, "%s%s%s", wb_strerror(rc), e.what[0] ? ": " : "",
                     e.what);
        wb_sim_count(c->sim, "connections.errors", 1); /* closed for bad input */
        wb_sim_conn_close(c, "%s", c->why);
    }
    return rc < 0 ? rc : (c->state == WB_SIM_CLOSING ? WB_ECLOSED : 0);
}

/* What a connection's end means for the model, whoever ended it: the device goes offline. The
 * registration and the pending IQs stay until wb_sim_conn_free, so a handler that caused the
 * close (a failed send) can still use them. */
static void detach(wb_sim_conn *c) {
    wb_sim_device *d = c->device;
    if (d && d->conn == c) {
        d->conn = NULL;
        wb_sim_presence_device_gone(c->sim, d);
    }
    c->device = NULL;
    c->active = 0;
}

void wb_sim_conn_close(wb_sim_conn *c, const char *fmt, ...) {
    if (c->state == WB_SIM_CLOSING)
        return;
    char why[sizeof c->why];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    memcpy(c->why, why, sizeof why);
    c->state = WB_SIM_CLOSING;
    wb_sim_log_event(c, "closing: %s", c->why);
    WB_INFO("sim", "%s (%s): closing: %s", c->label, c->peer, c->why);
    detach(c);
    c->sim->io.close(c->io_ud, c->why);
}

void wb_sim_conn_free(wb_sim_conn *c) {
    if (!c)
        return;
    wb_sim *sim = c->sim;
    if (c->state != WB_SIM_CLOSING) {
        snprintf(c->why, sizeof c->why, "the client closed the socket");
        c->state = WB_SIM_CLOSING;
        wb_sim_log_event(c, "closed by the client");
        detach(c);
    }
    wb_wa_iqs_close(&c->iqs); /* each pending IQ hears WB_ECLOSED */
    wb_wa_iqs_free(&c->iqs);
    wb_sim_reg_free(c, c->why);
    if (c->prev)
        c->prev->next = c->next;
    else
        sim->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    wb_sim_count(sim, "connections.open", -1);
    wb_noise_conn_free(c->noise);
    wb_arena_free(&c->arena);
    wb_buf_free(&c->out);
    free(c->subs);
    free(c);
}

void *wb_sim_conn_io(const wb_sim_conn *c) { return c->io_ud; }

int wb_sim_conn_fail(wb_sim_conn *c, int code, const char *fmt, ...) {
    if (!c->why[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->why, sizeof c->why, fmt, ap);
        va_end(ap);
    }
    return code < 0 ? code : WB_EPROTO;
}

void wb_sim_conn_attach(wb_sim_conn *c, wb_sim_device *d) {
    if (d->conn && d->conn != c)
        wb_sim_conn_stream_error(d->conn, 0, "conflict", "replaced", "replaced by a new login");
    d->conn = c;
    c->device = d;
    c->state = WB_SIM_LOGGED_IN;
    wb_sim_device_jid(d, c->label);
}

/* ---- sending -------------------------------------------------------------------------------- */

/* Seals one encoded stanza for the socket, after logging (n, or the payload decoded again when
 * only bytes are at hand and a log is open) and counting it. */
static int send_encoded(wb_sim_conn *c, const char *tag, const wb_node *n, const uint8_t *payload,
                        size_t len) {
    if (!n && c->sim->stanza_log) {
        wb_node *decoded;
        if (wb_node_decode_payload(&c->arena, payload, len, &decoded, NULL) == 0)
            n = decoded;
    }
    if (n)
        wb_sim_log_stanza(c, WB_SIM_OUT, n);
    wb_sim_countf(c->sim, 1, "stanzas.out.%s", tag);
    int rc = wb_noise_conn_send(c->noise, payload, len);
    if (rc < 0)
        wb_sim_conn_close(c, "cannot send: %s", wb_strerror(rc));
    return rc;
}

int wb_sim_conn_send(wb_sim_conn *c, const wb_node *n) {
    if (c->state == WB_SIM_CLOSING || !wb_noise_conn_ready(c->noise))
        return WB_ECLOSED;
    wb_buf_reset(&c->out);
    int rc = wb_node_encode_payload(n, &c->out);
    if (rc < 0) {
        WB_ERROR("sim", "%s: cannot encode <%s>: %s", c->label, n ? n->tag : "?", wb_strerror(rc));
        return rc;
    }
    return send_encoded(c, n->tag, n, c->out.data, c->out.len);
}

int wb_sim_conn_send_payload(wb_sim_conn *c, const char *tag, const uint8_t *payload,
                             size_t len) {
    if (c->state == WB_SIM_CLOSING || !wb_noise_conn_ready(c->noise))
        return WB_ECLOSED;
    return send_encoded(c, tag, NULL, payload, len);
}

void wb_sim_conn_stream_error(wb_sim_conn *c, int code, const char *child, const char *ctype,
                              const char *why) {
    if (c->state == WB_SIM_CLOSING)
        return;
    wb_node *n = wb_node_new(&c->arena, "stream:error");
    if (code)
        wb_node_set_i64(n, "code", code);
    if (child)
        WB_CHILD(n, child, {"type", ctype});
    wb_sim_conn_send(c, n);
    wb_sim_conn_close(c, "%s", why);
}

int wb_sim_conn_send_iq(wb_sim_conn *c, wb_node *iq, wb_wa_iq_fn fn, void *ud) {
    char id[WB_WA_IQ_ID_MAX];
    if (c->state == WB_SIM_CLOSING)
        return WB_ECLOSED;
    int rc = wb_wa_iqs_add(&c->iqs, WB_WA_NO_DEADLINE, fn, ud, id);
    if (rc < 0)
        return rc;
    wb_node_set(iq, "id", id);
    if ((rc = wb_sim_conn_send(c, iq)) < 0)
        wb_wa_iqs_forget(&c->iqs, id);
    return rc;
}
