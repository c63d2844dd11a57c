/* AES-256-CBC with PKCS#7 padding and AES-256-CTR (aes.h), one-shot on OpenSSL's EVP. Signal
 * message bodies and media use CBC; the pairing code's key wrapping uses CTR. */
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "crypto/aes.h"

enum { BLOCK = 16 };

/* The ciphers, fetched from the provider once: OpenSSL 3 otherwise looks each up again (under a
 * lock) at every EVP_CipherInit_ex, which costs more than encrypting a Signal message. */
static const EVP_CIPHER *cbc_cipher, *ctr_cipher;

static void fetch_ciphers(void) {
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL);
    EVP_CIPHER *t = EVP_CIPHER_fetch(NULL, "AES-256-CTR", NULL);
    cbc_cipher = c ? c : EVP_aes_256_cbc();
    ctr_cipher = t ? t : EVP_aes_256_ctr();
}

static const EVP_CIPHER *cipher_of(int ctr) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, fetch_ciphers);
    return ctr ? ctr_cipher : cbc_cipher;
}

/* Runs in1 then in2 (either may be empty) through a fresh context of cipher without padding,
 * writing len1 + len2 bytes to out. Returns 0 or a code. */
static int run(const EVP_CIPHER *cipher, int enc, const uint8_t *key, const uint8_t *iv,
               const uint8_t *in1, size_t len1, const uint8_t *in2, size_t len2, uint8_t *out) {
    int n, rc = WB_ECRYPTO;
    if (len1 > (size_t)INT32_MAX - 2 * BLOCK || len2 > BLOCK)
        return WB_ETOOBIG;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        return WB_ENOMEM;
    if (EVP_CipherInit_ex(ctx, cipher, NULL, key, iv, enc) == 1 &&
        EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
        (len1 == 0 || EVP_CipherUpdate(ctx, out, &n, in1, (int)len1) == 1) &&
        (len2 == 0 || EVP_CipherUpdate(ctx, out + len1, &n, in2, (int)len2) == 1) &&
        EVP_CipherFinal_ex(ctx, out + len1 + len2, &n) == 1)
        rc = 0;
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

int wb_aes_cbc_encrypt(const uint8_t key[WB_AES_KEY_LEN], const uint8_t iv[WB_CBC_IV_LEN],
                       const uint8_t *pt, size_t len, uint8_t *out, size_t *outlen) {
    /* The padded final block is built aside first, so pt and out may be the same buffer. */
    size_t full = len - len % BLOCK, padlen = BLOCK - len % BLOCK;
    uint8_t last[BLOCK];
    if (len > full)
        memcpy(last, pt + full, len - full);
    memset(last + (len - full), (int)padlen, padlen);
    int rc = run(cipher_of(0), 1, key, iv, pt, full, last, BLOCK, out);
    wb_zero(last, sizeof last);
    if (rc == 0)
        *outlen = full + BLOCK;
    return rc;
}

int wb_aes_cbc_decrypt(const uint8_t key[WB_AES_KEY_LEN], const uint8_t iv[WB_CBC_IV_LEN],
                       const uint8_t *ct, size_t len, uint8_t *out, size_t *outlen) {
    if (len == 0 || len % BLOCK)
        return WB_EMALFORMED;
    int rc = run(cipher_of(0), 0, key, iv, ct, len, NULL, 0, out);
    if (rc < 0)
        return rc;
    /* Check PKCS#7 without branching on the secret bytes: pad in 1..16, the last pad bytes all
     * equal to it. */
    uint8_t pad = out[len - 1];
    unsigned bad = (unsigned)(pad == 0) | (unsigned)(pad > BLOCK);
    for (size_t i = 0; i < BLOCK; i++) {
        unsigned in_pad = (unsigned)(i < pad);
        bad |= in_pad & (unsigned)(out[len - 1 - i] != pad);
    }
    if (bad) {
        wb_zero(out, len);
        return WB_EAUTH;
    }
    *outlen = len - pad;
    return 0;
}

int wb_aes_ctr(const uint8_t key[WB_AES_KEY_LEN], const uint8_t iv[WB_CTR_IV_LEN],
               const uint8_t *in, size_t len, uint8_t *out) {
    return run(cipher_of(1), 1, key, iv, in, len, NULL, 0, out);
}

/* ---- streaming CBC ----------------------------------------------------------------------------- */

struct wb_cbc {
    EVP_CIPHER_CTX *ctx;
};

int wb_cbc_new(wb_cbc **out, const uint8_t key[WB_AES_KEY_LEN], const uint8_t iv[WB_CBC_IV_LEN],
               int encrypt) {
    wb_cbc *c = calloc(1, sizeof *c);
    if (!c || !(c->ctx = EVP_CIPHER_CTX_new())) {
        free(c);
        return WB_ENOMEM;
    }
    if (EVP_CipherInit_ex(c->ctx, cipher_of(0), NULL, key, iv, encrypt ? 1 : 0) != 1 ||
        EVP_CIPHER_CTX_set_padding(c->ctx, 0) != 1) {
        wb_cbc_free(c);
        return WB_ECRYPTO;
    }
    *out = c;
    return 0;
}

int wb_cbc_update(wb_cbc *c, const uint8_t *in, size_t len, uint8_t *out) {
    if (len % BLOCK)
        return WB_EINVAL;
    if (len > (size_t)INT32_MAX - 2 * BLOCK)
        return WB_ETOOBIG;
    int n;
    if (len && (EVP_CipherUpdate(c->ctx, out, &n, in, (int)len) != 1 || (size_t)n != len))
        return WB_ECRYPTO;
    return 0;
}

void wb_cbc_free(wb_cbc *c) {
    if (!c)
        return;
    EVP_CIPHER_CTX_free(c->ctx); /* clears the key schedule */
    free(c);
}
