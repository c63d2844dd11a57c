/* Unit tests for host/binary: the codec against bytes Baileys produced, the string-form and JID
 * rules of the encoder, every decoder error with its offset, compression limits, builders, the
 * attribute reader, JIDs, the printer and the JSON form. */
#include <zlib.h>

#include "binary/codec.h"
#include "binary/jid.h"
#include "binary/json.h"
#include "binary/node.h"
#include "binary/print.h"
#include "binary/token.h"
#include "check.h"

/* Payloads from Baileys 7.0.0-rc14 encodeBinaryNode (flag byte included). */
static const char *const vec_ping = "00f80a1908550429165711fa0003f801f80156";
static const char *const vec_msg =
    "00f80e1306f70001ff8615550001111f08fb083eb0a1b2c3d4e5f61aff051700000000043818fc05416c696365fc"
    "0a73656e6465725f6c6964f70101ff88100000743590627ff801f8061d5145044dfc050102030405";
static const char *const vec_packed =
    "00f810fc0178fc0161ff82123ffc0162ff02a1b5ee25fb82abcffc0164fc00edebfc03616263fc0166ee3cfc0167"
    "edeeff8312345f";
static const char *const vec_jids =
    "00f80dfc016afc0161fafc01671cfc0162f70000ec79ee25f78063fc0175fc0164fafc0175fc06686f73746564ed"
    "ebfa0b0dfc0166fafc0161fafc0162ee25";

static uint8_t buf1[4096];

static size_t unhex(const char *hex) {
    return check_unhex(buf1, sizeof buf1, hex);
}

static wb_node *decode_hex(wb_arena *a, const char *hex, wb_error *e) {
    size_t n = unhex(hex);
    wb_node *root = NULL;
    int rc = wb_node_decode_payload(a, buf1, n, &root, e);
    return rc == 0 ? root : NULL;
}

/* Encodes n as a payload and compares with the hex. */
static int encodes_to(const wb_node *n, const char *hex) {
    uint8_t want[4096];
    size_t wn = check_unhex(want, sizeof want, hex);
    wb_buf out = WB_BUF_INIT;
    int ok = wb_node_encode_payload(n, &out) == 0 && out.len == wn && memcmp(out.data, want, wn) == 0;
    if (!ok) {
        fprintf(stderr, "  got  ");
        for (size_t i = 0; i < out.len; i++)
            fprintf(stderr, "%02x", out.data[i]);
        fprintf(stderr, "\n  want %s\n", hex);
    }
    wb_buf_free(&out);
    return ok;
}

static void test_decode_baileys_ping_and_encode_same_bytes(void) {
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_node *n = decode_hex(&a, vec_ping, NULL);
    CHECK(n != NULL);
    CHECK(wb_node_is(n, "iq"));
    CHECK_STR(wb_node_attr(n, "id"), "1");
    CHECK_STR(wb_node_attr(n, "type"), "get");
    CHECK_STR(wb_node_attr(n, "xmlns"), "w:p");
    CHECK_STR(wb_node_attr(n, "to"), "@s.whatsapp.net");
    CHECK_EQ(n->kind, WB_CONTENT_NODES);
    CHECK_EQ(n->nkids, 1);
    CHECK(wb_node_is(wb_node_child(n, "ping"), "ping"));
    CHECK_EQ(wb_node_child(n, "ping")->kind, WB_CONTENT_NONE);
    CHECK(encodes_to(n, vec_ping));
    wb_arena_free(&a);
}

static void test_decode_baileys_message_with_ad_jids(void) {
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_node *n = decode_hex(&a, vec_msg, NULL);
    CHECK(n != NULL);
    CHECK_STR(wb_node_attr(n, "from"), "15550001111:1@s.whatsapp.net");
    CHECK_STR(wb_node_attr(n, "id"), "3EB0A1B2C3D4E5F6");
    CHECK_STR(wb_node_attr(n, "t"), "1700000000");
    CHECK_STR(wb_node_attr(n, "notify"), "Alice");
    CHECK_STR(wb_node_attr(n, "sender_lid"), "100000743590627:1@lid");
    wb_node *enc = wb_node_child(n, "enc");
    size_t len = 0;
    const uint8_t *p = wb_node_content(enc, &len);
    CHECK(enc && enc->kind == WB_CONTENT_BYTES && p && len == 5 && p[4] == 5);
    CHECK(encodes_to(n, vec_msg));
    wb_arena_free(&a);
}

