/* Group messages with sender keys (signal.h), interoperable with Baileys' Signal/Group classes:
 * our own sender key per group, members' keys from their distribution messages, skmsg encrypt
 * (XEdDSA-signed) and decrypt with bounded catch-up. Also the sender-key record format
 * (sender_key.h). Each public call is one store transaction level. */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "crypto/aes.h"
#include "crypto/random.h"
#include "signal/chain.h"
#include "signal/sender_key.h"
#include "signal/signal_int.h"
#include "signal/wire.h"
#include "store/signal_store.h"

enum { SK_PRIVATE = 1 };

/* ---- the record ------------------------------------------------------------------------------- */

static void read_32(wb_reader *rd, uint8_t out[32]) {
    const uint8_t *p = wb_rd_bytes(rd, 32);
    if (p)
        memcpy(out, p, 32);
}

int wb_sig_sender_record_parse(wb_sig_sender_record *out, const uint8_t *data, size_t len,
                               wb_error *err) {
    wb_reader rd;
    wb_reader_init(&rd, data, len);
    wb_sig_sender_record r;
    memset(&r, 0, sizeof r);
    int rc = 0;
    uint8_t format = wb_rd_u8(&rd), count = wb_rd_u8(&rd);
    if (rd.err) {
        rc = wb_error_set(err, rd.err, rd.err_pos, "sender-key record header");
        goto fail;
    }
    if (format != WB_SIG_SENDER_FORMAT || count > WB_SIGNAL_MAX_SENDER_STATES) {
        rc = wb_error_set(err, WB_EMALFORMED, 0, "sender-key record format %u with %u states",
                          format, count);
        goto fail;
    }
    for (unsigned i = 0; i < count; i++) {
        wb_sig_sender_state *st = &r.states[i];
        r.count = i + 1;
        st->key_id = wb_rd_be32(&rd);
        uint8_t flags = wb_rd_u8(&rd);
        st->iteration = wb_rd_be32(&rd);
        read_32(&rd, st->chain_key);
        read_32(&rd, st->signing_pub);
        if (flags & SK_PRIVATE)
            read_32(&rd, st->signing_priv);
        st->has_private = flags & SK_PRIVATE;
        if (rd.err) {
            rc = wb_error_set(err, rd.err, rd.err_pos, "sender-key state %u", i);
            goto fail;
        }
        if (flags & ~SK_PRIVATE) {
            rc = wb_error_set(err, WB_EMALFORMED, rd.pos, "sender-key flags 0x%02x", flags);
            goto fail;
        }
        if ((rc = wb_sig_mkeys_read(&rd, &st->skipped, st->iteration, err)) < 0)
            goto fail;
    }
    if (wb_rd_remaining(&rd)) {
        rc = wb_error_set(err, WB_EMALFORMED, rd.pos, "bytes after the last sender-key state");
        goto fail;
    }
    *out = r;
    return 0;
fail:
    wb_sig_sender_record_free(&r);
    return rc;
}

int wb_sig_sender_record_write(wb_buf *out, const wb_sig_sender_record *r) {
    wb_buf_put_u8(out, WB_SIG_SENDER_FORMAT);
    wb_buf_put_u8(out, (uint8_t)r->count);
    for (unsigned i = 0; i < r->count; i++) {
        const wb_sig_sender_state *st = &r->states[i];
        wb_buf_put_be32(out, st->key_id);
        wb_buf_put_u8(out, st->has_private ? SK_PRIVATE : 0);
        wb_buf_put_be32(out, st->iteration);
        wb_buf_append(out, st->chain_key, 32);
        wb_buf_append(out, st->signing_pub, 32);
        if (st->has_private)
            wb_buf_append(out, st->signing_priv, 32);
        wb_sig_mkeys_write(out, &st->skipped);
    }
    return out->err;
}

void wb_sig_sender_record_free(wb_sig_sender_record *r) {
    for (unsigned i = 0; i < r->count && i <= WB_SIGNAL_MAX_SENDER_STATES; i++)
        wb_sig_mkeys_free(&r->states[i].skipped);
    wb_zero(r, sizeof *r);
}

/* ---- load and save ---------------------------------------------------------------------------- */

static int group_valid(const char *group) {
    size_t n = 0;
    for (; group[n]; n++)
        if ((unsigned char)group[n] < 0x20 || n >= 255)
            return 0;
    return n > 0;
}

