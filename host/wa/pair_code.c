/* Pairing-code crypto and stanzas (pair_code.h). */
#include "wa/pair_code.h"

#include <ctype.h>
#include <string.h>

#include "core/mem.h"
#include "crypto/aes.h"
#include "crypto/hash.h"
#include "crypto/random.h"

static const char ALPHABET[] = "123456789ABCDEFGHJKLMNPQRSTVWXYZ";
static const char BUNDLE_INFO[] = "link_code_pairing_key_bundle_encryption_key";
static const char ADV_INFO[] = "adv_secret";

void wb_wa_pair_code_new(char code[WB_WA_PAIR_CODE_LEN + 1]) {
    uint8_t r[5];
    wb_random_bytes(r, sizeof r);
    uint64_t v = 0;
    for (int i = 0; i < 5; i++)
        v = v << 8 | r[i];
    for (int i = 0; i < WB_WA_PAIR_CODE_LEN; i++) /* 40 bits, 5 at a time, high first */
        code[i] = ALPHABET[(v >> (35 - 5 * i)) & 31];
    code[WB_WA_PAIR_CODE_LEN] = '\0';
    wb_zero(r, sizeof r);
}

int wb_wa_pair_code_normalize(const char *in, char out[WB_WA_PAIR_CODE_LEN + 1]) {
    size_t n = 0;
    for (; *in; in++) {
        if (*in == '-' || *in == ' ')
            continue;
        if (n == WB_WA_PAIR_CODE_LEN || !isalnum((unsigned char)*in))
            return WB_EMALFORMED;
        out[n++] = (char)toupper((unsigned char)*in);
    }
    out[n] = '\0';
    return n == WB_WA_PAIR_CODE_LEN ? 0 : WB_EMALFORMED;
}

/* AES-256-CTR of 32 bytes under PBKDF2(code, salt). */
static int code_ctr(const char *code, const uint8_t salt[32], const uint8_t iv[16],
                    const uint8_t in[32], uint8_t out[32]) {
    uint8_t key[32];
    int rc = wb_pbkdf2_sha256(key, sizeof key, (const uint8_t *)code, strlen(code), salt, 32,
                              WB_WA_PAIR_CODE_ITERATIONS);
    if (rc == 0)
        rc = wb_aes_ctr(key, iv, in, 32, out);
    wb_zero(key, sizeof key);
    return rc;
}

int wb_wa_pair_code_wrap(const char *code, const uint8_t pub[32],
                         uint8_t out[WB_WA_PAIR_WRAPPED_LEN]) {
    wb_random_bytes(out, 48);
    return code_ctr(code, out, out + 32, pub, out + 48);
}

int wb_wa_pair_code_unwrap(const char *code, const uint8_t wrapped[WB_WA_PAIR_WRAPPED_LEN],
                           uint8_t pub[32]) {
    return code_ctr(code, wrapped, wrapped + 32, wrapped + 48, pub);
}

static int bundle_key(const uint8_t shared[32], const uint8_t salt[32], uint8_t key[32]) {
    return wb_hkdf_sha256(key, 32, shared, 32, salt, 32, (const uint8_t *)BUNDLE_INFO,
                          sizeof BUNDLE_INFO - 1);
}

int wb_wa_pair_code_seal(const uint8_t shared[32], const uint8_t companion_ident[32],
                         const uint8_t primary_ident[32], const uint8_t random[32], wb_buf *out) {
    uint8_t *p = wb_buf_extend(out, WB_WA_PAIR_BUNDLE_LEN);
    if (!p)
        return WB_ENOMEM;
    uint8_t key[32], pt[96];
    wb_random_bytes(p, 32 + WB_GCM_IV_LEN);
    memcpy(pt, companion_ident, 32);
    memcpy(pt + 32, primary_ident, 32);
    memcpy(pt + 64, random, 32);
    int rc = bundle_key(shared, p, key);
    if (rc == 0)
        rc = wb_aes_gcm_seal(key, p + 32, NULL, 0, pt, sizeof pt, p + 44);
    wb_zero(key, sizeof key);
    wb_zero(pt, sizeof pt);
    if (rc < 0)
        out->len -= WB_WA_PAIR_BUNDLE_LEN;
    return rc;
}

