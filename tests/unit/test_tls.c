/* TLS over memory BIOs (net/tls.h): a client and a server endpoint pumped in memory, with
 * certificates made by wb_tls_selfsigned; verification failures (untrusted, wrong host, wrong IP),
 * garbage and plain HTTP into a TLS server, ALPN, close_notify. */
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "crypto/random.h"
#include "net/tls.h"

typedef struct end {
    wb_tls *t;
    wb_buf out;   /* records for the other side */
    wb_buf plain; /* what it received */
    int handshakes;
    int echo;
} end;

static void on_output(void *ud, const uint8_t *d, size_t n) {
    wb_buf_append(&((end *)ud)->out, d, n);
}
static void on_plain(void *ud, const uint8_t *d, size_t n) {
    end *e = ud;
    wb_buf_append(&e->plain, d, n);
    if (e->echo)
        CHECK_EQ(wb_tls_write(e->t, d, n), 0);
}
static void on_handshake(void *ud) {
    ((end *)ud)->handshakes++;
}
static const wb_tls_callbacks cbs = {on_output, on_plain, on_handshake};

/* Moves records both ways until neither side has anything to say, in pieces of `piece` bytes
 * (0 = whole). Returns the first error and which side saw it (1 client, 2 server). */
static int pump(end *c, end *s, size_t piece, int *who, wb_error *err) {
    for (int round = 0; round < 100 && (c->out.len || s->out.len); round++) {
        end *from[2] = {c, s}, *to[2] = {s, c};
        for (int k = 0; k < 2; k++) {
            wb_buf b = from[k]->out;
            wb_buf_init(&from[k]->out);
            for (size_t off = 0; off < b.len;) {
                size_t n = piece && b.len - off > piece ? piece : b.len - off;
                int rc = wb_tls_feed(to[k]->t, b.data + off, n, err);
                off += n;
                if (rc) {
                    *who = k == 0 ? 2 : 1;
                    wb_buf_free(&b);
                    return rc;
                }
            }
            wb_buf_free(&b);
        }
    }
    return 0;
}

typedef struct certs {
    wb_buf cert, key;
} certs;

static void make_certs(certs *c, const char *name) {
    memset(c, 0, sizeof *c);
    const char *names[] = {name};
    CHECK_EQ(wb_tls_selfsigned(names, name ? 1 : 0, &c->cert, &c->key), 0);
}

static void free_certs(certs *c) {
    wb_buf_free(&c->cert);
    wb_buf_free_secret(&c->key);
}

/* A client (trusting ca, checking host) and a server (with srv) that have run their handshake. */
static int connect_pair(end *c, end *s, const certs *srv, const char *ca, const char *host,
                        size_t piece, int *who, wb_error *err) {
    wb_tls_ctx *sctx, *cctx;
    memset(c, 0, sizeof *c);
    memset(s, 0, sizeof *s);
    CHECK_EQ(wb_tls_ctx_new_server(&sctx, (const char *)srv->cert.data, (const char *)srv->key.data, NULL), 0);
    CHECK_EQ(wb_tls_ctx_new_client(&cctx, ca, NULL), 0);
    CHECK_EQ(wb_tls_new(&s->t, sctx, NULL, &cbs, s), 0);
    CHECK_EQ(wb_tls_new(&c->t, cctx, host, &cbs, c), 0);
    wb_tls_ctx_free(sctx); /* the connections keep their contexts alive */
    wb_tls_ctx_free(cctx);
    CHECK_EQ(wb_tls_start(s->t, NULL), 0);
    CHECK_EQ(s->out.len, 0);
    CHECK_EQ(wb_tls_start(c->t, NULL), 0);
    CHECK(c->out.len > 0); /* the ClientHello */
    return pump(c, s, piece, who, err);
}

static void end_free(end *e) {
    wb_tls_free(e->t);
    wb_buf_free(&e->out);
    wb_buf_free(&e->plain);
}

static void test_tls_selfsigned_pair_talks_both_ways_at_any_split(void) {
    certs srv;
    make_certs(&srv, "sim.example");
    static const size_t pieces[] = {0, 1, 5, 100, 1000};
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
        end c, s;
        int who = 0;
        wb_error e;
        CHECK_EQ(connect_pair(&c, &s, &srv, (const char *)srv.cert.data, "sim.example", pieces[i], &who, &e), 0);
        CHECK(wb_tls_handshake_done(c.t) && wb_tls_handshake_done(s.t));
        CHECK_EQ(c.handshakes, 1);
        CHECK_EQ(s.handshakes, 1);
        CHECK_STR(wb_tls_alpn(c.t), "http/1.1");
        CHECK_STR(wb_tls_alpn(s.t), "http/1.1");
        CHECK_STR(wb_tls_version(c.t), "TLSv1.3");
        s.echo = 1;
        size_t n = pieces[i] == 0 ? 3u << 20 : pieces[i] < 100 ? 20000 : 300000;
        uint8_t *data = malloc(n);
        wb_random_bytes(data, n);
        CHECK_EQ(wb_tls_write(c.t, data, n), 0);
        CHECK_EQ(pump(&c, &s, pieces[i], &who, &e), 0);
        CHECK_EQ(s.plain.len, n);
        CHECK_EQ(c.plain.len, n);
        CHECK(c.plain.len == n && memcmp(c.plain.data, data, n) == 0);
        free(data);
        /* close_notify reaches the other side as WB_ECLOSED */
        CHECK_EQ(wb_tls_shutdown(c.t), 0);
        CHECK_EQ(wb_tls_write(c.t, (const uint8_t *)"x", 1), WB_ECLOSED);
        CHECK_EQ(pump(&c, &s, 0, &who, &e), WB_ECLOSED);
        CHECK_EQ(who, 2);
        end_free(&c);
        end_free(&s);
    }
    free_certs(&srv);
}

