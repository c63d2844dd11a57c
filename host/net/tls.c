/* TLS over memory BIOs (see tls.h): contexts, the per-connection transform, and error sentences.
 * Called by net/conn.c for sockets and by tests/unit/test_tls.c with two endpoints in memory. */
#include "net/tls.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <limits.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

struct wb_tls_ctx {
    SSL_CTX *ssl;
    int server;
};

struct wb_tls {
    SSL *ssl;
    BIO *rbio; /* ciphertext from the peer, read by OpenSSL */
    BIO *wbio; /* ciphertext for the peer, written by OpenSSL */
    int server;
    int done;     /* handshake finished */
    int dead;     /* 0, or the error every call now returns */
    int shut;     /* close_notify sent */
    char alpn[32]; /* the protocol ALPN chose, or "" */
    wb_tls_callbacks cb;
    void *ud;
    wb_buf pending; /* plaintext written before the handshake finished */
    wb_buf out;
};

static const unsigned char alpn_http11[] = "\x08http/1.1";

/* The most useful sentence OpenSSL has for the last failure. */
static const char *ssl_reason(void) {
    unsigned long e = ERR_peek_last_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;
    return r ? r : "unknown TLS error";
}

static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                       const unsigned char *in, unsigned int inlen, void *arg) {
    unsigned char *chosen = NULL;
    if (SSL_select_next_proto(&chosen, outlen, alpn_http11, sizeof alpn_http11 - 1, in, inlen) ==
        OPENSSL_NPN_NEGOTIATED) {
        *out = chosen;
        return SSL_TLSEXT_ERR_OK;
    }
    return SSL_TLSEXT_ERR_NOACK; /* no ALPN: the client falls back to HTTP/1.1 or gives up */
}

static SSL_CTX *ctx_common(const SSL_METHOD *method) {
    SSL_CTX *c = SSL_CTX_new(method);
    if (!c)
        return NULL;
    SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
    SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
    return c;
}

int wb_tls_ctx_new_server(wb_tls_ctx **out, const char *cert_pem, const char *key_pem,
                          wb_error *err) {
    int rc = WB_ECRYPTO;
    const char *why = "out of memory";
    wb_tls_ctx *t = calloc(1, sizeof *t);
    BIO *cb = BIO_new_mem_buf(cert_pem, -1), *kb = BIO_new_mem_buf(key_pem, -1);
    X509 *leaf = NULL, *extra;
    EVP_PKEY *key = NULL;
    ERR_clear_error();
    if (!t || !cb || !kb || !(t->ssl = ctx_common(TLS_server_method())))
        goto done;
    t->server = 1;
    why = "certificate PEM has no certificate";
    if (!(leaf = PEM_read_bio_X509(cb, NULL, NULL, NULL)) || SSL_CTX_use_certificate(t->ssl, leaf) != 1)
        goto done;
    while ((extra = PEM_read_bio_X509(cb, NULL, NULL, NULL)))
        if (SSL_CTX_add0_chain_cert(t->ssl, extra) != 1) { /* takes extra on success */
            X509_free(extra);
            why = "cannot add an intermediate certificate";
            goto done;
        }
    ERR_clear_error(); /* the loop above ends with a "no start line" error */
    why = "key PEM has no private key";
    if (!(key = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL)))
        goto done;
    why = "private key does not match the certificate";
    if (SSL_CTX_use_PrivateKey(t->ssl, key) != 1 || SSL_CTX_check_private_key(t->ssl) != 1)
        goto done;
    SSL_CTX_set_alpn_select_cb(t->ssl, alpn_select, NULL);
    *out = t;
    t = NULL;
    rc = 0;
done:
    if (rc)
        wb_error_set(err, rc, 0, "TLS server context: %s", why);
    X509_free(leaf);
    EVP_PKEY_free(key);
    BIO_free(cb);
    BIO_free(kb);
    wb_tls_ctx_free(t);
    ERR_clear_error();
    return rc;
}

/* 1 when dir holds OpenSSL's hashed names (such as 5ad8a5d6.0, made by c_rehash or
 * update-ca-certificates), so roots can be looked up one at a time. */
static int hashed_dir(const char *dir) {
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d)
        return 0;
    struct dirent *e;
    int found = 0;
    while (!found && (e = readdir(d))) {
        size_t n = strlen(e->d_name), i = 0;
        while (i < 8 && strchr("0123456789abcdef", e->d_name[i]) && e->d_name[i])
            i++;
        found = n >= 10 && i == 8 && e->d_name[8] == '.' && e->d_name[9] >= '0' &&
                e->d_name[9] <= '9';
    }
    closedir(d);
    return found;
}

