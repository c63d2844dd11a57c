/* Linking a companion (NOTES.md §3): the registration connection gets six QR refs in
 * <pair-device>; the phone (POST /admin/mock-phone/scan-qr, body = the QR string) checks the QR
 * against that connection's keys and sends <pair-success> with an ADV identity signed by the
 * account key and MACed with the QR's adv secret; the companion's <pair-device-sign> is checked
 * (details, account signature, XEdDSA device signature) before the device is stored; then
 * <stream:error code="515"/> sends the companion off to log in. pair_code.c reaches
 * wb_sim_pair_success the other way. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enc.h"
#include "core/log.h"
#include "core/mem.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "sim/sim_int.h"
#include "wb_proto.h"

static const uint8_t ADV_ACCOUNT_PREFIX[2] = {6, 0}; /* account signature */
static const uint8_t ADV_DEVICE_PREFIX[2] = {6, 1};  /* device signature */

static int bytes_field(const ProtobufCBinaryData *b, int has, size_t len) {
    return has && b->len == len;
}

/* ---- registration ---------------------------------------------------------------------------- */

static int on_pair_device_answer(wb_sim_conn *c, wb_node *answer, void *ud) {
    const char *type = wb_node_attr(answer, "type");
    if (!type || strcmp(type, "result") != 0)
        WB_WARN("sim", "%s: pair-device answered with %s", c->label, type ? type : "nothing");
    return 0;
}

int wb_sim_reg_start(wb_sim_conn *c, const Wa__ClientPayload *p) {
    const Wa__ClientPayload__DevicePairingRegistrationData *d = p->devicepairingdata;
    if (!bytes_field(&d->eregid, d->has_eregid, 4) || !bytes_field(&d->ekeytype, d->has_ekeytype, 1) ||
        d->ekeytype.data[0] != WB_KEY_TYPE_DJB || !bytes_field(&d->eident, d->has_eident, 32) ||
        !bytes_field(&d->eskeyid, d->has_eskeyid, 3) ||
        !bytes_field(&d->eskeyval, d->has_eskeyval, 32) ||
        !bytes_field(&d->eskeysig, d->has_eskeysig, 64))
        return wb_sim_conn_fail(c, WB_EPROTO, "registration payload with missing or bad keys");
    uint8_t signed_key[33] = {WB_KEY_TYPE_DJB};
    memcpy(signed_key + 1, d->eskeyval.data, 32);
    if (wb_xeddsa_verify(d->eident.data, signed_key, sizeof signed_key, d->eskeysig.data) < 0)
        return wb_sim_conn_fail(c, WB_EBADSIG, "registration: signed prekey signature invalid");
    wb_sim_reg *r = calloc(1, sizeof *r);
    if (!r)
        return WB_ENOMEM;
    r->conn = c;
    r->reg_id = wb_get_be32(d->eregid.data);
    memcpy(r->ident, d->eident.data, 32);
    r->skey_id = wb_get_be24(d->eskeyid.data);
    memcpy(r->skey_pub, d->eskeyval.data, 32);
    memcpy(r->skey_sig, d->eskeysig.data, 64);
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
    return wb_sim_conn_send_iq(c, iq, on_pair_device_answer, NULL);
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
        wb_sim_reply_error(r->reply, 409, "the companion's connection ended before linking: %s", why);
    wb_buf_free(&r->details);
    wb_free_secret(r, sizeof *r);
    c->reg = NULL;
}

/* ---- pair-success and pair-device-sign ------------------------------------------------------ */

/* The companion did not link: the admin request hears why, the connection closes. */
static int link_failed(wb_sim_conn *c, int status, const char *why) {
    wb_sim_reg *r = c->reg;
    if (r && r->reply) {
        wb_sim_reply_error(r->reply, status, "linking failed: %s", why);
        r->reply = NULL;
    }
    wb_sim_count(c->sim, "pairings.failed", 1);
    return wb_sim_conn_fail(c, WB_EPROTO, "linking failed: %s", why);
}

/* Checks the companion's signed identity against what was sent: same details and account
 * signature, a valid device signature by the companion's identity key. */