int wb_wa_pair_code_open(const uint8_t shared[32], const uint8_t *bundle, size_t len,
                         uint8_t companion_ident[32], uint8_t primary_ident[32],
                         uint8_t random[32]) {
    if (len != WB_WA_PAIR_BUNDLE_LEN)
        return WB_EMALFORMED;
    uint8_t key[32], pt[96];
    int rc = bundle_key(shared, bundle, key);
    if (rc == 0)
        rc = wb_aes_gcm_open(key, bundle + 32, NULL, 0, bundle + 44, len - 44, pt);
    if (rc == 0) {
        memcpy(companion_ident, pt, 32);
        memcpy(primary_ident, pt + 32, 32);
        memcpy(random, pt + 64, 32);
    }
    wb_zero(key, sizeof key);
    wb_zero(pt, sizeof pt);
    return rc == 0 || rc == WB_EAUTH ? rc : WB_EAUTH;
}

int wb_wa_pair_code_adv_secret(const uint8_t shared[32], const uint8_t identity_dh[32],
                               const uint8_t random[32], uint8_t adv[32]) {
    uint8_t ikm[96];
    memcpy(ikm, shared, 32);
    memcpy(ikm + 32, identity_dh, 32);
    memcpy(ikm + 64, random, 32);
    int rc = wb_hkdf_sha256(adv, 32, ikm, sizeof ikm, NULL, 0, (const uint8_t *)ADV_INFO,
                            sizeof ADV_INFO - 1);
    wb_zero(ikm, sizeof ikm);
    return rc;
}

/* ---- stanzas ---------------------------------------------------------------------------------- */

static void bytes_child(wb_node *parent, const char *tag, const void *p, size_t len) {
    wb_node_set_bytes(wb_node_add_new(parent, tag), p, len);
}

void wb_wa_pair_code_hello_fill(wb_node *iq, const char *phone_jid,
                                const uint8_t wrapped[WB_WA_PAIR_WRAPPED_LEN],
                                const uint8_t noise_pub[32], const char *platform_id,
                                const char *platform_display) {
    wb_node *lc = WB_CHILD(iq, "link_code_companion_reg", {"jid", phone_jid},
                           {"stage", "companion_hello"}, {"should_show_push_notification", "true"});
    bytes_child(lc, "link_code_pairing_wrapped_companion_ephemeral_pub", wrapped,
                WB_WA_PAIR_WRAPPED_LEN);
    bytes_child(lc, "companion_server_auth_key_pub", noise_pub, 32);
    wb_node_set_text(wb_node_add_new(lc, "companion_platform_id"), platform_id);
    wb_node_set_text(wb_node_add_new(lc, "companion_platform_display"), platform_display);
    wb_node_set_text(wb_node_add_new(lc, "link_code_pairing_nonce"), "0");
}

void wb_wa_pair_code_finish_fill(wb_node *iq, const char *phone_jid, const uint8_t *bundle,
                                 size_t bundle_len, const uint8_t companion_ident[32],
                                 const uint8_t *ref, size_t ref_len) {
    wb_node *lc = WB_CHILD(iq, "link_code_companion_reg", {"jid", phone_jid},
                           {"stage", "companion_finish"});
    bytes_child(lc, "link_code_pairing_wrapped_key_bundle", bundle, bundle_len);
    bytes_child(lc, "companion_identity_public", companion_ident, 32);
    bytes_child(lc, "link_code_pairing_ref", ref, ref_len);
}

