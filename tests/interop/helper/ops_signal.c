/* Helper ops for host/signal: named C parties, each a wb_signal over its own SQLite file, driven by
 * tests/interop/signal*.test.mjs against libsignal-node and Baileys' group cipher. Keys travel
 * bare (32 bytes); message types as "msg" / "pkmsg"; errors as "WB_NAME: sentence". */
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "crypto/hash.h"
#include "helper.h"
#include "signal/signal.h"
#include "signal/wire.h"
#include "store/signal_store.h"
#include "store/store.h"

enum { MAX_PARTIES = 16 };

static struct party {
    char name[64];
    wb_store *st;
    wb_signal *sig;
} parties[MAX_PARTIES];

static int fail(char *err, size_t errlen, int rc, const char *what) {
    snprintf(err, errlen, "%s: %s (%s)", wb_errname(rc), what, wb_strerror(rc));
    return -1;
}

static struct party *find(const cJSON *req, char *err, size_t errlen) {
    const char *name = helper_get_str(req, "name");
    for (int i = 0; name && i < MAX_PARTIES; i++)
        if (parties[i].sig && strcmp(parties[i].name, name) == 0)
            return &parties[i];
    snprintf(err, errlen, "no open party '%s'", name ? name : "(none)");
    return NULL;
}

static const char *need_str(const cJSON *req, const char *field, char *err, size_t errlen) {
    const char *v = helper_get_str(req, field);
    if (!v)
        snprintf(err, errlen, "'%s' is required", field);
    return v;
}

static int get_key(const cJSON *req, const char *field, uint8_t *out, size_t n, char *err,
                   size_t errlen) {
    wb_buf b = WB_BUF_INIT;
    int rc = helper_get_bytes(req, field, &b) == 0 && b.len == n ? 0 : -1;
    if (rc == 0)
        memcpy(out, b.data, n);
    else
        snprintf(err, errlen, "'%s' must be %zu bytes of base64", field, n);
    wb_buf_free(&b);
    return rc;
}

static void put_events(cJSON *resp, const wb_signal_info *info) {
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {
        {WB_SIGNAL_EV_IDENTITY_NEW, "identity-new"},
        {WB_SIGNAL_EV_IDENTITY_CHANGED, "identity-changed"},
        {WB_SIGNAL_EV_NEW_SESSION, "new-session"},
        {WB_SIGNAL_EV_OLD_SESSION, "old-session"},
        {WB_SIGNAL_EV_PREKEY_USED, "prekey-used"},
    };
    cJSON *arr = cJSON_AddArrayToObject(resp, "events");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (info->events & names[i].bit)
            cJSON_AddItemToArray(arr, cJSON_CreateString(names[i].name));
    if (info->events & WB_SIGNAL_EV_PREKEY_USED)
        cJSON_AddNumberToObject(resp, "prekeyId", info->prekey_id);
    if (info->events & WB_SIGNAL_EV_IDENTITY_CHANGED)
        helper_put_bytes(resp, "oldIdentity", info->old_identity, 32);
}

/* ---- parties ---------------------------------------------------------------------------------- */

static void party_close(struct party *p) {
    wb_signal_close(p->sig);
    wb_store_close(p->st);
    memset(p, 0, sizeof *p);
}

/* {name, path} -> {identity, registrationId}: opens (or reopens) the party's database. */
static int op_sig_open(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    const char *name = need_str(req, "name", err, errlen), *path = need_str(req, "path", err, errlen);
    if (!name || !path)
        return -1;
    struct party *p = NULL;
    for (int i = 0; i < MAX_PARTIES && !p; i++)
        if (parties[i].sig && strcmp(parties[i].name, name) == 0)
            party_close(p = &parties[i]);
    for (int i = 0; i < MAX_PARTIES && !p; i++)
        if (!parties[i].sig)
            p = &parties[i];
    if (!p || strlen(name) >= sizeof p->name)
        return snprintf(err, errlen, "too many parties or name too long"), -1;
    wb_error e = {0};
    int rc = wb_store_open(&p->st, path, 0, &e);
    if (rc < 0)
        return fail(err, errlen, rc, e.what);
    if ((rc = wb_signal_open(&p->sig, p->st)) < 0) {
        wb_store_close(p->st);
        p->st = NULL;
        return fail(err, errlen, rc, "wb_signal_open");
    }
    snprintf(p->name, sizeof p->name, "%s", name);
    cJSON_AddNumberToObject(resp, "registrationId", wb_signal_registration_id(p->sig));
    return helper_put_bytes(resp, "identity", wb_signal_identity_public(p->sig), 32);
}

static int op_sig_close(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    struct party *p = find(req, err, errlen);
    if (!p)
        return -1;
    party_close(p);
    return 0;
}

