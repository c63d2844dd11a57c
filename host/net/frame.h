/* WhatsApp's transport framing (NOTES.md §1.2): every message in both directions, handshake and
 * transport alike, is a 3-byte big-endian length followed by that many bytes. The client puts an
 * intro header in front of its very first frame: "WA" 06 03, or, once the server has given it
 * routing info, 'E' 'D' 00 01 len24 routingInfo "WA" 06 03.
 *
 * Sans-I/O: the reader takes bytes as they arrive (split anywhere, several frames coalesced)
 * and hands out whole frame payloads through a callback; the writer appends frames to a wb_buf.
 * Neither does any I/O or keeps a reference to the caller's bytes after a call returns.
 *
 *     wb_frame_reader r;
 *     wb_frame_reader_init(&r, WB_FRAME_SERVER, &(wb_frame_callbacks){on_frame, on_intro}, ud);
 *     rc = wb_frame_feed(&r, bytes, n);   // any number of times; on_frame per whole frame
 *     wb_frame_reader_free(&r);
 */
#ifndef WB_NET_FRAME_H
#define WB_NET_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* The largest payload a 3-byte length can describe (16 MiB - 1). */
#define WB_FRAME_MAX 0xffffffu
/* The intro header's tail, which is also the Noise prologue: "WA", magic 6, dictionary version 3. */
#define WB_FRAME_PROLOGUE_LEN 4
extern const uint8_t wb_frame_prologue[WB_FRAME_PROLOGUE_LEN];
/* The longest routing info the reader accepts in an 'ED' intro (real ones are a few bytes). */
#define WB_FRAME_ROUTING_MAX 4096

/* ---- reading -------------------------------------------------------------------------------- */

typedef struct wb_frame_callbacks {
    /* One whole frame payload, valid only during the call (it may point into the bytes given to
     * wb_frame_feed). Return 0 to go on; a negative code stops the reader, which then returns
     * that code from this and every later wb_frame_feed. Never NULL. */
    int (*on_frame)(void *user_data, const uint8_t *payload, size_t len);
    /* Server side only, optional (may be NULL): the intro header was read. routing/len are the
     * routing info of an 'ED' intro (len 0 for a plain "WA" 06 03). Returning non-zero stops the
     * reader as on_frame does. */
    int (*on_intro)(void *user_data, const uint8_t *routing, size_t len);
} wb_frame_callbacks;

enum {
    WB_FRAME_CLIENT = 0, /* frames only */
    WB_FRAME_SERVER = 1, /* the first bytes are the client's intro header, then frames */
};

typedef struct wb_frame_reader {
    wb_frame_callbacks cb;
    void *user_data;
    uint32_t max_len;  /* payloads longer than this give WB_ETOOBIG; WB_FRAME_MAX by default */
    int err;           /* sticky: the first error, returned by every later feed */
    int state;         /* private: what the next bytes are */
    uint8_t head[7];   /* private: a length or intro prefix being collected */
    size_t head_len;   /* private */
    size_t need;       /* private: bytes of the current frame body or routing info still due */
    wb_buf body;       /* private: a frame (or routing info) that arrived in pieces */
    uint64_t frames;   /* frames delivered so far */
} wb_frame_reader;

/* Prepares r for one connection. side is WB_FRAME_CLIENT or WB_FRAME_SERVER; cb is copied. */
void wb_frame_reader_init(wb_frame_reader *r, int side, const wb_frame_callbacks *cb,
                          void *user_data);
/* Consumes len bytes. Calls on_frame for every frame completed by them, in order, and keeps a
 * partial frame for the next call. Returns 0, or the first error: WB_ETOOBIG (a length over
 * max_len, or routing info over WB_FRAME_ROUTING_MAX), WB_EPROTO (an intro header that is
 * neither form), WB_ENOMEM, or a callback's code. After an error the reader is dead: every
 * later call returns the same code and calls nothing. Must not be called from its own callbacks. */
int wb_frame_feed(wb_frame_reader *r, const uint8_t *data, size_t len);
/* Bytes of a partial frame held now (0 between frames): lets a caller check a connection
 * closed cleanly. */
size_t wb_frame_pending(const wb_frame_reader *r);
/* Frees the buffered partial frame. r may be initialised again afterwards. */
void wb_frame_reader_free(wb_frame_reader *r);

/* ---- writing -------------------------------------------------------------------------------- */

typedef struct wb_frame_writer {
    int side;            /* WB_FRAME_CLIENT writes the intro before its first frame */
    int intro_sent;
    wb_buf intro;        /* private: the intro header to send */
} wb_frame_writer;

/* Prepares w. For WB_FRAME_CLIENT the first frame will carry the intro header: "WA" 06 03, or
 * the 'ED' form when routing (len bytes, at most WB_FRAME_ROUTING_MAX) is given. Returns 0,
 * WB_ETOOBIG or WB_ENOMEM. Free with wb_frame_writer_free. */
int wb_frame_writer_init(wb_frame_writer *w, int side, const uint8_t *routing, size_t len);
void wb_frame_writer_free(wb_frame_writer *w);
/* Appends the intro (if still due) and the 3-byte length of a payload of len bytes to out; the
 * caller appends the payload itself next. Returns 0, WB_ETOOBIG (len > WB_FRAME_MAX; nothing
 * appended) or WB_ENOMEM. */
int wb_frame_begin(wb_frame_writer *w, wb_buf *out, size_t len);
/* wb_frame_begin followed by the payload. */
int wb_frame_write(wb_frame_writer *w, wb_buf *out, const uint8_t *payload, size_t len);

#endif
