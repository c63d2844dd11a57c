/* Linking by pairing code (NOTES.md §4; the crypto and stanzas are wa/pair_code.h): the
 * companion's companion_hello names the phone number and carries its ephemeral key wrapped under
 * the code; the user types the code on the phone (POST /admin/mock-phone/enter-code {"phone",
 * "code"}), which unwraps that key, wraps its own ephemeral key the same way and sends
 * primary_hello; the companion's companion_finish carries the key bundle from which both sides
 * derive the adv secret; then pair-success as for a QR (pair.c). A wrong code shows as a bundle
 * that does not authenticate: the phone says so and the user may type the code again. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "crypto/random.h"
#include "sim/sim_int.h"

/* ---- companion_hello ------------------------------------------------------------------------ */

static int on_hello(wb_sim_conn *c, const wb_wa_pair_code_reg *h, wb_node *reply) {
    wb_sim_reg *r = c->reg;
    if (!wb_jid_on(&h->jid, WB_SERVER_USER) || !h->jid.user[0] ||
        strlen(h->jid.user) > WB_SIM_PHONE_MAX)
        return wb_sim_conn_fail(c, WB_EPROTO, "companion_hello for a jid that is not a phone");
    if (wb_memneq(h->auth_key, c->peer_static, WB_KEY_LEN))
        return wb_sim_conn_fail(c, WB_EPROTO, "companion_hello: auth key is not the Noise key");
    if (r->signing || r->code_stage == 2) {
        wb_wa_iq_set_error(reply, 409, "conflict");
        return 0;
    }
    snprintf(r->code_phone, sizeof r->code_phone, "%s", h->jid.user);
    memcpy(r->code_wrapped, h->wrapped, WB_WA_PAIR_WRAPPED_LEN);
    wb_random_bytes(r->code_ref, sizeof r->code_ref);
    if (h->display)
        snprintf(r->platform, sizeof r->platform, "%.*s", (int)h->display_len,
                 (const char *)h->display);
    r->code_stage = 1;
    wb_sim_log_event(c, "companion_hello for %s", r->code_phone);
    wb_node *lc = wb_node_add_new(reply, "link_code_companion_reg");
    wb_node_set_bytes(wb_node_add_new(lc, "link_code_pairing_ref"), r->code_ref, sizeof r->code_ref);
    return 0;
}

/* ---- the phone: POST /admin/mock-phone/enter-code --------------------------------------------- */

static wb_sim_reg *reg_by_phone(wb_sim *sim, const char *phone) {
    for (wb_sim_reg *r = sim->regs; r; r = r->next) /* newest first */
        if (r->code_stage == 1 && r->conn->state != WB_SIM_CLOSING &&
            strcmp(r->code_phone, phone) == 0)
            return r;
    return NULL;
}

static int send_primary_hello(wb_sim_conn *c, wb_sim_account *a, const char *code) {
    wb_sim_reg *r = c->reg;
    uint8_t wrapped[WB_WA_PAIR_WRAPPED_LEN];
    int rc = wb_wa_pair_code_unwrap(code, r->code_wrapped, r->companion_eph);
    if (rc == 0)
        rc = wb_keypair_generate(&r->primary_eph);
    if (rc == 0)
        rc = wb_wa_pair_code_wrap(code, r->primary_eph.pub, wrapped);
    if (rc < 0)
        return rc;
    r->account = a;
    char id[32];
    wb_sim_new_id(c->sim, id, sizeof id);
    wb_node *n = wb_wa_pair_code_primary_hello(&c->arena, id, wb_sim_now(c->sim), r->code_ref,
                                               sizeof r->code_ref, a->identity.pub, wrapped);
    r->code_stage = 2;
    return wb_sim_conn_send(c, n);
}

