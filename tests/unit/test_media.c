/* Unit tests for media/cipher: the vectors Baileys' own encryptedStream and getMediaKeys made
 * (tests/vectors/media_vectors.txt, from tests/interop/tools/gen-media-vectors.mjs) encrypted
 * and decrypted byte for byte with the input cut at every awkward offset; and what must be
 * refused: a flipped byte (fileEncSha256, then the MAC when that is not checked), a wrong
 * fileSha256, bad padding under a good MAC, a blob cut short or with bytes added, each with its
 * sentence and nothing verified. The decryption tests run three ways: whole, split with the
 * checks inline, and split with the checks on a follower thread (media/follower.h): the same
 * plaintext and the same verdicts (split: the MAC and fileEncSha256 by a wb_media_check,
 * fileSha256 by the caller, as download.c does). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/buf.h"
#include "core/enc.h"
#include "crypto/aes.h"
#include "crypto/hash.h"
#include "media/cipher.h"
#include "media/follower.h"

typedef struct vec {
    char type[32];
    wb_buf plain, media_key, iv, cipher_key, mac_key, blob, mac, file_sha256, file_enc_sha256;
    unsigned long long file_length;
} vec;

static vec vecs[32];
static size_t nvecs;

static void unhex(wb_buf *b, const char *s) {
    size_t n = strcspn(s, "\r\n");
    if (n) /* an empty file stays an empty buffer */
        CHECK_EQ(wb_hex_decode(b, s, n), 0);
}

static void load_vectors(void) {
    FILE *f = fopen(WB_TEST_VECTORS "/media_vectors.txt", "r");
    CHECK(f != NULL);
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0;
    vec *v = NULL;
    while (getline(&line, &cap, f) > 0) {
        char *sp = strchr(line, ' ');
        const char *val = sp ? sp + 1 : "";
        if (sp)
            *sp = '\0';
        if (!strcmp(line, "case") && nvecs < 32) {
            v = &vecs[nvecs++];
            sscanf(val, "%31s", v->type);
        } else if (!v || line[0] == '#') {
            continue;
        } else if (!strcmp(line, "plain")) {
            unhex(&v->plain, val);
        } else if (!strcmp(line, "media_key")) {
            unhex(&v->media_key, val);
        } else if (!strcmp(line, "iv")) {
            unhex(&v->iv, val);
        } else if (!strcmp(line, "cipher_key")) {
            unhex(&v->cipher_key, val);
        } else if (!strcmp(line, "mac_key")) {
            unhex(&v->mac_key, val);
        } else if (!strcmp(line, "blob")) {
            unhex(&v->blob, val);
        } else if (!strcmp(line, "mac")) {
            unhex(&v->mac, val);
        } else if (!strcmp(line, "file_sha256")) {
            unhex(&v->file_sha256, val);
        } else if (!strcmp(line, "file_enc_sha256")) {
            unhex(&v->file_enc_sha256, val);
        } else if (!strcmp(line, "file_length")) {
            v->file_length = strtoull(val, NULL, 10);
        }
    }
    free(line);
    fclose(f);
}

static const uint8_t *bytes(const wb_buf *b) { return b->data ? b->data : (const uint8_t *)""; }

/* Encrypts v's file fed in pieces of `step` bytes (0: one call). */
static void encrypt(const vec *v, size_t step, wb_buf *blob, wb_media_hashes *h) {
    wb_media_enc *e;
    CHECK_EQ(wb_media_enc_new(&e, v->media_key.data, v->type), 0);
    size_t n = v->plain.len;
    for (size_t off = 0; off < n || off == 0;) {
        size_t len = step && n - off > step ? step : n - off;
        uint8_t *out = wb_buf_extend(blob, len + 16);
        long long w = wb_media_enc_update(e, bytes(&v->plain) + off, len, out);
        CHECK(w >= 0 && (size_t)w <= len + 16);
        blob->len -= len + 16 - (size_t)w;
        off += len;
        if (off >= n)
            break;
    }
    uint8_t *out = wb_buf_extend(blob, WB_MEDIA_ENC_TAIL);
    CHECK_EQ(wb_media_enc_final(e, out, h), WB_MEDIA_ENC_TAIL);
    wb_media_enc_free(e);
}

