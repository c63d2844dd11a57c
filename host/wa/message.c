/* Message stanzas (message.h). */
#include "wa/message.h"
#include "wa/reporting.h"

#include <stdio.h>
#include <string.h>

#include "crypto/hash.h"
#include "crypto/random.h"
#include "wa/wa_int.h"

void wb_wa_message_id_new(char out[WB_WA_MESSAGE_ID_LEN + 1], const wb_jid *me, int64_t now) {
    uint8_t random[16];
    wb_random_bytes(random, sizeof random);
    wb_wa_message_id_of(out, me, now, random);
}

void wb_wa_message_id_of(char out[WB_WA_MESSAGE_ID_LEN + 1], const wb_jid *me, int64_t now,
                         const uint8_t random[16]) {
    uint8_t data[8 + 20 + 16] = {0}, h[WB_SHA256_LEN];
    for (int i = 0; i < 8; i++)
        data[i] = (uint8_t)((uint64_t)now >> (56 - 8 * i));
    if (me && me->user[0]) {
        char user[WB_JID_USER_MAX + 8];
        int n = snprintf(user, sizeof user, "%s@c.us", me->user);
        memcpy(data + 8, user, n < 20 ? (size_t)n : 20);
    }
    memcpy(data + 28, random, 16);
    wb_sha256(h, data, sizeof data);
    static const char hex[] = "0123456789ABCDEF";
    memcpy(out, "3EB0", 4);
    for (int i = 0; i < 18; i++)
        out[4 + i] = hex[(h[i / 2] >> (i % 2 ? 0 : 4)) & 15];
    out[WB_WA_MESSAGE_ID_LEN] = '\0';
}

/* ---- <enc> ----------------------------------------------------------------------------------- */

static void enc_fill(wb_node *parent, const wb_wa_enc *e) {
    wb_node *n = WB_CHILD(parent, "enc", {"v", e->v ? e->v : "2"}, {"type", e->type},
                          {"mediatype", e->mediatype}, {"decrypt-fail", e->decrypt_fail});
    if (e->count)
        wb_node_set_i64(n, "count", e->count);
    wb_node_set_bytes(n, e->data ? e->data : (const uint8_t *)"", e->len);
}

static int enc_read(const wb_node *n, void *item, void *ud, wb_error *err) {
    wb_wa_enc *e = item;
    wb_attrs a = wb_attrs_of(n);
    e->type = wb_attrs_str(&a, "type");
    e->v = wb_attrs_opt_str(&a, "v");
    e->mediatype = wb_attrs_opt_str(&a, "mediatype");
    e->decrypt_fail = wb_attrs_opt_str(&a, "decrypt-fail");
    uint64_t count = wb_attrs_opt_u64(&a, "count", 0);
    if (wb_attrs_ok(&a) && count > UINT32_MAX)
        return wb_error_set(err, WB_EMALFORMED, 0, "enc count %llu", (unsigned long long)count);
    e->count = (uint32_t)count;
    e->data = wb_node_content(n, &e->len);
    if (wb_attrs_ok(&a) && !e->data)
        return wb_error_set(err, WB_EPROTO, 0, "<enc type=%.16s> without bytes", e->type);
    return wb_attrs_check(&a, err);
}

/* The <enc> children of n into an arena array. */
static int encs_read(const wb_node *n, wb_arena *a, const wb_wa_enc **out, size_t *nout,
                     wb_error *err) {
    return wb_wa_read_children(n, "enc", SIZE_MAX, a, sizeof **out, enc_read, NULL, out, nout,
                               err);
}

static void identity_fill(wb_node *parent, const uint8_t *p, size_t len) {
    if (p)
        wb_node_set_bytes(wb_node_add_new(parent, "device-identity"), p, len);
}

/* ---- sent -------------------------------------------------------------------------------------- */

wb_node *wb_wa_message_send_new(wb_arena *a, const wb_wa_message_send *m) {
    wb_node *n = WB_NODE(a, "message", {"id", m->id}, {"type", m->type},
                         {"addressing_mode", m->addressing_mode}, {"edit", m->edit},
                         {"category", m->category}, {"expiration", m->expiration},
                         {"device_fanout", m->device_fanout});
    wb_node_set_jid(n, "to", &m->to);
    wb_node_set_jid(n, "participant", &m->participant);
    wb_node_set_jid(n, "recipient", &m->recipient);
    for (size_t i = 0; i < m->nencs; i++)
        enc_fill(n, &m->encs[i]);
    if (m->ntargets) {
        wb_node *parts = wb_node_add_new(n, "participants");
        for (size_t i = 0; i < m->ntargets; i++) {
            wb_node *to = wb_node_add_new(parts, "to");
            wb_node_set_jid(to, "jid", &m->targets[i].jid);
            if (m->targets[i].has_enc)
                enc_fill(to, &m->targets[i].enc);
        }
    }
    identity_fill(n, m->identity, m->identity_len);
    if (m->reporting_token)
        wb_wa_reporting_fill(n, m->reporting_token);
    if (m->poll_type)
        WB_CHILD(n, "meta", {"polltype", m->poll_type});
    return n;
}

static int target_read(const wb_node *to, void *item, void *ud, wb_error *err) {
    wb_wa_target *x = item;
    wb_attrs at = wb_attrs_of(to);
    x->jid = wb_attrs_jid(&at, "jid");
    if (!wb_attrs_ok(&at))
        return wb_attrs_check(&at, err);
    wb_node *e = wb_node_child(to, "enc");
    x->has_enc = e != NULL;
    return e ? enc_read(e, &x->enc, NULL, err) : 0;
}