static void on_enter_code(wb_sim *sim, const wb_sim_request *req, wb_sim_reply *reply) {
    cJSON *body = cJSON_ParseWithLength((const char *)req->body, req->body_len);
    const char *phone = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "phone"));
    const char *code_in = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "code"));
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "name"));
    char code[WB_WA_PAIR_CODE_LEN + 1];
    wb_sim_reg *r;
    wb_sim_account *a;
    int rc;
    if (!phone || !code_in || wb_wa_pair_code_normalize(code_in, code) < 0)
        wb_sim_reply_error(reply, 400, "body must be {\"phone\": \"...\", \"code\": \"8 characters\"}");
    else if (!(r = reg_by_phone(sim, phone)))
        wb_sim_reply_error(reply, 404, "no companion asked for a pairing code for %s", phone);
    else if ((rc = wb_sim_account_get(sim, phone, &a)) < 0)
        wb_sim_reply_error(reply, rc == WB_EINVAL ? 400 : 500, "cannot use account %s", phone);
    else {
        wb_sim_account_name(sim, a, name && *name ? name : r->push_name);
        wb_sim_conn *c = r->conn;
        r->reply = reply;
        /* a failed send closes c but frees nothing: r is still there to look at */
        if ((rc = send_primary_hello(c, a, code)) < 0 && r->reply == reply) {
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
static int open_bundle(wb_sim_reg *r, const wb_wa_pair_code_reg *f, uint8_t adv[32]) {
    uint8_t shared[32], ident[32], primary[32], rnd[32], identity_dh[32];
    const wb_sim_account *a = r->account;
    int rc = wb_curve_agree(shared, r->primary_eph.priv, r->companion_eph);
    if (rc == 0)
        rc = wb_wa_pair_code_open(shared, f->bundle, f->bundle_len, ident, primary, rnd);
    if (rc == 0 && (wb_memneq(ident, f->ident, 32) || wb_memneq(ident, r->keys.identity, 32) ||
                    wb_memneq(primary, a->identity.pub, 32)))
        rc = WB_EPROTO;
    if (rc == 0)
        rc = wb_curve_agree(identity_dh, a->identity.priv, f->ident);
    if (rc == 0)
        rc = wb_wa_pair_code_adv_secret(shared, identity_dh, rnd, adv);
    wb_zero(shared, sizeof shared);
    wb_zero(rnd, sizeof rnd);
    wb_zero(identity_dh, sizeof identity_dh);
    return rc == WB_EAUTH || rc == WB_EPROTO || rc == 0 ? rc : WB_EPROTO;
}

static int on_finish(wb_sim_conn *c, const wb_wa_pair_code_reg *f, wb_node *reply) {
    wb_sim_reg *r = c->reg;
    if (r->code_stage != 2 || f->ref_len != sizeof r->code_ref ||
        wb_memneq(f->ref, r->code_ref, sizeof r->code_ref)) {
        wb_wa_iq_set_error(reply, 404, "item-not-found");
        return 0;
    }
    uint8_t adv[32];
    int rc = open_bundle(r, f, adv);
    if (rc < 0) {
        const char *why = rc == WB_EAUTH ? "the pairing code does not match the companion's"
                                         : "the key bundle names other identities";
        if (r->reply)
            wb_sim_reply_error(r->reply, 403, "%s", why);
        r->reply = NULL;
        r->code_stage = 1; /* the user may type the code again */
        wb_sim_count(c->sim, "pairings.wrong_code", 1);
        wb_sim_log_event(c, "companion_finish refused: %s", why);
        wb_wa_iq_set_error(reply, 401, "not-authorized");
        return 0;
    }
    rc = wb_sim_conn_send(c, reply); /* the answer goes before pair-success */
    if (rc == 0)
        rc = wb_sim_pair_success(c, r->account, adv);
    wb_zero(adv, sizeof adv);
    return rc < 0 ? wb_sim_conn_fail(c, rc, "cannot send pair-success") : WB_SIM_NO_REPLY;
}

static int on_link_code(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_wa_pair_code_reg reg;
    wb_error e = {0};
    int rc = wb_wa_pair_code_read(iq, &reg, &e);
    if (rc < 0)
        return wb_sim_conn_fail(c, rc, "link_code_companion_reg: %s", e.what);
    const char *stage = reg.stage ? reg.stage : "";
    if (strcmp(stage, "companion_hello") == 0)
        return on_hello(c, &reg, reply);
    if (strcmp(stage, "companion_finish") == 0)
        return on_finish(c, &reg, reply);
    wb_wa_iq_set_error(reply, 400, "bad-request");
    return 0;
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