static void test_decode_packed_tokens_and_text_content(void) {
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_node *n = decode_hex(&a, vec_packed, NULL);
    CHECK(n != NULL);
    CHECK_STR(wb_node_attr(n, "a"), "123");
    CHECK_STR(wb_node_attr(n, "b"), "-1.5");
    CHECK_STR(wb_node_attr(n, "c"), "ABC");
    CHECK_STR(wb_node_attr(n, "d"), "");
    CHECK_STR(wb_node_attr(n, "e"), "abc");
    CHECK_STR(wb_node_attr(n, "f"), "failure");
    CHECK_STR(wb_node_attr(n, "g"), "pair-device");
    CHECK_EQ(n->kind, WB_CONTENT_TEXT);
    CHECK_STR((const char *)n->data, "12345");
    CHECK(encodes_to(n, vec_packed));
    wb_arena_free(&a);
}

static void test_decode_jid_forms_as_baileys_renders_them(void) {
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_node *n = decode_hex(&a, vec_jids, NULL);
    CHECK(n != NULL);
    CHECK_STR(wb_node_attr(n, "a"), "g@g.us");
    CHECK_STR(wb_node_attr(n, "b"), "5@s.whatsapp.net"); /* AD_JID device 0: no ":0" */
    CHECK_STR(wb_node_attr(n, "c"), "u:99@hosted");
    CHECK_STR(wb_node_attr(n, "d"), "u@hosted");
    CHECK_STR(wb_node_attr(n, "e"), "status@broadcast");
    CHECK_STR(wb_node_attr(n, "f"), "a@b@c");
    wb_arena_free(&a);
}

/* Encodes a one-attribute node <x a=value/> and returns the bytes of the value. */
static size_t encode_value(const char *value, uint8_t *out, size_t cap) {
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_node *n = WB_NODE(&a, "x", {"a", value});
    wb_buf b = WB_BUF_INIT;
    size_t len = 0;
    /* f8 03 <x> <a> value */
    if (wb_node_encode(n, &b) == 0 && b.len >= 8) {
        size_t skip = 2 + 3 + 3; /* list header, "x" and "a" as raw BINARY_8 strings */
        len = b.len - skip < cap ? b.len - skip : cap;
        memcpy(out, b.data + skip, len);
    }
    wb_buf_free(&b);
    wb_arena_free(&a);
    return len;
}

static int value_is(const char *value, const char *hex) {
    uint8_t got[512], want[512];
    size_t gn = encode_value(value, got, sizeof got);
    size_t wn = check_unhex(want, sizeof want, hex);
    int ok = gn == wn && memcmp(got, want, wn) == 0;
    if (!ok) {
        fprintf(stderr, "  %s -> ", value);
        for (size_t i = 0; i < gn; i++)
            fprintf(stderr, "%02x", got[i]);
        fprintf(stderr, " want %s\n", hex);
    }
    return ok;
}

static void test_encoder_picks_string_forms_like_baileys(void) {
    CHECK(value_is("message", "13"));           /* single-byte token */
    CHECK(value_is("failure", "ee3c"));         /* double-byte token dict 2/60 */
    CHECK(value_is("", "fc00"));                /* empty: raw */
    CHECK(value_is("123", "ff82123f"));         /* odd nibble */
    CHECK(value_is("-1.5", "ff02a1b5"));        /* nibble - and . */
    CHECK(value_is("ABCD", "fb02abcd"));        /* hex upper */
    CHECK(value_is("abcd", "fc0461626364"));    /* lower hex is raw */
    CHECK(value_is("0x", "fc023078"));
    CHECK(value_is("@s.whatsapp.net", "fa0003"));
    CHECK(value_is("12:2@lid", "f70102cf"));           /* AD_JID lid; "12" is a token */
    CHECK(value_is("12:0@s.whatsapp.net", "f70000cf")); /* device 0: AD_JID, as Baileys */
    CHECK(value_is("150:2@lid", "f70102ff82150f"));
    CHECK(value_is("u:99@hosted.lid", "f78163fc0175"));
    CHECK(value_is("u:5@msgr", "f6fc01750005cc"));                      /* FB_JID */
    CHECK(value_is("7-u:5@interop", "f5fc017500050007fc07696e7465726f70")); /* INTEROP_JID */
    /* strings Baileys would change keep intact as JID_PAIR of the whole user part */
    CHECK(value_is("1:300@s.whatsapp.net", "fafc05313a33303003"));
    CHECK(value_is("a_1:2@s.whatsapp.net", "fafc05615f313a3203"));
    CHECK(value_is("x:5@g.us", "fafc03783a351c"));
    CHECK(value_is("x@", "fc027840"));                                  /* no server: raw */
}

