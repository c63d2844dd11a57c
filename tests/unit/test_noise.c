/* Unit tests for host/net/noise and noise_conn: the handshake replayed byte for byte against a
 * transcript recorded from Baileys' noise handler and a node:crypto responder
 * (tests/vectors/noise_transcript.txt), full in-process handshakes with transport traffic,
 * every tampered handshake byte and transport frame, and misuse of the state machines. */
#include <time.h>

#include "check.h"
#include "core/err.h"
#include "crypto/random.h"
#include "net/cert.h"
#include "net/frame.h"
#include "net/noise.h"
#include "net/noise_conn.h"

/* ---- the transcript ------------------------------------------------------------------------- */

typedef struct entry {
    char name[32];
    wb_buf v;
    unsigned long long num;
} entry;

static entry transcript[64];
static size_t ntranscript;

static void load_transcript(void) {
    FILE *f = fopen(WB_TEST_VECTORS "/noise_transcript.txt", "r");
    CHECK(f != NULL);
    if (!f)
        exit(1);
    static char line[1 << 16];
    while (fgets(line, sizeof line, f) && ntranscript < 64) {
        if (line[0] == '#')
            continue;
        entry *e = &transcript[ntranscript++];
        char *sp = strchr(line, ' ');
        if (!sp)
            continue;
        *sp = 0;
        snprintf(e->name, sizeof e->name, "%.31s", line);
        char *hex = sp + 1;
        hex[strcspn(hex, "\n")] = 0;
        e->num = strtoull(hex, NULL, 10);
        for (size_t i = 0; hex[i] && hex[i + 1]; i += 2) {
            unsigned x;
            sscanf(hex + i, "%2x", &x);
            wb_buf_put_u8(&e->v, (uint8_t)x);
        }
    }
    fclose(f);
}

static const wb_buf *tv(const char *name) {
    for (size_t i = 0; i < ntranscript; i++)
        if (strcmp(transcript[i].name, name) == 0)
            return &transcript[i].v;
    fprintf(stderr, "transcript has no %s\n", name);
    exit(1);
}

static uint64_t tv_num(const char *name) {
    for (size_t i = 0; i < ntranscript; i++)
        if (strcmp(transcript[i].name, name) == 0)
            return transcript[i].num;
    exit(1);
}

static wb_keypair tv_key(const char *name) {
    wb_keypair kp;
    memcpy(kp.priv, tv(name)->data, 32);
    wb_curve_public(kp.pub, kp.priv);
    return kp;
}

/* ---- a connection that records what it sends and receives ----------------------------------- */

typedef struct peer {
    wb_noise_conn *c;
    wb_buf wire;            /* everything sent, concatenated */
    wb_buf frames;          /* be32(len) || plaintext for each received frame */
    size_t nframes;
    int handshakes;
    uint8_t peer_static[32];
    wb_buf payload;
    wb_buf routing;
    int intros;
} peer;

static int peer_send(void *ud, const uint8_t *p, size_t len) {
    return wb_buf_append(&((peer *)ud)->wire, p, len);
}
static int peer_handshake(void *ud, const uint8_t key[32], const uint8_t *payload, size_t len) {
    peer *p = ud;
    p->handshakes++;
    memcpy(p->peer_static, key, 32);
    return wb_buf_append(&p->payload, payload, len);
}
static int peer_frame(void *ud, const uint8_t *pt, size_t len) {
    peer *p = ud;
    p->nframes++;
    wb_buf_put_be32(&p->frames, (uint32_t)len);
    return wb_buf_append(&p->frames, pt, len);
}
static int peer_intro(void *ud, const uint8_t *routing, size_t len) {
    peer *p = ud;
    p->intros++;
    return wb_buf_append(&p->routing, routing, len);
}
static const wb_noise_conn_callbacks peer_cb = {peer_send, peer_handshake, peer_frame, peer_intro};

static void peer_free(peer *p) {
    wb_noise_conn_free(p->c);
    wb_buf_free(&p->wire);
    wb_buf_free(&p->frames);
    wb_buf_free(&p->payload);
    wb_buf_free(&p->routing);
    memset(p, 0, sizeof *p);
}