/* {name, prekey: bool} -> a bundle: one new one-time prekey (marked uploaded) if asked. */
static int op_sig_bundle(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    struct party *p = find(req, err, errlen);
    if (!p)
        return -1;
    wb_signal_signed_prekey spk;
    int rc = wb_signal_signed_prekey_current(p->sig, &spk);
    if (rc < 0)
        return fail(err, errlen, rc, "signed prekey");
    cJSON_AddNumberToObject(resp, "registrationId", wb_signal_registration_id(p->sig));
    helper_put_bytes(resp, "identity", wb_signal_identity_public(p->sig), 32);
    cJSON_AddNumberToObject(resp, "signedPreKeyId", spk.id);
    helper_put_bytes(resp, "signedPreKey", spk.pub, 32);
    helper_put_bytes(resp, "signature", spk.signature, 64);
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "prekey"))) {
        wb_signal_prekey pk;
        unsigned n;
        if ((rc = wb_signal_prekeys_for_upload(p->sig, 1, &pk, &n)) < 0 ||
            (rc = wb_signal_prekeys_mark_uploaded(p->sig, &pk, 1)) < 0)
            return fail(err, errlen, rc, "prekey");
        cJSON_AddNumberToObject(resp, "preKeyId", pk.id);
        helper_put_bytes(resp, "preKey", pk.pub, 32);
    }
    return 0;
}

/* {name, addr, ...bundle fields} -> {events}: X3DH from the other side's bundle. */
static int op_sig_process_bundle(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    struct party *p = find(req, err, errlen);
    const char *addr = need_str(req, "addr", err, errlen);
    if (!p || !addr)
        return -1;
    wb_signal_bundle b = {0};
    b.registration_id = (uint32_t)helper_get_num(req, "registrationId", 0);
    b.signed_prekey_id = (uint32_t)helper_get_num(req, "signedPreKeyId", 0);
    if (get_key(req, "identity", b.identity, 32, err, errlen) ||
        get_key(req, "signedPreKey", b.signed_prekey, 32, err, errlen) ||
        get_key(req, "signature", b.signed_prekey_signature, 64, err, errlen))
        return -1;
    if (helper_get_str(req, "preKey")) {
        b.has_prekey = 1;
        b.prekey_id = (uint32_t)helper_get_num(req, "preKeyId", 0);
        if (get_key(req, "preKey", b.prekey, 32, err, errlen))
            return -1;
    }
    wb_signal_info info;
    int rc = wb_signal_session_from_bundle(p->sig, addr, &b, &info);
    if (rc < 0)
        return fail(err, errlen, rc, "session from bundle");
    put_events(resp, &info);
    return 0;
}

/* ---- 1:1 messages ----------------------------------------------------------------------------- */

static int op_sig_encrypt(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    struct party *p = find(req, err, errlen);
    const char *addr = need_str(req, "addr", err, errlen);
    if (!p || !addr)
        return -1;
    wb_buf pt = WB_BUF_INIT, ct = WB_BUF_INIT;
    int type = 0, rc = helper_get_bytes(req, "data", &pt);
    if (rc < 0)
        return snprintf(err, errlen, "'data' must be base64"), -1;
    rc = wb_signal_encrypt(p->sig, addr, pt.data, pt.len, &ct, &type);
    if (rc == 0) {
        cJSON_AddStringToObject(resp, "type", type == WB_SIGNAL_PKMSG ? "pkmsg" : "msg");
        rc = helper_put_bytes(resp, "ct", ct.data, ct.len);
    } else {
        fail(err, errlen, rc, "encrypt");
    }
    wb_buf_free(&pt);
    wb_buf_free(&ct);
    return rc < 0 ? -1 : 0;
}

static int message_type(const cJSON *req, char *err, size_t errlen) {
    const char *t = need_str(req, "type", err, errlen);
    if (t && strcmp(t, "pkmsg") == 0)
        return WB_SIGNAL_PKMSG;
    if (t && strcmp(t, "msg") == 0)
        return WB_SIGNAL_MSG;
    snprintf(err, errlen, "'type' must be msg or pkmsg");
    return -1;
}

/* {name, addr, type, ct, dry?} -> {data, events}. With dry the decrypt runs inside a transaction
 * that is then rolled back (the test of a pkmsg whose unauthenticated registration id changed). */
static int op_sig_decrypt(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    struct party *p = find(req, err, errlen);
    const char *addr = need_str(req, "addr", err, errlen);
    int type = message_type(req, err, errlen);
    if (!p || !addr || type < 0)
        return -1;
    int dry = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "dry"));
    wb_buf ct = WB_BUF_INIT, pt = WB_BUF_INIT;
    wb_signal_info info;
    int rc = helper_get_bytes(req, "ct", &ct);
    if (rc < 0)
        return snprintf(err, errlen, "'ct' must be base64"), -1;
    if (dry && (rc = wb_store_begin(p->st)) < 0)
        goto done;
    rc = wb_signal_decrypt(p->sig, addr, type, ct.data, ct.len, &pt, &info);
    if (dry)
        wb_store_rollback(p->st);
    if (rc == 0) {
        put_events(resp, &info);
        rc = helper_put_bytes(resp, "data", pt.data, pt.len);
    }