static void test_tls_writes_before_the_handshake_wait_for_it(void) {
    certs srv;
    make_certs(&srv, NULL);
    wb_tls_ctx *sctx, *cctx;
    end c = {0}, s = {0};
    CHECK_EQ(wb_tls_ctx_new_server(&sctx, (const char *)srv.cert.data, (const char *)srv.key.data, NULL), 0);
    CHECK_EQ(wb_tls_ctx_new_client(&cctx, (const char *)srv.cert.data, NULL), 0);
    CHECK_EQ(wb_tls_new(&s.t, sctx, NULL, &cbs, &s), 0);
    CHECK_EQ(wb_tls_new(&c.t, cctx, "localhost", &cbs, &c), 0);
    CHECK_EQ(wb_tls_write(c.t, (const uint8_t *)"GET / HTTP/1.1\r\n", 16), 0);
    CHECK_EQ(wb_tls_start(c.t, NULL), 0);
    int who;
    wb_error e;
    CHECK_EQ(pump(&c, &s, 0, &who, &e), 0);
    CHECK_EQ(s.plain.len, 16);
    CHECK_MEM(s.plain.data, "GET / HTTP/1.1\r\n", 16);
    end_free(&c);
    end_free(&s);
    wb_tls_ctx_free(sctx);
    wb_tls_ctx_free(cctx);
    free_certs(&srv);
}

/* A handshake that must fail on the client with WB_ECERT and a sentence containing why. */
static void expect_cert_failure(const certs *srv, const char *ca, const char *host, const char *why) {
    end c, s;
    int who = 0;
    wb_error e = {0};
    int rc = connect_pair(&c, &s, srv, ca, host, 0, &who, &e);
    CHECK_EQ(rc, WB_ECERT);
    CHECK_EQ(who, 1);
    if (!strstr(e.what, why))
        fprintf(stderr, "  got \"%s\", wanted \"%s\"\n", e.what, why);
    CHECK(strstr(e.what, why) != NULL);
    CHECK(!wb_tls_handshake_done(c.t));
    /* the client's alert reached the server, which fails too */
    CHECK_EQ(wb_tls_feed(s.t, c.out.data, c.out.len, NULL) < 0 || c.out.len == 0, 1);
    CHECK_EQ(wb_tls_write(c.t, (const uint8_t *)"x", 1), WB_ECLOSED);
    end_free(&c);
    end_free(&s);
}

static void test_tls_client_rejects_untrusted_and_mismatched_certificates(void) {
    certs srv, other;
    make_certs(&srv, "media.sim");
    make_certs(&other, "media.sim");
    /* trusting a different certificate with the same name */
    expect_cert_failure(&srv, (const char *)other.cert.data, "media.sim", "self-signed certificate");
    /* the right certificate, the wrong host name */
    expect_cert_failure(&srv, (const char *)srv.cert.data, "web.whatsapp.com", "hostname mismatch");
    /* the right certificate, an IP address it does not name */
    expect_cert_failure(&srv, (const char *)srv.cert.data, "10.1.2.3", "IP address mismatch");
    /* every name in the SAN works */
    const char *hosts[] = {"media.sim", "localhost", "127.0.0.1"};
    for (size_t i = 0; i < 3; i++) {
        end c, s;
        int who;
        wb_error e;
        CHECK_EQ(connect_pair(&c, &s, &srv, (const char *)srv.cert.data, hosts[i], 0, &who, &e), 0);
        CHECK(wb_tls_handshake_done(c.t));
        end_free(&c);
        end_free(&s);
    }
    free_certs(&srv);
    free_certs(&other);
}

static void test_tls_client_with_system_roots_rejects_selfsigned(void) {
    certs srv;
    make_certs(&srv, "web.whatsapp.com");
    expect_cert_failure(&srv, NULL, "web.whatsapp.com", "self-signed certificate");
    free_certs(&srv);
}

/* The system's roots from a hashed directory (SSL_CERT_DIR), looked up when a handshake needs
 * one: a root placed there under its hash is trusted; the same directory without it is not. */
