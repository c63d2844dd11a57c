/* Chain keys, message keys and skipped-key lists (chain.h), for sessions and sender keys. */
#include "signal/chain.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "crypto/aes.h"
#include "crypto/hash.h"
#include "signal/signal.h"

/* ---- skipped keys ---------------------------------------------------------------------------- */

static void mkeys_evict_oldest(wb_sig_mkeys *l) {
    wb_zero(&l->k[0], sizeof l->k[0]);
    memmove(&l->k[0], &l->k[1], (l->n - 1) * sizeof l->k[0]);
    l->n--;
    wb_zero(&l->k[l->n], sizeof l->k[0]);
}

int wb_sig_mkeys_push(wb_sig_mkeys *l, uint32_t index, const uint8_t seed[32]) {
    if (l->n == WB_SIGNAL_MAX_SKIPPED)
        mkeys_evict_oldest(l);
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 8;
        if (cap > WB_SIGNAL_MAX_SKIPPED)
            cap = WB_SIGNAL_MAX_SKIPPED;
        /* not realloc: the old block held secrets and must be zeroed, not just released */
        wb_sig_mkey *k = malloc(cap * sizeof *k);
        if (!k)
            return WB_ENOMEM;
        if (l->n)
            memcpy(k, l->k, l->n * sizeof *k);
        if (l->k)
            wb_free_secret(l->k, l->cap * sizeof *l->k);
        l->k = k;
        l->cap = cap;
    }
    l->k[l->n].index = index;
    memcpy(l->k[l->n].seed, seed, 32);
    l->n++;
    return 0;
}

int wb_sig_mkeys_take(wb_sig_mkeys *l, uint32_t index, uint8_t seed[32]) {
    /* binary search: the list is ascending */
    uint32_t lo = 0, hi = l->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (l->k[mid].index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == l->n || l->k[lo].index != index)
        return WB_ENOTFOUND;
    memcpy(seed, l->k[lo].seed, 32);
    memmove(&l->k[lo], &l->k[lo + 1], (l->n - lo - 1) * sizeof l->k[0]);
    l->n--;
    wb_zero(&l->k[l->n], sizeof l->k[0]);
    return 0;
}

void wb_sig_mkeys_free(wb_sig_mkeys *l) {
    if (l->k)
        wb_free_secret(l->k, l->cap * sizeof *l->k);
    l->k = NULL;
    l->n = l->cap = 0;
}

int wb_sig_mkeys_read(wb_reader *rd, wb_sig_mkeys *l, uint32_t below, wb_error *err) {
    uint16_t n = wb_rd_be16(rd);
    if (rd->err)
        return wb_error_set(err, rd->err, rd->err_pos, "skipped key count");
    if (n > WB_SIGNAL_MAX_SKIPPED)
        return wb_error_set(err, WB_EMALFORMED, rd->pos - 2, "%u skipped keys", n);
    if (wb_rd_remaining(rd) < (size_t)n * 36)
        return wb_error_set(err, WB_ETRUNC, rd->pos, "skipped keys");
    if (n == 0)
        return 0;
    if (!(l->k = malloc((size_t)n * sizeof *l->k)))
        return WB_ENOMEM;
    l->cap = n;
    for (uint16_t i = 0; i < n; i++) {
        wb_sig_mkey *k = &l->k[i];
        k->index = wb_rd_be32(rd);
        memcpy(k->seed, wb_rd_bytes(rd, 32), 32); /* the length was checked above */
        l->n = i + 1u;
        if (k->index >= below || (i > 0 && k->index <= l->k[i - 1].index))
            return wb_error_set(err, WB_EMALFORMED, rd->pos - 36, "skipped key %u out of order",
                                k->index);
    }
    return 0;
}

void wb_sig_mkeys_write(wb_buf *out, const wb_sig_mkeys *l) {
    wb_buf_put_be16(out, (uint16_t)l->n);
    for (uint32_t i = 0; i < l->n; i++) {
        wb_buf_put_be32(out, l->k[i].index);
        wb_buf_append(out, l->k[i].seed, 32);
    }
}

/* ---- chain keys ------------------------------------------------------------------------------ */

void wb_sig_chain_step(const uint8_t ck[32], uint8_t seed[32], uint8_t next[32]) {
    static const uint8_t message_key_seed = 0x01, chain_key_seed = 0x02;
    wb_hmac h;
    wb_hmac_init(&h, ck, 32);
    wb_hmac_mac(&h, &message_key_seed, 1, seed);
    wb_hmac_mac(&h, &chain_key_seed, 1, next);
    wb_hmac_clear(&h);
}

int wb_sig_chain_seek(uint8_t ck[32], uint32_t *next, uint32_t target, wb_sig_mkeys *skipped,
                      uint8_t seed[32]) {
    if (target - *next >= WB_SIGNAL_MAX_FUTURE)
        return WB_ERANGE;
    uint8_t s[32];
    for (uint32_t i = *next; i < target; i++) {
        wb_sig_chain_step(ck, s, ck);
        int rc = wb_sig_mkeys_push(skipped, i, s);
        if (rc < 0) {
            wb_zero(s, sizeof s);
            return rc;
        }
    }
    wb_sig_chain_step(ck, seed, ck);
    *next = target + 1;
    wb_zero(s, sizeof s);
    return 0;
}

/* ---- message keys ---------------------------------------------------------------------------- */

void wb_sig_message_keys(const uint8_t seed[32], uint8_t cipher[32], uint8_t mac[32],
                         uint8_t iv[16]) {
    static const char info[] = "WhisperMessageKeys";
    uint8_t k[80];
    wb_hkdf_sha256(k, sizeof k, seed, 32, NULL, 0, (const uint8_t *)info, sizeof info - 1);
    memcpy(cipher, k, 32);
    memcpy(mac, k + 32, 32);
    memcpy(iv, k + 64, 16);
    wb_zero(k, sizeof k);
}

void wb_sig_group_keys(const uint8_t seed[32], uint8_t iv[16], uint8_t cipher[32]) {
    static const char info[] = "WhisperGroup";
    uint8_t k[48];
    wb_hkdf_sha256(k, sizeof k, seed, 32, NULL, 0, (const uint8_t *)info, sizeof info - 1);
    memcpy(iv, k, 16);
    memcpy(cipher, k + 16, 32);
    wb_zero(k, sizeof k);
}

int wb_sig_cbc_open(wb_buf *out, const uint8_t key[32], const uint8_t iv[16], const uint8_t *ct,
                    size_t len) {
    size_t start = out->len, n = 0;
    uint8_t *dst = wb_buf_extend(out, len);
    if (!dst)
        return WB_ENOMEM;
    int rc = wb_aes_cbc_decrypt(key, iv, ct, len, dst, &n);
    out->len = rc == 0 ? start + n : start;
    return rc;
}