static void test_encoder_packs_127_but_not_128_digits(void) {
    char s[130];
    memset(s, '1', sizeof s);
    s[127] = 0;
    uint8_t out[200];
    size_t n = encode_value(s, out, sizeof out);
    CHECK(n == 2 + 64 && out[0] == WB_TAG_NIBBLE_8 && out[1] == (64 | 128));
    s[127] = '1';
    s[128] = 0;
    n = encode_value(s, out, sizeof out);
    CHECK(n == 2 + 128 && out[0] == WB_TAG_BINARY_8 && out[1] == 128);
}

static void test_token_lookup_finds_every_token(void) {
    for (unsigned i = 1; i < WB_TOKEN_SINGLE_COUNT; i++) {
        const char *t = wb_token_single(i);
        char copy[64];
        memcpy(copy, t, wb_token_len(t) + 1);
        CHECK_EQ(wb_token_lookup(copy, strlen(copy)), i);
        CHECK_EQ(wb_token_lookup(t, wb_token_len(t)), i);
    }
    for (unsigned d = 0; d < 4; d++)
        for (unsigned i = 0; i < 256; i++) {
            const char *t = wb_token_double(d, i);
            char copy[64];
            memcpy(copy, t, wb_token_len(t) + 1);
            CHECK_EQ(wb_token_lookup(copy, strlen(copy)), 256 + d * 256 + i);
            CHECK_EQ(wb_token_lookup(t, wb_token_len(t)), 256 + d * 256 + i);
        }
    CHECK_EQ(wb_token_lookup("", 0), 0);
    CHECK_EQ(wb_token_lookup("not-a-token-xyz", 15), 0);
    /* a pointer into the middle of a token is not that token */
    const char *t = wb_token_single(1); /* xmlstreamstart */
    CHECK_EQ(wb_token_lookup(t + 3, wb_token_len(t) - 3), 0);
    CHECK_STR(wb_token_single(3), "s.whatsapp.net");
    CHECK_STR(wb_token_double(2, 60), "failure");
    CHECK_STR(wb_token_double(1, 238), "pair-device");
}

/* Decodes hex (a payload with flag byte) and expects code and the error offset. */
static int fails_with(const char *hex, int code, size_t offset, const char *what) {
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_error e = {0};
    wb_node *n = NULL;
    size_t len = unhex(hex);
    int rc = wb_node_decode_payload(&a, buf1, len, &n, &e);
    int ok = rc == code && e.code == code && e.offset == offset && strstr(e.what, what);
    if (!ok)
        fprintf(stderr, "  %s: rc %s offset %zu '%s'\n", hex, wb_errname(rc), e.offset, e.what);
    wb_arena_free(&a);
    return ok;
}

static void test_decoder_errors_name_the_problem_and_byte(void) {
    CHECK(fails_with("", WB_ETRUNC, 0, "flag"));
    CHECK(fails_with("00", WB_ETRUNC, 1, "node"));
    CHECK(fails_with("00f801f3", WB_EMALFORMED, 3, "unknown tag 243"));
    CHECK(fails_with("00f80219ff01c1", WB_EMALFORMED, 6, "bad nibble 12"));
    CHECK(fails_with("00f80219ff01", WB_ETRUNC, 4, "packed"));
    CHECK(fails_with("0000", WB_EMALFORMED, 1, "empty list"));
    CHECK(fails_with("00f800", WB_EMALFORMED, 1, "empty list"));
    CHECK(fails_with("00f80100", WB_EMALFORMED, 1, "empty tag"));
    CHECK(fails_with("00f8011919", WB_EMALFORMED, 4, "1 bytes after"));
    CHECK(fails_with("00f80219f8ff", WB_ETOOBIG, 4, "list too long"));
    CHECK(fails_with("00f80219fc0501", WB_ETRUNC, 4, "5 bytes announced"));
    CHECK(fails_with("00f80219fa0000", WB_EMALFORMED, 6, "without a server"));
    CHECK(fails_with("00f80219f8", WB_ETRUNC, 5, "list size"));
    CHECK(fails_with("00f80219f7", WB_ETRUNC, 5, "AD_JID"));
    CHECK(fails_with("00f80219f801190303", WB_EMALFORMED, 6, "tag 25 where a list belongs"));
    CHECK(fails_with("00f80219f4", WB_EMALFORMED, 4, "unknown tag 244"));
    CHECK(fails_with("00f8031904f8", WB_EMALFORMED, 5, "list (tag 248) where a string"));
}

