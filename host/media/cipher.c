/* The media cipher (cipher.h): keys, and the two streaming directions on crypto/'s streaming
 * CBC, incremental HMAC and SHA-256. */
#include "media/cipher.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "crypto/aes.h"
#include "crypto/hash.h"
#include "wa/media.h"

enum { BLOCK = 16, CHUNK = 64 * 1024 };

int wb_media_keys_derive(wb_media_keys *out, const uint8_t media_key[WB_MEDIA_KEY_LEN],
                         const char *type) {
    char info[64];
    int n = wb_wa_media_hkdf_info(type, info, sizeof info);
    if (n < 0)
        return WB_ENOTFOUND;
    uint8_t x[112];
    int rc = wb_hkdf_sha256(x, sizeof x, media_key, WB_MEDIA_KEY_LEN, NULL, 0,
                            (const uint8_t *)info, (size_t)n);
    if (rc == 0) {
        memcpy(out->iv, x, 16);
        memcpy(out->cipher_key, x + 16, 32);
        memcpy(out->mac_key, x + 48, 32);
        memcpy(out->ref_key, x + 80, 32);
    }
    wb_zero(x, sizeof x);
    return rc;
}

uint64_t wb_media_enc_size(uint64_t plain_len) {
    return (plain_len / BLOCK + 1) * BLOCK + WB_MEDIA_MAC_LEN;
}

/* What both directions keep: the keys, the cipher, the MAC and the two hashes. */
typedef struct stream {
    wb_media_keys keys;
    wb_cbc *cbc;
    wb_hmac mac;           /* over iv || ciphertext */
    wb_sha256_ctx plain, enc;
    wb_sha256_ctx *plain_apart; /* fileSha256 is the caller's (wb_media_dec_hash_apart) */
    uint64_t plain_len, enc_len;
    int split;             /* the MAC and the blob's hash are a wb_media_mac's */
} stream;

/* The MAC's and the blob hash's start, for every type that computes them: HMAC-SHA256 keyed
 * with macKey over iv || ..., and SHA-256 over the blob. */
static void sums_start(wb_hmac *mac, wb_sha256_ctx *enc, const uint8_t mac_key[32],
                       const uint8_t iv[16]) {
    wb_hmac_init(mac, mac_key, 32);
    wb_hmac_start(mac);
    wb_hmac_update(mac, iv, 16);
    wb_sha256_init(enc);
}

static int stream_start(stream *s, int encrypt) {
    wb_cbc_free(s->cbc);
    s->cbc = NULL;
    int rc = wb_cbc_new(&s->cbc, s->keys.cipher_key, s->keys.iv, encrypt);
    if (rc < 0)
        return rc;
    sums_start(&s->mac, &s->enc, s->keys.mac_key, s->keys.iv);
    wb_sha256_init(&s->plain);
    if (s->plain_apart)
        wb_sha256_init(s->plain_apart);
    s->plain_len = s->enc_len = 0;
    return 0;
}

static void stream_clear(stream *s) {
    wb_cbc_free(s->cbc);
    wb_hmac_clear(&s->mac);
    wb_zero(s, sizeof *s);
}

static void stream_hashes(stream *s, wb_media_hashes *h) {
    wb_sha256_final(s->plain_apart ? s->plain_apart : &s->plain, h->file_sha256);
    wb_sha256_final(&s->enc, h->file_enc_sha256);
    h->file_length = s->plain_len;
    h->enc_length = s->enc_len;
}

/* ---- encrypting ------------------------------------------------------------------------------ */

struct wb_media_enc {
    stream s;
    uint8_t part[BLOCK]; /* a partial block waiting for more */
    size_t npart;
};

int wb_media_enc_new(wb_media_enc **out, const uint8_t media_key[WB_MEDIA_KEY_LEN],
                     const char *type) {
    wb_media_enc *e = calloc(1, sizeof *e);
    if (!e)
        return WB_ENOMEM;
    int rc = wb_media_keys_derive(&e->s.keys, media_key, type);
    if (rc == 0)
        rc = stream_start(&e->s, 1);
    if (rc < 0) {
        wb_media_enc_free(e);
        return rc;
    }
    *out = e;
    return 0;
}

