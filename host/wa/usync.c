/* usync queries and results (usync.h). Each protocol is a row of one table: its tag, how a
 * query names it, how the server answers it for a user and how the client reads that answer. */
#include "wa/usync.h"

#include <stdio.h>
#include <string.h>

#include "wa/wa_int.h"

/* ---- the protocols ----------------------------------------------------------------------- */

static void fill_devices(wb_node *user, const wb_wa_usync_user *u) {
    wb_node *list = wb_node_add_new(wb_node_add_new(user, "devices"), "device-list");
    wb_node_set_empty_list(list);
    for (size_t i = 0; i < u->ndevices; i++) {
        const wb_wa_usync_device *d = &u->devices[i];
        wb_node *dev = wb_node_add_new(list, "device");
        wb_node_set_i64(dev, "id", d->id);
        if (d->has_key_index)
            wb_node_set_i64(dev, "key-index", d->key_index);
        if (d->hosted)
            wb_node_set(dev, "is_hosted", "true");
    }
}

static void fill_lid(wb_node *user, const wb_wa_usync_user *u) {
    wb_node_set_jid(wb_node_add_new(user, "lid"), "val", &u->lid);
}

static void fill_contact(wb_node *user, const wb_wa_usync_user *u) {
    wb_node *ct = WB_CHILD(user, "contact", {"type", u->contact > 0 ? "in" : "out"});
    if (u->contact_text)
        wb_node_set_textn(ct, (const char *)u->contact_text, u->contact_len);
}

static void fill_status(wb_node *user, const wb_wa_usync_user *u) {
    WB_CHILD(user, "status", {"t", "0"});
}

static void fill_disappearing(wb_node *user, const wb_wa_usync_user *u) {
    WB_CHILD(user, "disappearing_mode", {"duration", "0"}, {"t", "0"});
}

static int device_read(const wb_node *d, void *item, void *ud, wb_error *err) {
    wb_attrs at = wb_attrs_of(d);
    uint64_t id = wb_attrs_u64(&at, "id");
    uint64_t ki = wb_attrs_opt_u64(&at, "key-index", UINT64_MAX);
    int hosted = wb_attrs_opt_bool(&at, "is_hosted", 0);
    if (!wb_attrs_ok(&at))
        return wb_attrs_check(&at, err);
    if (id > UINT16_MAX || (ki != UINT64_MAX && ki > UINT32_MAX))
        return wb_error_set(err, WB_EMALFORMED, 0, "usync device %llu, key-index %llu",
                            (unsigned long long)id, (unsigned long long)ki);
    int has_ki = ki != UINT64_MAX;
    *(wb_wa_usync_device *)item = (wb_wa_usync_device){
        .id = (uint16_t)id, .key_index = has_ki ? (uint32_t)ki : 0,
        .has_key_index = (uint8_t)has_ki, .hosted = (uint8_t)hosted};
    return 0;
}

static int read_devices(const wb_node *n, wb_arena *a, wb_wa_usync_user *u, wb_error *err) {
    return wb_wa_read_children(wb_node_child(n, "device-list"), "device", SIZE_MAX, a,
                               sizeof *u->devices, device_read, NULL, &u->devices, &u->ndevices,
                               err);
}

static int read_lid(const wb_node *n, wb_arena *a, wb_wa_usync_user *u, wb_error *err) {
    wb_attrs at = wb_attrs_of(n);
    u->lid = wb_attrs_opt_jid(&at, "val");
    return wb_attrs_check(&at, err);
}

static int read_contact(const wb_node *n, wb_arena *a, wb_wa_usync_user *u, wb_error *err) {
    u->contact = wb_node_attr_is(n, "type", "in");
    u->contact_text = wb_node_content(n, &u->contact_len);
    return 0;
}

static const struct protocol {
    unsigned bit;
    const char *tag;
    const char *version; /* the query node's version attribute, or NULL */
    void (*fill)(wb_node *user, const wb_wa_usync_user *u);
    int (*read)(const wb_node *n, wb_arena *a, wb_wa_usync_user *u, wb_error *err);
} protocols[] = {
    {WB_WA_USYNC_DEVICES, "devices", "2", fill_devices, read_devices},
    {WB_WA_USYNC_LID, "lid", NULL, fill_lid, read_lid},
    {WB_WA_USYNC_CONTACT, "contact", NULL, fill_contact, read_contact},
    {WB_WA_USYNC_STATUS, "status", NULL, fill_status, NULL},
    {WB_WA_USYNC_DISAPPEARING, "disappearing_mode", NULL, fill_disappearing, NULL},
};
#define NPROTOCOLS (sizeof protocols / sizeof *protocols)

