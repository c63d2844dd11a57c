/* Signal prekeys (NOTES.md §5, §6.1): the encrypt IQs. count, upload (registration id, identity,
 * one-time prekeys, signed prekey), digest, rotate of the signed prekey, and bundle fetch by
 * device JID (PN or LID), which hands out one one-time prekey per bundle (the phone's bundle is
 * a fixed one, see add_phone_bundle) and, when a device runs low, queues it
 * <notification type="encrypt"><count value=N/></notification> (dropped from the queue if the
 * device uploads before it got it: Baileys uploads at login when it has few). */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "crypto/curve.h"
#include "crypto/hash.h"
#include "sim/sim_int.h"

#define LOW_PREKEYS 5        /* below this the owner is told to upload (Baileys' MIN_PREKEY_COUNT) */
#define MAX_UPLOAD 2000      /* one-time prekeys in one upload */
#define MAX_FETCH_USERS 1024 /* users in one bundle request */

int64_t wb_sim_prekey_count(wb_sim *sim, const wb_sim_device *d) {
    return wb_sim_count_rows(sim, "SELECT count(*) FROM prekeys WHERE device = ?", d->row);
}

/* Reads <skey><id>u24</id><value>32</value><signature>64</signature></skey> and checks the
 * signature with the device's identity. Returns 0, WB_EPROTO or WB_EBADSIG. */
static int read_skey(const wb_node *skey, const uint8_t identity[32], uint32_t *id,
                     const uint8_t **pub, const uint8_t **sig) {
    int64_t kid = wb_sim_child_uint(skey, "id", 3);
    const uint8_t *v = wb_sim_child_bytes(skey, "value", WB_KEY_LEN, NULL);
    const uint8_t *g = wb_sim_child_bytes(skey, "signature", WB_SIG_LEN, NULL);
    if (kid < 0 || !v || !g)
        return WB_EPROTO;
    uint8_t msg[33] = {WB_KEY_TYPE_DJB};
    memcpy(msg + 1, v, WB_KEY_LEN);
    if (wb_xeddsa_verify(identity, msg, sizeof msg, g) < 0)
        return WB_EBADSIG;
    *id = (uint32_t)kid;
    *pub = v;
    *sig = g;
    return 0;
}

static void set_skey(wb_sim_device *d, uint32_t id, const uint8_t *pub, const uint8_t *sig) {
    d->skey_id = id;
    memcpy(d->skey_pub, pub, WB_KEY_LEN);
    memcpy(d->skey_sig, sig, WB_SIG_LEN);
}

static void add_uint(wb_node *parent, const char *tag, uint32_t v, size_t len) {
    uint8_t b[4];
    wb_put_be32(b, v);
    wb_node_set_bytes(wb_node_add_new(parent, tag), b + 4 - len, len);
}

static void add_skey(wb_node *parent, uint32_t id, const uint8_t pub[WB_KEY_LEN],
                     const uint8_t sig[WB_SIG_LEN]) {
    wb_node *skey = wb_node_add_new(parent, "skey");
    add_uint(skey, "id", id, 3);
    wb_node_set_bytes(wb_node_add_new(skey, "value"), pub, WB_KEY_LEN);
    wb_node_set_bytes(wb_node_add_new(skey, "signature"), sig, WB_SIG_LEN);
}

/* registration, type and identity, as uploads carry them and bundles and digests repeat them */
static void add_identity(wb_node *parent, uint32_t reg_id, const uint8_t identity[WB_KEY_LEN]) {
    static const uint8_t djb = WB_KEY_TYPE_DJB;
    add_uint(parent, "registration", reg_id, 4);
    wb_node_set_bytes(wb_node_add_new(parent, "type"), &djb, 1);
    wb_node_set_bytes(wb_node_add_new(parent, "identity"), identity, WB_KEY_LEN);
}

