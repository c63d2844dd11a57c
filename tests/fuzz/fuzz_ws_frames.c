/* Fuzz target: the websocket frame input path (net/ws_session.h, libwslay over a memory
 * transport). The first byte picks the role, a small message limit and the piece size; the rest
 * is fed as frames from the peer. Whatever happens, the session must stay consistent: after a
 * failure it refuses more input and sending, and its close frame is well formed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/ws_session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct sink {
    wb_ws_session *s;
    size_t out, messages;
    int echo;
} sink;

static void on_message(void *ud, const uint8_t *d, size_t n) {
    sink *k = ud;
    k->messages++;
    if (k->echo)
        wb_ws_session_send(k->s, d, n);
}
static void on_output(void *ud, const uint8_t *d, size_t n) {
    ((sink *)ud)->out += n;
}
static void on_close(void *ud, int code, const uint8_t *r, size_t n) {
    if (code < 1000 || code > 4999 || n > 123)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const wb_ws_session_callbacks cb = {on_message, on_output, on_close};
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    data++;
    size--;
    sink k = {0};
    k.echo = (mode >> 2) & 1;
    wb_ws_role role = mode & 1 ? WB_WS_CLIENT : WB_WS_SERVER;
    size_t max = mode & 2 ? 300 : 1 << 20;
    if (wb_ws_session_new(&k.s, role, max, &cb, &k) != 0)
        return 0;
    size_t piece = (size_t)(mode >> 3) + 1;
    int failed = 0;
    for (size_t off = 0; off < size;) {
        size_t n = size - off > piece ? piece : size - off;
        int rc = wb_ws_session_feed(k.s, data + off, n);
        off += n;
        if (rc < 0 && rc != WB_ECLOSED) {
            failed = rc;
            if (!wb_ws_session_finished(k.s) || !wb_ws_session_close_sent(k.s))
                abort();
            int code = wb_ws_session_code_sent(k.s);
            if (code != 1002 && code != 1007 && code != 1009 && rc != WB_ENOMEM)
                abort();
            if (wb_ws_session_feed(k.s, data, 1) != rc)
                abort();
            if (wb_ws_session_send(k.s, (const uint8_t *)"x", 1) != WB_ECLOSED)
                abort();
            break;
        }
    }
    if (!failed)
        wb_ws_session_close(k.s, 1000, "end");
    wb_ws_session_free(k.s);
    return 0;
}
