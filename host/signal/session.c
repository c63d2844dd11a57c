/* 1:1 sessions (signal.h): building from a bundle, encrypting, decrypting msg and pkmsg against
 * the session record of an address, and the identity-key policy. Each public call is one store
 * transaction level; a failure rolls it back, so stored records change only on success. The
 * record of a recent address comes from the write-through cache (cache.c) when it is valid,
 * saving the read and the parse; it is written at every call all the same. */
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "signal/ratchet.h"
#include "signal/record.h"
#include "signal/signal_int.h"
#include "signal/wire.h"
#include "store/signal_store.h"

/* ---- record plumbing -------------------------------------------------------------------------- */

/* Loads and splits addr's record into r (slices of s->rec). WB_ENOTFOUND if there is none. With
 * `first` not NULL, the cache is asked first: if it has the record, *first receives its first
 * state already parsed (the caller owns it) and *have_first is 1; otherwise *have_first is 0. */
static int load_record(wb_signal *s, const char *addr, wb_sig_record *r, wb_sig_state *first,
                       int *have_first) {
    int rc;
    if (first) {
        *have_first = wb_sig_cache_take(s, addr, first);
        if (*have_first) {
            /* our own bytes, so this cannot fail; checked all the same */
            if ((rc = wb_sig_record_split(r, s->rec.data, s->rec.len, NULL)) < 0) {
                wb_sig_state_free(first);
                *have_first = 0;
            }
            return rc;
        }
    }
    wb_buf_reset(&s->rec);
    rc = wb_store_session_get(s->st, addr, &s->rec);
    if (rc == 0 && s->rec.err)
        rc = WB_ENOMEM;
    if (rc < 0)
        return rc;
    wb_error err = {0};
    if ((rc = wb_sig_record_split(r, s->rec.data, s->rec.len, &err)) < 0)
        WB_WARN("signal", "session record for %s is damaged: %s", addr, err.what);
    return rc;
}

/* Writes r back with state `replace` swapped for st, or with st in front (replace -1) pushing
 * the others back (the oldest falls off past the bound). r may be NULL for a first state. */
static int save_record(wb_signal *s, const char *addr, const wb_sig_record *r, int replace,
                       const wb_sig_state *st) {
    wb_buf_reset(&s->state);
    wb_buf_reset(&s->out);
    int rc = wb_sig_state_write(&s->state, st);
    if (rc == 0)
        rc = replace < 0 ? wb_sig_record_write(&s->out, &s->state, r, -1, NULL)
                         : wb_sig_record_write(&s->out, NULL, r, replace, &s->state);
    if (rc == 0)
        rc = wb_sig_put_session(s, addr, s->out.data, s->out.len);
    return rc;
}

static int parse_state(const wb_sig_record *r, unsigned i, wb_sig_state *st) {
    return wb_sig_state_parse(st, r->states[i].p, r->states[i].len, NULL);
}

/* ---- identity policy -------------------------------------------------------------------------- */

/* Trust on first use; a changed key is stored and reported (signal.h). */
static int note_identity(wb_signal *s, const char *addr, const uint8_t key[32],
                         wb_signal_info *info) {
    uint8_t old[32];
    int rc = wb_store_identity_get(s->st, addr, old);
    if (rc == WB_ENOTFOUND) {
        info->events |= WB_SIGNAL_EV_IDENTITY_NEW;
    } else if (rc < 0) {
        return rc;
    } else if (memcmp(old, key, 32) != 0) {
        char was[9], now[9];
        wb_log_fingerprint(was, old, 32);
        wb_log_fingerprint(now, key, 32);
        WB_WARN("signal", "identity key of %s changed from %s to %s", addr, was, now);
        info->events |= WB_SIGNAL_EV_IDENTITY_CHANGED;
        memcpy(info->old_identity, old, 32);
    } else {
        memcpy(info->identity, key, 32);
        return 0;
    }
    memcpy(info->identity, key, 32);
    return wb_store_identity_put(s->st, addr, key);
}

/* ---- building from a bundle ------------------------------------------------------------------- */

