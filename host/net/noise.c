/* The Noise XX handshake as WhatsApp runs it (noise.h), both roles, following NOTES.md §1.3 step
 * by step (Baileys' noise-handler.js and whatsmeow's handshake.go compute the same):
 *
 *   both       h = ck = protocol name; MixHash("WA" 06 03); MixHash(e_c)
 *   responder  MixHash(e_s); MixKey(DH(e_s, e_c)); Enc(s_s); MixKey(DH(s_s, e_c)); Enc(cert)
 *   initiator  the same from its side, verifies the cert, then
 *              Enc(s_c) (counter 1, same key as the cert); MixKey(DH(s_c, e_s)); Enc(payload)
 *   responder  Dec(s_c); MixKey(DH(e_s, s_c)); Dec(payload)
 *
 * One key k and one counter n serve both directions during the handshake; MixKey resets n.
 * The transport that wb_noise_hs_split creates lives in noise_transport.c. */
#include "net/noise.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "crypto/aes.h"
#include "crypto/hash.h"
#include "net/cert.h"
#include "net/frame.h"
#include "noise_internal.h"
#include "wb_proto.h"

const uint8_t wb_noise_protocol_name[32] = "Noise_XX_25519_AESGCM_SHA256\0\0\0";

enum { ROLE_INITIATOR, ROLE_RESPONDER };
enum {
    ST_INIT,          /* initiator: before wb_noise_hs_start */
    ST_WAIT_SERVER,   /* initiator: ClientHello sent, waiting for ServerHello */
    ST_WAIT_HELLO,    /* responder: waiting for ClientHello */
    ST_WAIT_FINISH,   /* responder: ServerHello sent, waiting for ClientFinish */
    ST_DONE,
};

struct wb_noise_hs {
    int role, state, err;
    uint8_t h[32], ck[32], k[32];
    uint32_t n;
    wb_keypair s, e;           /* ours */
    uint8_t peer_e[32], peer_s[32];
    uint8_t root[32];          /* initiator: the trust anchor */
    uint64_t now;              /* initiator: 0 = the clock */
    wb_buf out_payload;        /* what we send encrypted: ClientPayload or the cert chain */
    wb_buf in_payload;         /* what we decrypted: the cert chain or ClientPayload */
};

/* ---- the symmetric state --------------------------------------------------------------------- */

static void mix_hash(wb_noise_hs *hs, const uint8_t *data, size_t len) {
    wb_sha256_ctx c;
    wb_sha256_init(&c);
    wb_sha256_update(&c, hs->h, sizeof hs->h);
    wb_sha256_update(&c, data, len);
    wb_sha256_final(&c, hs->h);
}

static void mix_key(wb_noise_hs *hs, const uint8_t *ikm, size_t len) {
    uint8_t o[64];
    wb_hkdf_sha256(o, sizeof o, ikm, len, hs->ck, sizeof hs->ck, NULL, 0);
    memcpy(hs->ck, o, 32);
    memcpy(hs->k, o + 32, 32);
    hs->n = 0;
    wb_zero(o, sizeof o);
}

/* MixKey(X25519(priv, pub)). WB_EPROTO when the peer's key forces an all-zero secret. */
static int mix_dh(wb_noise_hs *hs, const uint8_t priv[32], const uint8_t pub[32], wb_error *err) {
    uint8_t shared[32];
    if (wb_curve_agree(shared, priv, pub) < 0)
        return wb_error_set(err, WB_EPROTO, 0, "peer key gives a low-order shared secret");
    mix_key(hs, shared, sizeof shared);
    wb_zero(shared, sizeof shared);
    return 0;
}

/* Enc: seals pt under k with counter n++ and AAD h into a new buffer *ct (len + 16 bytes,
 * owned by the caller), then MixHash(ct). */
static int enc(wb_noise_hs *hs, const uint8_t *pt, size_t len, wb_buf *ct) {
    uint8_t iv[WB_GCM_IV_LEN];
    wb_noise_iv(iv, hs->n++);
    uint8_t *p = wb_buf_extend(ct, len + WB_GCM_TAG_LEN);
    if (!p)
        return WB_ENOMEM;
    int rc = wb_aes_gcm_seal(hs->k, iv, hs->h, sizeof hs->h, pt, len, p);
    if (rc < 0)
        return rc;
    mix_hash(hs, p, len + WB_GCM_TAG_LEN);
    return 0;
}

