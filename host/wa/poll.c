/* Poll votes (poll.h). */
#include "wa/poll.h"

#include <string.h>

#include "core/mem.h"
#include "crypto/hash.h"

void wb_wa_poll_option_hash(const char *name, uint8_t out[WB_WA_POLL_HASH_LEN]) {
    wb_sha256(out, name ? name : "", name ? strlen(name) : 0);
}

/* The vote key and its additional data (aad: id, NUL, voter) into aad (a scratch buffer). */
static int vote_key(const uint8_t secret[WB_WA_POLL_SECRET_LEN], const char *id,
                    const char *creator, const char *voter, uint8_t key[WB_AES_KEY_LEN],
                    wb_buf *aad) {
    static const char use_case[] = "Poll Vote";
    if (!id || !creator || !voter)
        return WB_EINVAL;
    wb_buf info = WB_BUF_INIT;
    wb_buf_append(&info, id, strlen(id));
    wb_buf_append(&info, creator, strlen(creator));
    wb_buf_append(&info, voter, strlen(voter));
    wb_buf_append(&info, use_case, sizeof use_case - 1);
    wb_buf_append(aad, id, strlen(id));
    wb_buf_put_u8(aad, 0);
    wb_buf_append(aad, voter, strlen(voter));
    int rc = info.err || aad->err ? WB_ENOMEM : 0;
    if (rc == 0)
        rc = wb_hkdf_sha256(key, WB_AES_KEY_LEN, secret, WB_WA_POLL_SECRET_LEN, NULL, 0,
                            info.data, info.len);
    wb_buf_free(&info);
    return rc;
}

int wb_wa_poll_vote_seal(const uint8_t secret[WB_WA_POLL_SECRET_LEN], const char *id,
                         const char *creator, const char *voter, const uint8_t iv[WB_GCM_IV_LEN],
                         const uint8_t *pt, size_t pt_len, wb_buf *out) {
    uint8_t key[WB_AES_KEY_LEN];
    wb_buf aad = WB_BUF_INIT;
    int rc = vote_key(secret, id, creator, voter, key, &aad);
    size_t at = out->len;
    if (rc == 0 && wb_buf_reserve(out, pt_len + WB_GCM_TAG_LEN) < 0)
        rc = WB_ENOMEM;
    if (rc == 0)
        rc = wb_aes_gcm_seal(key, iv, aad.data, aad.len, pt, pt_len, out->data + at);
    if (rc == 0)
        out->len = at + pt_len + WB_GCM_TAG_LEN;
    wb_buf_free(&aad);
    wb_zero(key, sizeof key);
    return rc;
}

int wb_wa_poll_vote_open(const uint8_t secret[WB_WA_POLL_SECRET_LEN], const char *id,
                         const char *creator, const char *voter, const uint8_t *iv, size_t iv_len,
                         const uint8_t *ct, size_t ct_len, wb_buf *out) {
    if (!iv || iv_len != WB_GCM_IV_LEN || !ct || ct_len < WB_GCM_TAG_LEN)
        return WB_EMALFORMED;
    if (ct_len > WB_WA_POLL_VOTE_MAX)
        return WB_ETOOBIG;
    uint8_t key[WB_AES_KEY_LEN];
    wb_buf aad = WB_BUF_INIT;
    int rc = vote_key(secret, id, creator, voter, key, &aad);
    size_t at = out->len, n = ct_len - WB_GCM_TAG_LEN;
    if (rc == 0 && wb_buf_reserve(out, n ? n : 1) < 0)
        rc = WB_ENOMEM;
    if (rc == 0)
        rc = wb_aes_gcm_open(key, iv, aad.data, aad.len, ct, ct_len, out->data + at);
    if (rc == 0)
        out->len = at + n;
    wb_buf_free(&aad);
    wb_zero(key, sizeof key);
    return rc;
}