static const struct protocol *protocol_of(const char *tag) {
    for (size_t i = 0; i < NPROTOCOLS; i++)
        if (strcmp(protocols[i].tag, tag) == 0)
            return &protocols[i];
    return NULL;
}

/* ---- the query --------------------------------------------------------------------------- */

wb_node *wb_wa_usync_query_fill(wb_node *iq, const char *sid, const char *context,
                                unsigned protocols_asked) {
    wb_node *us = WB_CHILD(iq, "usync", {"context", context}, {"mode", "query"}, {"sid", sid},
                           {"last", "true"}, {"index", "0"});
    wb_node *query = wb_node_add_new(us, "query");
    for (size_t i = 0; i < NPROTOCOLS; i++)
        if (protocols_asked & protocols[i].bit)
            WB_CHILD(query, protocols[i].tag, {"version", protocols[i].version});
    wb_node_set_empty_list(wb_node_add_new(us, "list"));
    return us;
}

/* A new <user> in the query's list, with <contact/> when the query asks contact. */
static wb_node *query_user(wb_node *iq) {
    wb_node *us = wb_node_child(iq, "usync");
    wb_node *user = wb_node_add_new(wb_node_child(us, "list"), "user");
    if (user && wb_node_child(wb_node_child(us, "query"), "contact"))
        wb_node_add_new(user, "contact");
    return user;
}

void wb_wa_usync_query_add_jid(wb_node *iq, const wb_jid *jid) {
    wb_node_set_jid(query_user(iq), "jid", jid);
}

void wb_wa_usync_query_add_phone(wb_node *iq, const char *phone) {
    wb_node *user = query_user(iq);
    wb_node *ct = wb_node_child(user, "contact");
    if (!ct)
        ct = wb_node_add_new(user, "contact");
    char text[WB_WA_USYNC_PHONE_MAX + 2];
    snprintf(text, sizeof text, "+%s", phone[0] == '+' ? phone + 1 : phone);
    wb_node_set_text(ct, text);
}

/* ---- the query, read by the server ------------------------------------------------------------ */

/* The user of <user><contact>+P</contact></user>: P@s.whatsapp.net. 0 or WB_EPROTO. */
static int asked_by_phone(const wb_node *user, wb_wa_usync_asked *out) {
    size_t n = 0;
    const uint8_t *text = wb_node_content(wb_node_child(user, "contact"), &n);
    const uint8_t *p = text;
    if (p && n && p[0] == '+') {
        p++;
        n--;
    }
    if (!p || n == 0 || n > WB_WA_USYNC_PHONE_MAX)
        return WB_EPROTO;
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return WB_EPROTO;
    char digits[WB_WA_USYNC_PHONE_MAX + 1];
    snprintf(digits, sizeof digits, "%.*s", (int)n, (const char *)p);
    out->jid = wb_jid_of(digits, WB_SERVER_USER, 0);
    out->by_phone = 1;
    out->contact = text;
    out->contact_len = (size_t)(p - text) + n;
    return 0;
}

static int asked_read(const wb_node *p, void *item, void *ud, wb_error *err) {
    wb_wa_usync_asked *u = item;
    wb_attrs at = wb_attrs_of(p);
    u->jid = wb_attrs_opt_jid(&at, "jid");
    if (!wb_attrs_ok(&at))
        return wb_attrs_check(&at, err);
    if (wb_jid_is_empty(&u->jid) && asked_by_phone(p, u) < 0)
        return wb_error_set(err, WB_EPROTO, 0, "usync user without a jid or a phone number");
    if (!u->by_phone)
        u->contact = wb_node_content(wb_node_child(p, "contact"), &u->contact_len);
    return 0;
}