/* Dec: opens ct under k with counter n++ and AAD h, appending the plaintext to pt; on success
 * MixHash(ct) (the ciphertext, not the plaintext). */
static int dec(wb_noise_hs *hs, const ProtobufCBinaryData *ct, wb_buf *pt, const char *what,
               wb_error *err) {
    uint8_t iv[WB_GCM_IV_LEN];
    if (ct->len < WB_GCM_TAG_LEN)
        return wb_error_set(err, WB_EPROTO, 0, "%s is shorter than a tag", what);
    wb_noise_iv(iv, hs->n++);
    size_t n = ct->len - WB_GCM_TAG_LEN;
    uint8_t empty[1];
    uint8_t *p = n ? wb_buf_extend(pt, n) : empty;
    if (!p)
        return WB_ENOMEM;
    int rc = wb_aes_gcm_open(hs->k, iv, hs->h, sizeof hs->h, ct->data, ct->len, p);
    if (rc == WB_EAUTH)
        return wb_error_set(err, WB_EAUTH, 0, "%s does not authenticate", what);
    if (rc < 0)
        return rc;
    mix_hash(hs, ct->data, ct->len);
    return 0;
}

/* Dec of a 32-byte public key into key. */
static int dec_key(wb_noise_hs *hs, const ProtobufCBinaryData *ct, uint8_t key[32],
                   const char *what, wb_error *err) {
    wb_buf pt = WB_BUF_INIT;
    int rc = dec(hs, ct, &pt, what, err);
    if (rc == 0 && pt.len != 32)
        rc = wb_error_set(err, WB_EPROTO, 0, "%s is %zu bytes, not 32", what, pt.len);
    if (rc == 0)
        memcpy(key, pt.data, 32);
    wb_buf_free(&pt);
    return rc;
}

/* ---- creation ------------------------------------------------------------------------------- */

static int hs_new(wb_noise_hs **out, int role, const wb_keypair *s, const wb_keypair *e,
                  const uint8_t *payload, size_t len) {
    if (!s)
        return WB_EINVAL;
    wb_noise_hs *hs = calloc(1, sizeof *hs);
    if (!hs)
        return WB_ENOMEM;
    hs->role = role;
    wb_buf_set_secret(&hs->out_payload);
    wb_buf_set_secret(&hs->in_payload);
    hs->state = role == ROLE_INITIATOR ? ST_INIT : ST_WAIT_HELLO;
    hs->s = *s;
    int rc = e ? (hs->e = *e, 0) : wb_keypair_generate(&hs->e);
    if (rc == 0 && len && wb_buf_append(&hs->out_payload, payload, len) < 0)
        rc = WB_ENOMEM;
    if (rc < 0) {
        wb_noise_hs_free(hs);
        return rc;
    }
    memcpy(hs->h, wb_noise_protocol_name, 32);
    memcpy(hs->ck, wb_noise_protocol_name, 32);
    mix_hash(hs, wb_frame_prologue, WB_FRAME_PROLOGUE_LEN);
    *out = hs;
    return 0;
}

int wb_noise_hs_new_initiator(wb_noise_hs **out, const wb_noise_initiator_cfg *cfg) {
    wb_noise_hs *hs;
    int rc = hs_new(&hs, ROLE_INITIATOR, cfg->static_key, cfg->ephemeral, cfg->payload,
                    cfg->payload_len);
    if (rc < 0)
        return rc;
    memcpy(hs->root, cfg->root_pub ? cfg->root_pub : wb_cert_whatsapp_root, 32);
    hs->now = cfg->now;
    *out = hs;
    return 0;
}

int wb_noise_hs_new_responder(wb_noise_hs **out, const wb_noise_responder_cfg *cfg) {
    return hs_new(out, ROLE_RESPONDER, cfg->static_key, cfg->ephemeral, cfg->cert_chain,
                  cfg->cert_chain_len);
}

void wb_noise_hs_free(wb_noise_hs *hs) {
    if (!hs)
        return;
    wb_buf_free_secret(&hs->out_payload);
    wb_buf_free_secret(&hs->in_payload);
    wb_free_secret(hs, sizeof *hs);
}

/* ---- messages ------------------------------------------------------------------------------- */

