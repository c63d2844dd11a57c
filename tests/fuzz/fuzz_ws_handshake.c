/* Fuzz target: the websocket opening handshake (net/ws_handshake.h) on both sides, and the URL
 * parser (net/url.h). The input is parsed as an upgrade request (server side) and as a 101 answer
 * (client side, for a fixed key), and, NUL-terminated, as a URL. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/url.h"
#include "net/ws_handshake.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    wb_http_parser p;
    size_t used;
    wb_http_parser_init(&p, WB_HTTP_REQUEST, NULL);
    if (wb_http_parser_feed(&p, data, size, &used, NULL) == WB_HTTP_DONE) {
        char accept[WB_WS_ACCEPT_LEN + 1];
        int status = 0;
        wb_error e;
        if (wb_ws_handshake_check_request(&p.msg, accept, &status, &e) == 0) {
            if (strlen(accept) != WB_WS_ACCEPT_LEN)
                abort();
            wb_buf out = WB_BUF_INIT;
            if (wb_ws_handshake_write_response(&out, accept, NULL, 0) != 0)
                abort();
            wb_buf_free(&out);
        } else if (status != 400 && status != 426) {
            abort();
        }
    }
    wb_http_parser_free(&p);

    wb_http_parser_init(&p, WB_HTTP_RESPONSE, NULL);
    p.no_body = 1;
    if (wb_http_parser_feed(&p, data, size, &used, NULL) == WB_HTTP_DONE)
        wb_ws_handshake_check_response(&p.msg, "dGhlIHNhbXBsZSBub25jZQ==", NULL);
    wb_http_parser_free(&p);

    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
    wb_url u;
    if (wb_url_parse(text, &u, NULL) == 0) {
        char host[WB_URL_HOST_MAX + 16];
        if (wb_url_host_header(&u, host, sizeof host) < 0 || u.port == 0 || u.target[0] != '/')
            abort();
    }
    free(text);
    return 0;
}