/* Takes what p sent so far. */
static void take_wire(peer *p, wb_buf *out) {
    wb_buf_reset(out);
    wb_buf_append(out, p->wire.data, p->wire.len);
    wb_buf_reset(&p->wire);
}

static void check_buf(const wb_buf *got, const wb_buf *want, const char *what) {
    if (got->len != want->len || (want->len && memcmp(got->data, want->data, want->len) != 0)) {
        fprintf(stderr, "%s: %s differs (%zu vs %zu bytes)\n", check_current, what, got->len,
                want->len);
        check_failures++;
    }
}

static void transcript_initiator_cfg(wb_noise_initiator_cfg *cfg, wb_keypair *s, wb_keypair *e) {
    *s = tv_key("client_static_priv");
    *e = tv_key("client_ephemeral_priv");
    *cfg = (wb_noise_initiator_cfg){s, tv("client_payload")->data, tv("client_payload")->len,
                                    tv("root_pub")->data, tv_num("now"), e};
}

static void transcript_responder_cfg(wb_noise_responder_cfg *cfg, wb_keypair *s, wb_keypair *e) {
    *s = tv_key("server_static_priv");
    *e = tv_key("server_ephemeral_priv");
    *cfg = (wb_noise_responder_cfg){s, tv("cert_chain")->data, tv("cert_chain")->len, e};
}

static void test_noise_initiator_replays_baileys_transcript(void) {
    wb_keypair s, e;
    wb_noise_initiator_cfg cfg;
    transcript_initiator_cfg(&cfg, &s, &e);
    peer p = {0};
    wb_buf got = WB_BUF_INIT;
    CHECK_EQ(wb_noise_conn_new_initiator(&p.c, &cfg, NULL, 0, &peer_cb, &p), 0);
    CHECK_EQ(wb_noise_conn_start(p.c), 0);
    take_wire(&p, &got);
    check_buf(&got, tv("msg1"), "ClientHello with intro");
    const wb_buf *m2 = tv("msg2");
    CHECK_EQ(wb_noise_conn_feed(p.c, m2->data, m2->len, NULL), 0);
    take_wire(&p, &got);
    check_buf(&got, tv("msg3"), "ClientFinish");
    CHECK_EQ(p.handshakes, 1);
    CHECK_MEM(p.peer_static, tv_key("server_static_priv").pub, 32);
    check_buf(&p.payload, tv("cert_chain"), "certificate chain");
    CHECK(wb_noise_conn_ready(p.c));
    char name[16];
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "c2s_pt_%d", i);
        const wb_buf *pt = tv(name);
        CHECK_EQ(wb_noise_conn_send(p.c, pt->data, pt->len), 0);
        take_wire(&p, &got);
        snprintf(name, sizeof name, "c2s_%d", i);
        check_buf(&got, tv(name), name);
        snprintf(name, sizeof name, "s2c_%d", i);
        CHECK_EQ(wb_noise_conn_feed(p.c, tv(name)->data, tv(name)->len, NULL), 0);
    }
    CHECK_EQ(p.nframes, 3);
    size_t off = 0;
    for (int i = 0; i < 3 && off + 4 <= p.frames.len; i++) {
        snprintf(name, sizeof name, "s2c_pt_%d", i);
        const wb_buf *pt = tv(name);
        CHECK_EQ(wb_get_be32(p.frames.data + off), pt->len);
        CHECK_MEM(p.frames.data + off + 4, pt->data, pt->len);
        off += 4 + pt->len;
    }
    wb_buf_free(&got);
    peer_free(&p);
}