/* Appends the serialized m to out. */
static int pack(const Wa__HandshakeMessage *m, wb_buf *out) {
    uint8_t *p = wb_buf_extend(out, wa__handshake_message__get_packed_size(m));
    if (!p)
        return WB_ENOMEM;
    wa__handshake_message__pack(m, p);
    return 0;
}

static ProtobufCBinaryData bin(const uint8_t *p, size_t len) {
    return (ProtobufCBinaryData){len, (uint8_t *)p};
}

int wb_noise_hs_start(wb_noise_hs *hs, wb_buf *out) {
    if (hs->err)
        return hs->err;
    if (hs->role != ROLE_INITIATOR || hs->state != ST_INIT)
        return WB_ESTATE;
    Wa__HandshakeMessage__ClientHello hello = WA__HANDSHAKE_MESSAGE__CLIENT_HELLO__INIT;
    hello.has_ephemeral = 1;
    hello.ephemeral = bin(hs->e.pub, 32);
    Wa__HandshakeMessage m = WA__HANDSHAKE_MESSAGE__INIT;
    m.clienthello = &hello;
    int rc = pack(&m, out);
    if (rc < 0)
        return rc;
    mix_hash(hs, hs->e.pub, 32);
    hs->state = ST_WAIT_SERVER;
    return 0;
}

/* Responder: ClientHello in, ServerHello out. */
static int read_client_hello(wb_noise_hs *hs, const Wa__HandshakeMessage *m, wb_buf *out,
                             wb_error *err) {
    const Wa__HandshakeMessage__ClientHello *hello = m->clienthello;
    if (!hello || !hello->has_ephemeral || hello->ephemeral.len != 32)
        return wb_error_set(err, WB_EPROTO, 0, "expected a ClientHello with a 32-byte ephemeral key");
    memcpy(hs->peer_e, hello->ephemeral.data, 32);
    mix_hash(hs, hs->peer_e, 32);

    wb_buf c_s = WB_BUF_INIT, c_p = WB_BUF_INIT;
    int rc;
    mix_hash(hs, hs->e.pub, 32);
    if ((rc = mix_dh(hs, hs->e.priv, hs->peer_e, err)) < 0 ||
        (rc = enc(hs, hs->s.pub, 32, &c_s)) < 0 ||
        (rc = mix_dh(hs, hs->s.priv, hs->peer_e, err)) < 0 ||
        (rc = enc(hs, hs->out_payload.data, hs->out_payload.len, &c_p)) < 0)
        goto done;
    Wa__HandshakeMessage__ServerHello sh = WA__HANDSHAKE_MESSAGE__SERVER_HELLO__INIT;
    sh.has_ephemeral = sh.has_static_ = sh.has_payload = 1;
    sh.ephemeral = bin(hs->e.pub, 32);
    sh.static_ = bin(c_s.data, c_s.len);
    sh.payload = bin(c_p.data, c_p.len);
    Wa__HandshakeMessage reply = WA__HANDSHAKE_MESSAGE__INIT;
    reply.serverhello = &sh;
    if ((rc = pack(&reply, out)) < 0)
        goto done;
    hs->state = ST_WAIT_FINISH;
done:
    wb_buf_free(&c_s);
    wb_buf_free(&c_p);
    return rc;
}

