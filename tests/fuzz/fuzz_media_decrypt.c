/* Fuzz target: the media decryptor (host/media/cipher.h) fed hostile blobs in pieces, as a
 * media server or a sender could make them.
 *
 * Input: [type 1][piece 1][flags 1][media key 32][fileSha256 32][blob ...]. type picks the
 * media type, piece the size of the pieces the blob is fed in (0: one), flags bit 0 checks the
 * blob's own SHA-256 as fileEncSha256, bit 1 checks the given fileSha256. Oracle: the
 * sanitizers (out buffers are exactly len + WB_MEDIA_DEC_SLACK); a blob that is accepted
 * re-encrypts, with the same key, to exactly itself and its plaintext hashes to fileSha256 when
 * that was checked; a refusal always comes with a sentence; and the split decryptor (its MAC
 * and fileEncSha256 left to a wb_media_check fed the same pieces, as download.c runs it) gives
 * the same verdict, sentence and plaintext as the whole one (fileSha256 hashed by the caller
 * too, wb_media_dec_hash_apart). Seeds: make_media_corpus.mjs (the
 * Baileys vectors of tests/vectors/media_vectors.txt, valid, so mutations start from blobs
 * that pass). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "crypto/hash.h"
#include "media/cipher.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const types[] = {"image", "video", "audio", "document", "sticker", "ptt"};

/* Decrypts blob in pieces, whole or split; the plaintext given (verified or not) goes to plain.
 * Returns wb_media_dec_final's code. */
static int decrypt(const char *type, const uint8_t *key, const wb_media_expect *x,
                   const uint8_t *blob, size_t n, size_t piece, int split, wb_buf *plain,
                   wb_media_hashes *h, wb_error *e) {
    wb_media_dec *d;
    wb_media_check *c = NULL;
    if (wb_media_dec_new(&d, key, type, x) < 0 ||
        (split && wb_media_check_new(&c, key, type) < 0))
        abort();
    wb_sha256_ctx plain_sha;
    if (split) {
        wb_media_dec_split(d);
        wb_media_dec_hash_apart(d, &plain_sha);
    }
    for (size_t off = 0; off < n;) {
        size_t len = piece && n - off > piece ? piece : n - off, got = 0;
        uint8_t *out = malloc(len + WB_MEDIA_DEC_SLACK);
        if (c)
            wb_media_check_update(c, blob + off, len);
        if (!out || wb_media_dec_update(d, blob + off, len, out, &got) < 0 ||
            got > len + WB_MEDIA_DEC_SLACK)
            abort();
        if (split)
            wb_sha256_update(&plain_sha, out, got);
        wb_buf_append(plain, out, got);
        free(out);
        off += len;
    }
    uint8_t tail[16];
    size_t tl = 0;
    wb_media_blob_sums sums;
    if (c)
        wb_media_check_final(c, &sums);
    int rc = wb_media_dec_final(d, c ? &sums : NULL, tail, &tl, h, e);
    if (rc == 0)
        wb_buf_append(plain, tail, tl);
    wb_media_dec_free(d);
    wb_media_check_free(c);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 67)
        return 0;
    const char *type = types[data[0] % (sizeof types / sizeof *types)];
    size_t piece = data[1], flags = data[2];
    const uint8_t *key = data + 3, *want_plain = data + 35, *blob = data + 67;
    size_t n = size - 67;
    uint8_t blob_sha[32];
    wb_sha256(blob_sha, blob, n);
    wb_media_expect x = {flags & 2 ? want_plain : NULL, flags & 1 ? blob_sha : NULL};
    wb_buf plain = WB_BUF_INIT, plain2 = WB_BUF_INIT;
    wb_media_hashes h, h2;
    wb_error e = {0}, e2 = {0};
    int rc = decrypt(type, key, &x, blob, n, piece, 0, &plain, &h, &e);
    int rc2 = decrypt(type, key, &x, blob, n, piece, 1, &plain2, &h2, &e2);
    if (rc != rc2 || strcmp(e.what, e2.what) || plain.len != plain2.len ||
        (plain.len && memcmp(plain.data, plain2.data, plain.len)) ||
        (rc == 0 && memcmp(&h, &h2, sizeof h)))
        abort();
    wb_buf_free(&plain2);
    if (rc < 0 && (!e.what[0] || e.code != rc))
        abort();
    if (rc == 0) {
        uint8_t sha[32];
        wb_sha256(sha, plain.data ? plain.data : (const uint8_t *)"", plain.len);
        if (memcmp(sha, h.file_sha256, 32) || ((flags & 2) && memcmp(sha, want_plain, 32)) ||
            memcmp(h.file_enc_sha256, blob_sha, 32) || h.file_length != plain.len)
            abort();
        /* accepted means authentic: the same key makes the same blob */
        wb_media_enc *enc;
        if (wb_media_enc_new(&enc, key, type) < 0)
            abort();
        uint8_t *again = malloc(plain.len + 16 + WB_MEDIA_ENC_TAIL);
        long long w = wb_media_enc_update(enc, plain.data ? plain.data : (const uint8_t *)"",
                                          plain.len, again);
        wb_media_hashes h3;
        if (w < 0 || wb_media_enc_final(enc, again + w, &h3) != WB_MEDIA_ENC_TAIL ||
            (size_t)w + WB_MEDIA_ENC_TAIL != n || memcmp(again, blob, n))
            abort();
        wb_media_enc_free(enc);
        free(again);
    }
    wb_buf_free(&plain);
    return 0;
}
