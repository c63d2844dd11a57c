/* HTTP/1.1 without I/O: a message parser (requests for servers, responses for clients), writers
 * for request and response heads, and small helpers (header lookup, token lists, query strings).
 *
 * Used by the server (net/http_server.c), the websocket client (net/ws_client.c) and the
 * websocket handshake (net/ws_handshake.h). The parser takes bytes in pieces of any size, buffers
 * one message (head and decoded body) and stops exactly at its end, so pipelined requests and the
 * websocket bytes that follow an upgrade are left to the caller:
 *
 *     wb_http_parser p;
 *     wb_http_parser_init(&p, WB_HTTP_REQUEST, NULL);
 *     while (len) {
 *         size_t used;
 *         int rc = wb_http_parser_feed(&p, data, len, &used, &err);
 *         if (rc < 0) { reply p.status ("400 Bad Request", ...) and close; }
 *         data += used; len -= used;
 *         if (rc == WB_HTTP_DONE) { handle p.msg; wb_http_parser_next(&p); }
 *     }
 *     wb_http_parser_free(&p);
 *
 * A server that wants a request's body in pieces (a big upload written to disk as it comes)
 * sets stop_at_head: feed then returns WB_HTTP_HEAD once a head with a body is complete, the
 * caller picks the body's mode (wb_http_parser_stream) and, streaming, takes the head out
 * (wb_http_parser_take_head) and gets the decoded body as WB_HTTP_BODY pieces that point into
 * its own input, so the parser holds nothing of it.
 *
 * Untrusted input is bounded by wb_http_limits: head bytes, header count, body bytes. Every
 * rejection names the HTTP status a server should answer with (p.status) and a sentence with the
 * byte offset (wb_error). Framing is strict (RFC 9112): CRLF line ends, no obs-fold, no space
 * before a colon, Transfer-Encoding and Content-Length together are refused, differing
 * Content-Length values are refused, HTTP/1.1 requests need exactly one Host. */
#ifndef WB_NET_HTTP_H
#define WB_NET_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

typedef struct wb_http_header {
    const char *name;  /* as received (case kept); compare with strcasecmp */
    const char *value; /* leading and trailing whitespace removed */
} wb_http_header;

typedef enum { WB_HTTP_REQUEST = 0, WB_HTTP_RESPONSE = 1 } wb_http_kind;

typedef struct wb_http_limits {
    size_t max_head;    /* start line + header lines + blank line, in bytes */
    size_t max_headers; /* header fields */
    size_t max_body;    /* decoded body bytes */
    /* decoded body bytes of a body taken in pieces (wb_http_parser_stream); 0: max_body. A
     * Content-Length up to the larger of the two passes the head; the smaller applies once the
     * body's mode is known. */
    uint64_t max_streamed_body;
} wb_http_limits;

#define WB_HTTP_DEFAULT_MAX_HEAD (16u * 1024)
#define WB_HTTP_DEFAULT_MAX_HEADERS 100u
#define WB_HTTP_DEFAULT_MAX_BODY (1u * 1024 * 1024)

/* One parsed message. Every string is NUL-terminated and lives in storage the message owns;
 * pointers stay valid until wb_http_msg_free (or wb_http_parser_next for the parser's own). */
typedef struct wb_http_msg {
    const char *method; /* requests: "GET", case kept */
    const char *target; /* requests: the request-target as sent ("/a/b?x=1", or "*") */
    const char *path;   /* requests: the target's path ("/a/b"), not percent-decoded */
    const char *query;  /* requests: after '?' ("x=1"), or "" */
    int status;         /* responses: 100..999 */
    const char *reason; /* responses: the reason phrase, maybe "" */
    int version;        /* 10 for HTTP/1.0, 11 for HTTP/1.1 */
    wb_http_header *headers;
    size_t nheaders;
    uint8_t *body; /* the decoded body (chunked framing removed); NULL when body_len is 0 */
    size_t body_len;
    unsigned keep_alive : 1;      /* the connection may carry another message */
    unsigned upgrade : 1;         /* "Connection: upgrade" and an Upgrade header are present */
    unsigned chunked : 1;         /* the body came with Transfer-Encoding: chunked */
    unsigned expect_continue : 1; /* requests: "Expect: 100-continue" */
    unsigned body_follows : 1;    /* a head handed out before its body (streamed): body NULL */
    /* private: storage */
    wb_buf head_store;
    wb_buf body_store;
} wb_http_msg;

