/* One Noise connection (noise_conn.h): frames in through a wb_frame_reader, each frame either a
 * handshake message for wb_noise_hs or, after the split, a transport frame for wb_noise_open;
 * replies and sealed frames out through the send callback. Used by the client and the
 * simulator, one per socket. */
#include "net/noise_conn.h"

#include <stdlib.h>

#include "net/frame.h"

struct wb_noise_conn {
    wb_noise_conn_callbacks cb;
    void *user_data;
    int initiator, started, err;
    wb_frame_reader reader;
    wb_frame_writer writer;
    wb_noise_hs *hs;    /* until the handshake completes */
    wb_noise *t;        /* afterwards */
    wb_buf out;         /* an outgoing frame */
    wb_buf in;          /* a decrypted incoming frame */
    wb_error *detail;   /* during wb_noise_conn_feed: where handshake errors are explained */
};

/* Frames payload and hands it to the send callback. */
static int send_frame(wb_noise_conn *c, const uint8_t *payload, size_t len) {
    wb_buf_reset(&c->out);
    int rc = wb_frame_write(&c->writer, &c->out, payload, len);
    return rc < 0 ? rc : c->cb.send(c->user_data, c->out.data, c->out.len);
}

/* A handshake message arrived: answer it, and on completion switch to the transport. */
static int on_handshake_frame(wb_noise_conn *c, const uint8_t *msg, size_t len) {
    wb_buf reply = WB_BUF_INIT;
    int rc = wb_noise_hs_read(c->hs, msg, len, &reply, c->detail);
    int done = rc == 1;
    if (rc >= 0 && reply.len)
        rc = send_frame(c, reply.data, reply.len);
    wb_buf_free(&reply);
    if (rc < 0 || !done)
        return rc < 0 ? rc : 0;
    if ((rc = wb_noise_hs_split(c->hs, &c->t)) < 0)
        return rc;
    if (c->cb.on_handshake) {
        size_t plen = 0;
        const uint8_t *payload = wb_noise_hs_payload(c->hs, &plen);
        rc = c->cb.on_handshake(c->user_data, wb_noise_hs_peer_static(c->hs), payload, plen);
    }
    wb_noise_hs_free(c->hs); /* the handshake's secrets are not needed any more */
    c->hs = NULL;
    return rc < 0 ? rc : 0;
}

static int on_frame(void *ud, const uint8_t *payload, size_t len) {
    wb_noise_conn *c = ud;
    if (!c->t)
        return on_handshake_frame(c, payload, len);
    if (len && wb_buf_reserve(&c->in, len) < 0)
        return WB_ENOMEM;
    int rc = wb_noise_open(c->t, payload, len, c->in.data);
    if (rc < 0)
        return rc;
    rc = c->cb.on_frame(c->user_data, c->in.data, len - WB_NOISE_TAG_LEN);
    return rc < 0 ? rc : 0;
}

static int on_intro(void *ud, const uint8_t *routing, size_t len) {
    wb_noise_conn *c = ud;
    return c->cb.on_intro ? c->cb.on_intro(c->user_data, routing, len) : 0;
}

static int conn_new(wb_noise_conn **out, int initiator, const wb_noise_conn_callbacks *cb,
                    void *user_data, const uint8_t *routing, size_t routing_len) {
    if (!cb || !cb->send || !cb->on_frame)
        return WB_EINVAL;
    wb_noise_conn *c = calloc(1, sizeof *c);
    if (!c)
        return WB_ENOMEM;
    c->cb = *cb;
    c->user_data = user_data;
    c->initiator = initiator;
    wb_buf_set_secret(&c->out); /* plaintext frames: they grow with the biggest one */
    wb_buf_set_secret(&c->in);
    int side = initiator ? WB_FRAME_CLIENT : WB_FRAME_SERVER;
    wb_frame_reader_init(&c->reader, side, &(wb_frame_callbacks){on_frame, on_intro}, c);
    int rc = wb_frame_writer_init(&c->writer, side, routing, routing_len);
    if (rc < 0) {
        free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int wb_noise_conn_new_initiator(wb_noise_conn **out, const wb_noise_initiator_cfg *cfg,
                                const uint8_t *routing, size_t routing_len,
                                const wb_noise_conn_callbacks *cb, void *user_data) {
    wb_noise_conn *c;
    int rc = conn_new(&c, 1, cb, user_data, routing, routing_len);
    if (rc < 0)
        return rc;
    if ((rc = wb_noise_hs_new_initiator(&c->hs, cfg)) < 0) {
        wb_noise_conn_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int wb_noise_conn_new_responder(wb_noise_conn **out, const wb_noise_responder_cfg *cfg,
                                const wb_noise_conn_callbacks *cb, void *user_data) {
    wb_noise_conn *c;
    int rc = conn_new(&c, 0, cb, user_data, NULL, 0);
    if (rc < 0)
        return rc;
    if ((rc = wb_noise_hs_new_responder(&c->hs, cfg)) < 0) {
        wb_noise_conn_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void wb_noise_conn_free(wb_noise_conn *c) {
    if (!c)
        return;
    wb_frame_reader_free(&c->reader);
    wb_frame_writer_free(&c->writer);
    wb_noise_hs_free(c->hs);
    wb_noise_free(c->t);
    wb_buf_free_secret(&c->out);
    wb_buf_free_secret(&c->in);
    free(c);
}

int wb_noise_conn_start(wb_noise_conn *c) {
    if (c->err)
        return c->err;
    if (!c->initiator || c->started)
        return WB_ESTATE;
    wb_buf hello = WB_BUF_INIT;
    int rc = wb_noise_hs_start(c->hs, &hello);
    if (rc == 0)
        rc = send_frame(c, hello.data, hello.len);
    wb_buf_free(&hello);
    c->started = 1;
    return rc < 0 ? (c->err = rc) : 0;
}

int wb_noise_conn_feed(wb_noise_conn *c, const uint8_t *data, size_t len, wb_error *err) {
    if (c->err)
        return c->err;
    if (c->initiator && !c->started)
        return WB_ESTATE;
    c->detail = err;
    int rc = wb_frame_feed(&c->reader, data, len);
    c->detail = NULL;
    return rc < 0 ? (c->err = rc) : 0;
}

int wb_noise_conn_send(wb_noise_conn *c, const uint8_t *payload, size_t len) {
    if (c->err || !c->t)
        return WB_ESTATE;
    wb_buf_reset(&c->out);
    int rc = wb_noise_seal_frame(c->t, payload, len, &c->out);
    if (rc == WB_ETOOBIG)
        return rc; /* the caller's mistake; the connection is still good */
    if (rc == 0)
        rc = c->cb.send(c->user_data, c->out.data, c->out.len);
    return rc < 0 ? (c->err = rc) : 0;
}

int wb_noise_conn_ready(const wb_noise_conn *c) { return c->t && !c->err; }

const wb_noise *wb_noise_conn_transport(const wb_noise_conn *c) { return c->t; }

size_t wb_noise_conn_buffered(const wb_noise_conn *c) {
    return c->reader.body.cap + c->in.cap + c->out.cap;
}
