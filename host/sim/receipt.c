/* Receipts (NOTES §6.3): a device's <receipt id [to] [participant] [type]> for messages it got.
 *
 * Every receipt first tells the queue that the device has those messages (for messages the
 * receipt is the ack: queue.c forgets them). Then, by type:
 *   none, inactive, read, played   to every device of the original sender, durably:
 *                                  1:1    <receipt from=<reader> id t [type]>
 *                                  group  <receipt from=<group> participant=<reader> id t [type]>
 *                                  (inactive becomes a plain delivery receipt; the reader is a
 *                                  user JID, in the form, PN or LID, the receipt was sent to);
 *                                  batches keep their <list><item id/></list>
 *   retry, enc_rekey_retry         to the one device that sent the message, from the asking
 *                                  device (so it can encrypt again for it), children kept
 *   sender, read-self, played-self,
 *   hist_sync, peer_msg, others    nowhere (they concern the reader's own devices or the server)
 * The reader gets <ack class="receipt" id from=<to> [type]/>. */
#include <string.h>

#include "sim/groups.h"

#define MAX_IDS 1024 /* ids in one receipt (the first plus <list><item/>) */

static int is(const char *type, const char *what) { return type && strcmp(type, what) == 0; }

/* The ids the receipt covers: the id attribute, then the batch. Returns how many, or -1 when
 * the batch is malformed. */
static int ids_of(const wb_node *n, const char *first, const char **ids) {
    int k = 0;
    ids[k++] = first;
    uint32_t it = 0;
    wb_node *item, *list = wb_node_child(n, "list");
    if (wb_node_count(list, "item") > MAX_IDS - 1)
        return -1;
    while ((item = wb_node_next(list, "item", &it))) {
        const char *id = wb_node_attr(item, "id");
        if (!id || !*id)
            return -1;
        ids[k++] = id;
    }
    return k;
}

static void deliver_all(wb_sim *sim, const wb_sim_account *a, const wb_node *out,
                        const wb_sim_device *except) {
    WB_SIM_EACH_DEVICE(a, d) {
        if (d != except)
            wb_sim_deliver(sim, d, out, WB_SIM_DURABLE);
    }
}

/* Delivery, read and played receipts: to every device of the message's sender. */
static void route_status(wb_sim_conn *c, const wb_node *n, const wb_jid *to, const char *type) {
    wb_sim *sim = c->sim;
    const wb_sim_account *reader = c->device->account;
    char rj[WB_JID_STR_MAX];
    wb_node *out = wb_node_new(&c->arena, "receipt");
    const wb_sim_account *sender;
    if (wb_jid_on(to, WB_SERVER_GROUP)) {
        const char *p = wb_node_attr(n, "participant");
        wb_jid pj;
        char gid[WB_JID_STR_MAX];
        if (!p || wb_jid_parse(&pj, p) < 0 || !(sender = wb_sim_account_by_jid(sim, &pj))) {
            wb_sim_count(sim, "receipts.unrouted", 1);
            return;
        }
        wb_jid_format(to, gid, sizeof gid);
        wb_node_set(out, "from", gid);
        if (wb_jid_on(&pj, WB_SERVER_LID))
            wb_sim_account_lid_jid(reader, rj);
        else
            wb_sim_account_jid(reader, rj);
        wb_node_set(out, "participant", rj);
    } else {
        if (!(sender = wb_sim_account_by_jid(sim, to))) {
            wb_sim_count(sim, "receipts.unrouted", 1);
            return;
        }
        if (wb_jid_on(to, WB_SERVER_LID))
            wb_sim_account_lid_jid(reader, rj);
        else
            wb_sim_account_jid(reader, rj);
        wb_node_set(out, "from", rj);
    }
    wb_node_set(out, "id", wb_node_attr(n, "id"));
    wb_node_set_i64(out, "t", wb_sim_now(sim));
    if (type && !is(type, "inactive"))
        wb_node_set(out, "type", type);
    wb_node *list = wb_node_child(n, "list");
    if (list)
        wb_node_add(out, wb_node_clone(&c->arena, list));
    deliver_all(sim, sender, out, c->device);
    wb_sim_countf(sim, 1, "receipts.routed.%s", type && !is(type, "inactive") ? type : "delivery");
}

