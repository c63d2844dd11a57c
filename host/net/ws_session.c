/* The websocket session over libwslay's event API (see ws_session.h).
 *
 * wslay pulls input through recv_callback and pushes output through send_callback; here the
 * first reads from the bytes handed to wb_ws_session_feed and the second appends to a buffer
 * that is handed to on_output once per call, so a 1 MiB message leaves as one piece and not as
 * wslay's 4 KiB slices.
 *
 * One wslay gap is closed by hand: a malformed frame header (a control frame over 125 bytes or
 * fragmented, a non-minimal length, a 64-bit length with the top bit set) makes wslay queue a
 * close frame *without* a status code. RFC 6455 7.4.1 wants 1002 there, and peers log the code,
 * so such a failure drops wslay's queued frame and writes a 1002 close frame itself. The same
 * is done for a close frame with a 1-byte payload, which wslay takes as "no code".
 *
 * Data messages are assembled here, not by wslay (whose buffering mode allocates each frame's
 * announced length up front and keeps one heap chunk per fragment, so ten header bytes would cost
 * 16 MiB and a message in 1-byte fragments millions of allocations): wslay runs with
 * no_buffering, the frame callbacks append binary payload to one growing buffer, and the total
 * is checked against max_message as each frame starts (1009 when over). Control frames are still
 * buffered by wslay; they are at most 125 bytes.
 *
 * A second gap: wslay checks the UTF-8 of a close frame's reason piece by piece as the payload
 * arrives, skipping the first two bytes of every piece (meant for the status code), so the same
 * frame passes or fails (1007) depending on how TCP cut it (fuzz_net_client found it). The bytes
 * are therefore handed to wslay frame by frame (recv_cb): a control frame always whole, in one
 * piece (kept here until all of its at most 6 + 125 bytes came), a data frame as it comes but
 * never past its end. */
#include "net/ws_session.h"

#include <stdlib.h>
#include <string.h>
#include <wslay/wslay.h>

#include "core/buf.h"
#include "core/log.h"
#include "crypto/random.h"

struct wb_ws_session {
    wslay_event_context_ptr ctx;
    wb_ws_role role;
    wb_ws_session_callbacks cb;
    void *ud;
    const uint8_t *in; /* the rest of the bytes of the current feed */
    size_t in_len;
    uint8_t held[14 + 125]; /* a control frame waiting for the rest of it (see recv_cb) */
    size_t held_len;
    uint8_t head[14];     /* the current data frame's header, as far as it has come */
    size_t head_len, head_given;
    uint64_t frame_left;  /* payload bytes of the current data frame not yet handed to wslay */
    wb_buf out; /* output collected during one call */
    int failed;      /* 0, or the code wb_ws_session_feed keeps returning */
    int manual_code; /* a close code we wrote ourselves (see the comment at the top) */
    int bad_close;   /* the peer's close frame had a 1-byte payload, which wslay lets pass */
    size_t max_message;
    wb_buf msg;        /* the data message being assembled */
    uint8_t msg_opcode; /* its opcode (binary or text) */
    int frame_ctrl;    /* the frame being received is a control frame */
    int too_big;       /* the message passed max_message: 1009 is queued */
    size_t text_ignored;
    uint8_t mask_pool[1024];
    size_t mask_pos;
};

/* Takes up to n bytes of input into dst (held bytes first). */
static size_t take(wb_ws_session *s, uint8_t *dst, size_t n) {
    size_t k = n < s->held_len ? n : s->held_len;
    memcpy(dst, s->held, k);
    memmove(s->held, s->held + k, s->held_len - k);
    s->held_len -= k;
    size_t m = n - k < s->in_len ? n - k : s->in_len;
    memcpy(dst + k, s->in, m);
    s->in += m;
    s->in_len -= m;
    return k + m;
}

/* The i-th byte of input (held bytes first); the caller checked there are that many. */
static uint8_t peek(const wb_ws_session *s, size_t i) {
    return i < s->held_len ? s->held[i] : s->in[i - s->held_len];
}

/* The length of a frame header from its first two bytes. */
static size_t frame_head_len(const uint8_t b[2]) {
    size_t len7 = b[1] & 0x7f;
    return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((b[1] & 0x80) ? 4 : 0);
}

/* wslay asks for bytes: at a frame's start a control frame whole (held here until all of it
 * came), else the data frame's header and payload as they come, never past its end. */
