/* Our Signal identity and prekeys (signal.h): creating the identity on first open, one-time
 * prekeys in batches with WhatsApp's 24-bit wrapping ids, the signed prekey and its rotation.
 * Called by the client at registration and for prekey uploads. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/mem.h"
#include "crypto/random.h"
#include "signal/signal_int.h"
#include "store/signal_store.h"

/* Prekey ids are 24-bit and never 0; after 0xFFFFFE comes 1, as libsignal's KeyHelper
 * ((start + i) % (Medium.MAX_VALUE - 1) + 1) gives them on WhatsApp's clients. */
#define PREKEY_ID_MAX 0xFFFFFEu
#define SIGNED_PREKEYS_KEPT 2

static uint32_t next_id(uint32_t id) {
    return id == 0 || id > PREKEY_ID_MAX ? 1 : id % PREKEY_ID_MAX + 1;
}

int wb_signal_finish(wb_signal *s, int rc) {
    if (rc < 0) {
        wb_store_rollback(s->st);
        return rc;
    }
    return wb_store_commit(s->st);
}

int wb_signal_finish_out(wb_signal *s, int rc, wb_buf *out, size_t start) {
    if ((rc = wb_signal_finish(s, rc)) < 0 && !out->err && out->len > start) {
        wb_zero(out->data + start, out->len - start);
        out->len = start;
    }
    return rc;
}

/* XEdDSA over the serialized public key, 0x05 || pub, as libsignal signs a signed prekey. */
static int sign_public_key(const uint8_t identity_priv[32], const uint8_t pub[32], uint8_t sig[64]) {
    uint8_t msg[33] = {WB_KEY_TYPE_DJB};
    memcpy(msg + 1, pub, 32);
    return wb_xeddsa_sign(sig, identity_priv, msg, sizeof msg);
}

int wb_signal_verify_signed_prekey(const uint8_t identity[32], const uint8_t pub[32],
                                   const uint8_t sig[64]) {
    uint8_t msg[33] = {WB_KEY_TYPE_DJB};
    memcpy(msg + 1, pub, 32);
    return wb_xeddsa_verify(identity, msg, sizeof msg, sig) < 0 ? WB_EBADSIG : 0;
}

/* Generates, signs and stores signed prekey id. */
static int make_signed_prekey(wb_signal *s, uint32_t id, wb_signal_signed_prekey *out) {
    wb_keypair kp;
    uint8_t sig[64];
    int rc;
    if ((rc = wb_keypair_generate(&kp)) == 0 &&
        (rc = sign_public_key(s->identity.priv, kp.pub, sig)) == 0 &&
        (rc = wb_store_signed_prekey_put(s->st, id, kp.pub, kp.priv, sig, (int64_t)time(NULL))) ==
            0 &&
        out) {
        out->id = id;
        memcpy(out->pub, kp.pub, 32);
        memcpy(out->signature, sig, 64);
    }
    wb_zero(&kp, sizeof kp);
    return rc;
}

/* First open: a new identity, registration id and signed prekey 1. */
static int create_identity(wb_signal *s, wb_store_signal_local *l) {
    int rc;
    memset(l, 0, sizeof *l);
    if ((rc = wb_keypair_generate(&s->identity)) < 0)
        return rc;
    /* 14 bits, never 0: libsignal's generateRegistrationId(false) range, 1..16380 */
    l->registration_id = wb_random_uniform(16380) + 1;
    memcpy(l->identity_pub, s->identity.pub, 32);
    memcpy(l->identity_priv, s->identity.priv, 32);
    l->next_prekey_id = 1;
    l->signed_prekey_id = 1;
    if ((rc = make_signed_prekey(s, 1, NULL)) < 0 || (rc = wb_store_signal_local_put(s->st, l)) < 0)
        return rc;
    WB_INFO("signal", "created a new identity (registration id %u)", l->registration_id);
    return 0;
}

int wb_signal_open(wb_signal **out, wb_store *st) {
    int rc;
    if ((rc = wb_crypto_init()) < 0)
        return rc;
    wb_signal *s = calloc(1, sizeof *s);
    if (!s)
        return WB_ENOMEM;
    s->st = st;
    /* records and messages: growing them must not leave copies of keys in freed memory */
    wb_buf_set_secret(&s->rec);
    wb_buf_set_secret(&s->state);
    wb_buf_set_secret(&s->out);
    wb_buf_set_secret(&s->msg);
    for (unsigned i = 0; i < WB_SIG_CACHE_SLOTS; i++)
        wb_buf_set_secret(&s->cache[i].rec);
    wb_store_signal_local l;
    if ((rc = wb_store_begin(st)) < 0)
        goto fail;
    rc = wb_store_signal_local_get(st, &l);
    if (rc == WB_ENOTFOUND)
        rc = create_identity(s, &l);
    if ((rc = wb_signal_finish(s, rc)) < 0)
        goto fail;
    s->registration_id = l.registration_id;
    memcpy(s->identity.pub, l.identity_pub, 32);
    memcpy(s->identity.priv, l.identity_priv, 32);
    wb_zero(&l, sizeof l);
    *out = s;
    return 0;
fail:
    wb_zero(&l, sizeof l);
    wb_signal_close(s);
    return rc;
}

