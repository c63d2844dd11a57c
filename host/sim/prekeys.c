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

#define MAX_FETCH_USERS 1024 /* users in one bundle request */

int64_t wb_sim_prekey_count(wb_sim *sim, const wb_sim_device *d) {
    return wb_sim_count_rows(sim, "SELECT count(*) FROM prekeys WHERE device = ?", d->row);
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
    uint8_t skey[1 + WB_KEY_LEN] = {WB_KEY_TYPE_DJB};
    wb_signal_bundle b = {.signed_prekey_id = 1};
    wb_hkdf_sha256((uint8_t *)&k, sizeof k, a->identity.priv, WB_KEY_LEN, NULL, 0,
                   (const uint8_t *)info, sizeof info - 1);
    wb_curve_public(skey + 1, k.skey_priv);
    /* cannot fail: a valid private key, and the message is short */
    (void)wb_xeddsa_sign_rnd(b.signed_prekey_signature, a->identity.priv, skey, sizeof skey,
                             k.nonce);
    /* 14 bits, never 0, as WhatsApp's registration ids */
    b.registration_id = ((uint32_t)k.reg[0] << 8 | k.reg[1]) % 16380 + 1;
    wb_zero(&k, sizeof k);
    memcpy(b.identity, a->identity.pub, WB_KEY_LEN);
    memcpy(b.signed_prekey, skey + 1, WB_KEY_LEN);
    wb_wa_prekeys_bundle_fill(user, &b);
}

/* ---- the IQs ------------------------------------------------------------------------------ */

static int on_count(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    int64_t n = wb_sim_prekey_count(c->sim, c->device);
    if (n < 0)
        return wb_sim_conn_fail(c, (int)n, "cannot count prekeys");
    wb_node_set_i64(wb_node_add_new(reply, "count"), "value", n);
    return 0;
}

/* One uploaded key into the pool (wb_wa_prekeys_upload_each's callback). */
typedef struct upload {
    wb_sim *sim;
    const wb_sim_device *d;
} upload;

static int store_prekey(void *ud, const wb_signal_prekey *k) {
    const upload *u = ud;
    sqlite3_stmt *s = wb_store_stmt(u->sim->db, "INSERT OR REPLACE INTO prekeys (device, key_id, "
                                                "pub) VALUES (?, ?, ?)");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_int64(s, 1, u->d->row);
    sqlite3_bind_int64(s, 2, k->id);
    sqlite3_bind_blob(s, 3, k->pub, WB_KEY_LEN, SQLITE_STATIC);
    return wb_store_done(s, sqlite3_step(s) == SQLITE_DONE ? 0 : WB_ESTORE);
}

static int on_upload(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_sim *sim = c->sim;
    wb_sim_device *d = c->device;
    wb_wa_device_keys k;
    wb_error e = {0};
    int rc = wb_wa_prekeys_keys_read(iq, &k, &e);
    if (rc < 0)
        return wb_sim_conn_fail(c, rc, "prekey upload: %s", e.what);
    if (memcmp(k.identity, d->keys.identity, WB_KEY_LEN) != 0)
        return wb_sim_iq_error(reply, 406, "not-acceptable");
    if ((rc = wb_store_begin(sim->db)) < 0)
        return wb_sim_conn_fail(c, rc, "database");
    rc = wb_wa_prekeys_upload_each(iq, store_prekey, &(upload){sim, d}, &e);
    if (rc == 0) {
        d->keys = k;
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
        return wb_sim_conn_fail(c, rc, "prekey upload: %s", e.what[0] ? e.what : "database");
    wb_sim_count(sim, "prekeys.uploaded", wb_node_count(wb_node_child(iq, "list"), "key"));
    return 0;
}

static int on_digest(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_wa_prekeys_digest_fill(reply, &c->device->keys);
    return 0;
}

static int on_rotate(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_sim_device *d = c->device;
    wb_error e = {0};
    int rc = wb_wa_prekeys_skey_read(wb_node_path(iq, "rotate", "skey", NULL), d->keys.identity,
                                     &d->keys.skey, &e);
    if (rc < 0)
        return wb_sim_conn_fail(c, rc, "rotate: %s", e.what);
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
    if (left < 0 || left >= WB_WA_PREKEYS_MIN || d->low_prekeys_notified)
        return;
    d->low_prekeys_notified = 1;
    wb_sim_device_save(sim, d);
    char id[32];
    wb_sim_new_id(sim, id, sizeof id);
    wb_node *n = wb_wa_prekeys_low_node(&c->arena, id, wb_sim_now(sim), left);
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
        wb_signal_bundle b = {.registration_id = d->keys.registration_id,
                              .signed_prekey_id = d->keys.skey.id};
        memcpy(b.identity, d->keys.identity, WB_KEY_LEN);
        memcpy(b.signed_prekey, d->keys.skey.pub, WB_KEY_LEN);
        memcpy(b.signed_prekey_signature, d->keys.skey.signature, WB_SIG_LEN);
        int rc = take_prekey(sim, d, &b.prekey_id, b.prekey);
        if (rc < 0)
            return wb_sim_conn_fail(c, rc, "database");
        b.has_prekey = rc == 1;
        wb_wa_prekeys_bundle_fill(WB_CHILD(list, "user", {"jid", j}), &b);
        if (b.has_prekey) {
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