/* Initiator: ServerHello in (certificate verified), ClientFinish out. */
static int read_server_hello(wb_noise_hs *hs, const Wa__HandshakeMessage *m, wb_buf *out,
                             wb_error *err) {
    const Wa__HandshakeMessage__ServerHello *sh = m->serverhello;
    if (!sh || !sh->has_ephemeral || sh->ephemeral.len != 32 || !sh->has_static_ ||
        !sh->has_payload)
        return wb_error_set(err, WB_EPROTO, 0,
                            "expected a ServerHello with a 32-byte ephemeral, static and payload");
    memcpy(hs->peer_e, sh->ephemeral.data, 32);
    mix_hash(hs, hs->peer_e, 32);

    wb_buf c_k = WB_BUF_INIT, c_pl = WB_BUF_INIT;
    int rc;
    if ((rc = mix_dh(hs, hs->e.priv, hs->peer_e, err)) < 0 ||
        (rc = dec_key(hs, &sh->static_, hs->peer_s, "server static key", err)) < 0 ||
        (rc = mix_dh(hs, hs->e.priv, hs->peer_s, err)) < 0 ||
        (rc = dec(hs, &sh->payload, &hs->in_payload, "certificate chain", err)) < 0)
        goto done;
    uint64_t now = hs->now ? hs->now : (uint64_t)time(NULL);
    if ((rc = wb_cert_chain_verify(hs->in_payload.data, hs->in_payload.len, hs->root, hs->peer_s,
                                   now, err)) < 0)
        goto done;
    if ((rc = enc(hs, hs->s.pub, 32, &c_k)) < 0 ||
        (rc = mix_dh(hs, hs->s.priv, hs->peer_e, err)) < 0 ||
        (rc = enc(hs, hs->out_payload.data, hs->out_payload.len, &c_pl)) < 0)
        goto done;
    Wa__HandshakeMessage__ClientFinish fin = WA__HANDSHAKE_MESSAGE__CLIENT_FINISH__INIT;
    fin.has_static_ = fin.has_payload = 1;
    fin.static_ = bin(c_k.data, c_k.len);
    fin.payload = bin(c_pl.data, c_pl.len);
    Wa__HandshakeMessage reply = WA__HANDSHAKE_MESSAGE__INIT;
    reply.clientfinish = &fin;
    if ((rc = pack(&reply, out)) < 0)
        goto done;
    hs->state = ST_DONE;
    rc = 1;
done:
    wb_buf_free(&c_k);
    wb_buf_free(&c_pl);
    return rc;
}

/* Responder: ClientFinish in; the client's static key and payload are the results. */
static int read_client_finish(wb_noise_hs *hs, const Wa__HandshakeMessage *m, wb_error *err) {
    const Wa__HandshakeMessage__ClientFinish *fin = m->clientfinish;
    if (!fin || !fin->has_static_ || !fin->has_payload)
        return wb_error_set(err, WB_EPROTO, 0, "expected a ClientFinish with static and payload");
    int rc;
    if ((rc = dec_key(hs, &fin->static_, hs->peer_s, "client static key", err)) < 0 ||
        (rc = mix_dh(hs, hs->e.priv, hs->peer_s, err)) < 0 ||
        (rc = dec(hs, &fin->payload, &hs->in_payload, "client payload", err)) < 0)
        return rc;
    hs->state = ST_DONE;
    return 1;
}

int wb_noise_hs_read(wb_noise_hs *hs, const uint8_t *msg, size_t len, wb_buf *out,
                     wb_error *err) {
    if (hs->err)
        return hs->err;
    if (hs->state != ST_WAIT_SERVER && hs->state != ST_WAIT_HELLO && hs->state != ST_WAIT_FINISH)
        return WB_ESTATE;
    size_t out_len = out->len;
    int rc;
    Wa__HandshakeMessage *m = NULL;
    if (wb_proto_unpack(&wa__handshake_message__descriptor, msg, len, 0, &m, NULL) < 0)
        rc = wb_error_set(err, WB_EMALFORMED, 0, "handshake message is not a HandshakeMessage");
    else if (hs->state == ST_WAIT_HELLO)
        rc = read_client_hello(hs, m, out, err);
    else if (hs->state == ST_WAIT_SERVER)
        rc = read_server_hello(hs, m, out, err);
    else
        rc = read_client_finish(hs, m, err);
    wb_proto_free(m);
    if (rc < 0) {
        hs->err = rc;
        out->len = out_len; /* nothing half-written goes out */
    }
    return rc;
}

const uint8_t *wb_noise_hs_peer_static(const wb_noise_hs *hs) {
    return hs->state == ST_DONE ? hs->peer_s : NULL;
}

const uint8_t *wb_noise_hs_payload(const wb_noise_hs *hs, size_t *len) {
    if (hs->state != ST_DONE)
        return NULL;
    *len = hs->in_payload.len;
    return hs->in_payload.data ? hs->in_payload.data : (const uint8_t *)"";
}

int wb_noise_hs_split(wb_noise_hs *hs, wb_noise **out) {
    if (hs->state != ST_DONE)
        return WB_ESTATE;
    uint8_t o[64];
    int rc = wb_hkdf_sha256(o, sizeof o, NULL, 0, hs->ck, sizeof hs->ck, NULL, 0);
    if (rc == 0)
        rc = hs->role == ROLE_INITIATOR ? wb_noise_transport_new(out, o, o + 32)
                                        : wb_noise_transport_new(out, o + 32, o);
    wb_zero(o, sizeof o);
    return rc;
}