/* The system's roots. Where the certificate directory is hashed, roots are read from it when a
 * handshake needs one (the one that signed the server's chain), not all ~150 up front: making
 * the context costs 0.02 ms and 64 kB here instead of 19 ms and 1.5 MB. Otherwise (or with
 * SSL_CERT_FILE set) the bundle file is read whole, as OpenSSL's default does. */
static int system_roots(SSL_CTX *ssl) {
    const char *dir = getenv(X509_get_default_cert_dir_env());
    if (!dir || !*dir)
        dir = X509_get_default_cert_dir();
    if (!getenv(X509_get_default_cert_file_env()) && hashed_dir(dir))
        return SSL_CTX_load_verify_dir(ssl, dir);
    return SSL_CTX_set_default_verify_paths(ssl);
}

int wb_tls_ctx_new_client(wb_tls_ctx **out, const char *ca_pem, wb_error *err) {
    int rc = WB_ECRYPTO;
    const char *why = "out of memory";
    wb_tls_ctx *t = calloc(1, sizeof *t);
    BIO *b = NULL;
    X509 *x;
    ERR_clear_error();
    if (!t || !(t->ssl = ctx_common(TLS_client_method())))
        goto done;
    SSL_CTX_set_verify(t->ssl, SSL_VERIFY_PEER, NULL);
    if (SSL_CTX_set_alpn_protos(t->ssl, alpn_http11, sizeof alpn_http11 - 1) != 0)
        goto done;
    if (ca_pem) {
        X509_STORE *store = SSL_CTX_get_cert_store(t->ssl);
        int n = 0;
        if (!(b = BIO_new_mem_buf(ca_pem, -1)))
            goto done;
        while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
            int ok = X509_STORE_add_cert(store, x);
            X509_free(x);
            if (ok != 1) {
                why = "cannot add a CA certificate";
                goto done;
            }
            n++;
        }
        ERR_clear_error();
        why = "CA PEM has no certificate";
        if (!n)
            goto done;
        /* a certificate given here is an anchor even when it is not a self-signed CA (a server's
         * own leaf), as callers of a test server expect */
        X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
    } else {
        why = "cannot load the system's root certificates";
        if (system_roots(t->ssl) != 1)
            goto done;
    }
    *out = t;
    t = NULL;
    rc = 0;
done:
    if (rc)
        wb_error_set(err, rc, 0, "TLS client context: %s", why);
    BIO_free(b);
    wb_tls_ctx_free(t);
    ERR_clear_error();
    return rc;
}

void wb_tls_ctx_free(wb_tls_ctx *ctx) {
    if (!ctx)
        return;
    SSL_CTX_free(ctx->ssl);
    free(ctx);
}

int wb_tls_new(wb_tls **out, wb_tls_ctx *ctx, const char *host, const wb_tls_callbacks *cb,
               void *ud) {
    if (!ctx->server && (!host || !*host))
        return WB_EINVAL;
    wb_tls *t = calloc(1, sizeof *t);
    if (!t)
        return WB_ENOMEM;
    ERR_clear_error();
    t->server = ctx->server;
    t->cb = *cb;
    t->ud = ud;
    t->ssl = SSL_new(ctx->ssl);
    t->rbio = BIO_new(BIO_s_mem());
    t->wbio = BIO_new(BIO_s_mem());
    if (!t->ssl || !t->rbio || !t->wbio) {
        BIO_free(t->rbio);
        BIO_free(t->wbio);
        SSL_free(t->ssl);
        free(t);
        return WB_ENOMEM;
    }
    SSL_set_bio(t->ssl, t->rbio, t->wbio); /* the SSL owns both BIOs from here */
    if (t->server) {
        SSL_set_accept_state(t->ssl);
    } else {
        unsigned char addr[16];
        int ip = inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
        int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), host)
                    : SSL_set1_host(t->ssl, host) && SSL_set_tlsext_host_name(t->ssl, host);
        if (!ok) {
            wb_tls_free(t);
            ERR_clear_error();
            return WB_EINVAL;
        }
        SSL_set_connect_state(t->ssl);
    }
    *out = t;
    return 0;
}

void wb_tls_free(wb_tls *t) {
    if (!t)
        return;
    SSL_free(t->ssl);
    wb_buf_free(&t->pending);
    wb_buf_free(&t->out);
    free(t);
}

/* Hands everything OpenSSL wrote to on_output, in one piece. */
static void flush(wb_tls *t) {
    size_t n = BIO_ctrl_pending(t->wbio);
    if (!n)
        return;
    uint8_t *p = wb_buf_extend(&t->out, n);
    if (p) {
        int r = BIO_read(t->wbio, p, (int)n);
        if (r > 0 && t->cb.on_output)
            t->cb.on_output(t->ud, p, (size_t)r);
    }
    wb_buf_reset(&t->out);
}

