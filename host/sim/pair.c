/* Linking a companion (NOTES.md §3): the registration connection gets six QR refs in
 * <pair-device>; the phone (POST /admin/mock-phone/scan-qr, body = the QR string) checks the QR
 * against that connection's keys and sends <pair-success> with an ADV identity signed by the
 * account key and MACed with the QR's adv secret (wa/adv.h); the companion's <pair-device-sign>
 * is checked (details, account signature, XEdDSA device signature) before the device is stored;
 * then <stream:error code="515"/> sends the companion off to log in. pair_code.c reaches
 * wb_sim_pair_success the other way.
 *
 * The registration lives as long as its connection: a send that fails closes the connection
 * but frees nothing (conn.c), so the admin handlers below can still see whether their reply was
 * answered; wb_sim_reg_free runs when the host frees the connection. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enc.h"
#include "core/log.h"
#include "core/mem.h"
#include "crypto/random.h"
#include "sim/sim_int.h"
#include "wa/payload.h"
#include "wa/qr.h"
#include "wb_proto.h"

/* ---- registration ---------------------------------------------------------------------------- */

static void on_pair_device_answer(void *ud, int status, const wb_node *answer) {
    wb_sim_conn *c = ud;
    if (status < 0 && status != WB_ECLOSED)
        WB_WARN("sim", "%s: pair-device answered with %s", c->label, wb_strerror(status));
}

int wb_sim_reg_start(wb_sim_conn *c, const Wa__ClientPayload *p) {
    wb_wa_device_keys keys;
    wb_error e = {0};
    int rc = wb_wa_payload_reg_keys(p, &keys, &e);
    if (rc < 0)
        return wb_sim_conn_fail(c, rc, "%s", e.what);
    wb_sim_reg *r = calloc(1, sizeof *r);
    if (!r)
        return WB_ENOMEM;
    r->conn = c;
    r->keys = keys;
    snprintf(r->push_name, sizeof r->push_name, "%s", p->pushname ? p->pushname : "");
    for (int i = 0; i < WB_SIM_REFS; i++) {
        uint8_t rnd[30];
        wb_buf b = WB_BUF_INIT;
        wb_random_bytes(rnd, sizeof rnd);
        wb_buf_append(&b, "2@", 2);
        wb_b64_encode(&b, rnd, sizeof rnd, WB_B64_STD);
        snprintf(r->refs[i], sizeof r->refs[i], "%.*s", (int)b.len, (const char *)b.data);
        wb_buf_free(&b);
    }
    r->next = c->sim->regs;
    c->sim->regs = r;
    c->reg = r;
    c->state = WB_SIM_REGISTERING;
    wb_node *iq = wb_sim_iq_new(c, "set", "md");
    wb_node *pd = wb_node_add_new(iq, "pair-device");
    for (int i = 0; i < WB_SIM_REFS; i++)
        wb_node_set_bytes(wb_node_add_new(pd, "ref"), r->refs[i], strlen(r->refs[i]));
    return wb_sim_conn_send_iq(c, iq, on_pair_device_answer, c);
}

void wb_sim_reg_free(wb_sim_conn *c, const char *why) {
    wb_sim_reg *r = c->reg;
    if (!r)
        return;
    for (wb_sim_reg **pp = &c->sim->regs; *pp; pp = &(*pp)->next)
        if (*pp == r) {
            *pp = r->next;
            break;
        }
    if (r->reply)
        wb_sim_reply_error(r->reply, 409, "the companion's connection ended before linking: %s",
                           why && *why ? why : "connection closed");
    wb_free_secret(r, sizeof *r);
    c->reg = NULL;
}

/* ---- pair-success and pair-device-sign ------------------------------------------------------ */

/* The companion did not link: the admin request hears why, the connection closes. */
static void link_failed(wb_sim_conn *c, int status, const char *why) {
    wb_sim_reg *r = c->reg;
    if (r && r->reply) {
        wb_sim_reply_error(r->reply, status, "linking failed: %s", why);
        r->reply = NULL;
    }
    wb_sim_count(c->sim, "pairings.failed", 1);
    wb_sim_conn_close(c, "linking failed: %s", why);
}

static void on_pair_sign(void *ud, int status, const wb_node *answer) {
    wb_sim_conn *c = ud;
    wb_sim *sim = c->sim;
    wb_sim_reg *r = c->reg;
    if (status == WB_ECLOSED || !r)
        return; /* the connection ended first: wb_sim_reg_free answers the admin request */
    if (status < 0)
        return link_failed(c, 502, "the companion answered pair-success with an error");
    wb_node *ident = wb_node_path(answer, "pair-device-sign", "device-identity", NULL);
    size_t len;
    const uint8_t *p = wb_node_content(ident, &len);
    wb_attrs a = wb_attrs_of(ident);
    uint64_t key_index = wb_attrs_u64(&a, "key-index");
    const char *why = NULL;
    if (!p || ident->kind != WB_CONTENT_BYTES)
        why = "pair-device-sign without device-identity bytes";
    else if (!wb_attrs_ok(&a) || key_index != r->issued.key_index)
        why = "pair-device-sign with the wrong key-index";
    else
        wb_wa_adv_check_signed(p, len, &r->issued, r->keys.identity, &why);
    if (why)
        return link_failed(c, 403, why);
    wb_sim_device tmpl = {.id = r->device_id, .key_index = r->issued.key_index, .keys = r->keys};
    memcpy(tmpl.noise_pub, c->peer_static, WB_KEY_LEN);
    snprintf(tmpl.platform, sizeof tmpl.platform, "%s", r->platform);
    wb_sim_device *d;
    if (wb_sim_device_add(sim, r->account, &tmpl, &d) < 0)
        return link_failed(c, 500, "cannot store the device");
    char jid[WB_JID_STR_MAX], lid[WB_JID_STR_MAX];
    wb_sim_device_jid(d, jid);
    wb_sim_device_lid_jid(d, lid);
    WB_INFO("sim", "%s linked as %s", c->label, jid);
    wb_sim_log_event(c, "linked as %s", jid);
    wb_sim_count(sim, "pairings.ok", 1);
    if (r->reply) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "phone", r->account->phone);
        cJSON_AddStringToObject(o, "jid", jid);
        cJSON_AddStringToObject(o, "lid", lid);
        wb_sim_reply_cjson(r->reply, 200, o);
        r->reply = NULL;
    }
    wb_sim_hook_linked(sim, d);
    wb_sim_conn_stream_error(c, 515, NULL, NULL, "linked; the companion must log in (515)");
}