/* Encrypts whole blocks into out and feeds the ciphertext to the MAC and the blob's hash. */
static int enc_blocks(wb_media_enc *e, const uint8_t *in, size_t len, uint8_t *out) {
    for (size_t off = 0; off < len; off += CHUNK) {
        size_t n = len - off < CHUNK ? len - off : CHUNK;
        int rc = wb_cbc_update(e->s.cbc, in + off, n, out + off);
        if (rc < 0)
            return rc;
        if (!e->s.split) {
            wb_hmac_update(&e->s.mac, out + off, n);
            wb_sha256_update(&e->s.enc, out + off, n);
        }
    }
    e->s.enc_len += len;
    return 0;
}

long long wb_media_enc_update(wb_media_enc *e, const uint8_t *in, size_t len, uint8_t *out) {
    if (!len) /* in may be NULL then (an empty file): no pointer arithmetic on it */
        return 0;
    if (!e->s.plain_apart)
        wb_sha256_update(&e->s.plain, in, len);
    e->s.plain_len += len;
    size_t o = 0;
    int rc = 0;
    if (e->npart) {
        size_t take = BLOCK - e->npart < len ? BLOCK - e->npart : len;
        memcpy(e->part + e->npart, in, take);
        e->npart += take;
        in += take;
        len -= take;
        if (e->npart < BLOCK)
            return 0;
        if ((rc = enc_blocks(e, e->part, BLOCK, out)) < 0)
            return rc;
        o = BLOCK;
        e->npart = 0;
    }
    size_t whole = len - len % BLOCK;
    if ((rc = enc_blocks(e, in, whole, out + o)) < 0)
        return rc;
    memcpy(e->part, in + whole, len - whole);
    e->npart = len - whole;
    return (long long)(o + whole);
}

long long wb_media_enc_final(wb_media_enc *e, uint8_t out[WB_MEDIA_ENC_TAIL], wb_media_hashes *h) {
    uint8_t pad = (uint8_t)(BLOCK - e->npart);
    memset(e->part + e->npart, pad, pad);
    int rc = enc_blocks(e, e->part, BLOCK, out);
    wb_zero(e->part, sizeof e->part);
    e->npart = 0;
    if (rc < 0)
        return rc;
    if (e->s.split) {
        stream_hashes(&e->s, h);
        memset(h->file_enc_sha256, 0, sizeof h->file_enc_sha256);
        return BLOCK;
    }
    uint8_t mac[32];
    wb_hmac_final(&e->s.mac, mac);
    memcpy(out + BLOCK, mac, WB_MEDIA_MAC_LEN);
    wb_sha256_update(&e->s.enc, mac, WB_MEDIA_MAC_LEN);
    e->s.enc_len += WB_MEDIA_MAC_LEN;
    stream_hashes(&e->s, h);
    return WB_MEDIA_ENC_TAIL;
}

void wb_media_enc_free(wb_media_enc *e) {
    if (!e)
        return;
    stream_clear(&e->s);
    wb_free_secret(e, sizeof *e);
}

void wb_media_enc_split(wb_media_enc *e) { e->s.split = 1; }

void wb_media_enc_hash_apart(wb_media_enc *e, wb_sha256_ctx *plain) {
    e->s.plain_apart = plain;
    wb_sha256_init(plain);
}

struct wb_media_mac {
    wb_hmac mac;           /* over iv || ciphertext */
    wb_sha256_ctx enc;     /* over ciphertext || MAC */
};

int wb_media_mac_new(wb_media_mac **out, const uint8_t media_key[WB_MEDIA_KEY_LEN],
                     const char *type) {
    wb_media_keys k;
    int rc = wb_media_keys_derive(&k, media_key, type);
    if (rc < 0)
        return rc;
    wb_media_mac *m = calloc(1, sizeof *m);
    if (m)
        sums_start(&m->mac, &m->enc, k.mac_key, k.iv);
    wb_zero(&k, sizeof k);
    *out = m;
    return m ? 0 : WB_ENOMEM;
}

