/* Receipts and acks (receipt.h). */
#include "wa/receipt.h"

#include <string.h>

#include "core/buf.h"
#include "crypto/curve.h"
#include "wa/prekeys.h"

/* The addressing receipts and acks share (an empty JID is left out). */
static void route_fill(wb_node *n, const wb_jid *from, const wb_jid *to, const wb_jid *participant,
                       const wb_jid *recipient) {
    wb_node_set_jid(n, "from", from);
    wb_node_set_jid(n, "to", to);
    wb_node_set_jid(n, "participant", participant);
    wb_node_set_jid(n, "recipient", recipient);
}

static void route_read(wb_attrs *a, wb_jid *from, wb_jid *to, wb_jid *participant,
                       wb_jid *recipient) {
    *from = wb_attrs_opt_jid(a, "from");
    *to = wb_attrs_opt_jid(a, "to");
    *participant = wb_attrs_opt_jid(a, "participant");
    *recipient = wb_attrs_opt_jid(a, "recipient");
}

/* ---- receipts ------------------------------------------------------------------------------ */

static void keys_fill(wb_node *receipt, const wb_wa_receipt *r) {
    static const uint8_t djb = WB_KEY_TYPE_DJB;
    const wb_signal_bundle *b = &r->keys;
    wb_node *k = wb_node_add_new(receipt, "keys");
    wb_node_set_bytes(wb_node_add_new(k, "type"), &djb, 1);
    wb_node_set_bytes(wb_node_add_new(k, "identity"), b->identity, WB_KEY_LEN);
    if (b->has_prekey) {
        wb_signal_prekey pk = {.id = b->prekey_id};
        memcpy(pk.pub, b->prekey, WB_KEY_LEN);
        wb_wa_prekeys_key_fill(k, &pk);
    }
    wb_signal_signed_prekey sk = {.id = b->signed_prekey_id};
    memcpy(sk.pub, b->signed_prekey, WB_KEY_LEN);
    memcpy(sk.signature, b->signed_prekey_signature, WB_SIG_LEN);
    wb_wa_prekeys_skey_fill(k, &sk);
    if (r->device_identity)
        wb_node_set_bytes(wb_node_add_new(k, "device-identity"), r->device_identity,
                          r->device_identity_len);
}

wb_node *wb_wa_receipt_new(wb_arena *a, const wb_wa_receipt *r) {
    wb_node *n = WB_NODE(a, "receipt", {"id", r->nids ? r->ids[0] : NULL}, {"type", r->type});
    route_fill(n, &r->from, &r->to, &r->participant, &r->recipient);
    if (r->t)
        wb_node_set_i64(n, "t", r->t);
    if (r->nids > 1) {
        wb_node *list = wb_node_add_new(n, "list");
        for (size_t i = 1; i < r->nids; i++)
            WB_CHILD(list, "item", {"id", r->ids[i]});
    }
    if (r->has_retry) {
        wb_node *rt = WB_CHILD(n, "retry", {"id", r->retry.id});
        wb_node_set_i64(rt, "count", r->retry.count);
        if (r->retry.t)
            wb_node_set_i64(rt, "t", r->retry.t);
        wb_node_set(rt, "v", "1");
        wb_node_set_i64(rt, "error", r->retry.error);
    }
    if (r->has_registration) {
        uint8_t reg[4];
        wb_put_be32(reg, r->registration_id);
        wb_node_set_bytes(wb_node_add_new(n, "registration"), reg, sizeof reg);
    }
    if (r->has_keys)
        keys_fill(n, r);
    return n;
}

/* The <keys> of a retry receipt, as a bundle. */
static int keys_read(const wb_node *keys, wb_wa_receipt *r, wb_error *err) {
    wb_attrs a = wb_attrs_of(keys);
    const uint8_t *type = wb_attrs_child_bytes(&a, "type", 1, NULL);
    const uint8_t *ident = wb_attrs_child_bytes(&a, "identity", WB_KEY_LEN, NULL);
    r->device_identity = wb_attrs_opt_child_bytes(&a, "device-identity", 0, &r->device_identity_len);
    if (!wb_attrs_ok(&a))
        return wb_attrs_check(&a, err);
    if (type[0] != WB_KEY_TYPE_DJB)
        return wb_error_set(err, WB_EMALFORMED, 0, "retry keys of type %u, not 5", type[0]);
    wb_signal_bundle *b = &r->keys;
    wb_signal_signed_prekey sk;
    int rc = wb_wa_prekeys_skey_read(wb_node_child(keys, "skey"), NULL, &sk, err);
    if (rc < 0)
        return rc;
    memcpy(b->identity, ident, WB_KEY_LEN);
    b->signed_prekey_id = sk.id;
    memcpy(b->signed_prekey, sk.pub, WB_KEY_LEN);
    memcpy(b->signed_prekey_signature, sk.signature, WB_SIG_LEN);
    wb_node *key = wb_node_child(keys, "key");
    if (key) {
        wb_signal_prekey pk;
        if ((rc = wb_wa_prekeys_key_read(key, &pk, err)) < 0)
            return rc;
        b->has_prekey = 1;
        b->prekey_id = pk.id;
        memcpy(b->prekey, pk.pub, WB_KEY_LEN);
    }
    b->registration_id = r->registration_id;
    r->has_keys = 1;
    return 0;
}