/* Frees what m owns and leaves it empty. */
void wb_http_msg_free(wb_http_msg *m);

/* ---- parser ------------------------------------------------------------------------------ */

enum { WB_HTTP_MORE = 0, WB_HTTP_DONE = 1, WB_HTTP_HEAD = 2, WB_HTTP_BODY = 3 };

typedef struct wb_http_parser {
    wb_http_kind kind;
    wb_http_limits lim;
    wb_http_msg msg;   /* the message being parsed; complete after WB_HTTP_DONE */
    int status;        /* after an error: the status a server should answer (400, 413, ...) */
    int head_done;     /* the head of the current message has been parsed (msg headers valid) */
    int no_body;       /* responses: the next message has no body (answer to HEAD, or 101) */
    /* Set by the caller (kept across messages): feed stops after a head that has a body to
     * come, returning WB_HTTP_HEAD, so the caller can choose the body's mode first. */
    int stop_at_head;
    /* After WB_HTTP_BODY: a piece of the decoded body, inside the data given to feed. */
    const uint8_t *piece;
    size_t piece_len;
    /* private */
    int state;
    int err;
    uint64_t remaining;
    size_t offset;      /* bytes of the current message consumed so far */
    size_t scan;        /* head bytes already searched for the blank line */
    size_t skipped_crlf;
    wb_buf line;        /* a chunk-size or trailer line being collected */
    size_t trailer_len;
    int stream;         /* the body comes out in pieces */
    int body_mode_set;  /* wb_http_parser_stream was called for this message */
    uint64_t body_total; /* decoded body bytes so far */
} wb_http_parser;

/* Prepares p for messages of the given kind. lim may be NULL for the defaults; zero fields in
 * it take the defaults too. */
void wb_http_parser_init(wb_http_parser *p, wb_http_kind kind, const wb_http_limits *lim);
void wb_http_parser_free(wb_http_parser *p);

/* Consumes bytes of the current message from data and sets *used to how many it took.
 * Returns WB_HTTP_MORE (all len bytes taken, message incomplete), WB_HTTP_DONE (the message in
 * p->msg is complete; data + *used is the start of whatever follows), WB_HTTP_HEAD (with
 * stop_at_head: the head is complete and a body follows; call again for it), WB_HTTP_BODY (in
 * stream mode: p->piece holds the next piece of the body; call again for the rest, with no
 * bytes if none are left: the call after the last piece returns WB_HTTP_DONE) or a negative
 * code:
 * WB_EMALFORMED (p->status 400), WB_ETOOBIG (413 body, 414 request line, 431 head or header
 * count), WB_EUNSUPPORTED (501 transfer coding, 505 version). After an error or WB_HTTP_DONE,
 * further calls return the same result and take nothing until wb_http_parser_next. err, when
 * not NULL, gets a sentence and the offset within the message. */
int wb_http_parser_feed(wb_http_parser *p, const uint8_t *data, size_t len, size_t *used,
                        wb_error *err);

/* Chooses how the body of a request whose head was just parsed (WB_HTTP_HEAD) is taken: on 1,
 * in pieces (WB_HTTP_BODY), bounded by max_streamed_body, and the message completes with no
 * body; on 0, buffered whole, bounded by max_body. Returns 0, WB_ESTATE (not right after a
 * request's head), or WB_ETOOBIG when the declared Content-Length is over the mode's limit (the
 * parser has then failed with status 413). */
int wb_http_parser_stream(wb_http_parser *p, int on, wb_error *err);
/* In stream mode, right after WB_HTTP_HEAD: moves the head (method, path, headers; body_follows
 * set) into *out, which the caller frees; the parser goes on with the body. Returns 0 or
 * WB_ESTATE. */
int wb_http_parser_take_head(wb_http_parser *p, wb_http_msg *out);

