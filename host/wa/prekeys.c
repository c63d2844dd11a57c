/* Prekey stanzas (prekeys.h). */
#include "wa/prekeys.h"

#include <string.h>

#include "core/buf.h"
#include "crypto/curve.h"
#include "crypto/hash.h"

static void add_uint(wb_node *parent, const char *tag, uint32_t v, size_t len) {
    uint8_t b[4];
    wb_put_be32(b, v);
    wb_node_set_bytes(wb_node_add_new(parent, tag), b + 4 - len, len);
}

static wb_node *add_key(wb_node *parent, const char *tag, uint32_t id, const uint8_t pub[32]) {
    wb_node *k = wb_node_add_new(parent, tag);
    add_uint(k, "id", id, 3);
    wb_node_set_bytes(wb_node_add_new(k, "value"), pub, WB_KEY_LEN);
    return k;
}

static void add_skey(wb_node *parent, const wb_signal_signed_prekey *skey) {
    wb_node *k = add_key(parent, "skey", skey->id, skey->pub);
    wb_node_set_bytes(wb_node_add_new(k, "signature"), skey->signature, WB_SIG_LEN);
}

void wb_wa_prekeys_key_fill(wb_node *parent, const wb_signal_prekey *k) {
    add_key(parent, "key", k->id, k->pub);
}

void wb_wa_prekeys_skey_fill(wb_node *parent, const wb_signal_signed_prekey *k) {
    add_skey(parent, k);
}

void wb_wa_prekeys_keys_fill(wb_node *parent, const wb_wa_device_keys *k) {
    static const uint8_t djb = WB_KEY_TYPE_DJB;
    add_uint(parent, "registration", k->registration_id, 4);
    wb_node_set_bytes(wb_node_add_new(parent, "type"), &djb, 1);
    wb_node_set_bytes(wb_node_add_new(parent, "identity"), k->identity, WB_KEY_LEN);
    add_skey(parent, &k->skey);
}

void wb_wa_prekeys_upload_fill(wb_node *iq, const wb_wa_device_keys *k,
                               const wb_signal_prekey *keys, size_t n) {
    static const uint8_t djb = WB_KEY_TYPE_DJB;
    /* the order Baileys sends: registration, type, identity, list, skey */
    add_uint(iq, "registration", k->registration_id, 4);
    wb_node_set_bytes(wb_node_add_new(iq, "type"), &djb, 1);
    wb_node_set_bytes(wb_node_add_new(iq, "identity"), k->identity, WB_KEY_LEN);
    wb_node *list = wb_node_add_new(iq, "list");
    wb_node_set_empty_list(list);
    for (size_t i = 0; i < n; i++)
        add_key(list, "key", keys[i].id, keys[i].pub);
    add_skey(iq, &k->skey);
}

void wb_wa_prekeys_bundle_fill(wb_node *user, const wb_signal_bundle *b) {
    wb_wa_device_keys k = {.registration_id = b->registration_id,
                           .skey = {.id = b->signed_prekey_id}};
    memcpy(k.identity, b->identity, WB_KEY_LEN);
    memcpy(k.skey.pub, b->signed_prekey, WB_KEY_LEN);
    memcpy(k.skey.signature, b->signed_prekey_signature, WB_SIG_LEN);
    wb_wa_prekeys_keys_fill(user, &k);
    if (b->has_prekey)
        add_key(user, "key", b->prekey_id, b->prekey);
}

void wb_wa_prekeys_digest_fill(wb_node *parent, const wb_wa_device_keys *k) {
    wb_node *dg = wb_node_add_new(parent, "digest");
    wb_wa_prekeys_keys_fill(dg, k);
    uint8_t h[WB_SHA256_LEN];
    wb_sha256_ctx ctx;
    wb_sha256_init(&ctx);
    wb_sha256_update(&ctx, k->identity, WB_KEY_LEN);
    wb_sha256_update(&ctx, k->skey.pub, WB_KEY_LEN);
    wb_sha256_update(&ctx, k->skey.signature, WB_SIG_LEN);
    wb_sha256_final(&ctx, h);
    wb_node_set_bytes(wb_node_add_new(dg, "hash"), h, 20);
}

wb_node *wb_wa_prekeys_low_node(wb_arena *a, const char *id, int64_t t, int64_t left) {
    wb_node *n = WB_NODE(a, "notification", {"from", "@" WB_SERVER_USER}, {"type", "encrypt"},
                         {"id", id});
    wb_node_set_i64(n, "t", t);
    wb_node_set_i64(wb_node_add_new(n, "count"), "value", left);
    return n;
}

/* ---- reading ------------------------------------------------------------------------------- */

/* <id>u24</id><value>32</value> of a <key> or <skey>. */
static int read_key(wb_attrs *a, uint32_t *id, uint8_t pub[32]) {
    *id = (uint32_t)wb_attrs_child_uint(a, "id", 3);
    const uint8_t *v = wb_attrs_child_bytes(a, "value", WB_KEY_LEN, NULL);
    if (v)
        memcpy(pub, v, WB_KEY_LEN);
    return wb_attrs_ok(a);
}