/* Classifies a failed SSL call r and marks the connection dead. */
static int fail(wb_tls *t, int r, wb_error *err) {
    int e = SSL_get_error(t->ssl, r);
    unsigned long last = ERR_peek_last_error();
    long verify = SSL_get_verify_result(t->ssl);
    int rc;
    if (e == SSL_ERROR_ZERO_RETURN) {
        rc = wb_error_set(err, WB_ECLOSED, 0, "peer closed TLS (close_notify)");
    } else if (!t->server && verify != X509_V_OK &&
               ERR_GET_REASON(last) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
        rc = wb_error_set(err, WB_ECERT, 0, "server certificate rejected: %s",
                          X509_verify_cert_error_string(verify));
    } else if (e == SSL_ERROR_SSL) {
        rc = wb_error_set(err, WB_EPROTO, 0, "TLS %s failed: %s", t->done ? "record" : "handshake",
                          ssl_reason());
    } else {
        rc = wb_error_set(err, WB_EPROTO, 0, "TLS failed (SSL error %d)", e);
    }
    t->dead = rc;
    ERR_clear_error();
    return rc;
}

static int write_plain(wb_tls *t, const uint8_t *data, size_t len) {
    while (len) {
        int chunk = len > INT_MAX ? INT_MAX : (int)len;
        ERR_clear_error();
        int n = SSL_write(t->ssl, data, chunk);
        if (n <= 0) {
            fail(t, n, NULL);
            flush(t);
            return WB_ECLOSED;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Moves the handshake on and delivers whatever plaintext has arrived. */
static int advance(wb_tls *t, wb_error *err) {
    if (!t->done) {
        ERR_clear_error();
        int r = SSL_do_handshake(t->ssl);
        if (r != 1) {
            int e = SSL_get_error(t->ssl, r);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
                return 0;
            return fail(t, r, err);
        }
        t->done = 1;
        const unsigned char *proto = NULL;
        unsigned plen = 0;
        SSL_get0_alpn_selected(t->ssl, &proto, &plen);
        if (proto && plen < sizeof t->alpn) {
            memcpy(t->alpn, proto, plen);
            t->alpn[plen] = 0;
        }
        if (t->cb.on_handshake)
            t->cb.on_handshake(t->ud);
        if (t->pending.len) {
            int rc = write_plain(t, t->pending.data, t->pending.len);
            wb_buf_free(&t->pending);
            if (rc)
                return wb_error_set(err, t->dead, 0, "TLS write failed");
        }
    }
    uint8_t buf[16384];
    for (;;) {
        ERR_clear_error();
        int r = SSL_read(t->ssl, buf, sizeof buf);
        if (r > 0) {
            if (t->cb.on_plain)
                t->cb.on_plain(t->ud, buf, (size_t)r);
            if (t->dead)
                return wb_error_set(err, t->dead, 0, "TLS failed while writing");
            continue;
        }
        int e = SSL_get_error(t->ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
            return 0;
        return fail(t, r, err);
    }
}

int wb_tls_start(wb_tls *t, wb_error *err) {
    if (t->server)
        return 0;
    int rc = advance(t, err);
    flush(t);
    return rc;
}

int wb_tls_feed(wb_tls *t, const uint8_t *data, size_t len, wb_error *err) {
    if (t->dead)
        return wb_error_set(err, t->dead, 0, "TLS connection already failed");
    while (len) {
        int chunk = len > INT_MAX ? INT_MAX : (int)len;
        int n = BIO_write(t->rbio, data, chunk);
        if (n <= 0)
            return t->dead = wb_error_set(err, WB_ENOMEM, 0, "out of memory");
        data += n;
        len -= (size_t)n;
    }
    int rc = advance(t, err);
    flush(t);
    return rc;
}

int wb_tls_write(wb_tls *t, const uint8_t *data, size_t len) {
    if (t->dead || t->shut)
        return WB_ECLOSED;
    if (!t->done)
        return wb_buf_append(&t->pending, data, len) < 0 ? WB_ENOMEM : 0;
    int rc = write_plain(t, data, len);
    flush(t);
    return rc;
}

int wb_tls_shutdown(wb_tls *t) {
    if (t->dead || t->shut)
        return WB_ECLOSED;
    t->shut = 1;
    if (t->done) {
        ERR_clear_error();
        SSL_shutdown(t->ssl);
        ERR_clear_error();
        flush(t);
    }
    return 0;
}

int wb_tls_handshake_done(const wb_tls *t) {
    return t->done;
}

const char *wb_tls_alpn(const wb_tls *t) {
    return t->alpn;
}

const char *wb_tls_version(const wb_tls *t) {
    return t->done ? SSL_get_version(t->ssl) : "";
}