static int from_bundle(wb_signal *s, const char *addr, const wb_signal_bundle *b,
                       wb_signal_info *info) {
    if (!wb_sig_key_canonical(b->identity) || !wb_sig_key_canonical(b->signed_prekey) ||
        (b->has_prekey && !wb_sig_key_canonical(b->prekey)))
        return WB_EMALFORMED;
    int rc = wb_signal_verify_signed_prekey(b->identity, b->signed_prekey,
                                            b->signed_prekey_signature);
    if (rc < 0)
        return rc;
    wb_sig_record r;
    int have = (rc = load_record(s, addr, &r, NULL, NULL)) == 0;
    if (rc < 0 && rc != WB_ENOTFOUND && rc != WB_EMALFORMED && rc != WB_ETRUNC)
        return rc;
    wb_sig_state st;
    if ((rc = wb_sig_state_init_alice(&st, &s->identity, b)) < 0)
        return rc;
    /* A damaged record is replaced rather than kept: the new session does not need it. */
    if ((rc = save_record(s, addr, have ? &r : NULL, -1, &st)) == 0 &&
        (rc = note_identity(s, addr, b->identity, info)) == 0) {
        info->events |= WB_SIGNAL_EV_NEW_SESSION;
        wb_sig_cache_put(s, addr, &s->out, &st);
    }
    wb_sig_state_free(&st);
    return rc;
}

int wb_signal_session_from_bundle(wb_signal *s, const char *addr, const wb_signal_bundle *b,
                                  wb_signal_info *info) {
    if (!wb_signal_address_valid(addr))
        return WB_EINVAL;
    wb_signal_info t = {0};
    int rc = wb_store_begin(s->st);
    if (rc < 0)
        return rc;
    if ((rc = wb_signal_finish(s, from_bundle(s, addr, b, &t))) == 0 && info)
        *info = t;
    wb_zero(&t, sizeof t);
    return rc;
}

int wb_signal_has_session(wb_signal *s, const char *addr) {
    if (wb_sig_cache_has(s, addr))
        return 1;
    wb_sig_record r;
    int rc = load_record(s, addr, &r, NULL, NULL);
    return rc == 0 ? 1 : rc == WB_ENOTFOUND ? 0 : rc;
}

int wb_signal_delete_session(wb_signal *s, const char *addr) {
    return wb_store_session_delete(s->st, addr);
}

/* ---- encrypt ---------------------------------------------------------------------------------- */

static int encrypt(wb_signal *s, const char *addr, const uint8_t *pt, size_t len, wb_buf *out,
                   int *type) {
    wb_sig_record r;
    wb_sig_state st;
    int cached;
    int rc = load_record(s, addr, &r, &st, &cached);
    if (rc < 0 || (!cached && (rc = parse_state(&r, 0, &st)) < 0))
        return rc;
    wb_buf_reset(&s->msg);
    if ((rc = wb_sig_state_encrypt(&st, s->identity.pub, pt, len, &s->msg)) < 0 ||
        (rc = save_record(s, addr, &r, 0, &st)) < 0)
        goto done;
    if (st.pending) {
        rc = wb_sig_prekey_message_build(out, s->registration_id, st.pending_has_prekey,
                                         st.pending_prekey_id, st.pending_signed_prekey_id,
                                         st.base_key, s->identity.pub, s->msg.data, s->msg.len);
        *type = WB_SIGNAL_PKMSG;
    } else {
        rc = wb_buf_append(out, s->msg.data, s->msg.len);
        *type = WB_SIGNAL_MSG;
    }
    if (rc == 0)
        wb_sig_cache_put(s, addr, &s->out, &st);
done:
    wb_sig_state_free(&st);
    return rc;
}

int wb_signal_encrypt(wb_signal *s, const char *addr, const uint8_t *pt, size_t len, wb_buf *out,
                      int *type) {
    if (!wb_signal_address_valid(addr))
        return WB_EINVAL;
    size_t start = out->len;
    int t = 0;
    int rc = wb_store_begin(s->st);
    if (rc == 0 && (rc = wb_signal_finish_out(s, encrypt(s, addr, pt, len, out, &t), out, start)) == 0)
        *type = t;
    return rc;
}

/* ---- decrypt ---------------------------------------------------------------------------------- */