void wb_signal_close(wb_signal *s) {
    if (!s)
        return;
    wb_sig_cache_clear(s);
    wb_buf_free_secret(&s->rec);
    wb_buf_free_secret(&s->state);
    wb_buf_free_secret(&s->out);
    wb_buf_free_secret(&s->msg);
    wb_zero(s, sizeof *s);
    free(s);
}

uint32_t wb_signal_registration_id(const wb_signal *s) { return s->registration_id; }

const uint8_t *wb_signal_identity_public(const wb_signal *s) { return s->identity.pub; }

int wb_signal_identity_sign(const wb_signal *s, const uint8_t *msg, size_t len, uint8_t sig[64]) {
    return wb_xeddsa_sign(sig, s->identity.priv, msg, len);
}

int wb_signal_identity_agree(const wb_signal *s, const uint8_t pub[32], uint8_t shared[32]) {
    return wb_curve_agree(shared, s->identity.priv, pub);
}

/* ---- one-time prekeys ------------------------------------------------------------------------- */

static int prekeys_for_upload(wb_signal *s, unsigned count, wb_signal_prekey *out, unsigned *n) {
    uint32_t *ids = calloc(count ? count : 1, sizeof *ids);
    uint8_t(*pubs)[32] = calloc(count ? count : 1, 32);
    unsigned have = 0;
    int rc = ids && pubs ? wb_store_prekeys_unuploaded(s->st, count, ids, pubs, &have) : WB_ENOMEM;
    wb_store_signal_local l;
    if (rc == 0 && have < count)
        rc = wb_store_signal_local_get(s->st, &l);
    for (unsigned i = 0; rc == 0 && i < have; i++) {
        out[i].id = ids[i];
        memcpy(out[i].pub, pubs[i], 32);
    }
    if (rc == 0 && have < count) {
        uint32_t id = next_id(l.next_prekey_id - 1); /* normalises a damaged value to 1.. */
        for (unsigned i = have; rc == 0 && i < count; i++, id = next_id(id)) {
            wb_keypair kp;
            if ((rc = wb_keypair_generate(&kp)) == 0 &&
                (rc = wb_store_prekey_put(s->st, id, kp.pub, kp.priv)) == 0) {
                out[i].id = id;
                memcpy(out[i].pub, kp.pub, 32);
            }
            wb_zero(&kp, sizeof kp);
        }
        l.next_prekey_id = id;
        if (rc == 0)
            rc = wb_store_signal_local_put(s->st, &l);
    }
    if (rc == 0)
        *n = count;
    wb_zero(&l, sizeof l);
    free(ids);
    free(pubs);
    return rc;
}

int wb_signal_prekeys_for_upload(wb_signal *s, unsigned count, wb_signal_prekey *out, unsigned *n) {
    int rc = wb_store_begin(s->st);
    if (rc < 0)
        return rc;
    return wb_signal_finish(s, prekeys_for_upload(s, count, out, n));
}

int wb_signal_prekeys_mark_uploaded(wb_signal *s, const wb_signal_prekey *keys, unsigned n) {
    int rc = wb_store_begin(s->st);
    if (rc < 0)
        return rc;
    for (unsigned i = 0; rc == 0 && i < n; i++)
        rc = wb_store_prekey_mark_uploaded(s->st, keys[i].id);
    return wb_signal_finish(s, rc);
}

int wb_signal_prekeys_count(wb_signal *s, int uploaded_only) {
    return wb_store_prekey_count(s->st, uploaded_only);
}

/* ---- signed prekeys --------------------------------------------------------------------------- */

static int signed_prekey(wb_signal *s, wb_signal_signed_prekey *out) {
    wb_store_signal_local l;
    uint8_t priv[32];
    wb_signal_signed_prekey t;
    int rc = wb_store_signal_local_get(s->st, &l);
    if (rc == 0)
        rc = wb_store_signed_prekey_get(s->st, l.signed_prekey_id, t.pub, priv, t.signature);
    if (rc == 0) {
        t.id = l.signed_prekey_id;
        *out = t;
    }
    wb_zero(priv, sizeof priv);
    wb_zero(&l, sizeof l);
    return rc;
}

int wb_signal_signed_prekey_current(wb_signal *s, wb_signal_signed_prekey *out) {
    return signed_prekey(s, out);
}

static int rotate(wb_signal *s, wb_signal_signed_prekey *out) {
    wb_store_signal_local l;
    wb_signal_signed_prekey t;
    int rc = wb_store_signal_local_get(s->st, &l);
    if (rc == 0) {
        l.signed_prekey_id = next_id(l.signed_prekey_id);
        if ((rc = make_signed_prekey(s, l.signed_prekey_id, &t)) == 0 &&
            (rc = wb_store_signal_local_put(s->st, &l)) == 0 &&
            (rc = wb_store_signed_prekey_prune(s->st, SIGNED_PREKEYS_KEPT)) == 0)
            *out = t;
    }
    wb_zero(&l, sizeof l);
    return rc;
}

int wb_signal_signed_prekey_rotate(wb_signal *s, wb_signal_signed_prekey *out) {
    int rc = wb_store_begin(s->st);
    if (rc < 0)
        return rc;
    return wb_signal_finish(s, rotate(s, out));
}