static void test_noise_responder_replays_baileys_transcript(void) {
    wb_keypair s, e;
    wb_noise_responder_cfg cfg;
    transcript_responder_cfg(&cfg, &s, &e);
    peer p = {0};
    wb_buf got = WB_BUF_INIT;
    CHECK_EQ(wb_noise_conn_new_responder(&p.c, &cfg, &peer_cb, &p), 0);
    CHECK_EQ(wb_noise_conn_start(p.c), WB_ESTATE);
    const wb_buf *m1 = tv("msg1"), *m3 = tv("msg3");
    CHECK_EQ(wb_noise_conn_feed(p.c, m1->data, m1->len, NULL), 0);
    CHECK_EQ(p.intros, 1);
    take_wire(&p, &got);
    check_buf(&got, tv("msg2"), "ServerHello");
    /* the ClientFinish and all three client frames in one coalesced read */
    wb_buf burst = WB_BUF_INIT;
    wb_buf_append(&burst, m3->data, m3->len);
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "c2s_%d", i);
        wb_buf_append(&burst, tv(name)->data, tv(name)->len);
    }
    CHECK_EQ(wb_noise_conn_feed(p.c, burst.data, burst.len, NULL), 0);
    CHECK_EQ(p.handshakes, 1);
    CHECK_MEM(p.peer_static, tv_key("client_static_priv").pub, 32);
    check_buf(&p.payload, tv("client_payload"), "ClientPayload");
    CHECK_EQ(p.nframes, 3);
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "s2c_pt_%d", i);
        CHECK_EQ(wb_noise_conn_send(p.c, tv(name)->data, tv(name)->len), 0);
        take_wire(&p, &got);
        snprintf(name, sizeof name, "s2c_%d", i);
        check_buf(&got, tv(name), name);
    }
    wb_buf_free(&burst);
    wb_buf_free(&got);
    peer_free(&p);
}

/* ---- in-process handshakes ------------------------------------------------------------------- */

typedef struct pair {
    wb_keypair root, inter, server, client;
    wb_buf chain;
    uint8_t payload[300];
    peer c, s;
} pair;

static void pair_init(pair *x, const uint8_t *routing, size_t routing_len) {
    memset(x, 0, sizeof *x);
    wb_keypair_generate(&x->root);
    wb_keypair_generate(&x->inter);
    wb_keypair_generate(&x->server);
    wb_keypair_generate(&x->client);
    wb_random_bytes(x->payload, sizeof x->payload);
    uint64_t now = (uint64_t)time(NULL);
    CHECK_EQ(wb_cert_chain_build(&x->chain, x->root.priv, &x->inter, x->server.pub, now - 3600,
                                 now + 86400),
             0);
    wb_noise_initiator_cfg ic = {&x->client, x->payload, sizeof x->payload, x->root.pub, 0, NULL};
    wb_noise_responder_cfg rc = {&x->server, x->chain.data, x->chain.len, NULL};
    CHECK_EQ(wb_noise_conn_new_initiator(&x->c.c, &ic, routing, routing_len, &peer_cb, &x->c), 0);
    CHECK_EQ(wb_noise_conn_new_responder(&x->s.c, &rc, &peer_cb, &x->s), 0);
}

static void pair_free(pair *x) {
    peer_free(&x->c);
    peer_free(&x->s);
    wb_buf_free(&x->chain);
}

/* Moves what from sent to to, in random slices. Returns the first feed error. */
static int pump(peer *from, peer *to) {
    wb_buf bytes = WB_BUF_INIT;
    take_wire(from, &bytes);
    int rc = 0;
    for (size_t pos = 0; pos < bytes.len && rc == 0;) {
        size_t n = 1 + wb_random_uniform(600);
        if (n > bytes.len - pos)
            n = bytes.len - pos;
        rc = wb_noise_conn_feed(to->c, bytes.data + pos, n, NULL);
        pos += n;
    }
    wb_buf_free(&bytes);
    return rc;
}