wb_node *wb_wa_pair_code_primary_hello(wb_arena *a, const char *id, int64_t t, const uint8_t *ref,
                                       size_t ref_len, const uint8_t primary_ident[32],
                                       const uint8_t wrapped[WB_WA_PAIR_WRAPPED_LEN]) {
    wb_node *n = WB_NODE(a, "notification", {"from", "@" WB_SERVER_USER},
                         {"type", "link_code_companion_reg"}, {"id", id});
    wb_node_set_i64(n, "t", t);
    wb_node *lc = WB_CHILD(n, "link_code_companion_reg", {"stage", "primary_hello"});
    bytes_child(lc, "link_code_pairing_ref", ref, ref_len);
    bytes_child(lc, "primary_identity_pub", primary_ident, 32);
    bytes_child(lc, "link_code_pairing_wrapped_primary_ephemeral_pub", wrapped,
                WB_WA_PAIR_WRAPPED_LEN);
    return n;
}

int wb_wa_pair_code_read(const wb_node *n, wb_wa_pair_code_reg *out, wb_error *err) {
    wb_node *lc = wb_node_child(n, "link_code_companion_reg");
    if (!lc)
        return wb_error_set(err, WB_EPROTO, 0, "no <link_code_companion_reg>");
    wb_wa_pair_code_reg r = {0};
    wb_attrs a = wb_attrs_of(lc);
    r.stage = wb_attrs_opt_str(&a, "stage");
    const char *stage = r.stage ? r.stage : "";
    if (strcmp(stage, "companion_hello") == 0) {
        r.jid = wb_attrs_jid(&a, "jid");
        r.wrapped = wb_attrs_child_bytes(&a, "link_code_pairing_wrapped_companion_ephemeral_pub",
                                         WB_WA_PAIR_WRAPPED_LEN, NULL);
        r.auth_key = wb_attrs_child_bytes(&a, "companion_server_auth_key_pub", 32, NULL);
        r.display = wb_attrs_opt_child_bytes(&a, "companion_platform_display", 0, &r.display_len);
    } else if (strcmp(stage, "companion_finish") == 0) {
        r.jid = wb_attrs_jid(&a, "jid");
        r.bundle = wb_attrs_child_bytes(&a, "link_code_pairing_wrapped_key_bundle", 0,
                                        &r.bundle_len);
        r.ident = wb_attrs_child_bytes(&a, "companion_identity_public", 32, NULL);
        r.ref = wb_attrs_child_bytes(&a, "link_code_pairing_ref", 0, &r.ref_len);
    } else if (strcmp(stage, "primary_hello") == 0 || wb_node_is(n, "notification")) {
        /* Baileys and whatsmeow read the notification whatever its stage says */
        r.ref = wb_attrs_child_bytes(&a, "link_code_pairing_ref", 0, &r.ref_len);
        r.ident = wb_attrs_child_bytes(&a, "primary_identity_pub", 32, NULL);
        /* whatsmeow accepts a longer wrapped key (at least 80 bytes) and reads the first 80 */
        size_t wlen = 0;
        r.wrapped = wb_attrs_child_bytes(&a, "link_code_pairing_wrapped_primary_ephemeral_pub", 0,
                                         &wlen);
        if (r.wrapped && wlen < WB_WA_PAIR_WRAPPED_LEN)
            return wb_error_set(err, WB_EMALFORMED, 0, "primary_hello: wrapped key of %zu bytes",
                                wlen);
    } else if (!r.stage) {
        r.ref = wb_attrs_child_bytes(&a, "link_code_pairing_ref", 0, &r.ref_len);
    } else {
        return wb_error_set(err, WB_EPROTO, 0, "link_code_companion_reg stage '%.32s'", stage);
    }
    if (!wb_attrs_ok(&a))
        return wb_attrs_check(&a, err);
    if (r.ref && (r.ref_len == 0 || r.ref_len > WB_WA_PAIR_REF_MAX))
        return wb_error_set(err, WB_EMALFORMED, 0, "link_code_pairing_ref of %zu bytes", r.ref_len);
    *out = r;
    return 0;
}