static void test_decoder_bounds_nesting_depth(void) {
    /* a chain of nodes <x><x>...</x></x>, each f8 02 19 f8 01 (child list of one) */
    uint8_t p[1 + 70 * 5 + 3];
    for (int depth = 64; depth <= 65; depth++) {
        size_t n = 0;
        p[n++] = 0;
        for (int i = 0; i < depth - 1; i++) {
            p[n++] = 0xf8, p[n++] = 2, p[n++] = 0x19, p[n++] = 0xf8, p[n++] = 1;
        }
        p[n++] = 0xf8, p[n++] = 1, p[n++] = 0x19;
        wb_arena a;
        wb_arena_init(&a, 0);
        wb_error e = {0};
        wb_node *root = NULL;
        int rc = wb_node_decode_payload(&a, p, n, &root, &e);
        if (depth == 64) {
            CHECK_EQ(rc, 0);
            wb_buf out = WB_BUF_INIT;
            CHECK_EQ(wb_node_encode_payload(root, &out), 0);
            CHECK(out.len == n && memcmp(out.data, p, n) == 0);
            wb_buf_free(&out);
        } else {
            CHECK_EQ(rc, WB_EDEPTH);
            CHECK(strstr(e.what, "deeper") != NULL);
        }
        wb_arena_free(&a);
    }
}

static void test_decoder_bounds_nested_jids(void) {
    /* JID_PAIR whose user is a JID_PAIR whose user is ...: 70 levels */
    uint8_t p[4 + 70 * 2 + 80];
    size_t n = 0;
    p[n++] = 0, p[n++] = 0xf8, p[n++] = 2, p[n++] = 0x19;
    for (int i = 0; i < 70; i++)
        p[n++] = WB_TAG_JID_PAIR;
    p[n++] = 0x19;
    for (int i = 0; i < 70; i++)
        p[n++] = 3;
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_error e = {0};
    wb_node *root = NULL;
    CHECK_EQ(wb_node_decode_payload(&a, p, n, &root, &e), WB_EDEPTH);
    wb_arena_free(&a);
}

static size_t zlib_payload(uint8_t *out, size_t cap, const uint8_t *body, size_t len) {
    uLongf n = (uLongf)(cap - 1);
    if (compress2(out + 1, &n, body, (uLong)len, 9) != Z_OK)
        return 0;
    out[0] = 2;
    return (size_t)n + 1;
}

static void test_compressed_payload_decodes(void) {
    size_t n = unhex(vec_msg);
    uint8_t z[4096];
    size_t zn = zlib_payload(z, sizeof z, buf1 + 1, n - 1);
    CHECK(zn > 0);
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_node *root = NULL;
    CHECK_EQ(wb_node_decode_payload(&a, z, zn, &root, NULL), 0);
    CHECK_STR(wb_node_attr(root, "notify"), "Alice");
    wb_error e = {0};
    CHECK_EQ(wb_node_decode_payload(&a, z, zn - 3, &root, &e), WB_ETRUNC);
    z[3] ^= 0xff;
    CHECK(wb_node_decode_payload(&a, z, zn, &root, &e) < 0);
    wb_arena_free(&a);
}

static void test_compressed_payload_over_16_mib_is_refused(void) {
    size_t big = ((size_t)16 << 20) + 1;
    uint8_t *zeros = calloc(1, big);
    uLongf cap = compressBound((uLong)big);
    uint8_t *z = malloc(cap + 1);
    size_t zn = zlib_payload(z, cap + 1, zeros, big);
    CHECK(zn > 0 && zn < 100000); /* a bomb: tiny in, huge out */
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_error e = {0};
    wb_node *root = NULL;
    CHECK_EQ(wb_node_decode_payload(&a, z, zn, &root, &e), WB_ETOOBIG);
    CHECK(strstr(e.what, "inflated") != NULL);
    wb_arena_free(&a);
    free(zeros);
    free(z);
}