static void test_noise_full_handshake_in_process_then_1000_frames_each_way(void) {
    pair x;
    const uint8_t routing[] = {1, 2, 3, 4, 5};
    pair_init(&x, routing, sizeof routing);
    CHECK_EQ(wb_noise_conn_start(x.c.c), 0);
    CHECK_EQ(pump(&x.c, &x.s), 0); /* intro + ClientHello */
    CHECK_EQ(x.s.intros, 1);
    CHECK_EQ(x.s.routing.len, sizeof routing);
    CHECK_EQ(pump(&x.s, &x.c), 0); /* ServerHello */
    CHECK_EQ(x.c.handshakes, 1);
    CHECK_EQ(pump(&x.c, &x.s), 0); /* ClientFinish */
    CHECK_EQ(x.s.handshakes, 1);
    CHECK_MEM(x.s.peer_static, x.client.pub, 32);
    CHECK_MEM(x.c.peer_static, x.server.pub, 32);
    CHECK_EQ(x.s.payload.len, sizeof x.payload);
    CHECK_MEM(x.s.payload.data, x.payload, sizeof x.payload);
    CHECK(wb_noise_conn_ready(x.c.c) && wb_noise_conn_ready(x.s.c));

    wb_buf sent_c = WB_BUF_INIT, sent_s = WB_BUF_INIT;
    static uint8_t data[70000];
    wb_random_bytes(data, sizeof data);
    for (int i = 0; i < 1000; i++) {
        size_t a = i % 100 == 0 ? 65000 : wb_random_uniform(2000);
        size_t b = i % 100 == 1 ? 0 : wb_random_uniform(2000);
        CHECK_EQ(wb_noise_conn_send(x.c.c, data + i, a), 0);
        CHECK_EQ(wb_noise_conn_send(x.s.c, data + 2 * i, b), 0);
        wb_buf_put_be32(&sent_c, (uint32_t)a);
        wb_buf_append(&sent_c, data + i, a);
        wb_buf_put_be32(&sent_s, (uint32_t)b);
        wb_buf_append(&sent_s, data + 2 * i, b);
        if (i % 37 == 0) { /* let frames pile up and arrive coalesced */
            CHECK_EQ(pump(&x.c, &x.s), 0);
            CHECK_EQ(pump(&x.s, &x.c), 0);
        }
    }
    CHECK_EQ(pump(&x.c, &x.s), 0);
    CHECK_EQ(pump(&x.s, &x.c), 0);
    CHECK_EQ(x.s.nframes, 1000);
    CHECK_EQ(x.c.nframes, 1000);
    check_buf(&x.s.frames, &sent_c, "client to server frames");
    check_buf(&x.c.frames, &sent_s, "server to client frames");
    CHECK_EQ(wb_noise_sent(wb_noise_conn_transport(x.c.c)), 1000);
    CHECK_EQ(wb_noise_received(wb_noise_conn_transport(x.s.c)), 1000);
    wb_buf_free(&sent_c);
    wb_buf_free(&sent_s);
    pair_free(&x);
}

/* ---- tampering ------------------------------------------------------------------------------ */

/* Runs the transcript handshake with byte `at` of handshake message `which` (1..3, counted in
 * the frame payload, after the intro and length) xor-ed with mask. Returns 1 if some side
 * reported an error (with a sentence), 0 if both completed. */
static int tampered_handshake_fails(int which, size_t at, uint8_t mask) {
    wb_keypair cs, ce, ss, se;
    wb_noise_initiator_cfg icfg;
    wb_noise_responder_cfg rcfg;
    transcript_initiator_cfg(&icfg, &cs, &ce);
    transcript_responder_cfg(&rcfg, &ss, &se);
    peer c = {0}, s = {0};
    wb_buf msg = WB_BUF_INIT;
    int failed = 0;
    CHECK_EQ(wb_noise_conn_new_initiator(&c.c, &icfg, NULL, 0, &peer_cb, &c), 0);
    CHECK_EQ(wb_noise_conn_new_responder(&s.c, &rcfg, &peer_cb, &s), 0);
    CHECK_EQ(wb_noise_conn_start(c.c), 0);
    for (int step = 1; step <= 3 && !failed; step++) {
        peer *from = step == 2 ? &s : &c, *to = step == 2 ? &c : &s;
        take_wire(from, &msg);
        size_t header = step == 1 ? 7 : 3;
        if (step == which && header + at < msg.len)
            msg.data[header + at] ^= mask;
        wb_error e = {0};
        if (wb_noise_conn_feed(to->c, msg.data, msg.len, &e) < 0) {
            failed = 1;
            CHECK(e.what[0] != 0);
        }
    }
    /* without an error, nothing may be left half done: both sides completed */
    if (!failed)
        CHECK(c.handshakes == 1 && s.handshakes == 1);
    peer_free(&c);
    peer_free(&s);
    wb_buf_free(&msg);
    return failed;
}