done:
    if (rc < 0)
        fail(err, errlen, rc, "decrypt");
    wb_buf_free(&ct);
    wb_buf_free(&pt);
    return rc < 0 ? -1 : 0;
}

/* {name, addr} -> {record, size}: the stored session record. */
static int op_sig_record(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    struct party *p = find(req, err, errlen);
    const char *addr = need_str(req, "addr", err, errlen);
    if (!p || !addr)
        return -1;
    wb_buf b = WB_BUF_INIT;
    int rc = wb_store_session_get(p->st, addr, &b);
    if (rc == 0) {
        cJSON_AddNumberToObject(resp, "size", (double)b.len);
        rc = helper_put_bytes(resp, "record", b.data, b.len);
    } else {
        fail(err, errlen, rc, "no session record");
    }
    wb_buf_free(&b);
    return rc < 0 ? -1 : 0;
}

/* {name} -> {digest}: SHA-256 of every row of the party's database. */
static int op_sig_digest(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    struct party *p = find(req, err, errlen);
    if (!p)
        return -1;
    wb_buf b = WB_BUF_INIT;
    uint8_t d[32];
    int rc = wb_store_dump(p->st, &b);
    if (rc == 0) {
        wb_sha256(d, b.data, b.len);
        rc = helper_put_bytes(resp, "digest", d, 32);
    } else {
        fail(err, errlen, rc, "dump");
    }
    wb_buf_free(&b);
    return rc < 0 ? -1 : 0;
}

/* {ct} -> the fields of a pkmsg, as wabot's parser sees them. */
static int op_sig_parse_pkmsg(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    wb_buf ct = WB_BUF_INIT;
    wb_sig_prekey_message m;
    wb_error e = {0};
    int rc = helper_get_bytes(req, "ct", &ct);
    if (rc == 0 && (rc = wb_sig_prekey_message_parse(&m, ct.data, ct.len, &e)) == 0) {
        cJSON_AddNumberToObject(resp, "registrationId", m.registration_id);
        cJSON_AddNumberToObject(resp, "preKeyId", m.has_prekey_id ? (double)m.prekey_id : -1.0);
        cJSON_AddNumberToObject(resp, "signedPreKeyId", m.signed_prekey_id);
        helper_put_bytes(resp, "baseKey", m.base_key, 32);
        helper_put_bytes(resp, "identity", m.identity, 32);
        helper_put_bytes(resp, "message", m.message.signed_part,
                         m.message.signed_len + WB_SIG_MAC_LEN);
        wb_sig_prekey_message_done(&m);
    } else if (rc < 0) {
        fail(err, errlen, rc, e.what[0] ? e.what : "parse");
    }
    wb_buf_free(&ct);
    return rc < 0 ? -1 : 0;
}

/* ---- groups ----------------------------------------------------------------------------------- */

static int op_grp_distribution(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    struct party *p = find(req, err, errlen);
    const char *group = need_str(req, "group", err, errlen), *self = need_str(req, "self", err, errlen);
    if (!p || !group || !self)
        return -1;
    wb_buf out = WB_BUF_INIT;
    int rc = wb_signal_group_distribution(p->sig, group, self, &out);
    if (rc == 0)
        rc = helper_put_bytes(resp, "skdm", out.data, out.len);
    else
        fail(err, errlen, rc, "distribution");
    wb_buf_free(&out);
    return rc < 0 ? -1 : 0;
}

static int op_grp_process(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    struct party *p = find(req, err, errlen);
    const char *group = need_str(req, "group", err, errlen),
               *sender = need_str(req, "sender", err, errlen);
    if (!p || !group || !sender)
        return -1;
    wb_buf b = WB_BUF_INIT;
    int rc = -1;
    if (helper_get_bytes(req, "skdm", &b) < 0)
        snprintf(err, errlen, "'skdm' must be base64");
    else if ((rc = wb_signal_group_process_distribution(p->sig, group, sender, b.data, b.len)) < 0)
        fail(err, errlen, rc, "process distribution");
    wb_buf_free(&b);
    return rc < 0 ? -1 : 0;
}