/* How decrypt() runs: the decryptor alone, split with its checks inline, or split with the
 * checks on a follower thread (with a small ring, so that it wraps and waits). */
enum { WHOLE, SPLIT_INLINE, SPLIT_THREAD };
static int mode;

static void follow_check(void *c, const uint8_t *p, size_t n) { wb_media_check_update(c, p, n); }
static void follow_plain(void *h, const uint8_t *p, size_t n) { wb_sha256_update(h, p, n); }

/* Decrypts blob fed in pieces of `step` bytes (0: one call); the plaintext goes to plain.
 * Returns wb_media_dec_final's code. */
static int decrypt(const vec *v, const uint8_t *blob, size_t n, size_t step,
                   const wb_media_expect *x, wb_buf *plain, wb_error *err) {
    wb_media_dec *d;
    wb_media_check *c = NULL;
    wb_media_follower *f = NULL, *fp = NULL;
    wb_sha256_ctx plain_sha;
    CHECK_EQ(wb_media_dec_new(&d, v->media_key.data, v->type, x), 0);
    if (mode != WHOLE) {
        wb_media_dec_split(d);
        wb_media_dec_hash_apart(d, &plain_sha);
        CHECK_EQ(wb_media_check_new(&c, v->media_key.data, v->type), 0);
        CHECK_EQ(wb_media_follower_start(&f, 100, follow_check, c, mode == SPLIT_THREAD), 0);
        CHECK_EQ(wb_media_follower_start(&fp, 64, follow_plain, &plain_sha, mode == SPLIT_THREAD), 0);
    }
    for (size_t off = 0; off < n;) {
        size_t len = step && n - off > step ? step : n - off, got = 0;
        if (f)
            wb_media_follower_put(f, blob + off, len);
        uint8_t *out = wb_buf_extend(plain, len + WB_MEDIA_DEC_SLACK);
        CHECK_EQ(wb_media_dec_update(d, blob + off, len, out, &got), 0);
        CHECK(got <= len + WB_MEDIA_DEC_SLACK);
        if (fp)
            wb_media_follower_put(fp, out, got);
        plain->len -= len + WB_MEDIA_DEC_SLACK - got;
        off += len;
    }
    uint8_t tail[16];
    size_t got = 99;
    wb_media_hashes h;
    wb_media_blob_sums sums;
    if (c) {
        wb_media_follower_end(f);
        wb_media_follower_end(fp);
        wb_media_check_final(c, &sums);
        wb_media_check_free(c);
    }
    int rc = wb_media_dec_final(d, c ? &sums : NULL, tail, &got, &h, err);
    if (rc == 0) {
        CHECK(got < 16);
        wb_buf_append(plain, tail, got);
        CHECK_EQ(h.file_length, plain->len);
        CHECK_EQ(h.enc_length, n);
    }
    wb_media_dec_free(d);
    return rc;
}

static void test_media_keys_are_baileys_getmediakeys(void) {
    CHECK(nvecs >= 10);
    for (size_t i = 0; i < nvecs; i++) {
        wb_media_keys k;
        CHECK_EQ(wb_media_keys_derive(&k, vecs[i].media_key.data, vecs[i].type), 0);
        CHECK_MEM(k.iv, vecs[i].iv.data, 16);
        CHECK_MEM(k.cipher_key, vecs[i].cipher_key.data, 32);
        CHECK_MEM(k.mac_key, vecs[i].mac_key.data, 32);
    }
    wb_media_keys k;
    CHECK_EQ(wb_media_keys_derive(&k, vecs[0].media_key.data, "nonsense"), WB_ENOTFOUND);
}