/* A companion's identity and signed prekey, as it uploaded them. */
static void add_device_keys(wb_node *parent, const wb_sim_device *d) {
    add_identity(parent, d->reg_id, d->identity_pub);
    add_skey(parent, d->skey_id, d->skey_pub, d->skey_sig);
}

/* ---- the phone's bundle ------------------------------------------------------------------- */

/* The phone (device 0) is a Signal device on WhatsApp: clients list it in usync and encrypt
 * every message for it too, own-device copies included. The simulated phone never decrypts, so
 * its bundle is a fixed one derived from its identity (the ADV account key): registration id,
 * signed prekey and signature from HKDF of the identity's private key, no one-time prekey (a
 * valid bundle: X3DH without the fourth DH). Deterministic, so a restart with --state hands out
 * the same bundle without storing one. */
static void add_phone_bundle(wb_node *user, const wb_sim_account *a) {
    static const char info[] = "wabot sim phone bundle";
    struct {
        uint8_t skey_priv[32];
        uint8_t nonce[64];
        uint8_t reg[2];
    } k;
    uint8_t skey[1 + WB_KEY_LEN] = {WB_KEY_TYPE_DJB}, sig[WB_SIG_LEN];
    wb_hkdf_sha256((uint8_t *)&k, sizeof k, a->identity.priv, WB_KEY_LEN, NULL, 0,
                   (const uint8_t *)info, sizeof info - 1);
    wb_curve_public(skey + 1, k.skey_priv);
    /* cannot fail: a valid private key, and the message is short */
    (void)wb_xeddsa_sign_rnd(sig, a->identity.priv, skey, sizeof skey, k.nonce);
    /* 14 bits, never 0, as WhatsApp's registration ids */
    uint32_t reg = ((uint32_t)k.reg[0] << 8 | k.reg[1]) % 16380 + 1;
    wb_zero(&k, sizeof k);
    add_identity(user, reg, a->identity.pub);
    add_skey(user, 1, skey + 1, sig);
}

/* ---- the IQs ------------------------------------------------------------------------------ */

static int on_count(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    int64_t n = wb_sim_prekey_count(c->sim, c->device);
    if (n < 0)
        return wb_sim_conn_fail(c, (int)n, "cannot count prekeys");
    wb_node_set_i64(wb_node_add_new(reply, "count"), "value", n);
    return 0;
}

static int store_prekeys(wb_sim *sim, const wb_sim_device *d, const wb_node *list) {
    sqlite3_stmt *s;
    uint32_t it = 0;
    wb_node *key;
    int rc = 0;
    while (rc == 0 && (key = wb_node_next(list, "key", &it))) {
        int64_t id = wb_sim_child_uint(key, "id", 3);
        const uint8_t *pub = wb_sim_child_bytes(key, "value", WB_KEY_LEN, NULL);
        if (id < 0 || !pub)
            return WB_EPROTO;
        if (!(s = wb_store_stmt(sim->db, "INSERT OR REPLACE INTO prekeys (device, key_id, pub) "
                                         "VALUES (?, ?, ?)")))
            return WB_ESTORE;
        sqlite3_bind_int64(s, 1, d->row);
        sqlite3_bind_int64(s, 2, id);
        sqlite3_bind_blob(s, 3, pub, WB_KEY_LEN, SQLITE_STATIC);
        rc = wb_store_done(s, sqlite3_step(s) == SQLITE_DONE ? 0 : WB_ESTORE);
    }
    return rc;
}

