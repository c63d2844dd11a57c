/* AES-256 in the three modes WhatsApp uses: GCM (Noise transport, pairing code, app state),
 * CBC with PKCS#7 (Signal message bodies, media), CTR (pairing-code key wrapping).
 *
 * GCM has a keyed context so the Noise transport pays key expansion once per connection, not
 * per frame. All functions return 0 or a negative code; WB_EAUTH means the tag or padding did not
 * check, and out then holds no plaintext (whatever was decrypted into it has been zeroed).
 * Lengths over 2^31 - 32 bytes give WB_ETOOBIG. */
#ifndef WB_CRYPTO_AES_H
#define WB_CRYPTO_AES_H

#include <stddef.h>
#include <stdint.h>

#define WB_AES_KEY_LEN 32
#define WB_GCM_IV_LEN 12
#define WB_GCM_TAG_LEN 16
#define WB_CBC_IV_LEN 16
#define WB_CTR_IV_LEN 16

/* ---- AES-256-GCM -------------------------------------------------------------------------- */

typedef struct wb_gcm wb_gcm; /* opaque; owns the expanded key */

/* Creates a context for key. Returns 0 and *out, or WB_ENOMEM / WB_ECRYPTO. */
int wb_gcm_new(wb_gcm **out, const uint8_t key[WB_AES_KEY_LEN]);
/* Frees ctx and zeroes its key schedule. NULL is a no-op. */
void wb_gcm_free(wb_gcm *ctx);
/* Encrypts len bytes of pt into out, which receives len + 16 bytes (ciphertext then tag).
 * out may equal pt (in place). */
int wb_gcm_seal(wb_gcm *ctx, const uint8_t iv[WB_GCM_IV_LEN], const uint8_t *aad, size_t aadlen,
                const uint8_t *pt, size_t len, uint8_t *out);
/* Decrypts ct (len bytes including the 16-byte tag) into out (len - 16 bytes). out may equal ct.
 * Returns WB_EAUTH if the tag does not verify (out is then zeroed; with out == ct the
 * ciphertext is gone), WB_ETRUNC if len < 16. A context may seal and open alternately. */
int wb_gcm_open(wb_gcm *ctx, const uint8_t iv[WB_GCM_IV_LEN], const uint8_t *aad, size_t aadlen,
                const uint8_t *ct, size_t len, uint8_t *out);

/* One-shot forms of the above. */
int wb_aes_gcm_seal(const uint8_t key[WB_AES_KEY_LEN], const uint8_t iv[WB_GCM_IV_LEN],
                    const uint8_t *aad, size_t aadlen, const uint8_t *pt, size_t len, uint8_t *out);
int wb_aes_gcm_open(const uint8_t key[WB_AES_KEY_LEN], const uint8_t iv[WB_GCM_IV_LEN],
                    const uint8_t *aad, size_t aadlen, const uint8_t *ct, size_t len, uint8_t *out);

/* ---- AES-256-CBC with PKCS#7 padding ------------------------------------------------------- */

/* out receives (len/16 + 1) * 16 bytes; *outlen is set to that. */
int wb_aes_cbc_encrypt(const uint8_t key[WB_AES_KEY_LEN], const uint8_t iv[WB_CBC_IV_LEN],
                       const uint8_t *pt, size_t len, uint8_t *out, size_t *outlen);
/* len must be a non-zero multiple of 16 (else WB_EMALFORMED); bad padding gives WB_EAUTH.
 * out must hold len bytes; *outlen receives the plaintext length. */
int wb_aes_cbc_decrypt(const uint8_t key[WB_AES_KEY_LEN], const uint8_t iv[WB_CBC_IV_LEN],
                       const uint8_t *ct, size_t len, uint8_t *out, size_t *outlen);

/* Streaming CBC without padding, for data too large to hold (media): a context keyed once, fed
 * whole blocks in any number of calls; the caller pads (PKCS#7) and strips. */
typedef struct wb_cbc wb_cbc; /* opaque; owns the expanded key and the chaining block */
/* Creates a context that encrypts (encrypt = 1) or decrypts. Returns 0 and *out, or WB_ENOMEM /
 * WB_ECRYPTO. */
int wb_cbc_new(wb_cbc **out, const uint8_t key[WB_AES_KEY_LEN], const uint8_t iv[WB_CBC_IV_LEN],
               int encrypt);
/* Runs len bytes (a multiple of 16, else WB_EINVAL; at most 2^31 - 32 a call, else WB_ETOOBIG)
 * through the cipher into out (len bytes; out may equal in). */
int wb_cbc_update(wb_cbc *c, const uint8_t *in, size_t len, uint8_t *out);
/* Frees c and zeroes its key schedule. NULL is a no-op. */
void wb_cbc_free(wb_cbc *c);

/* ---- AES-256-CTR ---------------------------------------------------------------------------- */

/* XORs len bytes of in with the keystream from the 16-byte initial counter block iv. */
int wb_aes_ctr(const uint8_t key[WB_AES_KEY_LEN], const uint8_t iv[WB_CTR_IV_LEN],
               const uint8_t *in, size_t len, uint8_t *out);

#endif
