/* The socket's bytes (client_int.h): the Noise initiator (net/noise_conn.h) with our login or
 * registration payload, the certificate chain checked against the trusted root, each frame
 * decoded into a node and handed to its handler by tag, and nodes encoded and sealed on the
 * way out. A frame that does not decode, or a handler that refuses its stanza, ends the
 * connection (500); a stanza we do not know is logged and skipped. */
#include <string.h>

#include "binary/codec.h"
#include "binary/print.h"
#include "client/client_int.h"
#include "core/log.h"
#include "net/cert.h"

static int on_send(void *ud, const uint8_t *data, size_t len) {
    wb_client *c = ud;
    return c->io.send(c->ud, data, len) < 0 ? WB_ECLOSED : 0;
}

static int on_handshake(void *ud, const uint8_t peer_static[32], const uint8_t *payload,
                        size_t len) {
    wb_client *c = ud;
    c->state = c->dev.state == WB_DEVICE_LINKED ? WB_ST_LOGGING_IN : WB_ST_REGISTERING;
    WB_DEBUG("client", "handshake done; %s", c->state == WB_ST_LOGGING_IN ? "logging in"
                                                                          : "registering");
    return 0;
}

/* ---- the dispatch table ------------------------------------------------------------------- */

static int on_iq(wb_client *c, wb_node *iq) {
    const char *type = wb_node_attr(iq, "type");
    if (type && (strcmp(type, "result") == 0 || strcmp(type, "error") == 0)) {
        if (wb_wa_iqs_answer(&c->iqs, iq) == 0)
            WB_DEBUG("client", "an answer to no request of ours (id %s)",
                     wb_node_attr(iq, "id") ? wb_node_attr(iq, "id") : "?");
        return 0;
    }
    return wb_client_on_iq_request(c, iq);
}

static int ignore(wb_client *c, wb_node *n) {
    WB_DEBUG("client", "<%s> ignored", n->tag);
    return 0;
}

static const struct {
    const char *tag;
    int (*fn)(wb_client *c, wb_node *n);
} handlers[] = {
    {"iq", on_iq},
    {"receipt", wb_client_on_receipt},
    {"ack", wb_client_on_ack},
    {"notification", wb_client_on_notification},
    {"success", wb_client_on_success},
    {"failure", wb_client_on_failure},
    {"stream:error", wb_client_on_stream_error},
    {"ib", wb_client_on_ib},
    {"presence", wb_client_on_presence},
    {"chatstate", wb_client_on_chatstate},
    {"call", ignore},
};

static int on_frame(void *ud, const uint8_t *payload, size_t len) {
    wb_client *c = ud;
    if (c->state == WB_ST_CLOSING)
        return 0; /* the rest of what arrived with the stanza that ended the session */
    c->last_rx = c->now;
    wb_arena_reset(&c->arena);
    wb_node *n;
    wb_error e = {0};
    int rc = wb_node_decode_payload(&c->arena, payload, len, &n, &e);
    if (rc < 0) {
        wb_client_close(c, WB_REASON_BAD_SESSION, "undecodable stanza (%s at byte %zu)", e.what,
                        e.offset);
        return 0;
    }
    if (wb_log_get_level() <= WB_LOG_DEBUG) {
        wb_buf b = WB_BUF_INIT;
        WB_DEBUG("client", "<- %s", wb_node_str(n, &b));
        wb_buf_free(&b);
    }
    if (strcmp(n->tag, "message") == 0) { /* held for the end of the turn (inbox.c) */
        if ((rc = wb_client_inbox_put(c, payload, len)) < 0)
            wb_client_close(c, WB_REASON_BAD_SESSION, "cannot hold <message>: %s", wb_strerror(rc));
        return 0;
    }
    if ((rc = wb_client_inbox_take(c)) < 0 || c->state == WB_ST_CLOSING)
        return 0; /* the held messages first: stanzas are handled in the order they came */
    for (size_t i = 0; i < sizeof handlers / sizeof *handlers; i++)
        if (strcmp(handlers[i].tag, n->tag) == 0) {
            if ((rc = handlers[i].fn(c, n)) < 0)
                wb_client_close(c, WB_REASON_BAD_SESSION, "cannot handle <%s>: %s", n->tag,
                                wb_strerror(rc));
            return 0;
        }
    WB_DEBUG("client", "unknown stanza <%s> skipped", n->tag);
    return 0;
}