static void test_every_prefix_of_a_stanza_fails_cleanly(void) {
    size_t n = unhex(vec_msg);
    wb_arena a;
    wb_arena_init(&a, 0);
    for (size_t len = 0; len < n; len++) {
        wb_error e = {0};
        wb_node *root = NULL;
        int rc = wb_node_decode_payload(&a, buf1, len, &root, &e);
        CHECK(rc == WB_ETRUNC || rc == WB_ETOOBIG);
        CHECK(e.offset <= len);
        wb_arena_reset(&a);
    }
    wb_arena_free(&a);
}

static void test_builders_make_the_stanza_baileys_makes(void) {
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_node *iq = WB_NODE(&a, "iq", {"id", "1"}, {"type", "get"}, {"xmlns", "w:p"},
                          {"to", "@s.whatsapp.net"}, {"absent", NULL});
    wb_node_add_new(iq, "ping");
    CHECK(encodes_to(iq, vec_ping));

    wb_jid from = wb_jid_of("15550001111", WB_SERVER_USER, 1);
    wb_node *m = wb_node_new(&a, "message");
    wb_node_set_jid(m, "from", &from);
    wb_node_set(m, "id", "3EB0A1B2C3D4E5F6");
    wb_node_set_i64(m, "t", 1700000000);
    wb_node_set(m, "type", "text");
    wb_node_set(m, "notify", "Alice");
    wb_node_setf(m, "sender_lid", "%s:%d@lid", "100000743590627", 1);
    const uint8_t ct[] = {1, 2, 3, 4, 5};
    wb_node_set_bytes(WB_CHILD(m, "enc", {"v", "2"}, {"type", "msg"}), ct, sizeof ct);
    CHECK(encodes_to(m, vec_msg));

    /* set replaces in place, unset removes */
    wb_node_set(m, "type", "media");
    CHECK_STR(wb_node_attr(m, "type"), "media");
    CHECK_EQ(m->nattrs, 6);
    wb_node_unset(m, "notify");
    CHECK(wb_node_attr(m, "notify") == NULL);
    CHECK_EQ(m->nattrs, 5);
    wb_node *c = wb_node_clone(&a, m);
    CHECK(c && c != m && wb_node_child(c, "enc") != wb_node_child(m, "enc"));
    CHECK_STR(wb_node_attr(c, "type"), "media");
    wb_arena_free(&a);
}

static void test_encoder_refuses_broken_deep_and_empty_nodes(void) {
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_buf out = WB_BUF_INIT;
    CHECK_EQ(wb_node_encode(NULL, &out), WB_EINVAL);
    wb_node *n = wb_node_new(&a, "x");
    wb_node_add(n, NULL); /* a failed child marks the parent */
    CHECK_EQ(wb_node_encode(n, &out), WB_ENOMEM);
    wb_node *empty = wb_node_new(&a, "");
    CHECK_EQ(wb_node_encode(empty, &out), WB_EINVAL);
    wb_node *loop = wb_node_new(&a, "loop");
    wb_node_add(loop, loop);
    CHECK_EQ(wb_node_encode(loop, &out), WB_EDEPTH);
    wb_node *wide = wb_node_new(&a, "wide");
    for (int i = 0; i < 65536; i++)
        wb_node_add_new(wide, "k");
    CHECK_EQ(wb_node_encode(wide, &out), WB_ETOOBIG);
    wb_buf_free(&out);
    wb_arena_free(&a);
}