static ssize_t recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *ud) {
    wb_ws_session *s = ud;
    size_t n = 0, avail = s->held_len + s->in_len;
    if (!s->frame_left && !s->head_len && avail) { /* a frame starts */
        if (avail < 2) {
            memcpy(s->held + s->held_len, s->in, s->in_len);
            s->held_len += s->in_len;
            s->in_len = 0;
            wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
            return -1;
        }
        uint8_t b[2] = {peek(s, 0), peek(s, 1)};
        if ((b[0] & 0x08) && (b[1] & 0x7f) <= 125) { /* a control frame: all of it at once */
            size_t want = frame_head_len(b) + (b[1] & 0x7f);
            if (avail < want) {
                memcpy(s->held + s->held_len, s->in, s->in_len); /* want <= sizeof held */
                s->held_len += s->in_len;
                s->in_len = 0;
                wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
                return -1;
            }
            return (ssize_t)take(s, buf, want < len ? want : len);
        }
    }
    if (!s->frame_left) { /* a data frame's header, as far as it has come */
        if (s->head_len < 2)
            s->head_len += take(s, s->head + s->head_len, 2 - s->head_len);
        size_t hl = s->head_len >= 2 ? frame_head_len(s->head) : 2;
        if (s->head_len >= 2 && s->head_len < hl)
            s->head_len += take(s, s->head + s->head_len, hl - s->head_len);
        /* hand over the header bytes collected in this call */
        size_t fresh = s->head_len - s->head_given;
        memcpy(buf, s->head + s->head_given, fresh < len ? fresh : len); /* len >= 14 */
        n = fresh < len ? fresh : len;
        s->head_given += n;
        if (s->head_len == hl && s->head_len >= 2 && s->head_given == hl) {
            uint64_t payload = s->head[1] & 0x7f;
            size_t ext = payload == 126 ? 2 : payload == 127 ? 8 : 0;
            if (ext)
                payload = 0;
            for (size_t i = 0; i < ext; i++)
                payload = payload << 8 | s->head[2 + i];
            s->frame_left = payload;
            s->head_len = s->head_given = 0;
        }
    }
    if (s->frame_left && n < len) {
        size_t k = take(s, buf + n, s->frame_left < len - n ? (size_t)s->frame_left : len - n);
        s->frame_left -= k;
        n += k;
    }
    if (n == 0) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    return (ssize_t)n;
}

static ssize_t send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags,
                       void *ud) {
    wb_ws_session *s = ud;
    if (wb_buf_append(&s->out, data, len) < 0) {
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
        return -1;
    }
    return (ssize_t)len;
}

/* Masking keys come from a pool refilled 1 KiB at a time: one getrandom per 256 frames instead
 * of one per frame (which cost two thirds of the send path), still from the OS's CSPRNG as RFC
 * 6455 10.3 asks. */
static int genmask_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, void *ud) {
    wb_ws_session *s = ud;
    for (size_t i = 0; i < len; i++) {
        if (s->mask_pos == sizeof s->mask_pool) {
            wb_random_bytes(s->mask_pool, sizeof s->mask_pool);
            s->mask_pos = 0;
        }
        buf[i] = s->mask_pool[s->mask_pos++];
    }
    return 0;
}

static void on_frame_start(wslay_event_context_ptr ctx,
                           const struct wslay_event_on_frame_recv_start_arg *arg, void *ud) {
    wb_ws_session *s = ud;
    s->frame_ctrl = wslay_is_ctrl_frame(arg->opcode);
    if (s->frame_ctrl || s->too_big)
        return;
    if (arg->opcode != WSLAY_CONTINUATION_FRAME) { /* wslay has checked the sequence */
        wb_buf_reset(&s->msg);
        s->msg_opcode = arg->opcode;
    }
    if (arg->payload_length > s->max_message - s->msg.len) {
        s->too_big = 1;
        wslay_event_shutdown_read(ctx);
        wslay_event_queue_close(ctx, WB_WS_CLOSE_TOO_BIG, NULL, 0);
    }
}

static void on_frame_chunk(wslay_event_context_ptr ctx,
                           const struct wslay_event_on_frame_recv_chunk_arg *arg, void *ud) {
    wb_ws_session *s = ud;
    if (s->frame_ctrl || s->too_big || s->msg_opcode != WSLAY_BINARY_FRAME)
        return; /* text is validated by wslay and then dropped: no need to keep it */
    if (wb_buf_append(&s->msg, arg->data, arg->data_length) < 0) {
        s->too_big = 1; /* out of memory: treated as a message we cannot take */
        wslay_event_shutdown_read(ctx);
        wslay_event_queue_close(ctx, WB_WS_CLOSE_TOO_BIG, NULL, 0);
    }
}

