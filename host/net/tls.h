/* TLS as a byte transform, without I/O: OpenSSL over a pair of memory BIOs (SSL_set_bio with two
 * BIO_s_mem), so the same code serves a libuv socket, a test that pumps two endpoints in memory,
 * or a fuzzer. Ciphertext from the peer goes in by wb_tls_feed; plaintext comes out through
 * on_plain, and records for the peer through on_output.
 *
 * Used by net/conn.c (the libuv connection) on both sides, and by the simulator to make its
 * certificate (wb_tls_selfsigned).
 *
 * Contexts: a server context holds a certificate chain and key (PEM); a client context holds the
 * roots it trusts: the system's, or exactly the certificates of a PEM text (a self-signed server
 * certificate may be given directly). Both speak TLS 1.2 and 1.3 and offer/choose ALPN http/1.1.
 * A client connection checks the certificate chain and that it names the host (a DNS name or an
 * IP address); failures come back as WB_ECERT with OpenSSL's sentence ("certificate has expired",
 * "hostname mismatch", "self-signed certificate"). */
#ifndef WB_NET_TLS_H
#define WB_NET_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

typedef struct wb_tls_ctx wb_tls_ctx;
typedef struct wb_tls wb_tls;

/* A server context from PEM text: cert_pem holds the leaf certificate, then any intermediates;
 * key_pem its private key. Returns 0, or WB_ECRYPTO (unreadable PEM, key does not match) with a
 * sentence in err. *out is written only on success. */
int wb_tls_ctx_new_server(wb_tls_ctx **out, const char *cert_pem, const char *key_pem,
                          wb_error *err);
/* A client context trusting the certificates in ca_pem, or the system's roots when ca_pem is NULL.
 * Returns 0, or WB_ECRYPTO (no certificate in ca_pem, system roots not loadable). */
int wb_tls_ctx_new_client(wb_tls_ctx **out, const char *ca_pem, wb_error *err);
/* Frees a context. Connections made from it keep working: OpenSSL counts references. */
void wb_tls_ctx_free(wb_tls_ctx *ctx);

typedef struct wb_tls_callbacks {
    /* TLS records for the peer, in order; the callee takes them all. */
    void (*on_output)(void *ud, const uint8_t *data, size_t len);
    /* Decrypted bytes from the peer. May call wb_tls_write; must not free the wb_tls. */
    void (*on_plain)(void *ud, const uint8_t *data, size_t len);
    /* The handshake finished (the peer's certificate, if checked, passed). May be NULL. */
    void (*on_handshake)(void *ud);
} wb_tls_callbacks;

/* A connection from ctx. For a client context, host is the server's name or IP address: sent as
 * SNI (names only) and checked against the certificate; for a server context it is ignored.
 * Returns 0, WB_EINVAL (client without host) or WB_ENOMEM/WB_ECRYPTO. */
int wb_tls_new(wb_tls **out, wb_tls_ctx *ctx, const char *host, const wb_tls_callbacks *cb,
               void *ud);
void wb_tls_free(wb_tls *t);

/* Client: writes the ClientHello (through on_output). Server: does nothing. Returns 0 or an
 * error as wb_tls_feed. */
int wb_tls_start(wb_tls *t, wb_error *err);

/* Processes ciphertext from the peer: advances the handshake, delivers plaintext, writes
 * answers. Returns 0; WB_ECLOSED when the peer sent close_notify (plaintext before it has been
 * delivered); WB_ECERT when the peer's certificate was rejected; WB_EPROTO for anything else
 * the peer did wrong (not TLS, bad records, failed handshake); WB_ENOMEM. err gets a sentence.
 * After a negative return the connection is dead: flush the output (it may hold an alert) and
 * close. */
int wb_tls_feed(wb_tls *t, const uint8_t *data, size_t len, wb_error *err);

/* Encrypts plaintext for the peer. Before the handshake is done the bytes wait in the wb_tls and
 * go out when it finishes. Returns 0, WB_ECLOSED after wb_tls_shutdown or failure, WB_ENOMEM. */
int wb_tls_write(wb_tls *t, const uint8_t *data, size_t len);

/* Sends close_notify. Returns 0 or WB_ECLOSED when already shut down or failed. */
int wb_tls_shutdown(wb_tls *t);

/* 1 once the handshake has finished. */
int wb_tls_handshake_done(const wb_tls *t);
/* The protocol chosen by ALPN ("http/1.1"), or "" when none; valid while t lives. */
const char *wb_tls_alpn(const wb_tls *t);
/* The TLS version in use ("TLSv1.3"), or "" before the handshake. */
const char *wb_tls_version(const wb_tls *t);

/* Generates a self-signed certificate for a server: an EC P-256 key, CN the first name, a
 * subjectAltName with 127.0.0.1, localhost and every name given (each a DNS name or an IPv4/IPv6
 * address), valid from one hour ago for ten years. Appends NUL-terminated PEM text to cert_pem
 * and key_pem (free key_pem with wb_buf_free_secret). names may be NULL when nnames is 0.
 * Returns 0, WB_EINVAL (a name with characters not allowed in a DNS name) or WB_ECRYPTO. */
int wb_tls_selfsigned(const char *const *names, size_t nnames, wb_buf *cert_pem,
                      wb_buf *key_pem);

#endif
