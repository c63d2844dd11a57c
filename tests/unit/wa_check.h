/* Helpers for the host/wa unit tests (test_wa_*.c): stanzas written as JSON in Baileys' node
 * shape (binary/json.h: bytes as {"base64": ...}), and the wire round trip every builder's
 * output and every literal goes through before a reader sees it, so readers are tested on what
 * a peer's bytes decode to. Header-only, test code only. */
#ifndef WB_TEST_WA_CHECK_H
#define WB_TEST_WA_CHECK_H

#include <stdio.h>
#include <string.h>

#include "binary/codec.h"
#include "binary/json.h"
#include "check.h"

/* n encoded as a transport payload and decoded again into a (NULL when either step fails). */
static inline wb_node *wa_wire(wb_arena *a, const wb_node *n) {
    wb_buf b = WB_BUF_INIT;
    wb_node *out = NULL;
    int rc = wb_node_encode_payload(n, &b);
    if (rc == 0)
        rc = wb_node_decode_payload(a, b.data, b.len, &out, NULL);
    wb_buf_free(&b);
    CHECK(rc == 0);
    return rc == 0 ? out : NULL;
}

/* A stanza from its JSON form, through the wire. */
static inline wb_node *wa_json(wb_arena *a, const char *json) {
    wb_node *n = NULL;
    wb_error e = {0};
    int rc = wb_node_from_json(a, json, strlen(json), &n, &e);
    if (rc < 0)
        fprintf(stderr, "wa_json: %s\n", e.what);
    CHECK(rc == 0);
    return rc == 0 ? wa_wire(a, n) : NULL;
}

/* The JSON form of n, in a static buffer (for comparing shapes). */
static inline const char *wa_to_json(const wb_node *n) {
    static char text[8192];
    wb_buf b = WB_BUF_INIT;
    wb_node_to_json(n, &b, 0);
    snprintf(text, sizeof text, "%.*s", (int)b.len, b.data ? (const char *)b.data : "");
    wb_buf_free(&b);
    return text;
}

/* "user:device@server" of j, in one of two rotating static buffers. */
static inline const char *wa_jid(const wb_jid *j) {
    static char s[2][WB_JID_STR_MAX];
    static int k;
    k ^= 1;
    wb_jid_format(j, s[k], sizeof s[k]);
    return s[k];
}

/* For each JSON stanza of the array bad, through the wire as WA_NODE, with a fresh wb_error *
 * WA_ERR: the expression read must be negative and say why in WA_ERR.
 *     WA_CHECK_REFUSES(&A, bad, wb_wa_ack_read(WA_NODE, &k, WA_ERR));                          */
#define WA_CHECK_REFUSES(arena, bad, read)                                                         \
    for (size_t wa_i_ = 0; wa_i_ < sizeof(bad) / sizeof *(bad); wa_i_++) {                        \
        wb_error wa_e_ = {0}, *WA_ERR = &wa_e_;                                                    \
        const wb_node *WA_NODE = wa_json((arena), (bad)[wa_i_]);                                  \
        int wa_rc_ = (read);                                                                       \
        if (wa_rc_ >= 0 || !wa_e_.what[0])                                                         \
            fprintf(stderr, "refused? %s (rc %d, \"%s\")\n", (bad)[wa_i_], wa_rc_, wa_e_.what);   \
        CHECK(wa_rc_ < 0 && wa_e_.what[0]);                                                        \
    }

/* v, or "" for NULL (CHECK_STR refuses NULL). */
static inline const char *fx_attr_or(const char *v) { return v ? v : ""; }

#endif