static int check_device_identity(const wb_sim_reg *r, const uint8_t *p, size_t len,
                                 const char **why) {
    Wa__ADVSignedDeviceIdentity *id;
    int rc = wb_proto_unpack(&wa__advsigned_device_identity__descriptor, p, len, 0, &id, NULL);
    if (rc < 0) {
        *why = "device-identity is not an ADVSignedDeviceIdentity";
        return rc;
    }
    const wb_sim_account *a = r->account;
    wb_buf msg = WB_BUF_INIT;
    rc = WB_EBADSIG;
    if (!id->has_details || id->details.len != r->details.len ||
        memcmp(id->details.data, r->details.data, r->details.len) != 0)
        *why = "device-identity details differ from those sent";
    else if (!bytes_field(&id->accountsignature, id->has_accountsignature, WB_SIG_LEN) ||
             memcmp(id->accountsignature.data, r->account_sig, WB_SIG_LEN) != 0)
        *why = "device-identity account signature differs from the one sent";
    else if (id->has_accountsignaturekey &&
             !(id->accountsignaturekey.len == WB_KEY_LEN &&
               memcmp(id->accountsignaturekey.data, a->identity.pub, WB_KEY_LEN) == 0))
        *why = "device-identity names another account key";
    else if (!bytes_field(&id->devicesignature, id->has_devicesignature, WB_SIG_LEN))
        *why = "device-identity without a 64-byte device signature";
    else {
        wb_buf_append(&msg, ADV_DEVICE_PREFIX, 2);
        wb_buf_append(&msg, r->details.data, r->details.len);
        wb_buf_append(&msg, r->ident, WB_KEY_LEN);
        wb_buf_append(&msg, a->identity.pub, WB_KEY_LEN);
        rc = msg.err ? msg.err
                     : wb_xeddsa_verify(r->ident, msg.data, msg.len, id->devicesignature.data);
        *why = rc == 0 ? NULL : "device signature invalid";
    }
    wb_buf_free(&msg);
    wb_proto_free(id);
    return rc;
}

static int on_pair_sign(wb_sim_conn *c, wb_node *answer, void *ud) {
    wb_sim *sim = c->sim;
    wb_sim_reg *r = c->reg;
    if (!r || !r->signing)
        return wb_sim_conn_fail(c, WB_EPROTO, "pair-device-sign without pair-success");
    if (strcmp(wb_node_attr(answer, "type") ? wb_node_attr(answer, "type") : "", "result") != 0)
        return link_failed(c, 502, "the companion answered pair-success with an error");
    wb_node *ident = wb_node_path(answer, "pair-device-sign", "device-identity", NULL);
    size_t len;
    const uint8_t *p = wb_node_content(ident, &len);
    const char *ki = wb_node_attr(ident, "key-index");
    char want[16];
    snprintf(want, sizeof want, "%u", r->key_index);
    const char *why = NULL;
    if (!p || ident->kind != WB_CONTENT_BYTES)
        why = "pair-device-sign without device-identity bytes";
    else if (!ki || strcmp(ki, want) != 0)
        why = "pair-device-sign with the wrong key-index";
    else
        check_device_identity(r, p, len, &why);
    if (why)
        return link_failed(c, 403, why);
    wb_sim_device tmpl = {.id = r->device_id, .key_index = r->key_index, .reg_id = r->reg_id,
                          .skey_id = r->skey_id};
    memcpy(tmpl.noise_pub, c->peer_static, WB_KEY_LEN);
    memcpy(tmpl.identity_pub, r->ident, WB_KEY_LEN);
    memcpy(tmpl.skey_pub, r->skey_pub, WB_KEY_LEN);
    memcpy(tmpl.skey_sig, r->skey_sig, WB_SIG_LEN);
    snprintf(tmpl.platform, sizeof tmpl.platform, "%s", r->platform);
    wb_sim_device *d;
    int rc = wb_sim_device_add(sim, r->account, &tmpl, &d);
    if (rc < 0)
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
    return 0;
}

int wb_sim_pair_success(wb_sim_conn *c, wb_sim_account *a, const uint8_t adv_secret[32]) {
    wb_sim *sim = c->sim;
    wb_sim_reg *r = c->reg;
    if (!r || r->signing)
        return WB_ESTATE;
    int rc = wb_sim_account_reserve(sim, a, &r->device_id, &r->key_index);
    if (rc < 0)
        return rc;
    r->account = a;
    Wa__ADVDeviceIdentity di = WA__ADVDEVICE_IDENTITY__INIT;
    di.has_rawid = di.has_timestamp = di.has_keyindex = 1;
    di.has_accounttype = di.has_devicetype = 1; /* explicit zeros: E2EE */
    di.rawid = a->adv_raw_id;
    di.timestamp = (uint64_t)wb_sim_now(sim);
    di.keyindex = r->key_index;
    wb_buf_reset(&r->details);
    wb_buf msg = WB_BUF_INIT, signed_id = WB_BUF_INIT, container = WB_BUF_INIT;
    wb_proto_pack(&di, &r->details);
    wb_buf_append(&msg, ADV_ACCOUNT_PREFIX, 2);
    wb_buf_append(&msg, r->details.data, r->details.len);
    wb_buf_append(&msg, r->ident, WB_KEY_LEN);
    if ((rc = r->details.err ? r->details.err : msg.err) < 0 ||
        (rc = wb_xeddsa_sign(r->account_sig, a->identity.priv, msg.data, msg.len)) < 0)
        goto done;
    Wa__ADVSignedDeviceIdentity sd = WA__ADVSIGNED_DEVICE_IDENTITY__INIT;
    sd.has_details = sd.has_accountsignaturekey = sd.has_accountsignature = 1;
    sd.details = (ProtobufCBinaryData){r->details.len, r->details.data};
    sd.accountsignaturekey = (ProtobufCBinaryData){WB_KEY_LEN, a->identity.pub};
    sd.accountsignature = (ProtobufCBinaryData){WB_SIG_LEN, r->account_sig};
    if ((rc = wb_proto_pack(&sd, &signed_id)) < 0)
        goto done;
    uint8_t mac[WB_SHA256_LEN];
    wb_hmac_sha256(mac, adv_secret, 32, signed_id.data, signed_id.len);
    Wa__ADVSignedDeviceIdentityHMAC hm = WA__ADVSIGNED_DEVICE_IDENTITY_HMAC__INIT;
    hm.has_details = hm.has_hmac = hm.has_accounttype = 1;
    hm.details = (ProtobufCBinaryData){signed_id.len, signed_id.data};
    hm.hmac = (ProtobufCBinaryData){sizeof mac, mac};
    if ((rc = wb_proto_pack(&hm, &container)) < 0)
        goto done;
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
    rc = wb_sim_conn_send_iq(c, iq, on_pair_sign, NULL);
done:
    wb_buf_free(&msg);
    wb_buf_free(&signed_id);
    wb_buf_free(&container);
    return rc;
}

