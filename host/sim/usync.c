/* usync (NOTES.md §6.1): one query, several protocols, a list of users by JID (PN or LID) or by
 * phone (<contact>+N</contact>). Answers the protocols clients rely on: devices (the phone, device
 * 0, then the companions with their key-index; clients encrypt for the phone too, and its
 * bundle is prekeys.c's), lid (the
 * user's LID), contact (in or out, for onWhatsApp), status and disappearing_mode (empty);
 * other protocols are left out of the answer, which clients read as "nothing known". */
#include <stdio.h>
#include <string.h>

#include "sim/sim_int.h"

#define MAX_USERS 2000

/* The user's JID from <user jid=...> or its <contact>+phone</contact>; the account if known. */
static wb_sim_account *resolve(wb_sim *sim, const wb_node *user, char jid[WB_JID_STR_MAX],
                               int *ok) {
    const char *j = wb_node_attr(user, "jid");
    wb_jid parsed;
    *ok = 1;
    if (j) {
        if (wb_jid_parse(&parsed, j) < 0) {
            *ok = 0;
            return NULL;
        }
        snprintf(jid, WB_JID_STR_MAX, "%s", j);
        return wb_sim_account_by_jid(sim, &parsed);
    }
    size_t n = 0;
    wb_attrs a = wb_attrs_of(user);
    const uint8_t *phone = wb_attrs_opt_child_bytes(&a, "contact", 0, &n);
    if (phone && n && phone[0] == '+') {
        phone++;
        n--;
    }
    if (!phone || n == 0 || n > WB_SIM_PHONE_MAX) {
        *ok = 0;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (phone[i] < '0' || phone[i] > '9') {
            *ok = 0;
            return NULL;
        }
    snprintf(jid, WB_JID_STR_MAX, "%.*s@" WB_SERVER_USER, (int)n, (const char *)phone);
    char digits[WB_SIM_PHONE_MAX + 1];
    snprintf(digits, sizeof digits, "%.*s", (int)n, (const char *)phone);
    return wb_sim_account_by_phone(sim, digits);
}

static void add_devices(wb_node *user, const wb_sim_account *a) {
    wb_node *list = wb_node_add_new(wb_node_add_new(user, "devices"), "device-list");
    wb_node_set_empty_list(list);
    if (!a)
        return;
    /* the phone first, without a key-index, as WhatsApp lists it */
    wb_node_set_i64(wb_node_add_new(list, "device"), "id", 0);
    WB_SIM_EACH_DEVICE(a, d) {
        wb_node *dev = wb_node_add_new(list, "device");
        wb_node_set_i64(dev, "id", d->id);
        wb_node_set_i64(dev, "key-index", d->key_index);
    }
}

static void add_protocol(wb_node *user, const char *proto, const wb_sim_account *a,
                         const wb_node *req_user) {
    char jid[WB_JID_STR_MAX];
    if (strcmp(proto, "devices") == 0) {
        add_devices(user, a);
    } else if (strcmp(proto, "lid") == 0) {
        wb_node *lid = wb_node_add_new(user, "lid");
        if (a) {
            wb_sim_account_lid_jid(a, jid);
            wb_node_set(lid, "val", jid);
        }
    } else if (strcmp(proto, "contact") == 0) {
        size_t n = 0;
        wb_attrs ra = wb_attrs_of(req_user);
        const uint8_t *asked = wb_attrs_opt_child_bytes(&ra, "contact", 0, &n);
        wb_node *ct = WB_CHILD(user, "contact", {"type", a ? "in" : "out"});
        if (asked)
            wb_node_set_textn(ct, (const char *)asked, n);
    } else if (strcmp(proto, "status") == 0) {
        wb_node_set(wb_node_add_new(user, "status"), "t", "0");
    } else if (strcmp(proto, "disappearing_mode") == 0) {
        WB_CHILD(user, "disappearing_mode", {"duration", "0"}, {"t", "0"});
    }
}

static int on_usync(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_node *us = wb_node_child(iq, "usync");
    wb_node *query = wb_node_child(us, "query"), *list = wb_node_child(us, "list");
    if (!query || !list)
        return wb_sim_conn_fail(c, WB_EPROTO, "usync without query or list");
    if (wb_node_count(list, "user") > MAX_USERS)
        return wb_sim_conn_fail(c, WB_ETOOBIG, "usync for too many users");
    wb_node *out = WB_CHILD(reply, "usync", {"sid", wb_node_attr(us, "sid")}, {"index", "0"},
                            {"last", "true"}, {"mode", wb_node_attr(us, "mode")},
                            {"context", wb_node_attr(us, "context")});
    wb_node *result = wb_node_add_new(out, "result");
    uint32_t qi = 0;
    wb_node *p;
    while ((p = wb_node_next(query, NULL, &qi)))
        wb_node_add_new(result, p->tag);
    wb_node *olist = wb_node_add_new(out, "list");
    wb_node_set_empty_list(olist);
    uint32_t it = 0;
    wb_node *u;
    while ((u = wb_node_next(list, "user", &it))) {
        char jid[WB_JID_STR_MAX];
        int ok;
        wb_sim_account *a = resolve(c->sim, u, jid, &ok);
        if (!ok)
            return wb_sim_conn_fail(c, WB_EPROTO, "usync user without a valid jid or phone");
        wb_node *user = WB_CHILD(olist, "user", {"jid", jid});
        qi = 0;
        while ((p = wb_node_next(query, NULL, &qi)))
            add_protocol(user, p->tag, a, u);
    }
    wb_sim_count(c->sim, "usync.queries", 1);
    return 0;
}

static const wb_sim_iq_route iqs[] = {
    {"usync", "get", "usync", on_usync, WB_SIM_ON_LOGIN},
    {NULL, NULL, NULL, NULL, 0},
};

const wb_sim_family wb_sim_family_usync = {.name = "usync", .iqs = iqs};