static void test_attrs_reader_collects_the_first_error(void) {
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_node *n = decode_hex(&a, vec_msg, NULL);
    wb_attrs at = wb_attrs_of(n);
    wb_jid from = wb_attrs_jid(&at, "from");
    const char *id = wb_attrs_str(&at, "id");
    int64_t t = wb_attrs_i64(&at, "t");
    wb_jid lid = wb_attrs_opt_jid(&at, "sender_lid");
    wb_jid none = wb_attrs_opt_jid(&at, "participant");
    CHECK(wb_attrs_ok(&at));
    CHECK_STR(from.user, "15550001111");
    CHECK_STR(from.server, "s.whatsapp.net");
    CHECK_EQ(from.device, 1);
    CHECK_STR(id, "3EB0A1B2C3D4E5F6");
    CHECK_EQ(t, 1700000000);
    CHECK_STR(lid.server, "lid");
    CHECK(wb_jid_is_empty(&none));
    CHECK_EQ(wb_attrs_opt_i64(&at, "missing", 7), 7);

    wb_attrs bad = wb_attrs_of(n);
    wb_attrs_str(&bad, "participant");
    wb_attrs_i64(&bad, "notify");
    CHECK(!wb_attrs_ok(&bad));
    CHECK_EQ(wb_attrs_err(&bad), WB_EPROTO);
    CHECK_STR(wb_attrs_errmsg(&bad), "message: missing attribute 'participant'");

    wb_attrs bad2 = wb_attrs_of(n);
    wb_attrs_u64(&bad2, "notify");
    CHECK_EQ(wb_attrs_err(&bad2), WB_EMALFORMED);
    CHECK_STR(wb_attrs_errmsg(&bad2), "message: attribute 'notify' is not an unsigned integer");
    wb_attrs bad3 = wb_attrs_of(n);
    wb_attrs_jid(&bad3, "id");
    CHECK_STR(wb_attrs_errmsg(&bad3), "message: attribute 'id' is not a JID");

    wb_node *b = WB_NODE(&a, "b", {"yes", "true"}, {"no", "0"}, {"neg", "-5"}, {"big", "99999999999999999999"});
    wb_attrs r = wb_attrs_of(b);
    CHECK_EQ(wb_attrs_bool(&r, "yes"), 1);
    CHECK_EQ(wb_attrs_bool(&r, "no"), 0);
    CHECK_EQ(wb_attrs_opt_bool(&r, "gone", 1), 1);
    CHECK_EQ(wb_attrs_i64(&r, "neg"), -5);
    CHECK(wb_attrs_ok(&r));
    wb_attrs_i64(&r, "big");
    CHECK(!wb_attrs_ok(&r));
    wb_attrs r2 = wb_attrs_of(b);
    wb_attrs_u64(&r2, "neg");
    CHECK(!wb_attrs_ok(&r2));
    wb_arena_free(&a);
}

static void test_reading_helpers_follow_paths_and_iterate(void) {
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_node *iq = wb_node_new(&a, "iq");
    wb_node *list = wb_node_add_new(wb_node_add_new(iq, "usync"), "list");
    for (int i = 0; i < 3; i++)
        wb_node_setf(wb_node_add_new(list, "user"), "jid", "%d@s.whatsapp.net", i);
    wb_node_add_new(list, "other");
    CHECK(wb_node_path(iq, "usync", "list", NULL) == list);
    CHECK(wb_node_path(iq, "usync", "nope", "list", NULL) == NULL);
    CHECK_EQ(wb_node_count(list, "user"), 3);
    CHECK_EQ(wb_node_count(list, NULL), 4);
    uint32_t it = 0;
    int seen = 0;
    wb_node *u;
    while ((u = wb_node_next(list, "user", &it))) {
        char want[32];
        snprintf(want, sizeof want, "%d@s.whatsapp.net", seen++);
        CHECK_STR(wb_node_attr(u, "jid"), want);
    }
    CHECK_EQ(seen, 3);
    wb_arena_free(&a);
}

static void test_jid_parse_and_format_round_trip(void) {
    static const char *const good[] = {
        "15550001111@s.whatsapp.net", "15550001111:1@s.whatsapp.net", "100000743590627:1@lid",
        "@s.whatsapp.net", "120363021234567890@g.us", "status@broadcast", "u:99@hosted",
        "u@hosted.lid", "1234_1:2@s.whatsapp.net", "7-user:5@interop", "x:3@msgr",
        "867051314767696@bot", "1-2@g.us",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        wb_jid j;
        char s[WB_JID_STR_MAX];
        CHECK_EQ(wb_jid_parse(&j, good[i]), 0);
        CHECK_EQ(wb_jid_format(&j, s, sizeof s), strlen(good[i]));
        CHECK_STR(s, good[i]);
    }
    static const char *const bad[] = {
        "", "nouser", "a@", "a@b@c", "a:@s.whatsapp.net", "a:01@s.whatsapp.net", "a:x@lid",
        "a:65536@lid", "a_256@lid", "a b@lid", "a:1:2@lid", "u:5@interop", "x-u:5@interop",
        "a@server.with.far.too.long.name",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wb_jid j;
        CHECK(wb_jid_parse(&j, bad[i]) < 0);
    }
    wb_jid j;
    CHECK_EQ(wb_jid_parse(&j, "5:0@s.whatsapp.net"), 0);
    char s[WB_JID_STR_MAX];
    wb_jid_format(&j, s, sizeof s);
    CHECK_STR(s, "5@s.whatsapp.net");
    char user[80];
    memset(user, '1', 65);
    user[65] = 0;
    CHECK_EQ(wb_jid_make(&j, user, WB_SERVER_USER, 0), WB_ETOOBIG);
    user[64] = 0;
    CHECK_EQ(wb_jid_make(&j, user, WB_SERVER_USER, 0), 0);
}