/* ---- the phone scans a QR: POST /admin/mock-phone/scan-qr[?phone=N][&name=X] --------------- */

/* Splits the QR string "[https://wa.me/settings/linked_devices#]ref,noise,identity,adv[,platform]". */
static int parse_qr(const char *text, size_t len, char parts[5][128]) {
    const char *hash = memchr(text, '#', len);
    if (hash) {
        len -= (size_t)(hash + 1 - text);
        text = hash + 1;
    }
    int n = 0;
    while (len && n < 5) {
        const char *comma = memchr(text, ',', len);
        size_t k = comma ? (size_t)(comma - text) : len;
        if (k >= sizeof parts[0])
            return WB_EMALFORMED;
        memcpy(parts[n], text, k);
        parts[n++][k] = '\0';
        len -= comma ? k + 1 : k;
        text += comma ? k + 1 : k;
    }
    return n >= 4 && len == 0 ? n : WB_EMALFORMED;
}

static int decode_key(const char *b64, uint8_t out[32]) {
    wb_buf b = WB_BUF_INIT;
    int rc = wb_b64_decode(&b, b64, strlen(b64), WB_B64_STD);
    if (rc == 0 && b.len != 32)
        rc = WB_EMALFORMED;
    if (rc == 0)
        memcpy(out, b.data, 32);
    wb_buf_free_secret(&b);
    return rc;
}

static wb_sim_reg *reg_by_ref(wb_sim *sim, const char *ref) {
    for (wb_sim_reg *r = sim->regs; r; r = r->next)
        for (int i = 0; i < WB_SIM_REFS; i++)
            if (strcmp(r->refs[i], ref) == 0)
                return r;
    return NULL;
}

static void on_scan_qr(wb_sim *sim, const wb_sim_request *req, wb_sim_reply *reply) {
    char parts[5][128], phone[32], name[WB_SIM_NAME_MAX + 1];
    uint8_t noise[32], ident[32], adv[32];
    int n = parse_qr((const char *)req->body, req->body_len, parts);
    if (n < 0 || decode_key(parts[1], noise) < 0 || decode_key(parts[2], ident) < 0 ||
        decode_key(parts[3], adv) < 0)
        return wb_sim_reply_error(reply, 400, "the body is not a WhatsApp QR string");
    if (wb_sim_query_param(req, "phone", phone, sizeof phone) < 0 ||
        wb_sim_query_param(req, "name", name, sizeof name) < 0)
        return wb_sim_reply_error(reply, 400, "bad query string");
    wb_sim_reg *r = reg_by_ref(sim, parts[0]);
    if (!r)
        return wb_sim_reply_error(reply, 404, "no companion is showing this QR");
    if (r->signing || r->reply)
        return wb_sim_reply_error(reply, 409, "this companion is already being linked");
    if (wb_memneq(noise, r->conn->peer_static, 32) || wb_memneq(ident, r->ident, 32))
        return wb_sim_reply_error(reply, 400, "the QR's keys are not the companion's");
    wb_sim_account *a;
    int rc = wb_sim_account_get(sim, phone, &a);
    if (rc < 0)
        return wb_sim_reply_error(reply, rc == WB_EINVAL ? 400 : 500, "cannot use account %s: %s",
                                  phone, wb_strerror(rc));
    wb_sim_account_name(sim, a, name[0] ? name : r->push_name);
    if (n == 5)
        snprintf(r->platform, sizeof r->platform, "%.31s", parts[4]);
    wb_sim_conn *c = r->conn;
    r->reply = reply;
    rc = wb_sim_pair_success(c, a, adv);
    wb_zero(adv, sizeof adv);
    if (rc < 0) {
        r->reply = NULL;
        wb_sim_reply_error(reply, 500, "cannot send pair-success: %s", wb_strerror(rc));
        if (c->state != WB_SIM_CLOSING)
            wb_sim_conn_close(c, "cannot send pair-success");
    }
}

static const wb_sim_http_route http[] = {
    {"POST", "/admin/mock-phone/scan-qr", on_scan_qr},
    {NULL, NULL, NULL},
};

const wb_sim_family wb_sim_family_pair = {.name = "pair", .http = http};