/* Retry receipts: to the device that sent the message, from the device that asks. */
static int route_retry(wb_sim_conn *c, const wb_node *n, const wb_jid *to) {
    wb_sim *sim = c->sim;
    const char *p = wb_jid_on(to, WB_SERVER_GROUP) ? wb_node_attr(n, "participant") : NULL;
    wb_jid target = *to;
    if (p && wb_jid_parse(&target, p) < 0)
        return wb_sim_conn_fail(c, WB_EPROTO, "retry receipt with a bad participant");
    wb_sim_device *d = wb_sim_device_by_jid(sim, &target);
    if (!d || d->removed) {
        wb_sim_count(sim, "receipts.unrouted", 1);
        return 0;
    }
    char me[WB_JID_STR_MAX], gid[WB_JID_STR_MAX];
    if (wb_jid_on(&target, WB_SERVER_LID))
        wb_sim_device_lid_jid(c->device, me);
    else
        wb_sim_device_jid(c->device, me);
    wb_node *out = WB_NODE(&c->arena, "receipt", {"id", wb_node_attr(n, "id")},
                           {"type", wb_node_attr(n, "type")},
                           {"recipient", wb_node_attr(n, "recipient")});
    if (p) {
        wb_jid_format(to, gid, sizeof gid);
        wb_node_set(out, "from", gid);
        wb_node_set(out, "participant", me);
    } else {
        wb_node_set(out, "from", me);
    }
    wb_node_set_i64(out, "t", wb_sim_now(sim));
    uint32_t it = 0;
    wb_node *ch;
    while ((ch = wb_node_next(n, NULL, &it)))
        wb_node_add(out, wb_node_clone(&c->arena, ch));
    wb_sim_deliver(sim, d, out, WB_SIM_DURABLE);
    wb_sim_count(sim, "receipts.routed.retry", 1);
    return 0;
}

static int on_receipt(wb_sim_conn *c, wb_node *n) {
    wb_sim *sim = c->sim;
    wb_attrs a = wb_attrs_of(n);
    const char *id = wb_attrs_str(&a, "id");
    wb_jid to = wb_attrs_opt_jid(&a, "to");
    const char *type = wb_attrs_opt_str(&a, "type");
    if (!wb_attrs_ok(&a))
        return wb_sim_conn_fail(c, wb_attrs_err(&a), "receipt: %s", wb_attrs_errmsg(&a));
    const char **ids = wb_arena_alloc(&c->arena, MAX_IDS * sizeof *ids);
    if (!ids)
        return WB_ENOMEM;
    int nids = ids_of(n, id, ids);
    if (nids < 0 || !*id)
        return wb_sim_conn_fail(c, WB_EPROTO, "receipt with a bad id or <list>");
    for (int i = 0; i < nids; i++)
        if (wb_sim_queue_ack(sim, c->device, "message", ids[i], NULL) < 0)
            return wb_sim_conn_fail(c, WB_ESTORE, "cannot update the queue");
    wb_sim_countf(sim, 1, "receipts.in.%s", type ? type : "delivery");
    int rc = 0;
    if (!wb_jid_is_empty(&to)) {
        if (is(type, "retry") || is(type, "enc_rekey_retry"))
            rc = route_retry(c, n, &to);
        else if (!type || is(type, "inactive") || is(type, "read") || is(type, "played"))
            route_status(c, n, &to, type);
    }
    if (rc < 0)
        return rc;
    wb_node *ack = WB_NODE(&c->arena, "ack", {"class", "receipt"}, {"id", id},
                           {"from", wb_node_attr(n, "to")}, {"type", type});
    return wb_sim_conn_send(c, ack) == WB_ENOMEM ? WB_ENOMEM : 0;
}

static const wb_sim_stanza_route stanzas[] = {
    {"receipt", on_receipt, WB_SIM_ON_LOGIN},
    {NULL, NULL, 0},
};

const wb_sim_family wb_sim_family_receipt = {.name = "receipt", .stanzas = stanzas};