static void test_jid_signal_address_as_baileys(void) {
    char s[WB_JID_STR_MAX];
    wb_jid j = wb_jid_of("15550001111", WB_SERVER_USER, 2);
    CHECK(wb_jid_signal_address(&j, s, sizeof s) > 0);
    CHECK_STR(s, "15550001111.2");
    j = wb_jid_of("100000743590627", WB_SERVER_LID, 1);
    wb_jid_signal_address(&j, s, sizeof s);
    CHECK_STR(s, "100000743590627_1.1");
    j = wb_jid_of("5", WB_SERVER_HOSTED, 99);
    wb_jid_signal_address(&j, s, sizeof s);
    CHECK_STR(s, "5_128.99");
    j = wb_jid_of("5", WB_SERVER_USER, 99);
    CHECK_EQ(wb_jid_signal_address(&j, s, sizeof s), WB_EINVAL);
    j = wb_jid_of("", WB_SERVER_USER, 0);
    CHECK_EQ(wb_jid_signal_address(&j, s, sizeof s), WB_EINVAL);
    wb_jid a = wb_jid_of("1", WB_SERVER_LID, 3), b = wb_jid_of("1", WB_SERVER_LID, 4);
    CHECK(!wb_jid_eq(&a, &b) && wb_jid_same_user(&a, &b));
    wb_jid u = wb_jid_user_jid(&a);
    CHECK_EQ(u.device, 0);
}

static void test_printer_elides_bytes_and_escapes(void) {
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_node *n = decode_hex(&a, vec_ping, NULL);
    wb_buf out = WB_BUF_INIT;
    CHECK_EQ(wb_node_print(n, &out, 0), 0);
    wb_buf_put_u8(&out, 0);
    CHECK_STR((char *)out.data, "<iq id=\"1\" type=\"get\" xmlns=\"w:p\" to=\"@s.whatsapp.net\"><ping/></iq>");
    CHECK_STR(wb_node_str(wb_node_child(n, "ping"), &out), "<ping/>");
    CHECK(wb_node_attr_is(n, "type", "get") && !wb_node_attr_is(n, "type", "ge") &&
          !wb_node_attr_is(n, "nope", "get"));
    wb_node *m = wb_node_new(&a, "message");
    uint8_t key[138];
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)(i * 37 + 1);
    wb_node_set_bytes(WB_CHILD(m, "enc", {"type", "pkmsg"}), key, sizeof key);
    wb_node_set_bytes(wb_node_add_new(m, "body"), "hi <you>", 8);
    wb_node_set_empty_list(wb_node_add_new(m, "list"));
    wb_node_set(m, "q", "a\"b\x01");
    wb_buf_reset(&out);
    CHECK_EQ(wb_node_print(m, &out, 0), 0);
    wb_buf_put_u8(&out, 0);
    CHECK_STR((char *)out.data, "<message q=\"a&quot;b\\x01\"><enc type=\"pkmsg\">[138 bytes]</enc>"
                                "<body>hi &lt;you&gt;</body><list></list></message>");
    wb_buf_reset(&out);
    CHECK_EQ(wb_node_print(m, &out, WB_PRINT_INDENT), 0);
    wb_buf_put_u8(&out, 0);
    CHECK(strstr((char *)out.data, "\n  <enc type=\"pkmsg\">[138 bytes]</enc>\n") != NULL);
    wb_buf_free(&out);
    wb_arena_free(&a);
}