static int on_upload(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_sim *sim = c->sim;
    wb_sim_device *d = c->device;
    int64_t reg = wb_sim_child_uint(iq, "registration", 4);
    const uint8_t *type = wb_sim_child_bytes(iq, "type", 1, NULL);
    const uint8_t *ident = wb_sim_child_bytes(iq, "identity", WB_KEY_LEN, NULL);
    wb_node *list = wb_node_child(iq, "list");
    wb_node *skey = wb_node_child(iq, "skey");
    if (reg < 0 || !type || type[0] != WB_KEY_TYPE_DJB || !ident || !list || !skey ||
        wb_node_count(list, "key") > MAX_UPLOAD)
        return wb_sim_conn_fail(c, WB_EPROTO, "prekey upload with missing or bad parts");
    if (memcmp(ident, d->identity_pub, WB_KEY_LEN) != 0)
        return wb_sim_iq_error(reply, 406, "not-acceptable");
    uint32_t kid;
    const uint8_t *pub, *sig;
    int rc = read_skey(skey, d->identity_pub, &kid, &pub, &sig);
    if (rc < 0)
        return wb_sim_conn_fail(c, rc, "prekey upload: signed prekey %s",
                                rc == WB_EBADSIG ? "signature invalid" : "malformed");
    if ((rc = wb_store_begin(sim->db)) < 0)
        return wb_sim_conn_fail(c, rc, "database");
    rc = store_prekeys(sim, d, list);
    if (rc == 0) {
        d->reg_id = (uint32_t)reg;
        set_skey(d, kid, pub, sig);
        d->low_prekeys_notified = 0;
        rc = wb_sim_device_save(sim, d);
    }
    if (rc == 0) /* a low-prekey notice still queued is answered by this upload */
        rc = wb_sim_exec_row(sim, "DELETE FROM queue WHERE device = ? AND tag = 'notification' "
                                  "AND type = 'encrypt' AND sent = 0", d->row);
    if (rc == 0)
        rc = wb_store_commit(sim->db);
    else
        wb_store_rollback(sim->db);
    if (rc < 0)
        return wb_sim_conn_fail(c, rc, "prekey upload: %s", rc == WB_EPROTO ? "a bad key" : "database");
    wb_sim_count(sim, "prekeys.uploaded", wb_node_count(list, "key"));
    return 0;
}

static int on_digest(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    const wb_sim_device *d = c->device;
    wb_node *dg = wb_node_add_new(reply, "digest");
    add_device_keys(dg, d);
    uint8_t h[WB_SHA256_LEN];
    wb_sha256_ctx ctx;
    wb_sha256_init(&ctx);
    wb_sha256_update(&ctx, d->identity_pub, WB_KEY_LEN);
    wb_sha256_update(&ctx, d->skey_pub, WB_KEY_LEN);
    wb_sha256_update(&ctx, d->skey_sig, WB_SIG_LEN);
    wb_sha256_final(&ctx, h);
    wb_node_set_bytes(wb_node_add_new(dg, "hash"), h, 20);
    return 0;
}

static int on_rotate(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_sim_device *d = c->device;
    uint32_t kid;
    const uint8_t *pub, *sig;
    int rc = read_skey(wb_node_path(iq, "rotate", "skey", NULL), d->identity_pub, &kid, &pub, &sig);
    if (rc < 0)
        return wb_sim_conn_fail(c, rc, "rotate: signed prekey %s",
                                rc == WB_EBADSIG ? "signature invalid" : "malformed");
    set_skey(d, kid, pub, sig);
    if ((rc = wb_sim_device_save(c->sim, d)) < 0)
        return wb_sim_conn_fail(c, rc, "database");
    wb_sim_count(c->sim, "prekeys.rotated", 1);
    return 0;
}

/* Takes the device's lowest one-time prekey out of the pool: 1 (id and pub filled), 0 (none
 * left) or a negative code. */
static int take_prekey(wb_sim *sim, const wb_sim_device *d, uint32_t *id, uint8_t pub[32]) {
    sqlite3_stmt *s = wb_store_stmt(sim->db, "DELETE FROM prekeys WHERE device = ? AND key_id = "
                                             "(SELECT min(key_id) FROM prekeys WHERE device = ?1) "
                                             "RETURNING key_id, pub");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_int64(s, 1, d->row);
    int step = sqlite3_step(s), rc = 0;
    if (step == SQLITE_ROW && sqlite3_column_bytes(s, 1) == WB_KEY_LEN) {
        *id = (uint32_t)sqlite3_column_int64(s, 0);
        memcpy(pub, sqlite3_column_blob(s, 1), WB_KEY_LEN);
        rc = 1;
        step = sqlite3_step(s);
    }
    if (step != SQLITE_DONE)
        rc = WB_ESTORE;
    return wb_store_done(s, rc);
}

