/* A websocket session after the opening handshake, without I/O: libwslay's event API over a
 * memory transport. Bytes from the peer go in by wb_ws_session_feed; complete binary messages,
 * the peer's close and the bytes to send come out through callbacks.
 *
 * Used by net/ws.c for both the server and the client side; fuzzed by tests/fuzz/fuzz_ws_frames.c.
 *
 * Policy (NOTES.md 1.1: every WhatsApp websocket message is binary; whatsmeow ignores text):
 *   - binary messages are delivered whole, up to max_message bytes (16 MiB by default, as
 *     whatsmeow's read limit); a bigger one closes the session with 1009;
 *   - text messages are ignored (counted in wb_ws_session_text_ignored); invalid UTF-8 in them
 *     still closes with 1007, as RFC 6455 requires;
 *   - pings are answered with pongs by the session itself; pongs are ignored;
 *   - any framing error (bad opcode, unmasked client frame, reserved bits, bad control frame,
 *     bad close code) closes with 1002.
 * After a close frame has been sent no more data is sent; the caller closes the TCP connection
 * once wb_ws_session_finished says both close frames have passed (or right away after an error,
 * once the output has been flushed). */
#ifndef WB_NET_WS_SESSION_H
#define WB_NET_WS_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define WB_WS_DEFAULT_MAX_MESSAGE (16u * 1024 * 1024)

enum {
    WB_WS_CLOSE_NORMAL = 1000,
    WB_WS_CLOSE_GOING_AWAY = 1001,
    WB_WS_CLOSE_PROTOCOL_ERROR = 1002,
    WB_WS_CLOSE_NO_STATUS = 1005,    /* never sent: reported when a close frame had no code */
    WB_WS_CLOSE_ABNORMAL = 1006,     /* never sent: reported when the TCP connection just ended */
    WB_WS_CLOSE_INVALID_DATA = 1007,
    WB_WS_CLOSE_POLICY = 1008,
    WB_WS_CLOSE_TOO_BIG = 1009,
    WB_WS_CLOSE_INTERNAL_ERROR = 1011,
};

typedef enum { WB_WS_SERVER = 0, WB_WS_CLIENT = 1 } wb_ws_role;

typedef struct wb_ws_session wb_ws_session;

typedef struct wb_ws_session_callbacks {
    /* A complete binary message; data is valid during the call only. May call
     * wb_ws_session_send/close (queued, flushed when feed returns); must not free the session. */
    void (*on_message)(void *ud, const uint8_t *data, size_t len);
    /* Bytes for the peer, in order; the callee must take all of them. */
    void (*on_output)(void *ud, const uint8_t *data, size_t len);
    /* The peer's close frame: code (1005 when it had none) and reason (not NUL-terminated). The
     * session has already queued its answering close frame. May be NULL. */
    void (*on_close)(void *ud, int code, const uint8_t *reason, size_t reason_len);
} wb_ws_session_callbacks;

/* Creates a session for the given role. max_message 0 means the default. Returns 0 or
 * WB_ENOMEM; *out is written only on success. */
int wb_ws_session_new(wb_ws_session **out, wb_ws_role role, size_t max_message,
                      const wb_ws_session_callbacks *cb, void *ud);
void wb_ws_session_free(wb_ws_session *s);

/* Processes bytes from the peer. Returns 0; WB_EPROTO when the peer broke the protocol (a close
 * frame with 1002 or 1007 has been output), WB_ETOOBIG for an oversized message (1009 output),
 * WB_ENOMEM; WB_ECLOSED when bytes arrive after the peer's close frame (they are ignored). After
 * a negative return the session accepts no more input; flush the output and close. */
int wb_ws_session_feed(wb_ws_session *s, const uint8_t *data, size_t len);

/* Sends one binary message. Returns 0, WB_ECLOSED once a close frame was queued or sent, or
 * WB_ENOMEM. */
int wb_ws_session_send(wb_ws_session *s, const uint8_t *data, size_t len);
/* Sends a ping with up to 125 bytes of payload. Returns 0, WB_EINVAL, WB_ECLOSED or WB_ENOMEM. */
int wb_ws_session_ping(wb_ws_session *s, const uint8_t *data, size_t len);
/* Starts the closing handshake with code (1000..4999, not 1005/1006) and a reason of at most 123
 * bytes (may be NULL). Returns 0, WB_EINVAL, or WB_ECLOSED when a close was already sent. */
int wb_ws_session_close(wb_ws_session *s, int code, const char *reason);

/* 1 once both close frames have passed (ours sent, the peer's received) or the session failed. */
int wb_ws_session_finished(const wb_ws_session *s);
/* 1 once our close frame has been output. */
int wb_ws_session_close_sent(const wb_ws_session *s);
/* 1 once the peer's close frame has arrived. */
int wb_ws_session_close_received(const wb_ws_session *s);
/* The code of the close frame we sent (0 when none), and of the one we received (0 when none,
 * 1005 when it carried no code). */
int wb_ws_session_code_sent(const wb_ws_session *s);
int wb_ws_session_code_received(const wb_ws_session *s);
/* Bytes held for a data message being assembled (by capacity). */
size_t wb_ws_session_buffered(const wb_ws_session *s);
/* How many text messages were ignored. */
size_t wb_ws_session_text_ignored(const wb_ws_session *s);

#endif