static void on_msg_cb(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg,
                      void *ud) {
    wb_ws_session *s = ud;
    switch (arg->opcode) {
    case WSLAY_BINARY_FRAME:
        if (s->too_big)
            break;
        if (s->cb.on_message)
            s->cb.on_message(s->ud, s->msg.data ? s->msg.data : (const uint8_t *)"", s->msg.len);
        if (s->msg.cap > (1u << 20))
            wb_buf_free(&s->msg); /* do not keep a big message's memory for the small ones */
        else
            wb_buf_reset(&s->msg);
        break;
    case WSLAY_TEXT_FRAME:
        s->text_ignored++;
        WB_DEBUG("ws", "ignored a text message");
        break;
    case WSLAY_CONNECTION_CLOSE:
        if (arg->msg_length == 1) {
            s->bad_close = 1; /* RFC 6455 5.5.1: a body, if any, starts with a 2-byte code */
            break;
        }
        if (s->cb.on_close)
            s->cb.on_close(s->ud, arg->status_code ? arg->status_code : WB_WS_CLOSE_NO_STATUS,
                           arg->msg_length > 2 ? arg->msg + 2 : NULL,
                           arg->msg_length > 2 ? arg->msg_length - 2 : 0);
        break;
    default: /* ping (answered by wslay) and pong */
        break;
    }
}

static void flush(wb_ws_session *s) {
    if (s->out.len && s->cb.on_output)
        s->cb.on_output(s->ud, s->out.data, s->out.len);
    wb_buf_reset(&s->out);
}

/* Lets wslay write what it has queued, then hands the bytes over. This also runs inside
 * on_message (wslay's send and receive sides share no state), so that a handler that sends
 * a lot meets the caller's backpressure at once instead of piling messages up in wslay. */
static int pump(wb_ws_session *s) {
    int r = wslay_event_send(s->ctx);
    flush(s);
    return r == 0 ? 0 : WB_ENOMEM; /* send_cb fails only when appending fails */
}

int wb_ws_session_new(wb_ws_session **out, wb_ws_role role, size_t max_message,
                      const wb_ws_session_callbacks *cb, void *ud) {
    static const struct wslay_event_callbacks wcb = {
        recv_cb, send_cb, genmask_cb, on_frame_start, on_frame_chunk, NULL, on_msg_cb,
    };
    wb_ws_session *s = calloc(1, sizeof *s);
    if (!s)
        return WB_ENOMEM;
    s->role = role;
    s->mask_pos = sizeof s->mask_pool; /* empty: filled on first use */
    s->cb = *cb;
    s->ud = ud;
    int r = role == WB_WS_CLIENT ? wslay_event_context_client_init(&s->ctx, &wcb, s)
                                 : wslay_event_context_server_init(&s->ctx, &wcb, s);
    if (r != 0) {
        free(s);
        return WB_ENOMEM;
    }
    s->max_message = max_message ? max_message : WB_WS_DEFAULT_MAX_MESSAGE;
    wslay_event_config_set_no_buffering(s->ctx, 1);
    wslay_event_config_set_max_recv_msg_length(s->ctx, s->max_message); /* per frame, then */
    *out = s;
    return 0;
}

void wb_ws_session_free(wb_ws_session *s) {
    if (!s)
        return;
    wslay_event_context_free(s->ctx);
    wb_buf_free(&s->out);
    wb_buf_free(&s->msg);
    free(s);
}

/* Writes a close frame with code itself, masked when we are the client. */
static void write_close(wb_ws_session *s, int code) {
    uint8_t f[8];
    size_t n = 0;
    uint8_t payload[2] = {(uint8_t)(code >> 8), (uint8_t)code};
    f[n++] = 0x88; /* FIN, opcode close */
    if (s->role == WB_WS_CLIENT) {
        uint8_t mask[4];
        wb_random_bytes(mask, sizeof mask);
        f[n++] = 0x80 | 2;
        memcpy(f + n, mask, 4);
        n += 4;
        f[n++] = payload[0] ^ mask[0];
        f[n++] = payload[1] ^ mask[1];
    } else {
        f[n++] = 2;
        f[n++] = payload[0];
        f[n++] = payload[1];
    }
    wb_buf_append(&s->out, f, n);
    s->manual_code = code;
}