/* Loads the record of (group, sender) into r; an absent one loads empty (r->count 0). A damaged
 * one is WB_EMALFORMED unless `or_empty`, for callers about to replace it anyway. */
static int load(wb_signal *s, const char *group, const char *sender, wb_sig_sender_record *r,
                int or_empty) {
    memset(r, 0, sizeof *r);
    wb_buf_reset(&s->rec);
    int rc = wb_store_sender_key_get(s->st, group, sender, &s->rec);
    if (rc == WB_ENOTFOUND)
        return 0;
    if (rc == 0 && s->rec.err)
        rc = WB_ENOMEM;
    if (rc < 0)
        return rc;
    wb_error err = {0};
    if ((rc = wb_sig_sender_record_parse(r, s->rec.data, s->rec.len, &err)) < 0) {
        WB_WARN("signal", "sender-key record for %s in %s is damaged: %s", sender, group, err.what);
        if (or_empty)
            rc = 0;
    }
    return rc;
}

static int save(wb_signal *s, const char *group, const char *sender,
                const wb_sig_sender_record *r) {
    wb_buf_reset(&s->out);
    int rc = wb_sig_sender_record_write(&s->out, r);
    return rc < 0 ? rc : wb_sig_put_sender_key(s, group, sender, s->out.data, s->out.len);
}

/* ---- our own sender key ----------------------------------------------------------------------- */

/* Makes sure r (our record for a group) has our key in front: a fresh one (Baileys' create:
 * a random 31-bit id, iteration 0, a random chain key, a new signing key pair) if it has none. */
static int ensure_own(wb_sig_sender_record *r, int *created) {
    *created = 0;
    if (r->count > 0 && r->states[0].has_private)
        return 0;
    wb_sig_sender_record_free(r);
    wb_sig_sender_state *st = &r->states[0];
    wb_keypair kp;
    int rc = wb_keypair_generate(&kp);
    if (rc < 0)
        return rc;
    st->key_id = wb_random_uniform(0x7ffffffe) + 1;
    st->has_private = 1;
    st->iteration = 0;
    wb_random_bytes(st->chain_key, 32);
    memcpy(st->signing_pub, kp.pub, 32);
    memcpy(st->signing_priv, kp.priv, 32);
    wb_zero(&kp, sizeof kp);
    r->count = 1;
    *created = 1;
    return 0;
}

static int distribution(wb_signal *s, const char *group, const char *self, wb_buf *out) {
    wb_sig_sender_record r;
    int created, rc = load(s, group, self, &r, 1);
    if (rc == 0 && (rc = ensure_own(&r, &created)) == 0 && created)
        rc = save(s, group, self, &r);
    if (rc == 0) {
        wb_sig_distribution d;
        d.key_id = r.states[0].key_id;
        d.iteration = r.states[0].iteration;
        memcpy(d.chain_key, r.states[0].chain_key, 32);
        memcpy(d.signing_key, r.states[0].signing_pub, 32);
        rc = wb_sig_distribution_build(out, &d);
        wb_zero(&d, sizeof d);
    }
    wb_sig_sender_record_free(&r);
    return rc;
}

int wb_signal_group_distribution(wb_signal *s, const char *group, const char *self, wb_buf *out) {
    if (!group_valid(group) || !wb_signal_address_valid(self))
        return WB_EINVAL;
    size_t start = out->len;
    int rc = wb_store_begin(s->st);
    return rc < 0 ? rc : wb_signal_finish_out(s, distribution(s, group, self, out), out, start);
}