void wb_media_mac_update(wb_media_mac *m, const uint8_t *ciphertext, size_t len) {
    wb_hmac_update(&m->mac, ciphertext, len);
    wb_sha256_update(&m->enc, ciphertext, len);
}

void wb_media_mac_final(wb_media_mac *m, uint8_t mac[WB_MEDIA_MAC_LEN], uint8_t file_enc_sha256[32]) {
    uint8_t full[32];
    wb_hmac_final(&m->mac, full);
    memcpy(mac, full, WB_MEDIA_MAC_LEN);
    wb_sha256_update(&m->enc, mac, WB_MEDIA_MAC_LEN);
    wb_sha256_final(&m->enc, file_enc_sha256);
    wb_zero(full, sizeof full);
}

void wb_media_mac_free(wb_media_mac *m) {
    if (!m)
        return;
    wb_hmac_clear(&m->mac);
    wb_free_secret(m, sizeof *m);
}

/* ---- decrypting ------------------------------------------------------------------------------ */

/* The blob is ciphertext || MAC, and where the ciphertext ends is known only when the blob
 * does. So the last 10 bytes seen are always held back (they may be the MAC), with a partial
 * block before them (carry), and the last block decrypted is held too (it carries the padding
 * only if it is the last). */
struct wb_media_dec {
    stream s;
    uint8_t want_plain[32], want_enc[32];
    int check_plain, check_enc;
    uint8_t carry[BLOCK + WB_MEDIA_MAC_LEN]; /* < one block and a MAC, not yet decrypted */
    size_t ncarry;
    uint8_t last[BLOCK]; /* the last block decrypted, not yet handed out */
    int have_last;
};

