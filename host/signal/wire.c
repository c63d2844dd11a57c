/* Signal wire messages (wire.h): checked parsing of msg, pkmsg, skmsg and distribution messages
 * with protobuf-c, and building them. Called by session.c, group.c and the fuzz targets. */
#include "signal/wire.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "signal.pb-c.h"

/* ---- the arena ------------------------------------------------------------------------------- */

static void *arena_alloc(void *ud, size_t n) {
    wb_sig_arena *a = ud;
    size_t need = (n + 15) & ~(size_t)15;
    if (need >= n && need <= sizeof a->buf - a->used) {
        void *p = a->buf + a->used;
        a->used += need;
        return p;
    }
    return malloc(n ? n : 1);
}

static void arena_free(void *ud, void *p) {
    wb_sig_arena *a = ud;
    if ((uint8_t *)p >= a->buf && (uint8_t *)p < a->buf + sizeof a->buf)
        return;
    free(p);
}

static ProtobufCAllocator *arena_init(wb_sig_arena *a) {
    a->alloc.alloc = arena_alloc;
    a->alloc.free = arena_free;
    a->alloc.allocator_data = a;
    a->used = 0;
    return &a->alloc;
}

/* ---- checks ---------------------------------------------------------------------------------- */

/* The version byte: 0x33 is the only one WhatsApp sends and libsignal-node accepts in full. */
static int check_version(const uint8_t *data, size_t len, size_t min, wb_error *err) {
    if (len < min)
        return wb_error_set(err, WB_ETRUNC, len, "message of %zu bytes is shorter than %zu", len,
                            min);
    if (data[0] != WB_SIG_VERSION)
        return wb_error_set(err, WB_EUNSUPPORTED, 0, "version byte 0x%02x is not 0x33", data[0]);
    return 0;
}

int wb_sig_key_canonical(const uint8_t k[32]) {
    /* little-endian u below p = 2^255 - 19 (so bit 255 clear): X25519 ignores bit 255 and
     * reduces u mod p, so a non-canonical encoding names the same key as a canonical one, and
     * accepting it would let a flipped bit of an unauthenticated key (the pkmsg base key) pass */
    if (k[31] & 0x80)
        return 0;
    if (k[31] != 0x7f || k[0] < 0xed)
        return 1;
    for (int i = 1; i < 31; i++)
        if (k[i] != 0xff)
            return 1;
    return 0;
}

/* A public key on the wire: 33 bytes, 0x05 first, canonical. */
static int take_key(uint8_t out[32], protobuf_c_boolean has, const ProtobufCBinaryData *b,
                    const char *what, wb_error *err) {
    if (!has)
        return wb_error_set(err, WB_EMALFORMED, 0, "%s is missing", what);
    if (b->len != 33 || b->data[0] != 0x05)
        return wb_error_set(err, WB_EMALFORMED, 0, "%s is %zu bytes, not 0x05 and 32", what,
                            b->len);
    if (!wb_sig_key_canonical(b->data + 1))
        return wb_error_set(err, WB_EMALFORMED, 0, "%s is not a canonical encoding", what);
    memcpy(out, b->data + 1, 32);
    return 0;
}

/* A CBC ciphertext: whole blocks, at least one. */
static int take_ciphertext(const uint8_t **p, size_t *len, protobuf_c_boolean has,
                           const ProtobufCBinaryData *b, wb_error *err) {
    if (!has || b->len == 0 || b->len % 16)
        return wb_error_set(err, WB_EMALFORMED, 0, "ciphertext of %zu bytes is not whole blocks",
                            has ? b->len : 0);
    *p = b->data;
    *len = b->len;
    return 0;
}

/* ---- msg ------------------------------------------------------------------------------------- */

int wb_sig_message_parse(wb_sig_message *m, const uint8_t *data, size_t len, wb_error *err) {
    int rc = check_version(data, len, 1 + WB_SIG_MAC_LEN + 1, err);
    if (rc < 0)
        return rc;
    ProtobufCAllocator *al = arena_init(&m->arena);
    Wa__SignalMessage *p = wa__signal_message__unpack(al, len - 1 - WB_SIG_MAC_LEN, data + 1);
    if (!p)
        return wb_error_set(err, WB_EMALFORMED, 1, "SignalMessage does not decode");
    if ((rc = take_key(m->ratchet_key, p->has_ratchetkey, &p->ratchetkey, "ratchet key", err)) ||
        (rc = take_ciphertext(&m->ciphertext, &m->ciphertext_len, p->has_ciphertext,
                              &p->ciphertext, err)))
        goto fail;
    if (!p->has_counter) {
        rc = wb_error_set(err, WB_EMALFORMED, 1, "counter is missing");
        goto fail;
    }
    m->counter = p->counter;
    m->previous_counter = p->has_previouscounter ? p->previouscounter : 0;
    m->signed_part = data;
    m->signed_len = len - WB_SIG_MAC_LEN;
    m->mac = data + len - WB_SIG_MAC_LEN;
    m->proto = p;
    return 0;
fail:
    wa__signal_message__free_unpacked(p, al);
    return rc;
}