static int retry_read(const wb_node *retry, wb_wa_receipt *r, wb_error *err) {
    wb_attrs a = wb_attrs_of(retry);
    uint64_t count = wb_attrs_opt_u64(&a, "count", 1);
    r->retry.id = wb_attrs_opt_str(&a, "id");
    r->retry.t = wb_attrs_opt_i64(&a, "t", 0);
    int64_t error = wb_attrs_opt_i64(&a, "error", 0);
    if (wb_attrs_ok(&a) && (count > UINT32_MAX || error < 0 || error > 100000))
        return wb_error_set(err, WB_EMALFORMED, 0, "retry count %llu, error %lld",
                            (unsigned long long)count, (long long)error);
    r->retry.count = (uint32_t)count;
    r->retry.error = (int)error;
    r->has_retry = 1;
    return wb_attrs_check(&a, err);
}

int wb_wa_receipt_read(const wb_node *n, wb_arena *arena, wb_wa_receipt *out, wb_error *err) {
    if (!wb_node_is(n, "receipt"))
        return wb_error_set(err, WB_EPROTO, 0, "not a <receipt>");
    wb_wa_receipt r = {0};
    wb_attrs a = wb_attrs_of(n);
    const char *id = wb_attrs_str(&a, "id");
    route_read(&a, &r.from, &r.to, &r.participant, &r.recipient);
    r.type = wb_attrs_opt_str(&a, "type");
    r.t = wb_attrs_opt_i64(&a, "t", 0);
    uint64_t reg = wb_attrs_opt_child_uint(&a, "registration", 4, UINT64_MAX);
    if (!wb_attrs_ok(&a))
        return wb_attrs_check(&a, err);
    if (!*id || strlen(id) > WB_WA_ID_MAX)
        return wb_error_set(err, WB_EPROTO, 0, "receipt with an id of %zu bytes", strlen(id));
    wb_node *list = wb_node_child(n, "list");
    uint32_t nitems = wb_node_count(list, "item"), it = 0;
    if (nitems >= WB_WA_RECEIPT_IDS_MAX)
        return wb_error_set(err, WB_ETOOBIG, 0, "receipt for %u ids", nitems + 1);
    const char **ids = wb_arena_alloc(arena, (nitems + 1) * sizeof *ids);
    if (!ids)
        return WB_ENOMEM;
    ids[r.nids++] = id;
    wb_node *item;
    while ((item = wb_node_next(list, "item", &it))) {
        const char *iid = wb_node_attr(item, "id");
        if (!iid || !*iid || strlen(iid) > WB_WA_ID_MAX)
            return wb_error_set(err, WB_EPROTO, 0, "receipt <list> item without a valid id");
        ids[r.nids++] = iid;
    }
    r.ids = ids;
    r.has_registration = reg != UINT64_MAX;
    r.registration_id = r.has_registration ? (uint32_t)reg : 0;
    wb_node *c;
    int rc;
    if ((c = wb_node_child(n, "retry")) && (rc = retry_read(c, &r, err)) < 0)
        return rc;
    if ((c = wb_node_child(n, "keys")) && (rc = keys_read(c, &r, err)) < 0)
        return rc;
    *out = r;
    return 0;
}

int wb_wa_receipt_is_retry(const wb_wa_receipt *r) {
    return r->type && (strcmp(r->type, "retry") == 0 || strcmp(r->type, "enc_rekey_retry") == 0);
}

/* ---- acks ---------------------------------------------------------------------------------- */

wb_node *wb_wa_ack_new(wb_arena *a, const wb_wa_ack *k) {
    wb_node *n = WB_NODE(a, "ack", {"class", k->cls}, {"id", k->id}, {"type", k->type},
                         {"phash", k->phash});
    route_fill(n, &k->from, &k->to, &k->participant, &k->recipient);
    if (k->t)
        wb_node_set_i64(n, "t", k->t);
    if (k->error)
        wb_node_set_i64(n, "error", k->error);
    return n;
}

wb_node *wb_wa_ack_for(wb_arena *a, const wb_node *stanza, int error, const wb_jid *me) {
    wb_node *n = WB_NODE(a, "ack", {"id", wb_node_attr(stanza, "id")},
                         {"to", wb_node_attr(stanza, "from")}, {"class", stanza->tag});
    if (error)
        wb_node_set_i64(n, "error", error);
    wb_node_set(n, "participant", wb_node_attr(stanza, "participant"));
    wb_node_set(n, "recipient", wb_node_attr(stanza, "recipient"));
    wb_node_set(n, "type", wb_node_attr(stanza, "type"));
    if (me && wb_node_is(stanza, "message"))
        wb_node_set_jid(n, "from", me);
    return n;
}

int wb_wa_ack_read(const wb_node *n, wb_wa_ack *out, wb_error *err) {
    if (!wb_node_is(n, "ack"))
        return wb_error_set(err, WB_EPROTO, 0, "not an <ack>");
    wb_wa_ack k = {0};
    wb_attrs a = wb_attrs_of(n);
    k.id = wb_attrs_str(&a, "id");
    k.cls = wb_attrs_str(&a, "class");
    k.type = wb_attrs_opt_str(&a, "type");
    route_read(&a, &k.from, &k.to, &k.participant, &k.recipient);
    k.t = wb_attrs_opt_i64(&a, "t", 0);
    int64_t error = wb_attrs_opt_i64(&a, "error", 0);
    k.phash = wb_attrs_opt_str(&a, "phash");
    if (wb_attrs_ok(&a) && (error < 0 || error > 100000))
        return wb_error_set(err, WB_EMALFORMED, 0, "ack error %lld", (long long)error);
    k.error = (int)error;
    if (!wb_attrs_ok(&a))
        return wb_attrs_check(&a, err);
    *out = k;
    return 0;
}
