/* Self-signed server certificates made in memory (see wb_tls_selfsigned in tls.h). The simulator
 * makes one for its HTTPS media port and publishes the PEM so clients can trust it; the tests make
 * them for their loopback servers. */
#include <arpa/inet.h>
#include <ctype.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

#include "crypto/random.h"
#include "net/tls.h"

static int is_ip(const char *s) {
    unsigned char a[16];
    return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

/* A DNS name (or wildcard) that is safe to put in an OpenSSL extension string. */
static int is_dns_name(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > 253)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '.' && *s != '*')
            return 0;
    return 1;
}

static int add_ext(X509 *x, X509V3_CTX *v, int nid, const char *value) {
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, v, nid, value);
    if (!e)
        return 0;
    int ok = X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    return ok;
}

/* Appends the PEM written by fn into out, NUL-terminated. */
static int bio_to_buf(BIO *b, wb_buf *out) {
    char *p = NULL;
    long n = BIO_get_mem_data(b, &p);
    if (n <= 0 || wb_buf_append(out, p, (size_t)n) < 0 || wb_buf_put_u8(out, 0) < 0)
        return 0;
    out->len--; /* the NUL is there but not counted */
    return 1;
}

int wb_tls_selfsigned(const char *const *names, size_t nnames, wb_buf *cert_pem,
                      wb_buf *key_pem) {
    int rc = WB_EINVAL;
    wb_buf_set_secret(key_pem); /* the PEM is appended, then its NUL: no copy may be left behind */
    char san[2048] = "DNS:localhost,IP:127.0.0.1";
    for (size_t i = 0; i < nnames; i++) {
        int ip = is_ip(names[i]);
        if (!ip && !is_dns_name(names[i]))
            return WB_EINVAL;
        size_t used = strlen(san);
        int w = snprintf(san + used, sizeof san - used, ",%s:%s", ip ? "IP" : "DNS", names[i]);
        if (w < 0 || (size_t)w >= sizeof san - used)
            return WB_EINVAL;
    }
    rc = WB_ECRYPTO;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    BIO *cb = BIO_new(BIO_s_mem()), *kb = BIO_new(BIO_s_secmem());
    ASN1_INTEGER *serial = NULL;
    BIGNUM *bn = NULL;
    uint8_t rnd[16];
    if (!key || !x || !cb || !kb)
        goto done;
    wb_random_bytes(rnd, sizeof rnd);
    rnd[0] &= 0x7f; /* a positive serial */
    rnd[0] |= 0x01;
    if (!(bn = BN_bin2bn(rnd, sizeof rnd, NULL)) || !(serial = BN_to_ASN1_INTEGER(bn, NULL)))
        goto done;
    X509_NAME *name = X509_get_subject_name(x);
    const char *cn = nnames ? names[0] : "localhost";
    X509V3_CTX v;
    if (!X509_set_version(x, 2) || !X509_set_serialNumber(x, serial) ||
        !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
        !X509_gmtime_adj(X509_getm_notAfter(x), 10L * 365 * 24 * 3600) || !X509_set_pubkey(x, key) ||
        !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"wabot", -1, -1, 0) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0) ||
        !X509_set_issuer_name(x, name))
        goto done;
    X509V3_set_ctx_nodb(&v);
    X509V3_set_ctx(&v, x, x, NULL, NULL, 0);
    if (!add_ext(x, &v, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
        !add_ext(x, &v, NID_key_usage, "critical,digitalSignature,keyCertSign") ||
        !add_ext(x, &v, NID_ext_key_usage, "serverAuth") ||
        !add_ext(x, &v, NID_subject_key_identifier, "hash") ||
        !add_ext(x, &v, NID_subject_alt_name, san) || !X509_sign(x, key, EVP_sha256()))
        goto done;
    if (!PEM_write_bio_X509(cb, x) || !PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) ||
        !bio_to_buf(cb, cert_pem) || !bio_to_buf(kb, key_pem))
        goto done;
    rc = 0;
done:
    BN_free(bn);
    ASN1_INTEGER_free(serial);
    X509_free(x);
    EVP_PKEY_free(key);
    BIO_free(cb);
    BIO_free(kb); /* secure memory: cleared when freed */
    ERR_clear_error();
    return rc;
}