static void test_media_encrypt_matches_baileys_encryptedstream(void) {
    static const size_t steps[] = {0, 1, 7, 15, 16, 17, 4095, 65536, 65537};
    for (size_t i = 0; i < nvecs; i++) {
        const vec *v = &vecs[i];
        CHECK_EQ(wb_media_enc_size(v->plain.len), v->blob.len);
        for (size_t s = 0; s < sizeof steps / sizeof *steps; s++) {
            if (steps[s] == 1 && v->plain.len > 5000)
                continue; /* byte by byte is slow under ASan, and 7 covers it */
            wb_buf blob = WB_BUF_INIT;
            wb_media_hashes h;
            encrypt(v, steps[s], &blob, &h);
            CHECK_EQ(blob.len, v->blob.len);
            CHECK(blob.len == v->blob.len && memcmp(blob.data, v->blob.data, blob.len) == 0);
            CHECK_MEM(blob.data + blob.len - 10, v->mac.data, 10);
            CHECK_MEM(h.file_sha256, v->file_sha256.data, 32);
            CHECK_MEM(h.file_enc_sha256, v->file_enc_sha256.data, 32);
            CHECK_EQ(h.file_length, v->file_length);
            CHECK_EQ(h.enc_length, v->blob.len);
            wb_buf_free(&blob);
        }
    }
}

static void test_media_split_encryption_and_mac_make_baileys_blobs(void) {
    for (size_t i = 0; i < nvecs; i++) {
        const vec *v = &vecs[i];
        wb_media_enc *e;
        wb_media_mac *m;
        CHECK_EQ(wb_media_enc_new(&e, v->media_key.data, v->type), 0);
        CHECK_EQ(wb_media_mac_new(&m, v->media_key.data, v->type), 0);
        wb_media_enc_split(e);
        /* every other vector with fileSha256 apart too, hashed here as upload.c's follower does */
        wb_sha256_ctx apart;
        if (i % 2)
            wb_media_enc_hash_apart(e, &apart);
        uint8_t *out = malloc(v->plain.len + 16 + WB_MEDIA_ENC_TAIL);
        long long w = wb_media_enc_update(e, v->plain.data, v->plain.len, out);
        if (i % 2)
            wb_sha256_update(&apart, v->plain.len ? v->plain.data : (const uint8_t *)"",
                             v->plain.len);
        wb_media_hashes h;
        CHECK_EQ(wb_media_enc_final(e, out + w, &h), 16);
        wb_media_mac_update(m, out, (size_t)w + 16);
        uint8_t enc_sha[32];
        wb_media_mac_final(m, out + w + 16, enc_sha);
        CHECK_EQ((size_t)w + WB_MEDIA_ENC_TAIL, v->blob.len);
        CHECK(memcmp(out, v->blob.data, v->blob.len) == 0);
        CHECK_MEM(enc_sha, v->file_enc_sha256.data, 32);
        CHECK_MEM(h.file_sha256, v->file_sha256.data, 32);
        CHECK_EQ(h.file_length, v->plain.len);
        CHECK_EQ(h.enc_length + WB_MEDIA_MAC_LEN, v->blob.len);
        wb_media_enc_free(e);
        wb_media_mac_free(m);
        free(out);
    }
}

static void test_media_decrypt_baileys_blobs_in_any_pieces(void) {
    static const size_t steps[] = {0, 1, 9, 10, 11, 16, 25, 26, 27, 33, 4096, 65536, 70000};
    for (size_t i = 0; i < nvecs; i++) {
        const vec *v = &vecs[i];
        wb_media_expect x = {v->file_sha256.data, v->file_enc_sha256.data};
        for (size_t s = 0; s < sizeof steps / sizeof *steps; s++) {
            if (steps[s] == 1 && v->blob.len > 5000)
                continue;
            wb_buf plain = WB_BUF_INIT;
            wb_error e = {0};
            CHECK_EQ(decrypt(v, v->blob.data, v->blob.len, steps[s], &x, &plain, &e), 0);
            CHECK_EQ(plain.len, v->plain.len);
            CHECK(plain.len == v->plain.len && memcmp(bytes(&plain), bytes(&v->plain), plain.len) == 0);
            wb_buf_free(&plain);
        }
        /* a context starts over for a retry */
        wb_media_dec *d;
        CHECK_EQ(wb_media_dec_new(&d, v->media_key.data, v->type, &x), 0);
        wb_buf junk = WB_BUF_INIT;
        size_t got;
        wb_media_hashes h;
        uint8_t *out = wb_buf_extend(&junk, 100 + WB_MEDIA_DEC_SLACK);
        CHECK_EQ(wb_media_dec_update(d, (const uint8_t *)"garbage garbage garbage garbage garbage", 39,
                                     out, &got), 0);
        CHECK_EQ(wb_media_dec_reset(d), 0);
        wb_buf_reset(&junk);
        out = wb_buf_extend(&junk, v->blob.len + WB_MEDIA_DEC_SLACK);
        CHECK_EQ(wb_media_dec_update(d, v->blob.data, v->blob.len, out, &got), 0);
        uint8_t tail[16];
        size_t tl;
        CHECK_EQ(wb_media_dec_final(d, NULL, tail, &tl, &h, NULL), 0);
        CHECK_EQ(got + tl, v->plain.len);
        CHECK_MEM(h.file_sha256, v->file_sha256.data, 32);
        wb_media_dec_free(d);
        wb_buf_free(&junk);
    }
}