int wb_wa_message_send_read(const wb_node *n, wb_arena *a, wb_wa_message_send *out,
                            wb_error *err) {
    if (!wb_node_is(n, "message"))
        return wb_error_set(err, WB_EPROTO, 0, "not a <message>");
    wb_wa_message_send m = {0};
    wb_attrs at = wb_attrs_of(n);
    m.id = wb_attrs_str(&at, "id");
    m.to = wb_attrs_jid(&at, "to");
    m.type = wb_attrs_opt_str(&at, "type");
    m.participant = wb_attrs_opt_jid(&at, "participant");
    m.recipient = wb_attrs_opt_jid(&at, "recipient");
    m.addressing_mode = wb_attrs_opt_str(&at, "addressing_mode");
    m.edit = wb_attrs_opt_str(&at, "edit");
    m.category = wb_attrs_opt_str(&at, "category");
    m.expiration = wb_attrs_opt_str(&at, "expiration");
    m.device_fanout = wb_attrs_opt_str(&at, "device_fanout");
    m.identity = wb_attrs_opt_child_bytes(&at, "device-identity", 0, &m.identity_len);
    if (!wb_attrs_ok(&at))
        return wb_attrs_check(&at, err);
    if (!*m.id || strlen(m.id) > WB_WA_ID_MAX)
        return wb_error_set(err, WB_EPROTO, 0, "message with an id of %zu bytes", strlen(m.id));
    m.poll_type = wb_node_attr(wb_node_child(n, "meta"), "polltype");
    int rc = encs_read(n, a, &m.encs, &m.nencs, err);
    if (rc == 0)
        rc = wb_wa_read_children(wb_node_child(n, "participants"), "to",
                                 WB_WA_MESSAGE_TARGETS_MAX, a, sizeof *m.targets, target_read,
                                 NULL, &m.targets, &m.ntargets, err);
    if (rc < 0)
        return rc;
    *out = m;
    return 0;
}

/* ---- delivered ------------------------------------------------------------------------------ */

wb_node *wb_wa_message_new(wb_arena *a, const wb_wa_message *m) {
    wb_node *n = WB_NODE(a, "message", {"id", m->id});
    wb_node_set_jid(n, "from", &m->from);
    wb_node_set_jid(n, "participant", &m->participant);
    wb_node_set_jid(n, "participant_lid", &m->participant_lid);
    wb_node_set_jid(n, "participant_pn", &m->participant_pn);
    wb_node_set_jid(n, "sender_lid", &m->sender_lid);
    wb_node_set_jid(n, "sender_pn", &m->sender_pn);
    wb_node_set_jid(n, "recipient", &m->recipient);
    wb_node_set(n, "addressing_mode", m->addressing_mode);
    wb_node_set_i64(n, "t", m->t);
    wb_node_set(n, "type", m->type);
    wb_node_set(n, "edit", m->edit);
    wb_node_set(n, "category", m->category);
    wb_node_set(n, "expiration", m->expiration);
    wb_node_set(n, "notify", m->notify);
    if (m->offline)
        wb_node_set(n, "offline", "1");
    for (size_t i = 0; i < m->nencs; i++)
        enc_fill(n, &m->encs[i]);
    identity_fill(n, m->identity, m->identity_len);
    return n;
}

int wb_wa_message_read(const wb_node *n, wb_arena *a, wb_wa_message *out, wb_error *err) {
    if (!wb_node_is(n, "message"))
        return wb_error_set(err, WB_EPROTO, 0, "not a <message>");
    wb_wa_message m = {0};
    wb_attrs at = wb_attrs_of(n);
    m.id = wb_attrs_str(&at, "id");
    m.from = wb_attrs_jid(&at, "from");
    m.t = wb_attrs_i64(&at, "t");
    m.participant = wb_attrs_opt_jid(&at, "participant");
    m.participant_lid = wb_attrs_opt_jid(&at, "participant_lid");
    m.participant_pn = wb_attrs_opt_jid(&at, "participant_pn");
    m.sender_lid = wb_attrs_opt_jid(&at, "sender_lid");
    m.sender_pn = wb_attrs_opt_jid(&at, "sender_pn");
    m.recipient = wb_attrs_opt_jid(&at, "recipient");
    m.addressing_mode = wb_attrs_opt_str(&at, "addressing_mode");
    m.type = wb_attrs_opt_str(&at, "type");
    m.edit = wb_attrs_opt_str(&at, "edit");
    m.category = wb_attrs_opt_str(&at, "category");
    m.expiration = wb_attrs_opt_str(&at, "expiration");
    m.notify = wb_attrs_opt_str(&at, "notify");
    m.offline = wb_attrs_opt_str(&at, "offline") != NULL;
    m.identity = wb_attrs_opt_child_bytes(&at, "device-identity", 0, &m.identity_len);
    if (!wb_attrs_ok(&at))
        return wb_attrs_check(&at, err);
    if (!*m.id || strlen(m.id) > WB_WA_ID_MAX)
        return wb_error_set(err, WB_EPROTO, 0, "message with an id of %zu bytes", strlen(m.id));
    int shared = wb_jid_on(&m.from, WB_SERVER_GROUP) || wb_jid_on(&m.from, WB_SERVER_BROADCAST);
    if (shared && wb_jid_is_empty(&m.participant))
        return wb_error_set(err, WB_EPROTO, 0, "message from %s without participant",
                            m.from.server);
    int rc = encs_read(n, a, &m.encs, &m.nencs, err);
    if (rc < 0)
        return rc;
    m.sender = wb_jid_is_empty(&m.participant) ? m.from : m.participant;
    if (shared || wb_jid_on(&m.from, WB_SERVER_NEWSLETTER))
        m.chat = m.from;
    else if (!wb_jid_is_empty(&m.recipient))
        m.chat = m.recipient;
    else
        m.chat = wb_jid_user_jid(&m.from);
    *out = m;
    return 0;
}