int wb_sim_pair_success(wb_sim_conn *c, wb_sim_account *a, const uint8_t adv_secret[32]) {
    wb_sim *sim = c->sim;
    wb_sim_reg *r = c->reg;
    if (!r || r->signing || c->state == WB_SIM_CLOSING)
        return WB_ESTATE;
    uint32_t key_index;
    int rc = wb_sim_account_reserve(sim, a, &r->device_id, &key_index);
    if (rc < 0)
        return rc;
    r->account = a;
    wb_buf container = WB_BUF_INIT;
    rc = wb_wa_adv_issue(&a->identity, a->adv_raw_id, (uint64_t)wb_sim_now(sim), key_index,
                         r->keys.identity, adv_secret, &r->issued, &container);
    if (rc == 0) {
        char jid[WB_JID_STR_MAX], lid[WB_JID_STR_MAX];
        snprintf(jid, sizeof jid, "%s:%u@" WB_SERVER_USER, a->phone, r->device_id);
        snprintf(lid, sizeof lid, "%s:%u@" WB_SERVER_LID, a->lid, r->device_id);
        wb_node *iq = wb_sim_iq_new(c, "set", "md");
        wb_node_set_i64(iq, "t", wb_sim_now(sim));
        wb_node *ps = wb_node_add_new(iq, "pair-success");
        wb_node_set_bytes(wb_node_add_new(ps, "device-identity"), container.data, container.len);
        WB_CHILD(ps, "platform", {"name", "android"});
        WB_CHILD(ps, "device", {"jid", jid}, {"lid", lid});
        if (a->name[0])
            WB_CHILD(ps, "biz", {"name", a->name});
        r->signing = 1;
        wb_sim_log_event(c, "pair-success for %s", jid);
        rc = wb_sim_conn_send_iq(c, iq, on_pair_sign, c);
    }
    wb_buf_free(&container);
    return rc;
}

/* ---- the phone scans a QR: POST /admin/mock-phone/scan-qr[?phone=N][&name=X] --------------- */

static wb_sim_reg *reg_by_ref(wb_sim *sim, const char *ref) {
    for (wb_sim_reg *r = sim->regs; r; r = r->next)
        for (int i = 0; i < WB_SIM_REFS && r->conn->state != WB_SIM_CLOSING; i++)
            if (strcmp(r->refs[i], ref) == 0)
                return r;
    return NULL;
}

static void on_scan_qr(wb_sim *sim, const wb_sim_request *req, wb_sim_reply *reply) {
    char phone[32], name[WB_SIM_NAME_MAX + 1];
    wb_wa_qr qr;
    if (wb_wa_qr_parse((const char *)req->body, req->body_len, &qr) < 0)
        return wb_sim_reply_error(reply, 400, "the body is not a WhatsApp QR string");
    wb_sim_reg *r = reg_by_ref(sim, qr.ref);
    if (wb_sim_query_param(req, "phone", phone, sizeof phone) < 0 ||
        wb_sim_query_param(req, "name", name, sizeof name) < 0)
        wb_sim_reply_error(reply, 400, "bad query string");
    else if (!r)
        wb_sim_reply_error(reply, 404, "no companion is showing this QR");
    else if (r->signing || r->reply)
        wb_sim_reply_error(reply, 409, "this companion is already being linked");
    else if (wb_memneq(qr.noise_pub, r->conn->peer_static, 32) ||
             wb_memneq(qr.identity_pub, r->keys.identity, 32))
        wb_sim_reply_error(reply, 400, "the QR's keys are not the companion's");
    else {
        wb_sim_account *a;
        int rc = wb_sim_account_get(sim, phone, &a);
        if (rc < 0) {
            wb_sim_reply_error(reply, rc == WB_EINVAL ? 400 : 500, "cannot use account %s: %s",
                               phone, wb_strerror(rc));
        } else {
            wb_sim_account_name(sim, a, name[0] ? name : r->push_name);
            if (qr.platform[0])
                snprintf(r->platform, sizeof r->platform, "%s", qr.platform);
            wb_sim_conn *c = r->conn;
            r->reply = reply;
            rc = wb_sim_pair_success(c, a, qr.adv_secret);
            /* a failed send closed the connection without freeing r; answer here unless the
             * close already did */
            if (rc < 0 && r->reply == reply) {
                r->reply = NULL;
                wb_sim_reply_error(reply, 500, "cannot send pair-success: %s", wb_strerror(rc));
                wb_sim_conn_close(c, "cannot send pair-success");
            }
        }
    }
    wb_zero(&qr, sizeof qr);
}

static const wb_sim_http_route http[] = {
    {"POST", "/admin/mock-phone/scan-qr", on_scan_qr},
    {NULL, NULL, NULL},
};

const wb_sim_family wb_sim_family_pair = {.name = "pair", .http = http};