static int refused(const vec *v, const uint8_t *blob, size_t n, const wb_media_expect *x,
                   const char *want) {
    wb_buf plain = WB_BUF_INIT;
    wb_error e = {0};
    int rc = decrypt(v, blob, n, 7, x, &plain, &e);
    if (!strstr(e.what, want))
        fprintf(stderr, "  refusal said '%s', not '%s'\n", e.what, want);
    CHECK(strstr(e.what, want) != NULL);
    CHECK_EQ(e.code, rc);
    wb_buf_free(&plain);
    return rc;
}

static void test_media_decrypt_refuses_tampering(void) {
    const vec *v = &vecs[8]; /* document, 1000 bytes */
    CHECK_EQ(v->plain.len, 1000);
    size_t n = v->blob.len;
    uint8_t *b = malloc(n + 32);
    wb_media_expect both = {v->file_sha256.data, v->file_enc_sha256.data};
    wb_media_expect mac_only = {v->file_sha256.data, NULL};
    /* a flipped byte anywhere: the blob's hash first, then the MAC */
    static const size_t at[] = {0, 15, 16, 500, 1007, 1008};
    for (size_t i = 0; i < sizeof at / sizeof *at; i++) {
        memcpy(b, v->blob.data, n);
        b[at[i]] ^= 0x01;
        CHECK_EQ(refused(v, b, n, &both, "fileEncSha256"), WB_EAUTH);
        CHECK_EQ(refused(v, b, n, &mac_only, "bad MAC"), WB_EAUTH);
    }
    /* the MAC itself */
    memcpy(b, v->blob.data, n);
    b[n - 1] ^= 0x80;
    CHECK_EQ(refused(v, b, n, &mac_only, "bad MAC"), WB_EAUTH);
    /* a good blob for another file */
    uint8_t wrong[32];
    memcpy(wrong, v->file_sha256.data, 32);
    wrong[31] ^= 1;
    wb_media_expect other = {wrong, v->file_enc_sha256.data};
    CHECK_EQ(refused(v, v->blob.data, n, &other, "fileSha256"), WB_EAUTH);
    /* cut short, or bytes added: not whole blocks and a MAC */
    CHECK_EQ(refused(v, v->blob.data, n - 1, &mac_only, "not whole AES blocks"), WB_EMALFORMED);
    CHECK_EQ(refused(v, v->blob.data, 9, &mac_only, "not whole AES blocks"), WB_EMALFORMED);
    CHECK_EQ(refused(v, v->blob.data, 0, &mac_only, "not whole AES blocks"), WB_EMALFORMED);
    memcpy(b, v->blob.data, n);
    memset(b + n, 0, 3);
    CHECK_EQ(refused(v, b, n + 3, &mac_only, "not whole AES blocks"), WB_EMALFORMED);
    /* 16 bytes more: whole blocks, but the MAC is not where it was */
    memcpy(b, v->blob.data, n);
    memset(b + n, 0, 16);
    CHECK_EQ(refused(v, b, n + 16, &mac_only, "bad MAC"), WB_EAUTH);
    /* bad padding under a good MAC: a last block ending in 0x00, encrypted and MACed with the
     * right keys */
    wb_media_keys k;
    CHECK_EQ(wb_media_keys_derive(&k, v->media_key.data, v->type), 0);
    uint8_t pt[32], ct[32 + 10], mac[32];
    memset(pt, 'a', sizeof pt);
    pt[31] = 0;
    wb_cbc *c;
    CHECK_EQ(wb_cbc_new(&c, k.cipher_key, k.iv, 1), 0);
    CHECK_EQ(wb_cbc_update(c, pt, 32, ct), 0);
    CHECK_EQ(wb_cbc_update(c, pt, 15, ct), WB_EINVAL);
    wb_cbc_free(c);
    wb_hmac hm;
    wb_hmac_init(&hm, k.mac_key, 32);
    wb_hmac_start(&hm);
    wb_hmac_update(&hm, k.iv, 16);
    wb_hmac_update(&hm, ct, 32);
    wb_hmac_final(&hm, mac);
    memcpy(ct + 32, mac, 10);
    CHECK_EQ(refused(v, ct, sizeof ct, NULL, "padding"), WB_EAUTH);
    free(b);
}