/* Tells a device that ran low to upload more (once until its next upload). */
static void maybe_notify_low(wb_sim *sim, wb_sim_conn *c, wb_sim_device *d) {
    int64_t left = wb_sim_prekey_count(sim, d);
    if (left < 0 || left >= LOW_PREKEYS || d->low_prekeys_notified)
        return;
    d->low_prekeys_notified = 1;
    wb_sim_device_save(sim, d);
    char id[32];
    wb_sim_new_id(sim, id, sizeof id);
    wb_node *n = WB_NODE(&c->arena, "notification", {"from", "@" WB_SERVER_USER},
                         {"type", "encrypt"}, {"id", id});
    wb_node_set_i64(n, "t", wb_sim_now(sim));
    wb_node_set_i64(wb_node_add_new(n, "count"), "value", left);
    wb_sim_count(sim, "prekeys.low_notifications", 1);
    wb_sim_deliver(sim, d, n, WB_SIM_DURABLE);
}

static int on_fetch(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_sim *sim = c->sim;
    wb_node *key = wb_node_child(iq, "key");
    if (wb_node_count(key, "user") > MAX_FETCH_USERS)
        return wb_sim_conn_fail(c, WB_ETOOBIG, "prekey fetch for too many users");
    wb_node *list = wb_node_add_new(reply, "list");
    uint32_t it = 0;
    wb_node *u;
    while ((u = wb_node_next(key, "user", &it))) {
        const char *j = wb_node_attr(u, "jid");
        wb_jid jid;
        if (!j || wb_jid_parse(&jid, j) < 0)
            return wb_sim_conn_fail(c, WB_EPROTO, "prekey fetch for a bad jid");
        if (jid.device == 0) {
            const wb_sim_account *a = wb_sim_account_by_jid(sim, &jid);
            if (a) {
                add_phone_bundle(WB_CHILD(list, "user", {"jid", j}), a);
                wb_sim_count(sim, "prekeys.phone_bundles", 1);
            }
            continue;
        }
        wb_sim_device *d = wb_sim_device_by_jid(sim, &jid);
        if (!d || d->removed)
            continue; /* unknown devices have no bundle */
        wb_node *user = WB_CHILD(list, "user", {"jid", j});
        add_device_keys(user, d);
        uint32_t pid = 0;
        uint8_t pub[WB_KEY_LEN];
        int rc = take_prekey(sim, d, &pid, pub);
        if (rc < 0)
            return wb_sim_conn_fail(c, rc, "database");
        if (rc == 1) {
            wb_node *k = wb_node_add_new(user, "key");
            add_uint(k, "id", pid, 3);
            wb_node_set_bytes(wb_node_add_new(k, "value"), pub, WB_KEY_LEN);
            wb_sim_count(sim, "prekeys.handed_out", 1);
            maybe_notify_low(sim, c, d);
        }
        wb_sim_count(sim, "prekeys.bundles", 1);
    }
    return 0;
}

static const wb_sim_iq_route iqs[] = {
    {"encrypt", "get", "count", on_count, WB_SIM_ON_LOGIN},
    {"encrypt", "set", "registration", on_upload, WB_SIM_ON_LOGIN},
    {"encrypt", "get", "digest", on_digest, WB_SIM_ON_LOGIN},
    {"encrypt", "set", "rotate", on_rotate, WB_SIM_ON_LOGIN},
    {"encrypt", "get", "key", on_fetch, WB_SIM_ON_LOGIN},
    {NULL, NULL, NULL, NULL, 0},
};

const wb_sim_family wb_sim_family_prekeys = {.name = "prekeys", .iqs = iqs};
