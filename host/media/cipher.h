/* WhatsApp's media encryption as a streaming, sans-I/O core (../shared/protocol/NOTES.md §10;
 * Baileys' getMediaKeys / encryptedStream / downloadEncryptedContent in
 * Utils/messages-media.js, whatsmeow's download.go and upload.go):
 *
 *   keys      = HKDF-SHA256(mediaKey, salt none, info "WhatsApp <Kind> Keys", 112 bytes)
 *               -> iv [0,16), cipherKey [16,48), macKey [48,80), refKey [80,112)
 *   blob      = AES-256-CBC(cipherKey, iv, file + PKCS#7) || HMAC-SHA256(macKey, iv || ct)[:10]
 *   fileSha256 = SHA-256(file), fileEncSha256 = SHA-256(blob), fileLength = |file|
 *
 * Both directions take the bytes in pieces of any size and hand out what they can at once, so a
 * file of any size costs a few hundred bytes of state: no whole file is ever held. No I/O, no
 * allocation after _new; tests and fuzzers feed them from memory, upload.c and download.c from
 * files and HTTP.
 *
 *     wb_media_enc *e;  wb_media_enc_new(&e, media_key, "image");
 *     n = wb_media_enc_update(e, chunk, len, out);      // out holds len + 16; n bytes written
 *     n = wb_media_enc_final(e, out, &hashes);          // out holds WB_MEDIA_ENC_TAIL
 *     wb_media_enc_free(e);
 *
 *     wb_media_dec *d;  wb_media_dec_new(&d, media_key, "image", &expect);
 *     rc = wb_media_dec_update(d, chunk, len, out, &n); // out holds len + WB_MEDIA_DEC_SLACK
 *     rc = wb_media_dec_final(d, out, &n, &hashes, &err);  // 0: everything handed out is good
 *
 * The decryptor hands plaintext out before the MAC at the end of the blob has been seen: what it
 * gave is unverified until wb_media_dec_final returns 0, and must be thrown away otherwise
 * (download.c writes it to a temporary file that is renamed into place only then). */
#ifndef WB_MEDIA_CIPHER_H
#define WB_MEDIA_CIPHER_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "crypto/hash.h"

#define WB_MEDIA_KEY_LEN 32
#define WB_MEDIA_MAC_LEN 10
#define WB_MEDIA_ENC_TAIL (16 + WB_MEDIA_MAC_LEN) /* what wb_media_enc_final writes */
#define WB_MEDIA_DEC_SLACK 48 /* out of wb_media_dec_update holds len + this */

/* The keys a media key expands to for a media type (Baileys' names: "image", "video", "audio",
 * "document", "sticker", "ptt", "gif", "thumbnail-link", ...; wa/media.h's table). */
typedef struct wb_media_keys {
    uint8_t iv[16], cipher_key[32], mac_key[32], ref_key[32];
} wb_media_keys;

/* Expands media_key for type. Returns 0, or WB_ENOTFOUND (a type without media keys). */
int wb_media_keys_derive(wb_media_keys *out, const uint8_t media_key[WB_MEDIA_KEY_LEN],
                         const char *type);

/* What a finished stream measured. */
typedef struct wb_media_hashes {
    uint8_t file_sha256[32];     /* of the plain file */
    uint8_t file_enc_sha256[32]; /* of the blob: ciphertext and MAC */
    uint64_t file_length;        /* plain bytes */
    uint64_t enc_length;         /* blob bytes */
} wb_media_hashes;

/* The blob's size for a file of plain_len bytes: whole blocks with padding, and the MAC. */
uint64_t wb_media_enc_size(uint64_t plain_len);

/* ---- encrypting ------------------------------------------------------------------------------ */

typedef struct wb_media_enc wb_media_enc;

/* Returns 0 and *out, WB_ENOTFOUND (type) or WB_ENOMEM / WB_ECRYPTO. */
int wb_media_enc_new(wb_media_enc **out, const uint8_t media_key[WB_MEDIA_KEY_LEN],
                     const char *type);
/* Encrypts len bytes of the file into out (room for len + 16) and returns how many bytes of
 * blob it wrote (whole blocks; a partial block waits for the next call). Returns a negative
 * code only when the crypto library fails. */
long long wb_media_enc_update(wb_media_enc *e, const uint8_t *in, size_t len, uint8_t *out);
/* Pads and encrypts what is left and appends the MAC: writes WB_MEDIA_ENC_TAIL bytes to out and
 * returns that, and fills h. The context is then spent. */
long long wb_media_enc_final(wb_media_enc *e, uint8_t out[WB_MEDIA_ENC_TAIL], wb_media_hashes *h);
/* Zeroes and frees. NULL is a no-op. */
void wb_media_enc_free(wb_media_enc *e);

/* The MAC and fileEncSha256 apart from the encryption, so that another thread may compute them
 * while the AES runs (two SHA-256 streams over the ciphertext are half of an upload's CPU).
 * Called before the first update, wb_media_enc_split leaves them to a wb_media_mac fed the same
 * ciphertext: wb_media_enc_final then writes the last block only (16 bytes, and returns 16), and
 * its h has no file_enc_sha256 (zero) and an enc_length without the MAC. wb_media_mac_final
 * gives the MAC that ends the blob and the blob's hash. */