/* Tells the parser the peer closed the stream. Returns WB_HTTP_DONE when that completes the
 * message (a response whose body runs to the end of the stream), WB_HTTP_MORE when no byte of a
 * message had arrived (a clean close between messages), or WB_ETRUNC. */
int wb_http_parser_eof(wb_http_parser *p, wb_error *err);

/* Forgets the completed (or failed) message and gets ready for the next one. */
void wb_http_parser_next(wb_http_parser *p);

/* Bytes the parser holds now (head, body and line buffers, by capacity), counting a
 * Content-Length body at its declared length from its head on (a Content-Length body's buffer
 * grows to exactly that length): what the current message will need, for a server's memory
 * budget. */
size_t wb_http_parser_held(const wb_http_parser *p);

/* Moves the completed message into *out (which the caller frees with wb_http_msg_free) and gets
 * ready for the next message. Returns 0, or WB_ESTATE when no message is complete. */
int wb_http_parser_take(wb_http_parser *p, wb_http_msg *out);

/* ---- helpers ----------------------------------------------------------------------------- */

/* The value of the first header named name (case-insensitive), or NULL. */
const char *wb_http_msg_header(const wb_http_msg *m, const char *name);
/* 1 when some header named name holds token in its comma-separated list (case-insensitive,
 * "Connection: keep-alive, Upgrade" has "upgrade"), else 0. */
int wb_http_msg_has_token(const wb_http_msg *m, const char *name, const char *token);

/* Finds name in a query string ("a=1&b=x%20y") and appends its percent-decoded value ('+' is a
 * space) to out. Returns 1 when found, 0 when absent, WB_EMALFORMED for a bad %-escape. */
int wb_http_query_get(const char *query, const char *name, wb_buf *out);
/* Appends the percent-decoding of s[0..len) to out. Returns 0 or WB_EMALFORMED. */
int wb_http_percent_decode(wb_buf *out, const char *s, size_t len, int plus_is_space);

/* ---- streamed bodies ----------------------------------------------------------------------- */

/* An answer's body produced in pieces (a file read as the connection drains) instead of held
 * whole: the server asks read for the next piece whenever its last one has gone to the socket,
 * so memory stays bounded however big the body. */
typedef struct wb_http_body_source {
    /* Fills buf with up to cap of the body's next bytes; returns how many (1..cap), or a
     * negative code (the answer is then cut off and the connection closed). */
    long (*read)(void *ud, uint8_t *buf, size_t cap);
    /* The answer is over: sent whole (0) or not (a negative code: the peer went away, did not
     * read in time, read failed). Called exactly once; ud is not used after it. */
    void (*done)(void *ud, int status);
    void *ud;
} wb_http_body_source;

/* ---- writers ----------------------------------------------------------------------------- */

/* The standard reason phrase for status ("Not Found"), "" for unknown codes. */
const char *wb_http_reason(int status);

/* Appends a request head to out: "METHOD target HTTP/1.1", Host, the caller's headers, and
 * Content-Length when body_len > 0 or the method is POST, PUT or PATCH; then the body. Returns 0,
 * WB_EINVAL when a method, target, name or value would break the framing (CR, LF, NUL, a space in
 * a name), or WB_ENOMEM. */
int wb_http_write_request(wb_buf *out, const char *method, const char *target, const char *host,
                          const wb_http_header *headers, size_t nheaders, const void *body,
                          size_t body_len);

/* Appends a response head to out: "HTTP/1.1 status reason", the caller's headers, then
 * Content-Length (unless content_length < 0, or the status is 1xx, 204 or 304) and
 * "Connection: close" when close is set; the body is the caller's to append. Returns 0, WB_EINVAL
 * (bad status, or a name or value that would break the framing) or WB_ENOMEM. */
int wb_http_write_response_head(wb_buf *out, int status, const wb_http_header *headers,
                                size_t nheaders, int64_t content_length, int close);

/* 1 when name is a valid header field name (RFC 9110 token) and value has no CR, LF or NUL. */
int wb_http_header_ok(const char *name, const char *value);

#endif