void wb_sig_message_done(wb_sig_message *m) {
    if (m->proto)
        wa__signal_message__free_unpacked(m->proto, &m->arena.alloc);
    m->proto = NULL;
}

int wb_sig_message_build(wb_buf *out, const uint8_t ratchet_key[32], uint32_t counter,
                         uint32_t previous_counter, const uint8_t *ct, size_t ctlen) {
    uint8_t key[33] = {0x05};
    memcpy(key + 1, ratchet_key, 32);
    Wa__SignalMessage p = WA__SIGNAL_MESSAGE__INIT;
    p.has_ratchetkey = p.has_counter = p.has_previouscounter = p.has_ciphertext = 1;
    p.ratchetkey = (ProtobufCBinaryData){sizeof key, key};
    p.counter = counter;
    p.previouscounter = previous_counter;
    p.ciphertext = (ProtobufCBinaryData){ctlen, (uint8_t *)ct};
    uint8_t *dst = wb_buf_extend(out, 1 + wa__signal_message__get_packed_size(&p));
    if (!dst)
        return WB_ENOMEM;
    dst[0] = WB_SIG_VERSION;
    wa__signal_message__pack(&p, dst + 1);
    return 0;
}

/* ---- pkmsg ----------------------------------------------------------------------------------- */

int wb_sig_prekey_message_parse(wb_sig_prekey_message *m, const uint8_t *data, size_t len,
                                wb_error *err) {
    int rc = check_version(data, len, 2, err);
    if (rc < 0)
        return rc;
    ProtobufCAllocator *al = arena_init(&m->arena);
    Wa__PreKeySignalMessage *p = wa__pre_key_signal_message__unpack(al, len - 1, data + 1);
    if (!p)
        return wb_error_set(err, WB_EMALFORMED, 1, "PreKeySignalMessage does not decode");
    if ((rc = take_key(m->base_key, p->has_basekey, &p->basekey, "base key", err)) ||
        (rc = take_key(m->identity, p->has_identitykey, &p->identitykey, "identity key", err)))
        goto fail;
    if (!p->has_signedprekeyid || !p->has_message) {
        rc = wb_error_set(err, WB_EMALFORMED, 1, "%s is missing",
                          p->has_message ? "signed prekey id" : "message");
        goto fail;
    }
    if ((rc = wb_sig_message_parse(&m->message, p->message.data, p->message.len, err)) < 0)
        goto fail;
    m->registration_id = p->has_registrationid ? p->registrationid : 0;
    /* libsignal-node treats a prekey id of 0 as none; so do we. */
    m->has_prekey_id = p->has_prekeyid && p->prekeyid != 0;
    m->prekey_id = m->has_prekey_id ? p->prekeyid : 0;
    m->signed_prekey_id = p->signedprekeyid;
    m->proto = p;
    return 0;
fail:
    wa__pre_key_signal_message__free_unpacked(p, al);
    return rc;
}

void wb_sig_prekey_message_done(wb_sig_prekey_message *m) {
    wb_sig_message_done(&m->message);
    if (m->proto)
        wa__pre_key_signal_message__free_unpacked(m->proto, &m->arena.alloc);
    m->proto = NULL;
}

int wb_sig_prekey_message_build(wb_buf *out, uint32_t registration_id, int has_prekey_id,
                                uint32_t prekey_id, uint32_t signed_prekey_id,
                                const uint8_t base_key[32], const uint8_t identity[32],
                                const uint8_t *msg, size_t msglen) {
    uint8_t base[33] = {0x05}, id[33] = {0x05};
    memcpy(base + 1, base_key, 32);
    memcpy(id + 1, identity, 32);
    Wa__PreKeySignalMessage p = WA__PRE_KEY_SIGNAL_MESSAGE__INIT;
    p.has_registrationid = p.has_signedprekeyid = p.has_basekey = p.has_identitykey = 1;
    p.has_message = 1;
    p.registrationid = registration_id;
    p.has_prekeyid = has_prekey_id != 0;
    p.prekeyid = prekey_id;
    p.signedprekeyid = signed_prekey_id;
    p.basekey = (ProtobufCBinaryData){sizeof base, base};
    p.identitykey = (ProtobufCBinaryData){sizeof id, id};
    p.message = (ProtobufCBinaryData){msglen, (uint8_t *)msg};
    uint8_t *dst = wb_buf_extend(out, 1 + wa__pre_key_signal_message__get_packed_size(&p));
    if (!dst)
        return WB_ENOMEM;
    dst[0] = WB_SIG_VERSION;
    wa__pre_key_signal_message__pack(&p, dst + 1);
    return 0;
}

/* ---- skmsg ----------------------------------------------------------------------------------- */

