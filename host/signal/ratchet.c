/* X3DH and the Double Ratchet (ratchet.h), in libsignal-node's exact arithmetic:
 *
 *   X3DH secret   = 0xFF x 32 || DH1 || DH2 || DH3 [|| DH4], HKDF(salt 0, "WhisperText") -> root
 *   ratchet step  = HKDF(DH(their ratchet, our ratchet), salt root, "WhisperRatchet")
 *                   -> new root, new chain key
 *   message key   = chain.c (HMAC 0x01 / 0x02, "WhisperMessageKeys")
 *   MAC           = HMAC-SHA256(mac key, 0x05||sender identity || 0x05||receiver identity ||
 *                   version byte || protobuf), first 8 bytes
 *
 * Like libsignal-node, a chain the peer has moved away from is filled up to the previous counter
 * the peer announces and then closed (its chain key dropped); unlike it, a closed chain with no
 * keys left is dropped at once and only WB_SIGNAL_MAX_RECV_CHAINS chains are kept, so the state
 * does not grow with every step. Called by session.c. */
#include "signal/ratchet.h"

#include <string.h>

#include "core/mem.h"
#include "crypto/aes.h"
#include "crypto/hash.h"

/* ---- key agreement ---------------------------------------------------------------------------- */

/* HKDF(dh, salt root, "WhisperRatchet") -> root (updated in place) and a chain key. */
static void root_step(uint8_t root[32], uint8_t chain[32], const uint8_t dh[32]) {
    static const char info[] = "WhisperRatchet";
    uint8_t k[64];
    wb_hkdf_sha256(k, sizeof k, dh, 32, root, 32, (const uint8_t *)info, sizeof info - 1);
    memcpy(root, k, 32);
    memcpy(chain, k + 32, 32);
    wb_zero(k, sizeof k);
}

/* A new chain from DH(remote, ours) and the root key. */
static int ratchet_chain(uint8_t root[32], uint8_t chain[32], const uint8_t remote[32],
                         const uint8_t our_priv[32]) {
    uint8_t dh[32];
    int rc = wb_curve_agree(dh, our_priv, remote);
    if (rc == 0)
        root_step(root, chain, dh);
    wb_zero(dh, sizeof dh);
    return rc;
}

/* The X3DH root key from the 3 or 4 agreements, already placed in secret[32..]. */
static void x3dh_root(uint8_t root[32], uint8_t *secret, size_t len) {
    static const char info[] = "WhisperText";
    memset(secret, 0xff, 32);
    uint8_t k[32];
    wb_hkdf_sha256(k, sizeof k, secret, len, NULL, 0, (const uint8_t *)info, sizeof info - 1);
    memcpy(root, k, 32);
    wb_zero(k, sizeof k);
}

int wb_sig_state_init_alice(wb_sig_state *s, const wb_keypair *our_identity,
                            const wb_signal_bundle *b) {
    wb_keypair base;
    uint8_t secret[32 * 5];
    size_t len = b->has_prekey ? sizeof secret : 32 * 4;
    int rc;
    memset(s, 0, sizeof *s);
    if ((rc = wb_keypair_generate(&base)) < 0 ||
        (rc = wb_curve_agree(secret + 32, our_identity->priv, b->signed_prekey)) < 0 ||
        (rc = wb_curve_agree(secret + 64, base.priv, b->identity)) < 0 ||
        (rc = wb_curve_agree(secret + 96, base.priv, b->signed_prekey)) < 0 ||
        (b->has_prekey && (rc = wb_curve_agree(secret + 128, base.priv, b->prekey)) < 0) ||
        (rc = wb_keypair_generate(&s->ratchet)) < 0)
        goto done;
    x3dh_root(s->root_key, secret, len);
    s->base_key_ours = 1;
    memcpy(s->base_key, base.pub, 32);
    s->remote_registration_id = b->registration_id;
    memcpy(s->remote_identity, b->identity, 32);
    memcpy(s->last_remote_ratchet, b->signed_prekey, 32);
    s->pending = 1;
    s->pending_signed_prekey_id = b->signed_prekey_id;
    s->pending_has_prekey = b->has_prekey;
    s->pending_prekey_id = b->has_prekey ? b->prekey_id : 0;
    /* Alice sends first: her sending chain comes from a fresh ratchet key and their signed
     * prekey (libsignal-node's calculateSendingRatchet). */
    if ((rc = ratchet_chain(s->root_key, s->send_key, b->signed_prekey, s->ratchet.priv)) < 0)
        goto done;
    s->has_sending = 1;
    s->send_next = 0;
done:
    wb_zero(&base, sizeof base);
    wb_zero(secret, sizeof secret);
    if (rc < 0)
        wb_sig_state_free(s);
    return rc;
}

