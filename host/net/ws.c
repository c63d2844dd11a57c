/* The websocket handle over a libuv connection (see ws.h and ws_link.h): a wb_ws_session fed by
 * the connection, its output written back, the closing handshake with a deadline, and the
 * final on_close with a status, code and sentence. Used by both the server and the client. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "net/ws_link.h"

struct wb_ws_impl {
    wb_ws *ws;
    wb_conn *conn;
    wb_ws_session *sess; /* NULL until open */
    const wb_ws_callbacks *cb;
    wb_ws_role role;
    size_t max_message;
    int peer_code; /* the code of the peer's close frame, 0 when none came */
    char peer_reason[128];
};

static void sess_output(void *ud, const uint8_t *data, size_t len) {
    struct wb_ws_impl *w = ud;
    wb_conn_write(w->conn, data, len); /* a failure closes the connection; callers look at it */
}

static void sess_message(void *ud, const uint8_t *data, size_t len) {
    struct wb_ws_impl *w = ud;
    if (w->cb->on_message && wb_conn_writable(w->conn))
        w->cb->on_message(w->ws, data, len);
}

static void sess_close(void *ud, int code, const uint8_t *reason, size_t len) {
    struct wb_ws_impl *w = ud;
    w->peer_code = code;
    size_t n = len < sizeof w->peer_reason - 1 ? len : sizeof w->peer_reason - 1;
    for (size_t i = 0; i < n; i++) /* for a log line: keep it printable */
        w->peer_reason[i] = reason[i] >= 0x20 && reason[i] < 0x7f ? (char)reason[i] : '?';
    w->peer_reason[n] = 0;
}

static const wb_ws_session_callbacks sess_cbs = {sess_message, sess_output, sess_close};

int wb_ws_link_new(wb_ws *ws, wb_conn *conn, wb_ws_role role, size_t max_message,
                   const wb_ws_callbacks *cb) {
    struct wb_ws_impl *w = calloc(1, sizeof *w);
    if (!w)
        return WB_ENOMEM;
    w->ws = ws;
    w->conn = conn;
    w->cb = cb;
    w->role = role;
    w->max_message = max_message;
    ws->impl_ = w;
    return 0;
}

int wb_ws_link_open(wb_ws *ws) {
    struct wb_ws_impl *w = ws->impl_;
    return wb_ws_session_new(&w->sess, w->role, w->max_message, &sess_cbs, w);
}

void wb_ws_link_opened(wb_ws *ws) {
    struct wb_ws_impl *w = ws->impl_;
    if (w && w->cb->on_open && wb_conn_writable(w->conn))
        w->cb->on_open(ws);
}

void wb_ws_link_drop(wb_ws *ws) {
    struct wb_ws_impl *w = ws->impl_;
    if (w)
        wb_ws_session_free(w->sess);
    free(w);
    ws->impl_ = NULL;
}

/* After input or a close of ours: end the connection once the closing handshake is complete. */
static void check_finished(struct wb_ws_impl *w) {
    if (!wb_ws_session_finished(w->sess))
        return;
    if (w->peer_code)
        wb_conn_close_after_flush(w->conn, 0, 0, "closed with code %d%s%s%s", w->peer_code,
                                  w->peer_reason[0] ? " \"" : "", w->peer_reason,
                                  w->peer_reason[0] ? "\"" : "");
}

void wb_ws_link_data(wb_ws *ws, const uint8_t *data, size_t len) {
    struct wb_ws_impl *w = ws->impl_;
    if (!w || !w->sess || !wb_conn_writable(w->conn))
        return;
    int rc = wb_ws_session_feed(w->sess, data, len);
    if (rc == 0) {
        check_finished(w);
    } else if (rc == WB_ECLOSED) {
        /* bytes after the peer's close frame: ignored */
    } else {
        int code = wb_ws_session_code_sent(w->sess);
        WB_INFO("ws", "%s: closing: %s (sent close code %d)", w->conn->peer,
                rc == WB_ETOOBIG ? "message over the size limit" : "websocket protocol error", code);
        wb_conn_close_after_flush(w->conn, rc, 0, "%s; closed with code %d",
                                  rc == WB_ETOOBIG ? "peer sent a message over the size limit"
                                                   : "peer broke the websocket protocol",
                                  code);
    }
}