static int group_encrypt(wb_signal *s, const char *group, const char *self, const uint8_t *pt,
                         size_t len, wb_buf *out) {
    wb_sig_sender_record r;
    uint8_t seed[32], iv[16], key[32];
    size_t ctlen = 0;
    int created, rc = load(s, group, self, &r, 1);
    if (rc < 0 || (rc = ensure_own(&r, &created)) < 0)
        goto done;
    wb_sig_sender_state *st = &r.states[0];
    if (st->iteration == UINT32_MAX) {
        rc = WB_ERANGE;
        goto done;
    }
    /* Java libsignal's order: the message takes the current iteration, then the chain moves on
     * (Baileys' own encrypt skips every other iteration; its decrypt handles both). */
    uint32_t iteration = st->iteration++;
    wb_sig_chain_step(st->chain_key, seed, st->chain_key);
    wb_sig_group_keys(seed, iv, key);
    wb_buf_reset(&s->msg);
    uint8_t *ct = wb_buf_extend(&s->msg, len + 16);
    if (!ct) {
        rc = WB_ENOMEM;
        goto done;
    }
    size_t start = out->len;
    if ((rc = wb_aes_cbc_encrypt(key, iv, pt, len, ct, &ctlen)) < 0 ||
        (rc = wb_sig_sender_key_message_build(out, st->key_id, iteration, ct, ctlen)) < 0)
        goto done;
    uint8_t *sig = wb_buf_extend(out, WB_SIG_SIGNATURE_LEN);
    if (!sig) {
        rc = WB_ENOMEM;
        goto done;
    }
    if ((rc = wb_xeddsa_sign(sig, st->signing_priv, out->data + start,
                             out->len - start - WB_SIG_SIGNATURE_LEN)) < 0)
        goto done;
    rc = save(s, group, self, &r);
done:
    wb_zero(seed, sizeof seed);
    wb_zero(iv, sizeof iv);
    wb_zero(key, sizeof key);
    wb_sig_sender_record_free(&r);
    return rc;
}

int wb_signal_group_encrypt(wb_signal *s, const char *group, const char *self, const uint8_t *pt,
                            size_t len, wb_buf *out) {
    if (!group_valid(group) || !wb_signal_address_valid(self))
        return WB_EINVAL;
    size_t start = out->len;
    int rc = wb_store_begin(s->st);
    return rc < 0 ? rc
                  : wb_signal_finish_out(s, group_encrypt(s, group, self, pt, len, out), out, start);
}

int wb_signal_group_reset(wb_signal *s, const char *group, const char *self) {
    if (!group_valid(group) || !wb_signal_address_valid(self))
        return WB_EINVAL;
    return wb_store_sender_key_delete(s->st, group, self);
}

/* ---- members' sender keys --------------------------------------------------------------------- */

static int process(wb_signal *s, const char *group, const char *sender,
                   const wb_sig_distribution *d) {
    wb_sig_sender_record r;
    int rc = load(s, group, sender, &r, 1);
    if (rc < 0)
        return rc;
    for (unsigned i = 0; i < r.count; i++) {
        if (r.states[i].key_id != d->key_id)
            continue;
        if (memcmp(r.states[i].signing_pub, d->signing_key, 32) == 0) {
            /* We hold this key already: taking the message again could only rewind the chain
             * and reopen used message keys. */
            wb_sig_sender_record_free(&r);
            return 0;
        }
        wb_sig_mkeys_free(&r.states[i].skipped);
        memmove(&r.states[i], &r.states[i + 1], (r.count - i - 1) * sizeof r.states[0]);
        r.count--;
        memset(&r.states[r.count], 0, sizeof r.states[0]);
        break;
    }
    /* newest first; past the bound the oldest goes, as in Baileys' SenderKeyRecord */
    memmove(&r.states[1], &r.states[0], r.count * sizeof r.states[0]);
    memset(&r.states[0], 0, sizeof r.states[0]);
    r.count++;
    wb_sig_sender_state *st = &r.states[0];
    st->key_id = d->key_id;
    st->iteration = d->iteration;
    memcpy(st->chain_key, d->chain_key, 32);
    memcpy(st->signing_pub, d->signing_key, 32);
    if (r.count > WB_SIGNAL_MAX_SENDER_STATES) {
        wb_sig_mkeys_free(&r.states[r.count - 1].skipped);
        memset(&r.states[r.count - 1], 0, sizeof r.states[0]);
        r.count--;
    }
    rc = save(s, group, sender, &r);
    wb_sig_sender_record_free(&r);
    return rc;
}

int wb_signal_group_process_distribution(wb_signal *s, const char *group, const char *sender,
                                         const uint8_t *skdm, size_t len) {
    if (!group_valid(group) || !wb_signal_address_valid(sender))
        return WB_EINVAL;
    wb_sig_distribution d;
    int rc = wb_sig_distribution_parse(&d, skdm, len, NULL);
    if (rc < 0)
        return rc;
    if ((rc = wb_store_begin(s->st)) == 0)
        rc = wb_signal_finish(s, process(s, group, sender, &d));
    wb_zero(&d, sizeof d);
    return rc;
}