int wb_sig_state_init_bob(wb_sig_state *s, const wb_keypair *our_identity,
                          const wb_keypair *signed_prekey, const wb_keypair *prekey,
                          const wb_sig_prekey_message *m) {
    uint8_t secret[32 * 5];
    size_t len = prekey ? sizeof secret : 32 * 4;
    int rc;
    memset(s, 0, sizeof *s);
    if ((rc = wb_curve_agree(secret + 32, signed_prekey->priv, m->identity)) < 0 ||
        (rc = wb_curve_agree(secret + 64, our_identity->priv, m->base_key)) < 0 ||
        (rc = wb_curve_agree(secret + 96, signed_prekey->priv, m->base_key)) < 0 ||
        (prekey && (rc = wb_curve_agree(secret + 128, prekey->priv, m->base_key)) < 0))
        goto done;
    x3dh_root(s->root_key, secret, len);
    memcpy(s->base_key, m->base_key, 32);
    s->remote_registration_id = m->registration_id;
    memcpy(s->remote_identity, m->identity, 32);
    /* Bob's first ratchet key is his signed prekey; the first message steps the ratchet. */
    s->ratchet = *signed_prekey;
    memcpy(s->last_remote_ratchet, m->base_key, 32);
done:
    wb_zero(secret, sizeof secret);
    if (rc < 0)
        wb_sig_state_free(s);
    return rc;
}

/* ---- the MAC ---------------------------------------------------------------------------------- */

static void message_mac(uint8_t out[WB_SIG_MAC_LEN], const uint8_t key[32],
                        const uint8_t sender[32], const uint8_t receiver[32], const uint8_t *body,
                        size_t len) {
    uint8_t ids[66], full[32];
    ids[0] = WB_KEY_TYPE_DJB;
    memcpy(ids + 1, sender, 32);
    ids[33] = WB_KEY_TYPE_DJB;
    memcpy(ids + 34, receiver, 32);
    wb_hmac h;
    wb_hmac_init(&h, key, 32);
    wb_hmac_start(&h);
    wb_hmac_update(&h, ids, sizeof ids);
    wb_hmac_update(&h, body, len);
    wb_hmac_final(&h, full);
    wb_hmac_clear(&h);
    memcpy(out, full, WB_SIG_MAC_LEN);
    wb_zero(full, sizeof full);
}

/* ---- encrypt ---------------------------------------------------------------------------------- */

int wb_sig_state_encrypt(wb_sig_state *s, const uint8_t our_identity[32], const uint8_t *pt,
                         size_t len, wb_buf *out) {
    if (!s->has_sending)
        return WB_ESTATE;
    if (s->send_next == UINT32_MAX)
        return WB_ERANGE;
    uint8_t seed[32], cipher[32], mac_key[32], iv[16];
    wb_buf ct = WB_BUF_INIT;
    size_t start = out->len, ctlen = 0;
    int rc;
    wb_sig_chain_step(s->send_key, seed, s->send_key);
    uint32_t counter = s->send_next++;
    wb_sig_message_keys(seed, cipher, mac_key, iv);
    uint8_t *dst = wb_buf_extend(&ct, len + 16);
    if (!dst) {
        rc = WB_ENOMEM;
        goto done;
    }
    if ((rc = wb_aes_cbc_encrypt(cipher, iv, pt, len, dst, &ctlen)) < 0 ||
        (rc = wb_sig_message_build(out, s->ratchet.pub, counter, s->previous_counter, dst,
                                   ctlen)) < 0)
        goto done;
    uint8_t *mac = wb_buf_extend(out, WB_SIG_MAC_LEN);
    if (!mac) {
        rc = WB_ENOMEM;
        goto done;
    }
    message_mac(mac, mac_key, our_identity, s->remote_identity, out->data + start,
                out->len - start - WB_SIG_MAC_LEN);
done:
    if (rc < 0 && !out->err)
        out->len = start;
    wb_zero(seed, sizeof seed);
    wb_zero(cipher, sizeof cipher);
    wb_zero(mac_key, sizeof mac_key);
    wb_zero(iv, sizeof iv);
    wb_buf_free(&ct);
    return rc;
}

/* ---- decrypt ---------------------------------------------------------------------------------- */

wb_sig_chain *wb_sig_state_chain(wb_sig_state *s, const uint8_t ratchet[32]) {
    for (unsigned i = 0; i < s->nrecv; i++)
        if (memcmp(s->recv[i].ratchet, ratchet, 32) == 0)
            return &s->recv[i];
    return NULL;
}

/* Drops chain i, remembering its key and next index among the retired chains. */
static void drop_chain(wb_sig_state *s, unsigned i) {
    if (s->nretired == WB_SIG_MAX_RETIRED) {
        memmove(&s->retired[0], &s->retired[1], (WB_SIG_MAX_RETIRED - 1) * sizeof s->retired[0]);
        s->nretired--;
    }
    memcpy(s->retired[s->nretired].ratchet, s->recv[i].ratchet, 32);
    s->retired[s->nretired].next = s->recv[i].next;
    s->nretired++;
    wb_sig_mkeys_free(&s->recv[i].skipped);
    memmove(&s->recv[i], &s->recv[i + 1], (s->nrecv - i - 1) * sizeof s->recv[0]);
    s->nrecv--;
    wb_zero(&s->recv[s->nrecv], sizeof s->recv[0]);
}

