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
 *   retry, enc_rekey_retry         to the one device that sent the message, children kept:
 *                                  1:1    <receipt from=<asker's user> participant=<asker device>>
 *                                  group  <receipt from=<group> participant=<asker device>>
 *                                  (the user JID in from is how Baileys finds the message in its
 *                                  retry cache, keyed by the chat; participant names the device
 *                                  to encrypt again for)
 *   sender, read-self, played-self,
 *   hist_sync, peer_msg, others    nowhere (they concern the reader's own devices or the server)
 * The reader gets <ack class="receipt" id from=<to> [type]/>. */
#include <string.h>

#include "sim/groups.h"
#include "wa/receipt.h"

static int is(const char *type, const char *what) { return type && strcmp(type, what) == 0; }

/* The user JID of account a in the addressing of like (LID or phone number). */
static wb_jid user_like(const wb_sim_account *a, const wb_jid *like) {
    int lid = wb_jid_on(like, WB_SERVER_LID);
    return wb_jid_of(lid ? a->lid : a->phone, lid ? WB_SERVER_LID : WB_SERVER_USER, 0);
}

static void deliver_all(wb_sim *sim, const wb_sim_account *a, const wb_node *out,
                        const wb_sim_device *except) {
    WB_SIM_EACH_DEVICE(a, d) {
        if (d != except)
            wb_sim_deliver(sim, d, out, WB_SIM_DURABLE);
    }
}

/* Delivery, read and played receipts: to every device of the message's sender. */
static void route_status(wb_sim_conn *c, const wb_wa_receipt *r) {
    wb_sim *sim = c->sim;
    const wb_sim_account *reader = c->device->account, *sender;
    const char *type = is(r->type, "inactive") ? NULL : r->type;
    wb_wa_receipt out = {.ids = r->ids, .nids = r->nids, .type = type, .t = wb_sim_now(sim)};
    if (wb_jid_on(&r->to, WB_SERVER_GROUP)) {
        sender = wb_sim_account_by_jid(sim, &r->participant);
        out.from = r->to;
        out.participant = user_like(reader, &r->participant);
    } else {
        sender = wb_sim_account_by_jid(sim, &r->to);
        out.from = user_like(reader, &r->to);
    }
    if (!sender) {
        wb_sim_count(sim, "receipts.unrouted", 1);
        return;
    }
    deliver_all(sim, sender, wb_wa_receipt_new(&c->arena, &out), c->device);
    wb_sim_countf(sim, 1, "receipts.routed.%s", type ? type : "delivery");
}

/* Retry receipts: to the device that sent the message, from the device that asks. */
static void route_retry(wb_sim_conn *c, const wb_wa_receipt *r) {
    wb_sim *sim = c->sim;
    int group = wb_jid_on(&r->to, WB_SERVER_GROUP);
    const wb_jid *target = group && !wb_jid_is_empty(&r->participant) ? &r->participant : &r->to;
    wb_sim_device *d = wb_sim_device_by_jid(sim, target);
    if (!d || d->removed) {
        wb_sim_count(sim, "receipts.unrouted", 1);
        return;
    }
    const wb_sim_account *me = c->device->account;
    int lid = wb_jid_on(target, WB_SERVER_LID);
    wb_jid asker = wb_jid_of(lid ? me->lid : me->phone, lid ? WB_SERVER_LID : WB_SERVER_USER,
                             c->device->id);
    wb_wa_receipt out = *r;
    out.to = out.participant = (wb_jid){0};
    out.t = wb_sim_now(sim);
    out.from = group ? r->to : wb_jid_user_jid(&asker);
    out.participant = asker;
    wb_sim_deliver(sim, d, wb_wa_receipt_new(&c->arena, &out), WB_SIM_DURABLE);
    wb_sim_count(sim, "receipts.routed.retry", 1);
}

static int on_receipt(wb_sim_conn *c, wb_node *n) {
    wb_sim *sim = c->sim;
    wb_wa_receipt r;
    wb_error e = {0};
    int rc = wb_wa_receipt_read(n, &c->arena, &r, &e);
    if (rc < 0)
        return wb_sim_conn_fail(c, rc, "receipt: %s", e.what);
    for (size_t i = 0; i < r.nids; i++)
        if (wb_sim_queue_ack(sim, c->device, "message", r.ids[i], NULL) < 0)
            return wb_sim_conn_fail(c, WB_ESTORE, "cannot update the queue");
    wb_sim_countf(sim, 1, "receipts.in.%s", r.type ? r.type : "delivery");
    if (!wb_jid_is_empty(&r.to)) {
        if (wb_wa_receipt_is_retry(&r))
            route_retry(c, &r);
        else if (!r.type || is(r.type, "inactive") || is(r.type, "read") || is(r.type, "played"))
            route_status(c, &r);
    }
    wb_node *ack = wb_wa_ack_new(&c->arena, &(wb_wa_ack){.cls = "receipt", .id = r.ids[0],
                                                         .from = r.to, .type = r.type});
    return wb_sim_conn_send(c, ack) == WB_ENOMEM ? WB_ENOMEM : 0;
}

static const wb_sim_stanza_route stanzas[] = {
    {"receipt", on_receipt, WB_SIM_ON_LOGIN},
    {NULL, NULL, 0},
};

const wb_sim_family wb_sim_family_receipt = {.name = "receipt", .stanzas = stanzas};