static int op_grp_encrypt(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    struct party *p = find(req, err, errlen);
    const char *group = need_str(req, "group", err, errlen), *self = need_str(req, "self", err, errlen);
    if (!p || !group || !self)
        return -1;
    wb_buf pt = WB_BUF_INIT, ct = WB_BUF_INIT;
    int rc = -1;
    if (helper_get_bytes(req, "data", &pt) < 0)
        snprintf(err, errlen, "'data' must be base64");
    else if ((rc = wb_signal_group_encrypt(p->sig, group, self, pt.data, pt.len, &ct)) < 0)
        fail(err, errlen, rc, "group encrypt");
    else
        rc = helper_put_bytes(resp, "ct", ct.data, ct.len);
    wb_buf_free(&pt);
    wb_buf_free(&ct);
    return rc < 0 ? -1 : 0;
}

static int op_grp_decrypt(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    struct party *p = find(req, err, errlen);
    const char *group = need_str(req, "group", err, errlen),
               *sender = need_str(req, "sender", err, errlen);
    if (!p || !group || !sender)
        return -1;
    wb_buf ct = WB_BUF_INIT, pt = WB_BUF_INIT;
    int rc = -1;
    if (helper_get_bytes(req, "ct", &ct) < 0)
        snprintf(err, errlen, "'ct' must be base64");
    else if ((rc = wb_signal_group_decrypt(p->sig, group, sender, ct.data, ct.len, &pt)) < 0)
        fail(err, errlen, rc, "group decrypt");
    else
        rc = helper_put_bytes(resp, "data", pt.data, pt.len);
    wb_buf_free(&ct);
    wb_buf_free(&pt);
    return rc < 0 ? -1 : 0;
}

/* {name, group, sender} -> {record, size}: the stored sender-key record. */
static int op_grp_record(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    struct party *p = find(req, err, errlen);
    const char *group = need_str(req, "group", err, errlen),
               *sender = need_str(req, "sender", err, errlen);
    if (!p || !group || !sender)
        return -1;
    wb_buf b = WB_BUF_INIT;
    int rc = wb_store_sender_key_get(p->st, group, sender, &b);
    if (rc == 0) {
        cJSON_AddNumberToObject(resp, "size", (double)b.len);
        rc = helper_put_bytes(resp, "record", b.data, b.len);
    } else {
        fail(err, errlen, rc, "no sender-key record");
    }
    wb_buf_free(&b);
    return rc < 0 ? -1 : 0;
}

/* ---- framing ---------------------------------------------------------------------------------- */

static int op_sig_pad(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    wb_buf in = WB_BUF_INIT, out = WB_BUF_INIT;
    int rc = helper_get_bytes(req, "data", &in);
    if (rc == 0 && wb_signal_pad(&out, in.data, in.len) == 0)
        rc = helper_put_bytes(resp, "data", out.data, out.len);
    else
        rc = (snprintf(err, errlen, "'data' must be base64"), -1);
    wb_buf_free(&in);
    wb_buf_free(&out);
    return rc;
}

static int op_sig_unpad(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    wb_buf in = WB_BUF_INIT;
    int rc = helper_get_bytes(req, "data", &in);
    long n = rc == 0 ? wb_signal_unpad(in.data, in.len) : WB_EINVAL;
    if (n >= 0)
        rc = helper_put_bytes(resp, "data", in.data, (size_t)n);
    else
        rc = fail(err, errlen, (int)n, "unpad");
    wb_buf_free(&in);
    return rc;
}

static int op_sig_address(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    const char *user = need_str(req, "user", err, errlen);
    char addr[WB_SIGNAL_ADDR_MAX];
    if (!user)
        return -1;
    int rc = wb_signal_address(addr, user, (unsigned)helper_get_num(req, "domain", 0),
                               (unsigned)helper_get_num(req, "device", 0));
    if (rc < 0)
        return fail(err, errlen, rc, "address");
    cJSON_AddStringToObject(resp, "addr", addr);
    cJSON_AddBoolToObject(resp, "valid", wb_signal_address_valid(addr));
    return 0;
}

const wb_helper_op helper_ops_signal[] = {
    {"sig_open", op_sig_open},
    {"sig_close", op_sig_close},
    {"sig_bundle", op_sig_bundle},
    {"sig_process_bundle", op_sig_process_bundle},
    {"sig_encrypt", op_sig_encrypt},
    {"sig_decrypt", op_sig_decrypt},
    {"sig_record", op_sig_record},
    {"sig_digest", op_sig_digest},
    {"sig_parse_pkmsg", op_sig_parse_pkmsg},
    {"grp_distribution", op_grp_distribution},
    {"grp_process", op_grp_process},
    {"grp_encrypt", op_grp_encrypt},
    {"grp_decrypt", op_grp_decrypt},
    {"grp_record", op_grp_record},
    {"sig_pad", op_sig_pad},
    {"sig_unpad", op_sig_unpad},
    {"sig_address", op_sig_address},
    {NULL, NULL},
};