static void test_noise_handshake_fails_on_every_flipped_byte(void) {
    size_t lens[4] = {0, tv("msg1")->len - 7, tv("msg2")->len - 3, tv("msg3")->len - 3};
    size_t tried = 0;
    for (int which = 1; which <= 3; which++)
        for (size_t at = 0; at < lens[which]; at++) {
            uint8_t mask = (uint8_t)(1u << (at % 8));
            int failed = tampered_handshake_fails(which, at, mask);
            if (!failed)
                fprintf(stderr, "message %d byte %zu: tampering unnoticed\n", which, at);
            CHECK(failed);
            tried++;
        }
    CHECK(tried > 400);
    CHECK(!tampered_handshake_fails(0, 0, 0)); /* and untouched it succeeds */
}

static void test_noise_transport_rejects_flipped_reordered_and_replayed_frames(void) {
    pair x;
    pair_init(&x, NULL, 0);
    CHECK_EQ(wb_noise_conn_start(x.c.c), 0);
    CHECK_EQ(pump(&x.c, &x.s), 0);
    CHECK_EQ(pump(&x.s, &x.c), 0);
    CHECK_EQ(pump(&x.c, &x.s), 0);
    wb_buf f1 = WB_BUF_INIT, f2 = WB_BUF_INIT;
    CHECK_EQ(wb_noise_conn_send(x.c.c, (const uint8_t *)"first", 5), 0);
    take_wire(&x.c, &f1);
    CHECK_EQ(wb_noise_conn_send(x.c.c, (const uint8_t *)"second", 6), 0);
    take_wire(&x.c, &f2);
    /* out of order: frame 2 first fails (counter 0 expected) */
    CHECK_EQ(wb_noise_conn_feed(x.s.c, f2.data, f2.len, NULL), WB_EAUTH);
    /* and the connection stays dead: even the right frame is refused */
    CHECK_EQ(wb_noise_conn_feed(x.s.c, f1.data, f1.len, NULL), WB_EAUTH);
    CHECK(!wb_noise_conn_ready(x.s.c));
    CHECK_EQ(wb_noise_conn_send(x.s.c, (const uint8_t *)"x", 1), WB_ESTATE);
    CHECK_EQ(x.s.nframes, 0);
    wb_buf_free(&f1);
    wb_buf_free(&f2);
    pair_free(&x);
}

/* Handshakes a fresh pair of raw transports (no framing) through the hs API. */
static void raw_transports(wb_noise **client, wb_noise **server) {
    wb_keypair root, inter, srv, cli;
    wb_keypair_generate(&root);
    wb_keypair_generate(&inter);
    wb_keypair_generate(&srv);
    wb_keypair_generate(&cli);
    wb_buf chain = WB_BUF_INIT, m1 = WB_BUF_INIT, m2 = WB_BUF_INIT, m3 = WB_BUF_INIT;
    uint64_t now = (uint64_t)time(NULL);
    wb_cert_chain_build(&chain, root.priv, &inter, srv.pub, now - 10, now + 10);
    wb_noise_initiator_cfg ic = {&cli, (const uint8_t *)"payload", 7, root.pub, 0, NULL};
    wb_noise_responder_cfg rc = {&srv, chain.data, chain.len, NULL};
    wb_noise_hs *i, *r;
    CHECK_EQ(wb_noise_hs_new_initiator(&i, &ic), 0);
    CHECK_EQ(wb_noise_hs_new_responder(&r, &rc), 0);
    CHECK_EQ(wb_noise_hs_start(i, &m1), 0);
    CHECK_EQ(wb_noise_hs_read(r, m1.data, m1.len, &m2, NULL), 0);
    CHECK_EQ(wb_noise_hs_read(i, m2.data, m2.len, &m3, NULL), 1);
    CHECK_EQ(wb_noise_hs_read(r, m3.data, m3.len, &m1, NULL), 1);
    size_t plen = 0;
    const uint8_t *pl = wb_noise_hs_payload(r, &plen);
    CHECK(pl && plen == 7 && memcmp(pl, "payload", 7) == 0);
    CHECK_MEM(wb_noise_hs_peer_static(r), cli.pub, 32);
    CHECK_EQ(wb_noise_hs_split(i, client), 0);
    CHECK_EQ(wb_noise_hs_split(r, server), 0);
    wb_noise_hs_free(i);
    wb_noise_hs_free(r);
    wb_buf_free(&chain);
    wb_buf_free(&m1);
    wb_buf_free(&m2);
    wb_buf_free(&m3);
}