static void test_media_split_decryption_needs_its_sums(void) {
    const vec *v = &vecs[8];
    wb_media_expect x = {v->file_sha256.data, v->file_enc_sha256.data};
    wb_media_dec *d;
    wb_media_check *c;
    CHECK_EQ(wb_media_dec_new(&d, v->media_key.data, v->type, &x), 0);
    CHECK_EQ(wb_media_check_new(&c, v->media_key.data, v->type), 0);
    wb_media_dec_split(d);
    uint8_t *out = malloc(v->blob.len + WB_MEDIA_DEC_SLACK), tail[16];
    /* (fileSha256 stays the decryptor's here: split and hash_apart are independent) */
    size_t got, tl;
    wb_media_hashes h;
    wb_error e = {0};
    CHECK_EQ(wb_media_dec_update(d, v->blob.data, v->blob.len, out, &got), 0);
    CHECK_EQ(wb_media_dec_final(d, NULL, tail, &tl, &h, &e), WB_EINVAL);
    /* sums of other bytes than the decryptor saw: refused, not trusted */
    CHECK_EQ(wb_media_dec_reset(d), 0);
    CHECK_EQ(wb_media_dec_update(d, v->blob.data, v->blob.len, out, &got), 0);
    wb_media_check_update(c, v->blob.data, v->blob.len - 16);
    wb_media_blob_sums sums;
    wb_media_check_final(c, &sums);
    CHECK_EQ(wb_media_dec_final(d, &sums, tail, &tl, &h, &e), WB_EMALFORMED);
    /* and the right ones verify, after a final that started the check over */
    CHECK_EQ(wb_media_dec_reset(d), 0);
    CHECK_EQ(wb_media_dec_update(d, v->blob.data, v->blob.len, out, &got), 0);
    wb_media_check_update(c, v->blob.data, 3);
    wb_media_check_update(c, v->blob.data + 3, v->blob.len - 3);
    wb_media_check_final(c, &sums);
    CHECK_EQ(wb_media_dec_final(d, &sums, tail, &tl, &h, &e), 0);
    CHECK_MEM(h.file_enc_sha256, v->file_enc_sha256.data, 32);
    CHECK_EQ(got + tl, v->plain.len);
    wb_media_dec_free(d);
    wb_media_check_free(c);
    free(out);
}

int main(void) {
    load_vectors();
    RUN(test_media_keys_are_baileys_getmediakeys);
    RUN(test_media_encrypt_matches_baileys_encryptedstream);
    RUN(test_media_split_encryption_and_mac_make_baileys_blobs);
    for (mode = WHOLE; mode <= SPLIT_THREAD; mode++) {
        RUN(test_media_decrypt_baileys_blobs_in_any_pieces);
        RUN(test_media_decrypt_refuses_tampering);
    }
    mode = WHOLE;
    RUN(test_media_split_decryption_needs_its_sums);
    for (size_t i = 0; i < nvecs; i++) {
        wb_buf *bufs[] = {&vecs[i].plain, &vecs[i].media_key, &vecs[i].iv, &vecs[i].cipher_key,
                          &vecs[i].mac_key, &vecs[i].blob, &vecs[i].mac, &vecs[i].file_sha256,
                          &vecs[i].file_enc_sha256};
        for (size_t j = 0; j < sizeof bufs / sizeof *bufs; j++)
            wb_buf_free(bufs[j]);
    }
    return check_summary();
}