/* <skey>: id, value, signature; the signature is checked against identity when it is given. */
static int read_skey(const wb_node *skey, const uint8_t *identity, wb_signal_signed_prekey *out,
                     wb_error *err) {
    wb_signal_signed_prekey k;
    wb_attrs s = wb_attrs_of(skey);
    read_key(&s, &k.id, k.pub);
    const uint8_t *sig = wb_attrs_child_bytes(&s, "signature", WB_SIG_LEN, NULL);
    if (!wb_attrs_ok(&s))
        return wb_attrs_check(&s, err);
    memcpy(k.signature, sig, WB_SIG_LEN);
    if (identity && wb_signal_verify_signed_prekey(identity, k.pub, k.signature) < 0)
        return wb_error_set(err, WB_EBADSIG, 0, "signed prekey signature invalid");
    *out = k;
    return 0;
}

int wb_wa_prekeys_skey_read(const wb_node *skey, const uint8_t identity[32],
                            wb_signal_signed_prekey *out, wb_error *err) {
    if (!wb_node_is(skey, "skey"))
        return wb_error_set(err, WB_EPROTO, 0, "missing <skey>");
    return read_skey(skey, identity, out, err);
}

/* The keys of n; the signed prekey's signature is checked when verify is set. */
static int read_keys(const wb_node *n, wb_wa_device_keys *out, int verify, wb_error *err) {
    wb_wa_device_keys k;
    wb_attrs a = wb_attrs_of(n);
    k.registration_id = (uint32_t)wb_attrs_child_uint(&a, "registration", 4);
    const uint8_t *type = wb_attrs_child_bytes(&a, "type", 1, NULL);
    const uint8_t *ident = wb_attrs_child_bytes(&a, "identity", WB_KEY_LEN, NULL);
    wb_node *skey = wb_node_child(n, "skey");
    if (!skey && wb_attrs_ok(&a))
        return wb_error_set(err, WB_EPROTO, 0, "%s: missing child <skey>", n ? n->tag : "?");
    if (wb_attrs_ok(&a) && type[0] != WB_KEY_TYPE_DJB)
        return wb_error_set(err, WB_EMALFORMED, 0, "%s: key type %u, not 5", n->tag, type[0]);
    if (!wb_attrs_ok(&a))
        return wb_attrs_check(&a, err);
    memcpy(k.identity, ident, WB_KEY_LEN);
    int rc = read_skey(skey, verify ? k.identity : NULL, &k.skey, err);
    if (rc < 0)
        return rc;
    *out = k;
    return 0;
}

int wb_wa_prekeys_keys_read(const wb_node *n, wb_wa_device_keys *out, wb_error *err) {
    return read_keys(n, out, 1, err);
}

int wb_wa_prekeys_key_read(const wb_node *key, wb_signal_prekey *out, wb_error *err) {
    wb_signal_prekey k;
    wb_attrs a = wb_attrs_of(key);
    if (!wb_node_is(key, "key"))
        return wb_error_set(err, WB_EPROTO, 0, "missing <key>");
    if (!read_key(&a, &k.id, k.pub))
        return wb_attrs_check(&a, err);
    *out = k;
    return 0;
}

int wb_wa_prekeys_upload_each(const wb_node *iq, int (*fn)(void *ud, const wb_signal_prekey *k),
                              void *ud, wb_error *err) {
    wb_node *list = wb_node_child(iq, "list");
    if (!list)
        return wb_error_set(err, WB_EPROTO, 0, "prekey upload without <list>");
    if (wb_node_count(list, "key") > WB_WA_PREKEYS_UPLOAD_MAX)
        return wb_error_set(err, WB_ETOOBIG, 0, "prekey upload of %u keys",
                            wb_node_count(list, "key"));
    uint32_t it = 0;
    wb_node *key;
    while ((key = wb_node_next(list, "key", &it))) {
        wb_signal_prekey k;
        int rc = wb_wa_prekeys_key_read(key, &k, err);
        if (rc == 0)
            rc = fn(ud, &k);
        if (rc)
            return rc;
    }
    return 0;
}

int wb_wa_prekeys_bundle_read(const wb_node *user, wb_signal_bundle *out, wb_error *err) {
    if (wb_node_child(user, "error"))
        return wb_error_set(err, WB_EREFUSED, 0, "no bundle for %s",
                            wb_node_attr(user, "jid") ? wb_node_attr(user, "jid") : "?");
    wb_wa_device_keys k;
    int rc = read_keys(user, &k, 0, err);
    if (rc < 0)
        return rc;
    wb_signal_bundle b = {.registration_id = k.registration_id, .signed_prekey_id = k.skey.id};
    memcpy(b.identity, k.identity, WB_KEY_LEN);
    memcpy(b.signed_prekey, k.skey.pub, WB_KEY_LEN);
    memcpy(b.signed_prekey_signature, k.skey.signature, WB_SIG_LEN);
    wb_node *key = wb_node_child(user, "key");
    if (key) {
        wb_signal_prekey pk;
        if ((rc = wb_wa_prekeys_key_read(key, &pk, err)) < 0)
            return rc;
        b.prekey_id = pk.id;
        memcpy(b.prekey, pk.pub, WB_KEY_LEN);
        b.has_prekey = 1;
    }
    *out = b;
    return 0;
}

int64_t wb_wa_prekeys_count_of(const wb_node *n) {
    wb_attrs a = wb_attrs_of(wb_node_child(n, "count"));
    int64_t v = wb_attrs_i64(&a, "value");
    return wb_attrs_ok(&a) && v >= 0 ? v : -1;
}