static void test_noise_transport_rejects_every_flipped_bit_of_a_frame(void) {
    uint8_t pt[40], out[40];
    wb_random_bytes(pt, sizeof pt);
    for (int frame = 0; frame < 3; frame++) {      /* the 1st, 2nd and 3rd frame of a session */
        for (size_t bit = 0; bit < (sizeof pt + 16) * 8; bit += 7) {
            wb_noise *c, *s;
            raw_transports(&c, &s);
            wb_buf sealed = WB_BUF_INIT;
            for (int k = 0; k < frame; k++) { /* earlier frames pass */
                wb_buf_reset(&sealed);
                CHECK_EQ(wb_noise_seal(c, pt, sizeof pt, &sealed), 0);
                CHECK_EQ(wb_noise_open(s, sealed.data, sealed.len, out), 0);
            }
            wb_buf_reset(&sealed);
            CHECK_EQ(wb_noise_seal(c, pt, sizeof pt, &sealed), 0);
            sealed.data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            CHECK_EQ(wb_noise_open(s, sealed.data, sealed.len, out), WB_EAUTH);
            sealed.data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            CHECK_EQ(wb_noise_open(s, sealed.data, sealed.len, out), WB_EAUTH); /* sticky */
            wb_buf_free(&sealed);
            wb_noise_free(c);
            wb_noise_free(s);
        }
    }
    /* replay, truncation, and a frame shorter than the tag */
    wb_noise *c, *s;
    raw_transports(&c, &s);
    wb_buf a = WB_BUF_INIT;
    CHECK_EQ(wb_noise_seal(c, pt, sizeof pt, &a), 0);
    CHECK_EQ(wb_noise_open(s, a.data, a.len, out), 0);
    CHECK_MEM(out, pt, sizeof pt);
    CHECK_EQ(wb_noise_open(s, a.data, a.len, out), WB_EAUTH); /* replayed */
    wb_noise_free(s);
    wb_noise_free(c);
    raw_transports(&c, &s);
    wb_buf_reset(&a);
    CHECK_EQ(wb_noise_seal(c, pt, sizeof pt, &a), 0);
    CHECK_EQ(wb_noise_open(s, a.data, a.len - 1, out), WB_EAUTH);
    wb_noise_free(s);
    wb_noise_free(c);
    raw_transports(&c, &s);
    CHECK_EQ(wb_noise_open(s, a.data, 15, out), WB_ETRUNC);
    CHECK_EQ(wb_noise_open(s, a.data, a.len, out), WB_ETRUNC);
    /* both directions use different keys: a client frame does not open as a server frame */
    wb_buf_reset(&a);
    CHECK_EQ(wb_noise_seal(c, pt, sizeof pt, &a), 0);
    CHECK_EQ(wb_noise_open(c, a.data, a.len, out), WB_EAUTH);
    wb_buf_free(&a);
    wb_noise_free(c);
    wb_noise_free(s);
}