typedef struct wb_media_mac wb_media_mac;
void wb_media_enc_split(wb_media_enc *e);
/* Returns 0 and *out, WB_ENOTFOUND (type) or WB_ENOMEM. */
int wb_media_mac_new(wb_media_mac **out, const uint8_t media_key[WB_MEDIA_KEY_LEN],
                     const char *type);
void wb_media_mac_update(wb_media_mac *m, const uint8_t *ciphertext, size_t len);
void wb_media_mac_final(wb_media_mac *m, uint8_t mac[WB_MEDIA_MAC_LEN], uint8_t file_enc_sha256[32]);
/* Zeroes and frees. NULL is a no-op. */
void wb_media_mac_free(wb_media_mac *m);
/* fileSha256 apart too (upload.c hashes the file on a thread of its own): after
 * wb_media_enc_hash_apart (before the first update), the updates no longer hash the file; the
 * caller updates plain with exactly the bytes it gives them, in order, on any thread, and is
 * done with it when it calls wb_media_enc_final, which finishes it into h. plain is the
 * caller's and outlives e. */
void wb_media_enc_hash_apart(wb_media_enc *e, wb_sha256_ctx *plain);

/* ---- decrypting ------------------------------------------------------------------------------ */

/* What the message says the file is; NULL: not checked. */
typedef struct wb_media_expect {
    const uint8_t *file_sha256;     /* 32 bytes */
    const uint8_t *file_enc_sha256; /* 32 bytes */
} wb_media_expect;

typedef struct wb_media_dec wb_media_dec;

/* Returns 0 and *out, WB_ENOTFOUND (type) or WB_ENOMEM / WB_ECRYPTO. expect is copied. */
int wb_media_dec_new(wb_media_dec **out, const uint8_t media_key[WB_MEDIA_KEY_LEN],
                     const char *type, const wb_media_expect *expect);
/* Takes len more bytes of the blob and writes the plaintext it can already give to out (room
 * for len + WB_MEDIA_DEC_SLACK), its length to *outlen. The last block and the MAC are held
 * back until wb_media_dec_final. Returns 0 or WB_ECRYPTO. */
int wb_media_dec_update(wb_media_dec *d, const uint8_t *in, size_t len, uint8_t *out,
                        size_t *outlen);
/* The blob has ended: checks, in whatsmeow's order, its shape (whole blocks and a 10-byte MAC:
 * WB_EMALFORMED), fileEncSha256, the MAC, the padding, fileSha256 (each WB_EAUTH), with a
 * sentence in err. sums: NULL, or for a split decryptor (below) what its wb_media_check
 * measured. On success writes the file's last bytes (at most 15) to out (room for 16), fills h
 * and returns 0. The context is then spent. */
typedef struct wb_media_blob_sums wb_media_blob_sums;
int wb_media_dec_final(wb_media_dec *d, const wb_media_blob_sums *sums, uint8_t out[16],
                       size_t *outlen, wb_media_hashes *h, wb_error *err);
/* Starts over (a download retried from another host), with the same keys and expectations. */
int wb_media_dec_reset(wb_media_dec *d);
/* Zeroes and frees. NULL is a no-op. */
void wb_media_dec_free(wb_media_dec *d);

/* The MAC and fileEncSha256 of a download apart from its decryption, the counterpart of
 * wb_media_enc_split: two SHA-256 streams over the blob are as much CPU as the AES and fileSha256
 * together, so another thread may take them (download.c). Called before the first update,
 * wb_media_dec_split leaves them to a wb_media_check fed the same blob bytes, in the same order;
 * its sums then go to wb_media_dec_final, which checks them as it would its own. */
struct wb_media_blob_sums {
    uint8_t mac[WB_MEDIA_MAC_LEN]; /* HMAC over iv || the blob but its last 10 bytes, cut */
    uint8_t tail[WB_MEDIA_MAC_LEN]; /* the blob's last 10 bytes (its MAC, if well formed) */
    uint8_t file_enc_sha256[32];    /* of the whole blob */
    uint64_t len;                   /* the blob's bytes */
};
typedef struct wb_media_check wb_media_check;
void wb_media_dec_split(wb_media_dec *d);
/* fileSha256 may leave the decrypting thread too (download.c hashes the plaintext where it
 * writes it): after wb_media_dec_hash_apart (before the first update), the updates no longer
 * hash the plaintext they hand out; the caller updates plain with exactly those bytes, in order,
 * on any thread, and is done with it when it calls wb_media_dec_final, which adds the file's
 * last bytes (the ones final hands out: not to be hashed again), finishes and checks it. plain
 * is the caller's and outlives d; this and wb_media_dec_reset start it over. */
void wb_media_dec_hash_apart(wb_media_dec *d, wb_sha256_ctx *plain);
/* Returns 0 and *out, WB_ENOTFOUND (type) or WB_ENOMEM. */
int wb_media_check_new(wb_media_check **out, const uint8_t media_key[WB_MEDIA_KEY_LEN],
                       const char *type);
void wb_media_check_update(wb_media_check *c, const uint8_t *blob, size_t len);
/* Fills sums; the context then starts over (the next blob, a download retried elsewhere). */
void wb_media_check_final(wb_media_check *c, wb_media_blob_sums *sums);
/* Zeroes and frees. NULL is a no-op. */
void wb_media_check_free(wb_media_check *c);

#endif
