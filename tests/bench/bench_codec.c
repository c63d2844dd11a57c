/* Benchmarks for the binary node codec (binary/codec.h) on the payloads Baileys wrote into
 * tests/bench/data (node/make_codec_data.mjs):
 *   codec-decode-msg     the node bytes of a 268-byte delivered message stanza -> tree
 *   codec-encode-msg     that tree -> bytes
 *   codec-decode-usync   a 500-user usync result (31.5 KB) -> tree
 *   codec-encode-usync   that tree -> bytes
 * Decoding reuses one arena (reset per call), as the client does per frame. The tree being
 * encoded is built from the JSON form, so its strings are ordinary copies and every token is
 * found through the hash table (a tree straight from the decoder would be faster: its token
 * strings are recognised by address). The Node side is node/bench_codec.mjs. */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "binary/codec.h"
#include "binary/json.h"

typedef struct state {
    unsigned char *payload;
    size_t len;
    wb_arena arena; /* decode: reset per call */
    wb_arena tree_arena;
    wb_node *tree; /* encode: the stanza, built from its JSON form */
    wb_buf out;
} state;

static int setup(state *s, const char *datadir, const char *file) {
    memset(s, 0, sizeof *s);
    wb_arena_init(&s->arena, 0);
    wb_arena_init(&s->tree_arena, 0);
    s->payload = bench_read_file(datadir, file, &s->len);
    if (!s->payload || s->len < 2)
        return -1;
    /* the tree for encoding: decode, render as JSON, build from the JSON (copied strings) */
    wb_node *decoded;
    wb_buf js = WB_BUF_INIT;
    int rc = wb_node_decode(&s->arena, s->payload + 1, s->len - 1, &decoded, NULL);
    if (rc == 0)
        rc = wb_node_to_json(decoded, &js, 0);
    if (rc == 0)
        rc = wb_node_from_json(&s->tree_arena, (const char *)js.data, js.len, &s->tree, NULL);
    wb_buf_free(&js);
    wb_arena_reset(&s->arena);
    /* the encoding must be Baileys' bytes exactly, or the comparison is not like with like */
    if (rc == 0 && (wb_node_encode_payload(s->tree, &s->out) < 0 || s->out.len != s->len ||
                    memcmp(s->out.data, s->payload, s->len) != 0))
        rc = -1;
    return rc;
}

static void teardown(state *s) {
    free(s->payload);
    wb_arena_free(&s->arena);
    wb_arena_free(&s->tree_arena);
    wb_buf_free(&s->out);
}

static int op_decode(void *ctx) {
    state *s = ctx;
    wb_node *n;
    wb_arena_reset(&s->arena);
    return wb_node_decode(&s->arena, s->payload + 1, s->len - 1, &n, NULL);
}

static int op_encode(void *ctx) {
    state *s = ctx;
    s->out.len = 0;
    return wb_node_encode(s->tree, &s->out);
}

static double run(const char *datadir, const char *file, int (*op)(void *)) {
    state s;
    double r = setup(&s, datadir, file) < 0 ? -1 : bench_measure(op, &s, 1.0);
    teardown(&s);
    return r;
}

static double decode_msg(const char *d) { return run(d, "codec-msg.bin", op_decode); }
static double encode_msg(const char *d) { return run(d, "codec-msg.bin", op_encode); }
static double decode_usync(const char *d) { return run(d, "codec-usync.bin", op_decode); }
static double encode_usync(const char *d) { return run(d, "codec-usync.bin", op_encode); }

const wb_bench bench_codec[] = {
    {"codec-decode-msg", decode_msg},
    {"codec-encode-msg", encode_msg},
    {"codec-decode-usync", decode_usync},
    {"codec-encode-usync", encode_usync},
    {NULL, NULL},
};