int wb_wa_usync_request_read(const wb_node *iq, wb_arena *a, wb_wa_usync_request *out,
                             wb_error *err) {
    wb_node *us = wb_node_child(iq, "usync");
    wb_node *query = wb_node_child(us, "query"), *list = wb_node_child(us, "list");
    if (!query || !list)
        return wb_error_set(err, WB_EPROTO, 0, "usync without <query> or <list>");
    uint32_t nprotos = wb_node_count(query, NULL), it = 0;
    wb_wa_usync_request r = {.sid = wb_node_attr(us, "sid"), .mode = wb_node_attr(us, "mode"),
                             .context = wb_node_attr(us, "context")};
    r.protocol_tags = wb_arena_alloc(a, (nprotos ? nprotos : 1) * sizeof *r.protocol_tags);
    if (!r.protocol_tags)
        return WB_ENOMEM;
    wb_node *p;
    while ((p = wb_node_next(query, NULL, &it))) {
        const struct protocol *pr = protocol_of(p->tag);
        r.protocols |= pr ? pr->bit : 0;
        r.protocol_tags[r.nprotocols++] = p->tag;
    }
    int rc = wb_wa_read_children(list, "user", WB_WA_USYNC_USERS_MAX, a, sizeof *r.users,
                                 asked_read, NULL, &r.users, &r.nusers, err);
    if (rc < 0)
        return rc;
    *out = r;
    return 0;
}

/* ---- the result ------------------------------------------------------------------------------ */

wb_node *wb_wa_usync_result_fill(wb_node *reply, const wb_wa_usync_request *req) {
    wb_node *us = WB_CHILD(reply, "usync", {"sid", req->sid}, {"index", "0"}, {"last", "true"},
                           {"mode", req->mode}, {"context", req->context});
    wb_node *result = wb_node_add_new(us, "result");
    for (size_t i = 0; i < req->nprotocols; i++)
        wb_node_add_new(result, req->protocol_tags[i]);
    wb_node *list = wb_node_add_new(us, "list");
    wb_node_set_empty_list(list);
    return list;
}

void wb_wa_usync_user_fill(wb_node *list, const wb_wa_usync_request *req,
                           const wb_wa_usync_user *u) {
    wb_node *user = wb_node_add_new(list, "user");
    wb_node_set_jid(user, "jid", &u->jid);
    for (size_t i = 0; i < req->nprotocols; i++) {
        const struct protocol *p = protocol_of(req->protocol_tags[i]);
        if (p)
            p->fill(user, u);
    }
}

/* The code of n's <error code>, 500 when it has none that parses; 0 without an error. */
static int error_of(const wb_node *n) {
    wb_node *e = wb_node_child(n, "error");
    if (!e)
        return 0;
    wb_attrs at = wb_attrs_of(e);
    int64_t code = wb_attrs_opt_i64(&at, "code", 500);
    return wb_attrs_ok(&at) && code > 0 && code < 1000 ? (int)code : 500;
}

/* One <user> of a result (ud: the arena); users without a jid are left out. */
static int user_read(const wb_node *user, void *item, void *ud, wb_error *err) {
    wb_wa_usync_user *u = item;
    wb_attrs at = wb_attrs_of(user);
    u->jid = wb_attrs_opt_jid(&at, "jid");
    u->contact = -1;
    if (!wb_attrs_ok(&at))
        return wb_attrs_check(&at, err);
    if (wb_jid_is_empty(&u->jid))
        return 1;
    uint32_t ci = 0;
    wb_node *c;
    while ((c = wb_node_next(user, NULL, &ci))) {
        const struct protocol *p = protocol_of(c->tag);
        int code = error_of(c), rc;
        if (code && !u->error)
            u->error = code;
        if (p && p->read && !code && (rc = p->read(c, ud, u, err)) < 0)
            return rc;
    }
    return 0;
}

int wb_wa_usync_result_read(const wb_node *iq, wb_arena *a, wb_wa_usync_result *out,
                            wb_error *err) {
    wb_node *us = wb_node_child(iq, "usync");
    wb_node *list = wb_node_child(us, "list");
    if (!list)
        return wb_error_set(err, WB_EPROTO, 0, "usync result without <usync><list>");
    wb_wa_usync_result r = {.sid = wb_node_attr(us, "sid")};
    int rc = wb_wa_read_children(list, "user", SIZE_MAX, a, sizeof *r.users, user_read, a,
                                 &r.users, &r.nusers, err);
    if (rc < 0)
        return rc;
    *out = r;
    return 0;
}
