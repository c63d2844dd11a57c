/* Linking by pairing code (NOTES.md §4): the companion's companion_hello names the phone number
 * and carries its ephemeral key wrapped under the 8-character code (PBKDF2 -> AES-CTR); the user
 * types the code on the phone (POST /admin/mock-phone/enter-code {"phone", "code"}), which unwraps
 * that key, wraps its own ephemeral key the same way and sends primary_hello; the companion's
 * companion_finish carries the key bundle (HKDF -> AES-GCM) from which both sides derive the adv
 * secret; then pair-success as for a QR (pair.c). A wrong code shows as a bundle that does not
 * authenticate. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "crypto/aes.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "sim/sim_int.h"

#define CODE_LEN 8
#define CODE_ITERATIONS (2u << 16) /* 131072, as both clients derive it */
#define WRAPPED_LEN 80             /* salt 32 | iv 16 | key 32 */
#define BUNDLE_MIN (32 + 12 + 16)  /* salt | nonce | tag */
#define BUNDLE_PT_LEN 96           /* companion identity | primary identity | random */

static const char BUNDLE_INFO[] = "link_code_pairing_key_bundle_encryption_key";
static const char ADV_INFO[] = "adv_secret";

/* AES-256-CTR of 32 bytes under PBKDF2(code, salt): wraps and unwraps the ephemeral keys. */
static int code_ctr(const char *code, const uint8_t salt[32], const uint8_t iv[16],
                    const uint8_t in[32], uint8_t out[32]) {
    uint8_t key[32];
    int rc = wb_pbkdf2_sha256(key, sizeof key, (const uint8_t *)code, strlen(code), salt, 32,
                              CODE_ITERATIONS);
    if (rc == 0)
        rc = wb_aes_ctr(key, iv, in, 32, out);
    wb_zero(key, sizeof key);
    return rc;
}

/* ---- companion_hello ------------------------------------------------------------------------ */

static int on_hello(wb_sim_conn *c, wb_node *reg_node, wb_node *reply) {
    wb_sim_reg *r = c->reg;
    wb_jid jid;
    const char *j = wb_node_attr(reg_node, "jid");
    const uint8_t *wrapped = wb_sim_child_bytes(reg_node, "link_code_pairing_wrapped_companion_ephemeral_pub",
                                         WRAPPED_LEN, NULL);
    const uint8_t *auth = wb_sim_child_bytes(reg_node, "companion_server_auth_key_pub", WB_KEY_LEN, NULL);
    if (!j || wb_jid_parse(&jid, j) < 0 || !wb_jid_on(&jid, WB_SERVER_USER) || !jid.user[0] ||
        strlen(jid.user) > WB_SIM_PHONE_MAX || !wrapped || !auth)
        return wb_sim_conn_fail(c, WB_EPROTO, "companion_hello without jid or keys");
    if (wb_memneq(auth, c->peer_static, WB_KEY_LEN))
        return wb_sim_conn_fail(c, WB_EPROTO, "companion_hello: auth key is not the Noise key");
    if (r->signing || r->code_stage == 2)
        return wb_sim_iq_error(reply, 409, "conflict");
    snprintf(r->code_phone, sizeof r->code_phone, "%s", jid.user);
    memcpy(r->code_wrapped, wrapped, WRAPPED_LEN);
    wb_random_bytes(r->code_ref, sizeof r->code_ref);
    size_t n;
    const uint8_t *disp = wb_sim_child_bytes(reg_node, "companion_platform_display", 0, &n);
    if (disp)
        snprintf(r->platform, sizeof r->platform, "%.*s", (int)n, (const char *)disp);
    r->code_stage = 1;
    wb_sim_log_event(c, "companion_hello for %s", r->code_phone);
    wb_node *lc = wb_node_add_new(reply, "link_code_companion_reg");
    wb_node_set_bytes(wb_node_add_new(lc, "link_code_pairing_ref"), r->code_ref, sizeof r->code_ref);
    return 0;
}

/* ---- the phone: POST /admin/mock-phone/enter-code --------------------------------------------- */

static wb_sim_reg *reg_by_phone(wb_sim *sim, const char *phone) {
    for (wb_sim_reg *r = sim->regs; r; r = r->next) /* newest first */
        if (r->code_stage == 1 && strcmp(r->code_phone, phone) == 0)
            return r;
    return NULL;
}