int wb_ws_session_feed(wb_ws_session *s, const uint8_t *data, size_t len) {
    if (s->failed)
        return s->failed;
    if (wslay_event_get_close_received(s->ctx))
        return len ? WB_ECLOSED : 0;
    s->in = data;
    s->in_len = len;
    int r = wslay_event_recv(s->ctx);
    s->in = NULL;
    s->in_len = 0;
    if (r == WSLAY_ERR_CALLBACK_FAILURE || s->bad_close) {
        /* a frame-level protocol error (our callbacks never fail on input), or a bad close
         * frame that wslay answered with a code-less close we now drop */
        if (!wslay_event_get_close_sent(s->ctx))
            write_close(s, WB_WS_CLOSE_PROTOCOL_ERROR);
        flush(s);
        return s->failed = WB_EPROTO;
    }
    if (r != 0) {
        flush(s);
        return s->failed = WB_ENOMEM;
    }
    if (wslay_event_send(s->ctx) != 0) {
        flush(s);
        return s->failed = WB_ENOMEM;
    }
    flush(s);
    if (!wslay_event_get_read_enabled(s->ctx) && !wslay_event_get_close_received(s->ctx)) {
        /* wslay refused the input and queued (now sent) a close frame with its reason */
        int code = wslay_event_get_status_code_sent(s->ctx);
        return s->failed = code == WB_WS_CLOSE_TOO_BIG ? WB_ETOOBIG : WB_EPROTO;
    }
    return 0;
}

static int queue(wb_ws_session *s, uint8_t opcode, const uint8_t *data, size_t len) {
    if (s->failed || s->manual_code)
        return WB_ECLOSED;
    struct wslay_event_msg m = {opcode, data, len};
    int r = wslay_event_queue_msg(s->ctx, &m);
    if (r == WSLAY_ERR_NO_MORE_MSG)
        return WB_ECLOSED;
    if (r == WSLAY_ERR_INVALID_ARGUMENT)
        return WB_EINVAL;
    if (r != 0)
        return WB_ENOMEM;
    return pump(s);
}

int wb_ws_session_send(wb_ws_session *s, const uint8_t *data, size_t len) {
    return queue(s, WSLAY_BINARY_FRAME, data, len);
}

int wb_ws_session_ping(wb_ws_session *s, const uint8_t *data, size_t len) {
    if (len > 125)
        return WB_EINVAL;
    return queue(s, WSLAY_PING, data, len);
}

int wb_ws_session_close(wb_ws_session *s, int code, const char *reason) {
    size_t rl = reason ? strlen(reason) : 0;
    int ok = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) ||
             (code >= 3000 && code <= 4999);
    if (!ok || rl > 123)
        return WB_EINVAL;
    if (s->failed || s->manual_code)
        return WB_ECLOSED;
    int r = wslay_event_queue_close(s->ctx, (uint16_t)code, (const uint8_t *)reason, rl);
    if (r == WSLAY_ERR_NO_MORE_MSG)
        return WB_ECLOSED;
    if (r != 0)
        return WB_ENOMEM;
    return pump(s);
}

int wb_ws_session_finished(const wb_ws_session *s) {
    return s->failed || (wslay_event_get_close_sent(s->ctx) && wslay_event_get_close_received(s->ctx));
}

int wb_ws_session_close_sent(const wb_ws_session *s) {
    return s->manual_code || wslay_event_get_close_sent(s->ctx);
}

int wb_ws_session_close_received(const wb_ws_session *s) {
    return wslay_event_get_close_received(s->ctx);
}

int wb_ws_session_code_sent(const wb_ws_session *s) {
    if (s->manual_code)
        return s->manual_code;
    return wslay_event_get_close_sent(s->ctx) ? wslay_event_get_status_code_sent(s->ctx) : 0;
}

int wb_ws_session_code_received(const wb_ws_session *s) {
    return wslay_event_get_close_received(s->ctx) ? wslay_event_get_status_code_received(s->ctx) : 0;
}

size_t wb_ws_session_text_ignored(const wb_ws_session *s) {
    return s->text_ignored;
}

size_t wb_ws_session_buffered(const wb_ws_session *s) {
    return s->msg.cap;
}