size_t wb_ws_link_buffered(const wb_ws *ws) {
    const struct wb_ws_impl *w = ws->impl_;
    return w && w->sess ? wb_ws_session_buffered(w->sess) : 0;
}

int wb_ws_link_closing(const wb_ws *ws) {
    const struct wb_ws_impl *w = ws->impl_;
    return !w || !w->sess || wb_ws_session_close_sent(w->sess);
}

void wb_ws_link_eof(wb_ws *ws) {
    struct wb_ws_impl *w = ws->impl_;
    if (w && w->sess && wb_ws_session_finished(w->sess))
        wb_conn_close(w->conn, 0, "closed with code %d", w->peer_code);
    else
        wb_conn_close(w->conn, WB_ECLOSED, "peer closed the connection without a close frame");
}

void wb_ws_link_finish(wb_ws *ws, int conn_status, const char *conn_reason) {
    struct wb_ws_impl *w = ws->impl_;
    int code = WB_WS_CLOSE_ABNORMAL, status = conn_status;
    if (w && w->sess) {
        if (w->peer_code)
            code = w->peer_code;
        else if ((status == WB_EPROTO || status == WB_ETOOBIG) && wb_ws_session_close_sent(w->sess))
            code = wb_ws_session_code_sent(w->sess);
        wb_ws_session_free(w->sess);
    }
    const wb_ws_callbacks *cb = w ? w->cb : NULL;
    if (w)
        snprintf(ws->peer_, sizeof ws->peer_, "%s", w->conn->peer);
    free(w);
    ws->impl_ = NULL;
    if (cb && cb->on_close)
        cb->on_close(ws, status, code, conn_reason && conn_reason[0] ? conn_reason : "closed");
}

int wb_ws_send(wb_ws *ws, const void *data, size_t len) {
    struct wb_ws_impl *w = ws->impl_;
    if (!w || !w->sess || !wb_conn_writable(w->conn))
        return WB_ECLOSED;
    int rc = wb_ws_session_send(w->sess, data, len);
    if (rc == 0 && !wb_conn_writable(w->conn))
        return w->conn->status == WB_ETOOBIG ? WB_ETOOBIG : WB_ECLOSED;
    return rc;
}

int wb_ws_ping(wb_ws *ws, const void *data, size_t len) {
    struct wb_ws_impl *w = ws->impl_;
    if (len > 125)
        return WB_EINVAL;
    if (!w || !w->sess || !wb_conn_writable(w->conn))
        return WB_ECLOSED;
    int rc = wb_ws_session_ping(w->sess, data, len);
    if (rc == 0 && !wb_conn_writable(w->conn))
        return w->conn->status == WB_ETOOBIG ? WB_ETOOBIG : WB_ECLOSED;
    return rc;
}

int wb_ws_close(wb_ws *ws, int code, const char *reason) {
    struct wb_ws_impl *w = ws->impl_;
    if (!w || w->conn->state >= WB_CONN_DRAINING)
        return WB_ECLOSED;
    if (!w->sess) { /* still opening: nothing to say to the peer */
        wb_conn_close(w->conn, WB_ECLOSED, "closed by the application before the websocket opened");
        return 0;
    }
    int rc = wb_ws_session_close(w->sess, code, reason);
    if (rc < 0)
        return rc;
    char why[120];
    snprintf(why, sizeof why, "peer did not answer our close frame (code %d) in time", code);
    wb_conn_set_timeout(w->conn, WB_WS_CLOSE_TIMEOUT_MS, why);
    check_finished(w);
    return 0;
}

int wb_ws_abort(wb_ws *ws, const char *reason) {
    struct wb_ws_impl *w = ws->impl_;
    if (!w || w->conn->state >= WB_CONN_CLOSING)
        return WB_ECLOSED;
    wb_conn_close(w->conn, WB_ECLOSED, "%s", reason ? reason : "aborted by the application");
    return 0;
}

size_t wb_ws_buffered(const wb_ws *ws) {
    return ws->impl_ ? ws->impl_->conn->queued : 0;
}

const char *wb_ws_peer(const wb_ws *ws) {
    return ws->impl_ ? ws->impl_->conn->peer : ws->peer_;
}