static void test_json_form_round_trips_and_replaces_bad_utf8(void) {
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_node *n = decode_hex(&a, vec_msg, NULL);
    wb_buf js = WB_BUF_INIT;
    CHECK_EQ(wb_node_to_json(n, &js, 0), 0);
    wb_buf_put_u8(&js, 0);
    CHECK_STR((char *)js.data,
              "{\"tag\":\"message\",\"attrs\":{\"from\":\"15550001111:1@s.whatsapp.net\",\"id\":"
              "\"3EB0A1B2C3D4E5F6\",\"t\":\"1700000000\",\"type\":\"text\",\"notify\":\"Alice\","
              "\"sender_lid\":\"100000743590627:1@lid\"},\"content\":[{\"tag\":\"enc\",\"attrs\":{"
              "\"v\":\"2\",\"type\":\"msg\"},\"content\":{\"base64\":\"AQIDBAU=\"}}]}");
    wb_node *back = NULL;
    wb_error e = {0};
    CHECK_EQ(wb_node_from_json(&a, (char *)js.data, js.len - 1, &back, &e), 0);
    CHECK(encodes_to(back, vec_msg));

    wb_node *u = wb_node_new(&a, "u");
    wb_node_setn(u, "k", "a\xff" "b\xe2\x82" "\n\"", 7);
    wb_node_set_text(u, "12");
    wb_buf_reset(&js);
    CHECK_EQ(wb_node_to_json(u, &js, 0), 0);
    wb_buf_put_u8(&js, 0);
    CHECK_STR((char *)js.data, "{\"tag\":\"u\",\"attrs\":{\"k\":\"a\xef\xbf\xbd" "b\xef\xbf\xbd\\n\\\"\"},\"content\":\"12\"}");
    wb_buf_free(&js);
    wb_arena_free(&a);
}

static int json_fails(const char *text, int code, const char *what) {
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_error e = {0};
    wb_node *n;
    int rc = wb_node_from_json(&a, text, strlen(text), &n, &e);
    int ok = rc == code && strstr(e.what, what) != NULL;
    if (!ok)
        fprintf(stderr, "  %s -> %s '%s'\n", text, wb_errname(rc), e.what);
    wb_arena_free(&a);
    return ok;
}

static void test_json_errors_name_the_place(void) {
    CHECK(json_fails("{\"tag\":", WB_EMALFORMED, "not valid JSON"));
    CHECK(json_fails("[]", WB_EMALFORMED, "a node must be an object"));
    CHECK(json_fails("{\"tag\":\"\"}", WB_EMALFORMED, "tag must be"));
    CHECK(json_fails("{\"tag\":\"a\",\"x\":1}", WB_EMALFORMED, "unexpected field 'x'"));
    CHECK(json_fails("{\"tag\":\"a\",\"tag\":\"b\"}", WB_EMALFORMED, "repeated field 'tag'"));
    CHECK(json_fails("{\"tag\":\"a\",\"attrs\":{\"id\":1}}", WB_EMALFORMED, "attrs.id: not a string"));
    CHECK(json_fails("{\"tag\":\"a\",\"content\":[{\"tag\":\"b\"},{\"tag\":\"c\",\"attrs\":{\"id\":null}}]}",
                     WB_EMALFORMED, "content[1].attrs.id: not a string"));
    CHECK(json_fails("{\"tag\":\"a\",\"content\":{\"base64\":\"@@\"}}", WB_EMALFORMED, "content: base64 is not"));
    CHECK(json_fails("{\"tag\":\"a\",\"content\":5}", WB_EMALFORMED, "content must be"));
    CHECK(json_fails("{\"tag\":\"a\\u0000b\"}", WB_EMALFORMED, "U+0000"));
}

int main(void) {
    RUN(test_decode_baileys_ping_and_encode_same_bytes);
    RUN(test_decode_baileys_message_with_ad_jids);
    RUN(test_decode_packed_tokens_and_text_content);
    RUN(test_decode_jid_forms_as_baileys_renders_them);
    RUN(test_encoder_picks_string_forms_like_baileys);
    RUN(test_encoder_packs_127_but_not_128_digits);
    RUN(test_token_lookup_finds_every_token);
    RUN(test_decoder_errors_name_the_problem_and_byte);
    RUN(test_decoder_bounds_nesting_depth);
    RUN(test_decoder_bounds_nested_jids);
    RUN(test_compressed_payload_decodes);
    RUN(test_compressed_payload_over_16_mib_is_refused);
    RUN(test_every_prefix_of_a_stanza_fails_cleanly);
    RUN(test_builders_make_the_stanza_baileys_makes);
    RUN(test_encoder_refuses_broken_deep_and_empty_nodes);
    RUN(test_attrs_reader_collects_the_first_error);
    RUN(test_reading_helpers_follow_paths_and_iterate);
    RUN(test_jid_parse_and_format_round_trip);
    RUN(test_jid_signal_address_as_baileys);
    RUN(test_printer_elides_bytes_and_escapes);
    RUN(test_json_form_round_trips_and_replaces_bad_utf8);
    RUN(test_json_errors_name_the_place);
    return check_summary();
}