/* ---- the connection --------------------------------------------------------------------------- */

int wb_client_conn_start(wb_client *c) {
    wb_buf payload = WB_BUF_INIT;
    int rc = wb_client_payload(c, &payload);
    if (rc < 0)
        return rc;
    wb_noise_initiator_cfg cfg = {.static_key = &c->noise_key, .payload = payload.data,
                                  .payload_len = payload.len, .root_pub = c->cfg.root_pub,
                                  .now = c->now / 1000};
    wb_noise_conn_callbacks cb = {.send = on_send, .on_handshake = on_handshake,
                                  .on_frame = on_frame};
    wb_client_conn_reset(c);
    wb_wa_iqs_init(&c->iqs);
    rc = wb_noise_conn_new_initiator(&c->noise, &cfg, NULL, 0, &cb, c);
    wb_buf_free_secret(&payload);
    if (rc == 0)
        rc = wb_noise_conn_start(c->noise);
    return rc;
}

void wb_client_conn_reset(wb_client *c) {
    wb_wa_iqs_close(&c->iqs); /* each waiting request hears WB_ECLOSED */
    wb_wa_iqs_free(&c->iqs);
    wb_noise_conn_free(c->noise);
    c->noise = NULL;
    c->read_receipts = 0; /* privacy settings are fetched once per connection, as Baileys */
    c->presence_set = 0;  /* a new socket starts as configured (markOnlineOnConnect) */
}

/* Called from client.c through wb_client_feed. */
void wb_client_feed(wb_client *c, const uint8_t *data, size_t len, uint64_t now) {
    c->now = now;
    if (!c->evq.delivering)
        wb_arena_reset(&c->arena);
    if (c->noise && c->state >= WB_ST_HANDSHAKE && c->state != WB_ST_CLOSING) {
        wb_error e = {0};
        int rc = wb_noise_conn_feed(c->noise, data, len, &e);
        if (rc < 0 && c->state != WB_ST_CLOSING) {
            int cert = rc == WB_ECERT;
            wb_client_close(c, WB_REASON_BAD_SESSION, "%s%s%s", cert
                                ? "the server's certificate chain is not signed by the trusted "
                                  "root" : wb_strerror(rc),
                            e.what[0] ? ": " : "", e.what);
            if (cert) /* not something a retry fixes: a wrong --trust-root, or not WhatsApp */
                c->stopped = 1;
        }
    }
    wb_client_flush_events(c);
}

int wb_client_send_node(wb_client *c, const wb_node *n) {
    if (!c->noise || !wb_noise_conn_ready(c->noise) || c->state == WB_ST_CLOSING)
        return WB_ECLOSED;
    wb_buf_reset(&c->out);
    int rc = wb_node_encode_payload(n, &c->out);
    if (rc < 0) {
        WB_ERROR("client", "cannot encode <%s>: %s", n ? n->tag : "?", wb_strerror(rc));
        return rc;
    }
    if (wb_log_get_level() <= WB_LOG_DEBUG) {
        wb_buf b = WB_BUF_INIT;
        WB_DEBUG("client", "-> %s", wb_node_str(n, &b));
        wb_buf_free(&b);
    }
    if ((rc = wb_noise_conn_send(c->noise, c->out.data, c->out.len)) < 0)
        wb_client_close(c, WB_REASON_CONNECTION_CLOSED, "cannot send: %s", wb_strerror(rc));
    return rc;
}

wb_node *wb_client_iq(wb_client *c, const char *type, const char *xmlns) {
    return wb_node_set(wb_wa_iq_new(&c->arena, type, xmlns), "to", "@" WB_SERVER_USER);
}

int wb_client_send_iq(wb_client *c, wb_node *iq, wb_wa_iq_fn fn, void *ud) {
    char id[WB_WA_IQ_ID_MAX];
    if (!c->noise || c->state == WB_ST_CLOSING)
        return WB_ECLOSED;
    int rc = wb_wa_iqs_add(&c->iqs, c->now + c->cfg.iq_timeout_ms, fn, ud, id);
    if (rc < 0)
        return rc;
    wb_node_set(iq, "id", id);
    if ((rc = wb_client_send_node(c, iq)) < 0)
        wb_wa_iqs_forget(&c->iqs, id);
    return rc;
}