int wb_sig_sender_key_message_parse(wb_sig_sender_key_message *m, const uint8_t *data, size_t len,
                                    wb_error *err) {
    int rc = check_version(data, len, 1 + WB_SIG_SIGNATURE_LEN + 1, err);
    if (rc < 0)
        return rc;
    ProtobufCAllocator *al = arena_init(&m->arena);
    Wa__SenderKeyMessage *p =
        wa__sender_key_message__unpack(al, len - 1 - WB_SIG_SIGNATURE_LEN, data + 1);
    if (!p)
        return wb_error_set(err, WB_EMALFORMED, 1, "SenderKeyMessage does not decode");
    if (!p->has_id || !p->has_iteration) {
        rc = wb_error_set(err, WB_EMALFORMED, 1, "%s is missing", p->has_id ? "iteration" : "id");
        goto fail;
    }
    if ((rc = take_ciphertext(&m->ciphertext, &m->ciphertext_len, p->has_ciphertext,
                              &p->ciphertext, err)) < 0)
        goto fail;
    m->key_id = p->id;
    m->iteration = p->iteration;
    m->signed_part = data;
    m->signed_len = len - WB_SIG_SIGNATURE_LEN;
    m->signature = data + len - WB_SIG_SIGNATURE_LEN;
    m->proto = p;
    return 0;
fail:
    wa__sender_key_message__free_unpacked(p, al);
    return rc;
}

void wb_sig_sender_key_message_done(wb_sig_sender_key_message *m) {
    if (m->proto)
        wa__sender_key_message__free_unpacked(m->proto, &m->arena.alloc);
    m->proto = NULL;
}

int wb_sig_sender_key_message_build(wb_buf *out, uint32_t key_id, uint32_t iteration,
                                    const uint8_t *ct, size_t ctlen) {
    Wa__SenderKeyMessage p = WA__SENDER_KEY_MESSAGE__INIT;
    p.has_id = p.has_iteration = p.has_ciphertext = 1;
    p.id = key_id;
    p.iteration = iteration;
    p.ciphertext = (ProtobufCBinaryData){ctlen, (uint8_t *)ct};
    uint8_t *dst = wb_buf_extend(out, 1 + wa__sender_key_message__get_packed_size(&p));
    if (!dst)
        return WB_ENOMEM;
    dst[0] = WB_SIG_VERSION;
    wa__sender_key_message__pack(&p, dst + 1);
    return 0;
}

/* ---- distribution ---------------------------------------------------------------------------- */

int wb_sig_distribution_parse(wb_sig_distribution *d, const uint8_t *data, size_t len,
                              wb_error *err) {
    int rc = check_version(data, len, 2, err);
    if (rc < 0)
        return rc;
    wb_sig_arena arena;
    ProtobufCAllocator *al = arena_init(&arena);
    Wa__SenderKeyDistributionMessage *p =
        wa__sender_key_distribution_message__unpack(al, len - 1, data + 1);
    if (!p)
        return wb_error_set(err, WB_EMALFORMED, 1, "SenderKeyDistributionMessage does not decode");
    wb_sig_distribution t;
    if (!p->has_id || !p->has_iteration || !p->has_chainkey || p->chainkey.len != 32) {
        rc = wb_error_set(err, WB_EMALFORMED, 1, "id, iteration or a 32-byte chain key missing");
        goto done;
    }
    /* Baileys sends the signing key as 33 bytes and accepts 32; so do we. */
    if (p->has_signingkey && p->signingkey.len == 32 && wb_sig_key_canonical(p->signingkey.data))
        memcpy(t.signing_key, p->signingkey.data, 32);
    else if ((rc = take_key(t.signing_key, p->has_signingkey, &p->signingkey, "signing key",
                            err)) < 0)
        goto done;
    t.key_id = p->id;
    t.iteration = p->iteration;
    memcpy(t.chain_key, p->chainkey.data, 32);
    *d = t;
done:
    wb_zero(t.chain_key, sizeof t.chain_key);
    wb_zero(p->chainkey.data, p->chainkey.len);
    wa__sender_key_distribution_message__free_unpacked(p, al);
    return rc;
}

int wb_sig_distribution_build(wb_buf *out, const wb_sig_distribution *d) {
    uint8_t sk[33] = {0x05};
    memcpy(sk + 1, d->signing_key, 32);
    Wa__SenderKeyDistributionMessage p = WA__SENDER_KEY_DISTRIBUTION_MESSAGE__INIT;
    p.has_id = p.has_iteration = p.has_chainkey = p.has_signingkey = 1;
    p.id = d->key_id;
    p.iteration = d->iteration;
    p.chainkey = (ProtobufCBinaryData){32, (uint8_t *)d->chain_key};
    p.signingkey = (ProtobufCBinaryData){sizeof sk, sk};
    uint8_t *dst = wb_buf_extend(out, 1 + wa__sender_key_distribution_message__get_packed_size(&p));
    if (!dst)
        return WB_ENOMEM;
    dst[0] = WB_SIG_VERSION;
    wa__sender_key_distribution_message__pack(&p, dst + 1);
    return 0;
}