static void test_noise_initiator_rejects_untrusted_root_with_ecert(void) {
    pair x;
    pair_init(&x, NULL, 0);
    /* a client that trusts WhatsApp's real root */
    wb_noise_initiator_cfg ic = {&x.client, x.payload, 10, NULL, 0, NULL};
    peer real = {0};
    CHECK_EQ(wb_noise_conn_new_initiator(&real.c, &ic, NULL, 0, &peer_cb, &real), 0);
    CHECK_EQ(wb_noise_conn_start(real.c), 0);
    CHECK_EQ(pump(&real, &x.s), 0);
    wb_buf sh = WB_BUF_INIT;
    take_wire(&x.s, &sh);
    wb_error e = {0};
    CHECK_EQ(wb_noise_conn_feed(real.c, sh.data, sh.len, &e), WB_ECERT);
    CHECK(strstr(e.what, "root") != NULL);
    CHECK_EQ(real.wire.len, 0); /* no ClientFinish went out */
    CHECK_EQ(real.handshakes, 0);
    wb_buf_free(&sh);
    peer_free(&real);
    pair_free(&x);
}

static void test_noise_certificate_expiry_is_checked_against_the_configured_clock(void) {
    wb_keypair cs, ce, ss, se;
    wb_noise_initiator_cfg icfg;
    wb_noise_responder_cfg rcfg;
    transcript_initiator_cfg(&icfg, &cs, &ce);
    transcript_responder_cfg(&rcfg, &ss, &se);
    icfg.now = 4102444801ull; /* a second after the transcript chain's notAfter */
    wb_noise_hs *i;
    wb_buf m1 = WB_BUF_INIT, m3 = WB_BUF_INIT;
    CHECK_EQ(wb_noise_hs_new_initiator(&i, &icfg), 0);
    CHECK_EQ(wb_noise_hs_start(i, &m1), 0);
    const wb_buf *m2 = tv("msg2");
    wb_error e = {0};
    CHECK_EQ(wb_noise_hs_read(i, m2->data + 3, m2->len - 3, &m3, &e), WB_ECERT);
    CHECK(strstr(e.what, "not valid") != NULL);
    CHECK_EQ(m3.len, 0);
    wb_noise_hs_free(i);
    wb_buf_free(&m1);
    wb_buf_free(&m3);
}

static void test_noise_handshake_state_machine_refuses_misuse(void) {
    wb_keypair cs, ce, ss, se;
    wb_noise_initiator_cfg icfg;
    wb_noise_responder_cfg rcfg;
    transcript_initiator_cfg(&icfg, &cs, &ce);
    transcript_responder_cfg(&rcfg, &ss, &se);
    wb_noise_hs *i, *r;
    wb_noise *t = NULL;
    wb_buf out = WB_BUF_INIT;
    CHECK_EQ(wb_noise_hs_new_initiator(&i, &icfg), 0);
    CHECK_EQ(wb_noise_hs_new_responder(&r, &rcfg), 0);
    CHECK_EQ(wb_noise_hs_read(i, (const uint8_t *)"x", 1, &out, NULL), WB_ESTATE); /* before start */
    CHECK_EQ(wb_noise_hs_start(r, &out), WB_ESTATE);
    CHECK_EQ(wb_noise_hs_split(r, &t), WB_ESTATE);
    CHECK(wb_noise_hs_peer_static(r) == NULL);
    CHECK_EQ(wb_noise_hs_start(i, &out), 0);
    CHECK_EQ(wb_noise_hs_start(i, &out), WB_ESTATE);
    /* a ClientFinish where the hello belongs */
    const wb_buf *m3 = tv("msg3");
    wb_error e = {0};
    wb_buf_reset(&out);
    CHECK_EQ(wb_noise_hs_read(r, m3->data + 3, m3->len - 3, &out, &e), WB_EPROTO);
    CHECK_EQ(out.len, 0);
    /* errors are final */
    const wb_buf *m1 = tv("msg1");
    CHECK_EQ(wb_noise_hs_read(r, m1->data + 7, m1->len - 7, &out, NULL), WB_EPROTO);
    wb_noise_hs *none = NULL;
    CHECK_EQ(wb_noise_hs_new_initiator(&none, &(wb_noise_initiator_cfg){0}), WB_EINVAL);
    CHECK(none == NULL);
    wb_noise_hs_free(i);
    wb_noise_hs_free(r);
    wb_noise_hs_free(NULL);
    wb_buf_free(&out);
}