/* Closed chains with no keys left can decrypt nothing: drop them; then keep the newest
 * WB_SIGNAL_MAX_RECV_CHAINS. */
static void prune_chains(wb_sig_state *s) {
    for (unsigned i = 0; i < s->nrecv;)
        if (!s->recv[i].open && s->recv[i].skipped.n == 0)
            drop_chain(s, i);
        else
            i++;
    while (s->nrecv > WB_SIGNAL_MAX_RECV_CHAINS)
        drop_chain(s, 0);
}

/* The peer sent with a ratchet key we have no chain for: close the chain it left (keeping keys
 * for the messages it says it sent there), derive the receiving chain for the new key, then a
 * new ratchet key pair of ours and our next sending chain (libsignal-node's maybeStepRatchet). */
static int step(wb_sig_state *s, const uint8_t remote[32], uint32_t previous_counter) {
    wb_sig_chain *old = wb_sig_state_chain(s, s->last_remote_ratchet);
    int rc;
    if (old && old->open) {
        if (previous_counter >= old->next) {
            uint8_t seed[32];
            if ((rc = wb_sig_chain_seek(old->key, &old->next, previous_counter, &old->skipped,
                                        seed)) < 0)
                return rc;
            rc = wb_sig_mkeys_push(&old->skipped, previous_counter, seed);
            wb_zero(seed, sizeof seed);
            if (rc < 0)
                return rc;
        }
        old->open = 0;
        wb_zero(old->key, sizeof old->key);
    }
    wb_sig_chain *c = &s->recv[s->nrecv];
    memset(c, 0, sizeof *c);
    memcpy(c->ratchet, remote, 32);
    c->open = 1;
    if ((rc = ratchet_chain(s->root_key, c->key, remote, s->ratchet.priv)) < 0)
        return rc;
    s->nrecv++;
    if (s->has_sending)
        s->previous_counter = s->send_next ? s->send_next - 1 : 0;
    if ((rc = wb_keypair_generate(&s->ratchet)) < 0 ||
        (rc = ratchet_chain(s->root_key, s->send_key, remote, s->ratchet.priv)) < 0)
        return rc;
    s->has_sending = 1;
    s->send_next = 0;
    memcpy(s->last_remote_ratchet, remote, 32);
    prune_chains(s);
    return 0;
}

/* The message-key seed for counter on chain c. */
static int chain_seed(wb_sig_chain *c, uint32_t counter, uint8_t seed[32]) {
    if (counter < c->next)
        /* Used already (a replay, or a redelivery after a restart) or evicted as too old. */
        return wb_sig_mkeys_take(&c->skipped, counter, seed) == 0 ? 0 : WB_EDUPLICATE;
    if (!c->open)
        return WB_EPROTO; /* beyond what the peer said it sent on this chain */
    return wb_sig_chain_seek(c->key, &c->next, counter, &c->skipped, seed);
}

int wb_sig_state_retired(const wb_sig_state *s, const wb_sig_message *m) {
    for (unsigned i = 0; i < s->nretired; i++)
        if (memcmp(s->retired[i].ratchet, m->ratchet_key, 32) == 0)
            return m->counter < s->retired[i].next ? WB_EDUPLICATE : WB_EPROTO;
    return 0;
}

int wb_sig_state_decrypt(wb_sig_state *s, const uint8_t our_identity[32], const wb_sig_message *m,
                         wb_buf *pt) {
    uint8_t seed[32], cipher[32], mac_key[32], iv[16], mac[WB_SIG_MAC_LEN];
    int rc;
    if ((rc = wb_sig_state_retired(s, m)) < 0)
        return rc;
    if (!wb_sig_state_chain(s, m->ratchet_key) &&
        (rc = step(s, m->ratchet_key, m->previous_counter)) < 0)
        return rc;
    if ((rc = chain_seed(wb_sig_state_chain(s, m->ratchet_key), m->counter, seed)) < 0)
        return rc;
    wb_sig_message_keys(seed, cipher, mac_key, iv);
    message_mac(mac, mac_key, s->remote_identity, our_identity, m->signed_part, m->signed_len);
    if (wb_memneq(mac, m->mac, WB_SIG_MAC_LEN)) {
        rc = WB_EAUTH;
        goto done;
    }
    if ((rc = wb_sig_cbc_open(pt, cipher, iv, m->ciphertext, m->ciphertext_len)) == 0)
        s->pending = 0; /* the peer has the session: stop sending pkmsgs */
done:
    wb_zero(seed, sizeof seed);
    wb_zero(cipher, sizeof cipher);
    wb_zero(mac_key, sizeof mac_key);
    wb_zero(iv, sizeof iv);
    return rc;
}
