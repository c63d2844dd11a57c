/* AES-256-GCM (aes.h) on OpenSSL's EVP with a context keyed once: the Noise transport seals
 * and opens every frame through one wb_gcm per direction, so a call only sets the 12-byte IV,
 * runs the data through and handles the 16-byte tag. The one-shot forms serve the handshake,
 * pairing and app state, where a key is used a few times. */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "crypto/aes.h"

struct wb_gcm {
    EVP_CIPHER_CTX *ctx;
};

int wb_gcm_new(wb_gcm **out, const uint8_t key[WB_AES_KEY_LEN]) {
    wb_gcm *g = calloc(1, sizeof *g);
    if (!g)
        return WB_ENOMEM;
    g->ctx = EVP_CIPHER_CTX_new();
    if (!g->ctx) {
        free(g);
        return WB_ENOMEM;
    }
    if (EVP_EncryptInit_ex(g->ctx, EVP_aes_256_gcm(), NULL, key, NULL) != 1) {
        wb_gcm_free(g);
        return WB_ECRYPTO;
    }
    *out = g;
    return 0;
}

void wb_gcm_free(wb_gcm *g) {
    if (!g)
        return;
    EVP_CIPHER_CTX_free(g->ctx); /* cleanses the key schedule */
    free(g);
}

/* EVP's length arguments are int: refuse anything larger (a frame is at most 16 MiB). */
static int too_long(size_t n) { return n > (size_t)INT32_MAX - 16; }

int wb_gcm_seal(wb_gcm *g, const uint8_t iv[WB_GCM_IV_LEN], const uint8_t *aad, size_t aadlen,
                const uint8_t *pt, size_t len, uint8_t *out) {
    int n;
    if (too_long(len) || too_long(aadlen))
        return WB_ETOOBIG;
    /* cipher and key NULL: keep the key schedule, change only the IV (and the direction) */
    if (EVP_CipherInit_ex(g->ctx, NULL, NULL, NULL, iv, 1) != 1 ||
        (aadlen && EVP_EncryptUpdate(g->ctx, NULL, &n, aad, (int)aadlen) != 1) ||
        (len && EVP_EncryptUpdate(g->ctx, out, &n, pt, (int)len) != 1) ||
        EVP_EncryptFinal_ex(g->ctx, out + len, &n) != 1 ||
        EVP_CIPHER_CTX_ctrl(g->ctx, EVP_CTRL_AEAD_GET_TAG, WB_GCM_TAG_LEN, out + len) != 1)
        return WB_ECRYPTO;
    return 0;
}

int wb_gcm_open(wb_gcm *g, const uint8_t iv[WB_GCM_IV_LEN], const uint8_t *aad, size_t aadlen,
                const uint8_t *ct, size_t len, uint8_t *out) {
    int n;
    uint8_t tag[WB_GCM_TAG_LEN];
    if (len < WB_GCM_TAG_LEN)
        return WB_ETRUNC;
    if (too_long(len) || too_long(aadlen))
        return WB_ETOOBIG;
    size_t ptlen = len - WB_GCM_TAG_LEN;
    memcpy(tag, ct + ptlen, sizeof tag); /* before an in-place decrypt can touch it */
    if (EVP_CipherInit_ex(g->ctx, NULL, NULL, NULL, iv, 0) != 1 ||
        (aadlen && EVP_DecryptUpdate(g->ctx, NULL, &n, aad, (int)aadlen) != 1) ||
        (ptlen && EVP_DecryptUpdate(g->ctx, out, &n, ct, (int)ptlen) != 1) ||
        EVP_CIPHER_CTX_ctrl(g->ctx, EVP_CTRL_AEAD_SET_TAG, WB_GCM_TAG_LEN, tag) != 1)
        return WB_ECRYPTO;
    uint8_t scratch[WB_GCM_TAG_LEN]; /* GCM's final writes nothing; out may be NULL if empty */
    if (EVP_DecryptFinal_ex(g->ctx, ptlen ? out + ptlen : scratch, &n) != 1) {
        wb_zero(out, ptlen); /* unauthenticated plaintext must not be used */
        return WB_EAUTH;
    }
    return 0;
}

/* The one-shot forms: a context for one call. */
static int one_shot(int seal, const uint8_t *key, const uint8_t *iv, const uint8_t *aad,
                    size_t aadlen, const uint8_t *in, size_t len, uint8_t *out) {
    wb_gcm *g;
    int rc = wb_gcm_new(&g, key);
    if (rc < 0)
        return rc;
    rc = seal ? wb_gcm_seal(g, iv, aad, aadlen, in, len, out)
              : wb_gcm_open(g, iv, aad, aadlen, in, len, out);
    wb_gcm_free(g);
    return rc;
}

int wb_aes_gcm_seal(const uint8_t key[WB_AES_KEY_LEN], const uint8_t iv[WB_GCM_IV_LEN],
                    const uint8_t *aad, size_t aadlen, const uint8_t *pt, size_t len,
                    uint8_t *out) {
    return one_shot(1, key, iv, aad, aadlen, pt, len, out);
}

int wb_aes_gcm_open(const uint8_t key[WB_AES_KEY_LEN], const uint8_t iv[WB_GCM_IV_LEN],
                    const uint8_t *aad, size_t aadlen, const uint8_t *ct, size_t len,
                    uint8_t *out) {
    return one_shot(0, key, iv, aad, aadlen, ct, len, out);
}