static void test_noise_responder_refuses_low_order_and_malformed_hellos(void) {
    wb_keypair ss, se;
    wb_noise_responder_cfg rcfg;
    transcript_responder_cfg(&rcfg, &ss, &se);
    /* HandshakeMessage{clientHello{ephemeral = 32 zero bytes}} */
    static const uint8_t zero_hello[2 + 2 + 32] = {0x12, 0x22, 0x0a, 0x20};
    const struct {
        const uint8_t *msg;
        size_t len;
        int code;
    } cases[] = {
        {zero_hello, sizeof zero_hello, WB_EPROTO},
        {(const uint8_t *)"\x12\x03\x0a\x01\x00", 5, WB_EPROTO},   /* 1-byte ephemeral */
        {(const uint8_t *)"\x12\x00", 2, WB_EPROTO},               /* empty hello */
        {(const uint8_t *)"", 0, WB_EPROTO},                       /* nothing at all */
        {(const uint8_t *)"\x12\x40\x0a", 3, WB_EMALFORMED},       /* truncated */
        {(const uint8_t *)"\xff\xff\xff\xff", 4, WB_EMALFORMED},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        wb_noise_hs *r;
        wb_buf out = WB_BUF_INIT;
        wb_error e = {0};
        CHECK_EQ(wb_noise_hs_new_responder(&r, &rcfg), 0);
        CHECK_EQ(wb_noise_hs_read(r, cases[k].msg, cases[k].len, &out, &e), cases[k].code);
        CHECK_EQ(out.len, 0);
        CHECK(e.what[0] != 0);
        wb_noise_hs_free(r);
        wb_buf_free(&out);
    }
}

static void test_noise_seal_refuses_frames_over_24_bits(void) {
    wb_noise *c, *s;
    raw_transports(&c, &s);
    wb_buf out = WB_BUF_INIT;
    static uint8_t big[WB_FRAME_MAX - 15];
    CHECK_EQ(wb_noise_seal_frame(c, big, sizeof big, &out), WB_ETOOBIG);
    CHECK_EQ(out.len, 0);
    CHECK_EQ(wb_noise_seal_frame(c, big, sizeof big - 1, &out), 0);
    CHECK_EQ(out.len, 3 + WB_FRAME_MAX);
    CHECK_EQ(wb_get_be24(out.data), WB_FRAME_MAX);
    CHECK_EQ(wb_noise_sent(c), 1);
    wb_buf_free(&out);
    wb_noise_free(c);
    wb_noise_free(s);
}

int main(void) {
    if (wb_crypto_init() < 0)
        return 1;
    load_transcript();
    RUN(test_noise_initiator_replays_baileys_transcript);
    RUN(test_noise_responder_replays_baileys_transcript);
    RUN(test_noise_full_handshake_in_process_then_1000_frames_each_way);
    RUN(test_noise_handshake_fails_on_every_flipped_byte);
    RUN(test_noise_transport_rejects_flipped_reordered_and_replayed_frames);
    RUN(test_noise_transport_rejects_every_flipped_bit_of_a_frame);
    RUN(test_noise_initiator_rejects_untrusted_root_with_ecert);
    RUN(test_noise_certificate_expiry_is_checked_against_the_configured_clock);
    RUN(test_noise_handshake_state_machine_refuses_misuse);
    RUN(test_noise_responder_refuses_low_order_and_malformed_hellos);
    RUN(test_noise_seal_refuses_frames_over_24_bits);
    for (size_t i = 0; i < ntranscript; i++)
        wb_buf_free(&transcript[i].v);
    return check_summary();
}