/* The code as the KDF takes it: the 8 characters without a dash or spaces, upper case. */
static int normalize_code(const char *in, char out[CODE_LEN + 1]) {
    size_t n = 0;
    for (; *in; in++) {
        if (*in == '-' || *in == ' ')
            continue;
        if (n == CODE_LEN || !isalnum((unsigned char)*in))
            return WB_EMALFORMED;
        out[n++] = (char)toupper((unsigned char)*in);
    }
    out[n] = '\0';
    return n == CODE_LEN ? 0 : WB_EMALFORMED;
}

static int send_primary_hello(wb_sim_conn *c, wb_sim_account *a, const char *code) {
    wb_sim_reg *r = c->reg;
    uint8_t wrapped[WRAPPED_LEN];
    int rc = code_ctr(code, r->code_wrapped, r->code_wrapped + 32, r->code_wrapped + 48,
                      r->companion_eph);
    if (rc == 0)
        rc = wb_keypair_generate(&r->primary_eph);
    wb_random_bytes(wrapped, 48);
    if (rc == 0)
        rc = code_ctr(code, wrapped, wrapped + 32, r->primary_eph.pub, wrapped + 48);
    if (rc < 0)
        return rc;
    r->account = a;
    char id[32];
    wb_sim_new_id(c->sim, id, sizeof id);
    wb_node *n = WB_NODE(&c->arena, "notification", {"from", "@" WB_SERVER_USER},
                         {"type", "link_code_companion_reg"}, {"id", id});
    wb_node_set_i64(n, "t", wb_sim_now(c->sim));
    wb_node *lc = WB_CHILD(n, "link_code_companion_reg", {"stage", "primary_hello"});
    wb_node_set_bytes(wb_node_add_new(lc, "link_code_pairing_ref"), r->code_ref, sizeof r->code_ref);
    wb_node_set_bytes(wb_node_add_new(lc, "primary_identity_pub"), a->identity.pub, WB_KEY_LEN);
    wb_node_set_bytes(wb_node_add_new(lc, "link_code_pairing_wrapped_primary_ephemeral_pub"),
                      wrapped, sizeof wrapped);
    r->code_stage = 2;
    return wb_sim_conn_send(c, n);
}

static void on_enter_code(wb_sim *sim, const wb_sim_request *req, wb_sim_reply *reply) {
    cJSON *body = cJSON_ParseWithLength((const char *)req->body, req->body_len);
    const char *phone = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "phone"));
    const char *code_in = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "code"));
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "name"));
    char code[CODE_LEN + 1];
    wb_sim_reg *r;
    wb_sim_account *a;
    int rc;
    if (!phone || !code_in || normalize_code(code_in, code) < 0)
        wb_sim_reply_error(reply, 400, "body must be {\"phone\": \"...\", \"code\": \"8 characters\"}");
    else if (!(r = reg_by_phone(sim, phone)))
        wb_sim_reply_error(reply, 404, "no companion asked for a pairing code for %s", phone);
    else if ((rc = wb_sim_account_get(sim, phone, &a)) < 0)
        wb_sim_reply_error(reply, rc == WB_EINVAL ? 400 : 500, "cannot use account %s", phone);
    else {
        wb_sim_account_name(sim, a, name && *name ? name : r->push_name);
        wb_sim_conn *c = r->conn;
        r->reply = reply;
        if ((rc = send_primary_hello(c, a, code)) < 0) {
            r->reply = NULL;
            wb_sim_reply_error(reply, 500, "cannot send primary_hello: %s", wb_strerror(rc));
            wb_sim_conn_close(c, "cannot send primary_hello");
        }
    }
    wb_zero(code, sizeof code);
    cJSON_Delete(body);
}

/* ---- companion_finish ---------------------------------------------------------------------- */

/* Opens the key bundle and derives the adv secret into adv. Returns 0, WB_EAUTH (a wrong code:
 * the companion wrapped its bundle for another ephemeral key) or WB_EPROTO (wrong contents). */