int wb_media_dec_new(wb_media_dec **out, const uint8_t media_key[WB_MEDIA_KEY_LEN],
                     const char *type, const wb_media_expect *expect) {
    wb_media_dec *d = calloc(1, sizeof *d);
    if (!d)
        return WB_ENOMEM;
    if (expect && expect->file_sha256) {
        memcpy(d->want_plain, expect->file_sha256, 32);
        d->check_plain = 1;
    }
    if (expect && expect->file_enc_sha256) {
        memcpy(d->want_enc, expect->file_enc_sha256, 32);
        d->check_enc = 1;
    }
    int rc = wb_media_keys_derive(&d->s.keys, media_key, type);
    if (rc == 0)
        rc = stream_start(&d->s, 0);
    if (rc < 0) {
        wb_media_dec_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

int wb_media_dec_reset(wb_media_dec *d) {
    d->ncarry = 0;
    d->have_last = 0;
    wb_zero(d->last, sizeof d->last);
    return stream_start(&d->s, 0);
}

/* Decrypts len bytes (whole blocks) of ciphertext to out + *o: the block held from before goes
 * out first, the new last block is held. out has room for *o + 16 + len. */
static int dec_blocks(wb_media_dec *d, const uint8_t *in, size_t len, uint8_t *out, size_t *o) {
    if (!len)
        return 0;
    if (!d->s.split)
        wb_hmac_update(&d->s.mac, in, len);
    uint8_t *p = out + *o;
    if (d->have_last) {
        memcpy(p, d->last, BLOCK);
        p += BLOCK;
    }
    int rc = wb_cbc_update(d->s.cbc, in, len, p);
    if (rc < 0)
        return rc;
    size_t given = (d->have_last ? BLOCK : 0) + len - BLOCK;
    memcpy(d->last, out + *o + given, BLOCK);
    d->have_last = 1;
    if (!d->s.plain_apart)
        wb_sha256_update(&d->s.plain, out + *o, given);
    d->s.plain_len += given;
    *o += given;
    return 0;
}

int wb_media_dec_update(wb_media_dec *d, const uint8_t *in, size_t len, uint8_t *out,
                        size_t *outlen) {
    if (!d->s.split)
        wb_sha256_update(&d->s.enc, in, len);
    d->s.enc_len += len;
    size_t o = 0;
    int rc = 0;
    /* First the carry: complete one block in it when enough follows to keep a MAC back. */
    while (rc == 0 && d->ncarry + len >= BLOCK + WB_MEDIA_MAC_LEN && d->ncarry) {
        if (d->ncarry < BLOCK) {
            size_t take = BLOCK - d->ncarry;
            memcpy(d->carry + d->ncarry, in, take);
            d->ncarry += take;
            in += take;
            len -= take;
        }
        rc = dec_blocks(d, d->carry, BLOCK, out, &o);
        memmove(d->carry, d->carry + BLOCK, d->ncarry - BLOCK);
        d->ncarry -= BLOCK;
    }
    /* Then the input itself, in whole blocks, keeping at least a MAC's worth back. */
    while (rc == 0 && d->ncarry == 0 && len >= BLOCK + WB_MEDIA_MAC_LEN) {
        size_t n = (len - WB_MEDIA_MAC_LEN) / BLOCK * BLOCK;
        if (n > CHUNK)
            n = CHUNK;
        rc = dec_blocks(d, in, n, out, &o);
        in += n;
        len -= n;
    }
    if (rc == 0) { /* what is left is less than a block and a MAC */
        memcpy(d->carry + d->ncarry, in, len);
        d->ncarry += len;
        *outlen = o;
    }
    return rc;
}

int wb_media_dec_final(wb_media_dec *d, const wb_media_blob_sums *sums, uint8_t out[16],
                       size_t *outlen, wb_media_hashes *h, wb_error *err) {
    uint8_t mac[32];
    wb_media_hashes got;
    int rc = 0;
    if (!d->s.split)
        sums = NULL;
    if (d->s.split && !sums) {
        rc = wb_error_set(err, WB_EINVAL, 0, "a split media decryption ended without its sums");
        goto out;
    }
    if (d->s.split)
        memcpy(mac, sums->mac, WB_MEDIA_MAC_LEN);
    else
        wb_hmac_final(&d->s.mac, mac);
    if (d->ncarry != WB_MEDIA_MAC_LEN || !d->have_last ||
        (sums && (sums->len != d->s.enc_len || wb_memneq(sums->tail, d->carry, WB_MEDIA_MAC_LEN)))) {
        rc = wb_error_set(err, WB_EMALFORMED, 0,
                          "the media is %llu bytes: not whole AES blocks and a 10-byte MAC",
                          (unsigned long long)d->s.enc_len);
    } else {
        /* the remaining hashes need the last block's plaintext: strip its padding first,
         * without branching on it */
        uint8_t pad = d->last[BLOCK - 1];
        unsigned bad = (unsigned)(pad == 0) | (unsigned)(pad > BLOCK);
        for (size_t i = 0; i < BLOCK; i++)
            bad |= (unsigned)(i < pad) & (unsigned)(d->last[BLOCK - 1 - i] != pad);
        size_t keep = bad ? 0 : BLOCK - pad;
        wb_sha256_update(d->s.plain_apart ? d->s.plain_apart : &d->s.plain, d->last, keep);
        d->s.plain_len += keep;
        stream_hashes(&d->s, &got);
        if (sums)
            memcpy(got.file_enc_sha256, sums->file_enc_sha256, 32);
        if (d->check_enc && wb_memneq(got.file_enc_sha256, d->want_enc, 32))
            rc = wb_error_set(err, WB_EAUTH, 0,
                              "the downloaded media's SHA-256 is not the message's fileEncSha256");
        else if (wb_memneq(mac, d->carry, WB_MEDIA_MAC_LEN))
            rc = wb_error_set(err, WB_EAUTH, 0, "the media's MAC does not verify (bad MAC)");
        else if (bad)
            rc = wb_error_set(err, WB_EAUTH, 0, "the media's padding is wrong");
        else if (d->check_plain && wb_memneq(got.file_sha256, d->want_plain, 32))
            rc = wb_error_set(err, WB_EAUTH, 0,
                              "the decrypted media's SHA-256 is not the message's fileSha256");
        if (rc == 0) {
            memcpy(out, d->last, keep);
            *outlen = keep;
            *h = got;
        }
    }
out:
    wb_zero(mac, sizeof mac);
    wb_zero(d->last, sizeof d->last);
    d->have_last = 0;
    d->ncarry = 0;
    return rc;
}

void wb_media_dec_free(wb_media_dec *d) {
    if (!d)
        return;
    stream_clear(&d->s);
    wb_free_secret(d, sizeof *d);
}

/* ---- checking a blob apart from decrypting it -------------------------------------------------- */

void wb_media_dec_split(wb_media_dec *d) { d->s.split = 1; }

void wb_media_dec_hash_apart(wb_media_dec *d, wb_sha256_ctx *plain) {
    d->s.plain_apart = plain;
    wb_sha256_init(plain);
}

/* The blob's hash takes every byte as it comes; the MAC takes all but the last 10 seen so far,
 * which wait in tail (they may be the MAC itself). */
struct wb_media_check {
    uint8_t mac_key[32], iv[16];
    wb_hmac mac;
    wb_sha256_ctx enc;
    uint8_t tail[WB_MEDIA_MAC_LEN];
    size_t ntail;
    uint64_t len;
};

static void check_start(wb_media_check *c) {
    sums_start(&c->mac, &c->enc, c->mac_key, c->iv);
    c->ntail = 0;
    c->len = 0;
}

int wb_media_check_new(wb_media_check **out, const uint8_t media_key[WB_MEDIA_KEY_LEN],
                       const char *type) {
    wb_media_keys k;
    int rc = wb_media_keys_derive(&k, media_key, type);
    if (rc < 0)
        return rc;
    wb_media_check *c = calloc(1, sizeof *c);
    if (c) {
        memcpy(c->mac_key, k.mac_key, sizeof c->mac_key);
        memcpy(c->iv, k.iv, sizeof c->iv);
        check_start(c);
    }
    wb_zero(&k, sizeof k);
    *out = c;
    return c ? 0 : WB_ENOMEM;
}

void wb_media_check_update(wb_media_check *c, const uint8_t *blob, size_t len) {
    if (!len)
        return;
    wb_sha256_update(&c->enc, blob, len);
    c->len += len;
    if (c->ntail + len <= WB_MEDIA_MAC_LEN) {
        memcpy(c->tail + c->ntail, blob, len);
        c->ntail += len;
        return;
    }
    /* what now cannot be among the last 10 bytes goes to the MAC: the tail's oldest first */
    size_t release = c->ntail + len - WB_MEDIA_MAC_LEN;
    size_t from_tail = release < c->ntail ? release : c->ntail;
    wb_hmac_update(&c->mac, c->tail, from_tail);
    memmove(c->tail, c->tail + from_tail, c->ntail - from_tail);
    c->ntail -= from_tail;
    wb_hmac_update(&c->mac, blob, release - from_tail);
    blob += release - from_tail;
    len -= release - from_tail;
    memcpy(c->tail + c->ntail, blob, len);
    c->ntail += len;
}

void wb_media_check_final(wb_media_check *c, wb_media_blob_sums *sums) {
    uint8_t full[32];
    wb_hmac_final(&c->mac, full);
    memcpy(sums->mac, full, WB_MEDIA_MAC_LEN);
    memset(sums->tail, 0, sizeof sums->tail);
    memcpy(sums->tail + (WB_MEDIA_MAC_LEN - c->ntail), c->tail, c->ntail);
    wb_sha256_final(&c->enc, sums->file_enc_sha256);
    sums->len = c->len;
    wb_zero(full, sizeof full);
    check_start(c);
}

void wb_media_check_free(wb_media_check *c) {
    if (!c)
        return;
    wb_hmac_clear(&c->mac);
    wb_free_secret(c, sizeof *c);
}