/* Tries state i of r on m. On success writes the record back with that state updated. */
/* On success with the current state (i 0), st goes to the cache (and is left zeroed). */
static int try_state(wb_signal *s, const char *addr, const wb_sig_record *r, unsigned i,
                     wb_sig_state *st, const wb_sig_message *m, wb_buf *pt) {
    int rc = wb_sig_state_decrypt(st, s->identity.pub, m, pt);
    if (rc == 0 && (rc = save_record(s, addr, r, (int)i, st)) == 0 && i == 0)
        wb_sig_cache_put(s, addr, &s->out, st);
    return rc;
}

/* A msg: the state that has a chain for its ratchet key, else a ratchet step on each state in
 * turn, current first (libsignal-node tries every session of the record). */
static int decrypt_message(wb_signal *s, const char *addr, const wb_sig_message *m, wb_buf *pt,
                           wb_signal_info *info) {
    wb_sig_record r;
    wb_sig_state first, parsed; /* the current state from the cache; any state parsed here */
    int have_first;
    int rc = load_record(s, addr, &r, &first, &have_first), first_rc = 0;
    if (rc < 0)
        return rc;
    /* pass 0: the state that knows the ratchet key; pass 1: step each state's ratchet */
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned i = 0; i < r.count; i++) {
            wb_sig_state *st = i == 0 && have_first ? &first : &parsed;
            if (st == &parsed && (rc = parse_state(&r, i, &parsed)) < 0) {
                WB_WARN("signal", "session state %u of %s is damaged", i, addr);
                if (!first_rc)
                    first_rc = rc;
                continue;
            }
            /* a chain the state retired is known too: the message is a replay */
            int known = wb_sig_state_chain(st, m->ratchet_key) != NULL ||
                        wb_sig_state_retired(st, m) < 0;
            if (known == (pass == 0)) {
                /* tried once at most: afterwards the state is in the cache or spent */
                rc = try_state(s, addr, &r, i, st, m, pt);
                wb_sig_state_free(st);
                if (st == &first)
                    have_first = 0;
                if (rc == 0 && i > 0)
                    info->events |= WB_SIGNAL_EV_OLD_SESSION;
                /* a ratchet key belongs to one session: its verdict is final */
                if (rc == 0 || known)
                    goto done;
                if (!first_rc)
                    first_rc = rc;
                continue;
            }
            if (st == &parsed)
                wb_sig_state_free(&parsed);
        }
    }
    rc = first_rc ? first_rc : WB_EAUTH;
done:
    if (have_first)
        wb_sig_state_free(&first);
    return rc;
}

/* The state i whose base key is the pkmsg's (the peer's session we have not answered yet), or -1. */
static int find_base_key(const wb_sig_record *r, const uint8_t base_key[32]) {
    for (unsigned i = 0; i < r->count; i++) {
        wb_sig_state st;
        if (parse_state(r, i, &st) < 0)
            continue;
        int match = !st.base_key_ours && memcmp(st.base_key, base_key, 32) == 0;
        wb_sig_state_free(&st);
        if (match)
            return (int)i;
    }
    return -1;
}

/* A pkmsg starting a session: X3DH as Bob with our prekeys, then its first message. */
static int new_session(wb_signal *s, const char *addr, const wb_sig_record *r,
                       const wb_sig_prekey_message *m, wb_buf *pt, wb_signal_info *info) {
    wb_keypair spk, opk;
    uint8_t sig[64];
    wb_sig_state st;
    int rc = wb_store_signed_prekey_get(s->st, m->signed_prekey_id, spk.pub, spk.priv, sig);
    if (rc == WB_ENOTFOUND)
        WB_WARN("signal", "pkmsg from %s names unknown signed prekey %u", addr,
                m->signed_prekey_id);
    if (rc == 0 && m->has_prekey_id &&
        (rc = wb_store_prekey_get(s->st, m->prekey_id, opk.pub, opk.priv)) == WB_ENOTFOUND)
        WB_WARN("signal", "pkmsg from %s names unknown prekey %u", addr, m->prekey_id);
    if (rc < 0)
        goto done;
    if ((rc = wb_sig_state_init_bob(&st, &s->identity, &spk, m->has_prekey_id ? &opk : NULL, m)) <
        0)
        goto done;
    if ((rc = wb_sig_state_decrypt(&st, s->identity.pub, &m->message, pt)) == 0 &&
        (rc = save_record(s, addr, r, -1, &st)) == 0 &&
        (rc = note_identity(s, addr, m->identity, info)) == 0) {
        info->events |= WB_SIGNAL_EV_NEW_SESSION;
        if (m->has_prekey_id) {
            rc = wb_store_prekey_remove(s->st, m->prekey_id);
            info->events |= WB_SIGNAL_EV_PREKEY_USED;
            info->prekey_id = m->prekey_id;
        }
        if (rc == 0)
            wb_sig_cache_put(s, addr, &s->out, &st);
    }
    wb_sig_state_free(&st);
done:
    wb_zero(&spk, sizeof spk);
    wb_zero(&opk, sizeof opk);
    return rc;
}