static int open_bundle(wb_sim_reg *r, const uint8_t *bundle, size_t len, const uint8_t ident[32],
                       uint8_t adv[32]) {
    uint8_t shared[32], key[32], pt[BUNDLE_PT_LEN] = {0}, ikm[96];
    const wb_sim_account *a = r->account;
    int rc = wb_curve_agree(shared, r->primary_eph.priv, r->companion_eph);
    if (rc == 0)
        rc = wb_hkdf_sha256(key, sizeof key, shared, sizeof shared, bundle, 32,
                            (const uint8_t *)BUNDLE_INFO, sizeof BUNDLE_INFO - 1);
    if (rc == 0 && len - 44 != BUNDLE_PT_LEN + WB_GCM_TAG_LEN)
        rc = WB_EPROTO;
    if (rc == 0)
        rc = wb_aes_gcm_open(key, bundle + 32, NULL, 0, bundle + 44, len - 44, pt);
    if (rc == 0 && (wb_memneq(pt, ident, 32) || wb_memneq(pt, r->ident, 32) ||
                    wb_memneq(pt + 32, a->identity.pub, 32)))
        rc = WB_EPROTO;
    memcpy(ikm, shared, 32);
    if (rc == 0)
        rc = wb_curve_agree(ikm + 32, a->identity.priv, ident);
    memcpy(ikm + 64, pt + 64, 32);
    if (rc == 0)
        rc = wb_hkdf_sha256(adv, 32, ikm, sizeof ikm, NULL, 0, (const uint8_t *)ADV_INFO,
                            sizeof ADV_INFO - 1);
    wb_zero(shared, sizeof shared);
    wb_zero(key, sizeof key);
    wb_zero(pt, sizeof pt);
    wb_zero(ikm, sizeof ikm);
    return rc == WB_EAUTH || rc == WB_EPROTO || rc == 0 ? rc : WB_EPROTO;
}

static int on_finish(wb_sim_conn *c, wb_node *reg_node, wb_node *reply) {
    wb_sim_reg *r = c->reg;
    size_t len;
    const uint8_t *bundle = wb_sim_child_bytes(reg_node, "link_code_pairing_wrapped_key_bundle", 0, &len);
    const uint8_t *ident = wb_sim_child_bytes(reg_node, "companion_identity_public", WB_KEY_LEN, NULL);
    const uint8_t *ref = wb_sim_child_bytes(reg_node, "link_code_pairing_ref", sizeof r->code_ref, NULL);
    if (!bundle || len < BUNDLE_MIN || !ident || !ref)
        return wb_sim_conn_fail(c, WB_EPROTO, "companion_finish without bundle, identity or ref");
    if (r->code_stage != 2 || wb_memneq(ref, r->code_ref, sizeof r->code_ref))
        return wb_sim_iq_error(reply, 404, "item-not-found");
    uint8_t adv[32];
    int rc = open_bundle(r, bundle, len, ident, adv);
    if (rc < 0) {
        const char *why = rc == WB_EAUTH ? "the pairing code does not match the companion's"
                                         : "the key bundle names other identities";
        if (r->reply)
            wb_sim_reply_error(r->reply, 403, "%s", why);
        r->reply = NULL;
        r->code_stage = 1; /* the user may type the code again */
        wb_sim_count(c->sim, "pairings.wrong_code", 1);
        wb_sim_log_event(c, "companion_finish refused: %s", why);
        return wb_sim_iq_error(reply, 401, "not-authorized");
    }
    wb_sim_conn_send(c, reply); /* the answer goes before pair-success */
    rc = wb_sim_pair_success(c, r->account, adv);
    wb_zero(adv, sizeof adv);
    return rc < 0 ? wb_sim_conn_fail(c, rc, "cannot send pair-success") : WB_SIM_NO_REPLY;
}

static int on_link_code(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_node *lc = wb_node_child(iq, "link_code_companion_reg");
    const char *stage = wb_node_attr(lc, "stage");
    if (stage && strcmp(stage, "companion_hello") == 0)
        return on_hello(c, lc, reply);
    if (stage && strcmp(stage, "companion_finish") == 0)
        return on_finish(c, lc, reply);
    return wb_sim_iq_error(reply, 400, "bad-request");
}

static const wb_sim_iq_route iqs[] = {
    {"md", "set", "link_code_companion_reg", on_link_code, WB_SIM_ON_REG},
    {NULL, NULL, NULL, NULL, 0},
};

static const wb_sim_http_route http[] = {
    {"POST", "/admin/mock-phone/enter-code", on_enter_code},
    {NULL, NULL, NULL},
};

const wb_sim_family wb_sim_family_pair_code = {.name = "pair_code", .iqs = iqs, .http = http};