static void test_tls_client_finds_system_roots_in_a_hashed_directory(void) {
    certs srv;
    make_certs(&srv, "web.whatsapp.com");
    char dir[] = "/tmp/wabot-certs-XXXXXX", path[96];
    CHECK(mkdtemp(dir) != NULL);
    BIO *b = BIO_new_mem_buf(srv.cert.data, (int)srv.cert.len);
    X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    CHECK(x != NULL);
    snprintf(path, sizeof path, "%s/%08lx.0", dir, X509_subject_name_hash(x));
    FILE *f = fopen(path, "w");
    CHECK(f && PEM_write_X509(f, x) == 1);
    fclose(f);
    X509_free(x);
    BIO_free(b);
    const char *old_dir = getenv("SSL_CERT_DIR");
    char *saved = old_dir ? strdup(old_dir) : NULL;
    setenv("SSL_CERT_DIR", dir, 1);

    end c, s;
    int who = 0;
    wb_error e = {0};
    CHECK_EQ(connect_pair(&c, &s, &srv, NULL, "web.whatsapp.com", 0, &who, &e), 0);
    CHECK(wb_tls_handshake_done(c.t));
    end_free(&c);
    end_free(&s);
    unlink(path);
    /* a directory with hashed names but not this root: refused */
    snprintf(path, sizeof path, "%s/00000000.0", dir);
    CHECK((f = fopen(path, "w")) != NULL);
    fclose(f);
    expect_cert_failure(&srv, NULL, "web.whatsapp.com", "self-signed certificate");
    unlink(path);
    rmdir(dir);
    if (saved)
        setenv("SSL_CERT_DIR", saved, 1);
    else
        unsetenv("SSL_CERT_DIR");
    free(saved);
    free_certs(&srv);
}

/* Feeds bytes to a fresh server endpoint; expects WB_EPROTO. */
static void expect_server_rejects(const certs *srv, const uint8_t *bytes, size_t n, const char *why) {
    wb_tls_ctx *sctx;
    end s = {0};
    CHECK_EQ(wb_tls_ctx_new_server(&sctx, (const char *)srv->cert.data, (const char *)srv->key.data, NULL), 0);
    CHECK_EQ(wb_tls_new(&s.t, sctx, NULL, &cbs, &s), 0);
    wb_error e = {0};
    CHECK_EQ(wb_tls_feed(s.t, bytes, n, &e), WB_EPROTO);
    if (!strstr(e.what, why))
        fprintf(stderr, "  got \"%s\", wanted \"%s\"\n", e.what, why);
    CHECK(strstr(e.what, why) != NULL);
    CHECK_EQ(wb_tls_feed(s.t, bytes, n, NULL), WB_EPROTO); /* stays dead */
    end_free(&s);
    wb_tls_ctx_free(sctx);
}

static void test_tls_server_rejects_garbage_and_plain_http(void) {
    certs srv;
    make_certs(&srv, NULL);
    const char *get = "GET /ws/chat HTTP/1.1\r\nHost: x\r\n\r\n";
    expect_server_rejects(&srv, (const uint8_t *)get, strlen(get), "http request");
    uint8_t junk[300];
    wb_random_bytes(junk, sizeof junk);
    junk[0] = 0x16; /* a handshake record header with nonsense after it */
    junk[1] = 0x03;
    junk[2] = 0x01;
    junk[3] = 0x00;
    junk[4] = 0x40;
    expect_server_rejects(&srv, junk, sizeof junk, "handshake");
    free_certs(&srv);
}

static void test_tls_server_context_checks_its_inputs(void) {
    certs a, b;
    make_certs(&a, NULL);
    make_certs(&b, NULL);
    wb_tls_ctx *ctx = NULL;
    wb_error e;
    CHECK_EQ(wb_tls_ctx_new_server(&ctx, (const char *)a.cert.data, (const char *)b.key.data, &e), WB_ECRYPTO);
    CHECK(strstr(e.what, "does not match") != NULL);
    CHECK_EQ(wb_tls_ctx_new_server(&ctx, "nope", (const char *)a.key.data, &e), WB_ECRYPTO);
    CHECK_EQ(wb_tls_ctx_new_server(&ctx, (const char *)a.cert.data, "nope", &e), WB_ECRYPTO);
    CHECK_EQ(wb_tls_ctx_new_client(&ctx, "no pem here", &e), WB_ECRYPTO);
    CHECK(ctx == NULL);
    const char *bad[] = {"a,DNS:evil"};
    wb_buf x = WB_BUF_INIT, y = WB_BUF_INIT;
    CHECK_EQ(wb_tls_selfsigned(bad, 1, &x, &y), WB_EINVAL);
    CHECK_EQ(x.len + y.len, 0);
    free_certs(&a);
    free_certs(&b);
}

int main(void) {
    wb_crypto_init();
    RUN(test_tls_selfsigned_pair_talks_both_ways_at_any_split);
    RUN(test_tls_writes_before_the_handshake_wait_for_it);
    RUN(test_tls_client_rejects_untrusted_and_mismatched_certificates);
    RUN(test_tls_client_with_system_roots_rejects_selfsigned);
    RUN(test_tls_client_finds_system_roots_in_a_hashed_directory);
    RUN(test_tls_server_rejects_garbage_and_plain_http);
    RUN(test_tls_server_context_checks_its_inputs);
    return check_summary();
}