static int decrypt_prekey_message(wb_signal *s, const char *addr, const wb_sig_prekey_message *m,
                                  wb_buf *pt, wb_signal_info *info) {
    wb_sig_record r;
    wb_sig_state first, st;
    int have_first;
    int rc = load_record(s, addr, &r, &first, &have_first);
    int have = rc == 0;
    /* A damaged record cannot be used, but a new session can replace it. */
    if (rc < 0 && rc != WB_ENOTFOUND && rc != WB_EMALFORMED && rc != WB_ETRUNC)
        return rc;
    int i = have ? find_base_key(&r, m->base_key) : -1;
    if (i < 0) {
        rc = new_session(s, addr, have ? &r : NULL, m, pt, info);
        goto done;
    }
    /* We have this session already and have not answered on it yet. The registration id is
     * outside every MAC; a peer repeats the one it sent first, so a different one is a forgery. */
    if (i == 0 && have_first) {
        st = first;
        have_first = 0;
    } else if ((rc = parse_state(&r, (unsigned)i, &st)) < 0) {
        goto done;
    }
    if (st.remote_registration_id != m->registration_id)
        rc = WB_EPROTO;
    else if (!wb_sig_state_chain(&st, m->message.ratchet_key) &&
             wb_sig_state_retired(&st, &m->message) == 0)
        /* The session began on this message's chain; if the chain is gone, the peer has moved
         * on long ago and the message is an old one again. */
        rc = WB_EDUPLICATE;
    else
        rc = try_state(s, addr, &r, (unsigned)i, &st, &m->message, pt);
    wb_sig_state_free(&st);
    if (rc == 0 && i > 0)
        info->events |= WB_SIGNAL_EV_OLD_SESSION;
done:
    if (have_first)
        wb_sig_state_free(&first);
    return rc;
}

int wb_signal_decrypt(wb_signal *s, const char *addr, int type, const uint8_t *ct, size_t len,
                      wb_buf *pt, wb_signal_info *info) {
    if (!wb_signal_address_valid(addr) || (type != WB_SIGNAL_MSG && type != WB_SIGNAL_PKMSG))
        return WB_EINVAL;
    union {
        wb_sig_message msg;
        wb_sig_prekey_message pk;
    } u;
    wb_signal_info t = {0};
    size_t start = pt->len;
    int rc = type == WB_SIGNAL_MSG ? wb_sig_message_parse(&u.msg, ct, len, NULL)
                                   : wb_sig_prekey_message_parse(&u.pk, ct, len, NULL);
    if (rc < 0)
        return rc;
    if ((rc = wb_store_begin(s->st)) == 0)
        rc = wb_signal_finish_out(s, type == WB_SIGNAL_MSG
                                         ? decrypt_message(s, addr, &u.msg, pt, &t)
                                         : decrypt_prekey_message(s, addr, &u.pk, pt, &t),
                                  pt, start);
    if (type == WB_SIGNAL_MSG)
        wb_sig_message_done(&u.msg);
    else
        wb_sig_prekey_message_done(&u.pk);
    if (rc == 0 && info)
        *info = t;
    wb_zero(&t, sizeof t);
    return rc;
}