/* 1 when chk vouches for m's signature by st's signing key. */
static int checked_already(const wb_signal_group_check *chk, const wb_sig_sender_state *st,
                           const wb_sig_sender_key_message *m) {
    return chk && chk->ready && atomic_load_explicit(&chk->done, memory_order_acquire) && chk->ok &&
           chk->len == m->signed_len + WB_SIG_SIGNATURE_LEN &&
           memcmp(chk->ct, m->signed_part, chk->len) == 0 &&
           memcmp(chk->signing_pub, st->signing_pub, 32) == 0;
}

static int group_decrypt(wb_signal *s, const char *group, const char *sender,
                         const wb_sig_sender_key_message *m, const wb_signal_group_check *chk,
                         wb_buf *pt) {
    wb_sig_sender_record r;
    uint8_t seed[32], iv[16], key[32];
    int rc = load(s, group, sender, &r, 0);
    if (rc < 0)
        return rc;
    wb_sig_sender_state *st = NULL;
    for (unsigned i = 0; i < r.count && !st; i++)
        if (r.states[i].key_id == m->key_id)
            st = &r.states[i];
    if (!st) {
        rc = WB_ENOTFOUND;
        goto done;
    }
    if (!checked_already(chk, st, m) &&
        (rc = wb_xeddsa_verify(st->signing_pub, m->signed_part, m->signed_len, m->signature)) < 0)
        goto done;
    if (m->iteration < st->iteration)
        rc = wb_sig_mkeys_take(&st->skipped, m->iteration, seed) == 0 ? 0 : WB_EDUPLICATE;
    else
        rc = wb_sig_chain_seek(st->chain_key, &st->iteration, m->iteration, &st->skipped, seed);
    if (rc < 0)
        goto done;
    wb_sig_group_keys(seed, iv, key);
    if ((rc = wb_sig_cbc_open(pt, key, iv, m->ciphertext, m->ciphertext_len)) == 0)
        rc = save(s, group, sender, &r);
done:
    wb_zero(seed, sizeof seed);
    wb_zero(iv, sizeof iv);
    wb_zero(key, sizeof key);
    wb_sig_sender_record_free(&r);
    return rc;
}

int wb_signal_group_decrypt_checked(wb_signal *s, const char *group, const char *sender,
                                    const uint8_t *ct, size_t len,
                                    const wb_signal_group_check *chk, wb_buf *pt) {
    if (!group_valid(group) || !wb_signal_address_valid(sender))
        return WB_EINVAL;
    wb_sig_sender_key_message m;
    int rc = wb_sig_sender_key_message_parse(&m, ct, len, NULL);
    if (rc < 0)
        return rc;
    size_t start = pt->len;
    if ((rc = wb_store_begin(s->st)) == 0)
        rc = wb_signal_finish_out(s, group_decrypt(s, group, sender, &m, chk, pt), pt, start);
    wb_sig_sender_key_message_done(&m);
    return rc;
}

int wb_signal_group_decrypt(wb_signal *s, const char *group, const char *sender,
                            const uint8_t *ct, size_t len, wb_buf *pt) {
    return wb_signal_group_decrypt_checked(s, group, sender, ct, len, NULL, pt);
}

void wb_signal_group_check_prepare(wb_signal *s, const char *group, const char *sender,
                                   const uint8_t *ct, size_t len, wb_signal_group_check *chk) {
    memset(chk, 0, sizeof *chk);
    chk->ct = ct;
    chk->len = len;
    if (!group_valid(group) || !wb_signal_address_valid(sender))
        return; /* whatever is wrong, decrypt reports it */
    wb_sig_sender_key_message m;
    if (wb_sig_sender_key_message_parse(&m, ct, len, NULL) < 0)
        return;
    wb_sig_sender_record r;
    if (load(s, group, sender, &r, 0) == 0) {
        for (unsigned i = 0; i < r.count; i++)
            if (r.states[i].key_id == m.key_id) {
                memcpy(chk->signing_pub, r.states[i].signing_pub, 32);
                chk->ready = 1;
                break;
            }
        wb_sig_sender_record_free(&r);
    }
    wb_sig_sender_key_message_done(&m);
}

void wb_signal_group_check_run(wb_signal_group_check *chk) {
    chk->ok = chk->ready && chk->len > WB_SIG_SIGNATURE_LEN &&
              wb_xeddsa_verify(chk->signing_pub, chk->ct, chk->len - WB_SIG_SIGNATURE_LEN,
                               chk->ct + chk->len - WB_SIG_SIGNATURE_LEN) == 0;
    atomic_store_explicit(&chk->done, 1, memory_order_release);
}
