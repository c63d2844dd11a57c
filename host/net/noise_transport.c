/* The Noise transport (noise.h): after the handshake every frame payload is AES-256-GCM under the
 * direction's key, with the direction's own counter in the IV and no AAD. Each direction keeps
 * one wb_gcm keyed once, so a frame costs one AES-GCM pass plus a few stores. Created by
 * wb_noise_hs_split (noise.c); used by the client and the simulator for every stanza. */
#include <stdlib.h>

#include "core/err.h"
#include "net/frame.h"
#include "noise_internal.h"

struct wb_noise {
    wb_gcm *send, *recv;
    uint64_t sent, received; /* also the next counters; IVs carry them as 32 bits */
    int recv_err;            /* sticky: the first failure to open */
};

int wb_noise_transport_new(wb_noise **out, const uint8_t *send_key, const uint8_t *recv_key) {
    wb_noise *t = calloc(1, sizeof *t);
    if (!t)
        return WB_ENOMEM;
    int rc = wb_gcm_new(&t->send, send_key);
    if (rc == 0)
        rc = wb_gcm_new(&t->recv, recv_key);
    if (rc < 0) {
        wb_noise_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

void wb_noise_free(wb_noise *t) {
    if (!t)
        return;
    wb_gcm_free(t->send);
    wb_gcm_free(t->recv);
    free(t);
}

uint64_t wb_noise_sent(const wb_noise *t) { return t->sent; }
uint64_t wb_noise_received(const wb_noise *t) { return t->received; }

/* Appends ciphertext || tag to out, preceded by the 3-byte frame length when framed. */
static int seal_append(wb_noise *t, const uint8_t *pt, size_t len, wb_buf *out, int framed) {
    size_t head = framed ? 3 : 0;
    if (t->sent > UINT32_MAX)
        return WB_ERANGE;
    if (len > (framed ? WB_FRAME_MAX - WB_NOISE_TAG_LEN : SIZE_MAX / 2))
        return WB_ETOOBIG;
    size_t start = out->len;
    uint8_t *p = wb_buf_extend(out, head + len + WB_NOISE_TAG_LEN);
    if (!p)
        return WB_ENOMEM;
    if (framed)
        wb_put_be24(p, (uint32_t)(len + WB_NOISE_TAG_LEN));
    uint8_t iv[WB_GCM_IV_LEN];
    wb_noise_iv(iv, (uint32_t)t->sent);
    int rc = wb_gcm_seal(t->send, iv, NULL, 0, pt, len, p + head);
    if (rc < 0) {
        out->len = start;
        return rc;
    }
    t->sent++;
    return 0;
}

int wb_noise_seal(wb_noise *t, const uint8_t *pt, size_t len, wb_buf *out) {
    return seal_append(t, pt, len, out, 0);
}

int wb_noise_seal_frame(wb_noise *t, const uint8_t *pt, size_t len, wb_buf *out) {
    return seal_append(t, pt, len, out, 1);
}

int wb_noise_open(wb_noise *t, const uint8_t *ct, size_t len, uint8_t *out) {
    if (t->recv_err)
        return t->recv_err;
    if (t->received > UINT32_MAX)
        return WB_ERANGE;
    if (len < WB_NOISE_TAG_LEN)
        return t->recv_err = WB_ETRUNC;
    uint8_t iv[WB_GCM_IV_LEN];
    wb_noise_iv(iv, (uint32_t)t->received);
    int rc = wb_gcm_open(t->recv, iv, NULL, 0, ct, len, out);
    if (rc < 0)
        return t->recv_err = rc;
    t->received++;
    return 0;
}
