/* IQ helpers shared by the families (sim_int.h, "IQ helpers"), and the small server IQs that
 * belong to no other family: w:p ping, passive/active (which opens the device's queue), abt
 * props, md remove-companion-device (logout), and the <ib> stanzas clients send. */
#include <string.h>

#include "core/log.h"
#include "sim/sim_int.h"

wb_node *wb_sim_iq_result(wb_sim_conn *c, const wb_node *iq) {
    return wb_wa_iq_result(&c->arena, iq, WB_WA_SERVER);
}

int wb_sim_iq_error(wb_node *reply, int code, const char *text) {
    wb_wa_iq_set_error(reply, code, text);
    return 0;
}

wb_node *wb_sim_iq_new(wb_sim_conn *c, const char *type, const char *xmlns) {
    return wb_node_set(wb_wa_iq_new(&c->arena, type, xmlns), "from", "@" WB_SERVER_USER);
}

/* ---- the IQs ------------------------------------------------------------------------------ */

static int on_ping(wb_sim_conn *c, wb_node *iq, wb_node *reply) { return 0; }

/* <active/>: the client is ready for its stanzas: the answer, then everything queued, then
 * <ib><offline count=N/></ib>. <passive/>: deliveries wait in the queue again. */
static int on_passive(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    if (!wb_node_child(iq, "active")) {
        c->active = 0;
        return 0;
    }
    int rc = wb_sim_conn_send(c, reply);
    if (rc == 0 && !c->active) {
        c->active = 1;
        rc = wb_sim_queue_flush(c);
    }
    return rc < 0 ? rc : WB_SIM_NO_REPLY;
}

static int on_props(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    WB_CHILD(reply, "props", {"protocol", "1"}, {"hash", "sim-props-1"}, {"refresh", "86400"});
    return 0;
}

/* A companion logs out (Baileys' logout()): only a device of the same account may be named. */
static int on_remove_device(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    const char *j = wb_node_attr(wb_node_child(iq, "remove-companion-device"), "jid");
    wb_jid jid;
    if (!j || wb_jid_parse(&jid, j) < 0)
        return wb_sim_conn_fail(c, WB_EPROTO, "remove-companion-device without a jid");
    wb_sim_device *d = wb_sim_device_by_jid(c->sim, &jid);
    if (!d || d->account != c->device->account || d->removed)
        return wb_sim_iq_error(reply, 404, "item-not-found");
    int rc = wb_sim_conn_send(c, reply);
    if (rc == 0)
        rc = wb_sim_device_remove(c->sim, d, "logged out by the companion");
    return rc < 0 ? rc : WB_SIM_NO_REPLY;
}

/* <ib> from the client: unified_session telemetry, offline_batch; nothing to answer. */
static int on_ib(wb_sim_conn *c, wb_node *n) {
    wb_node *ch = wb_node_child(n, NULL);
    wb_sim_countf(c->sim, 1, "ib.%s", ch ? ch->tag : "empty");
    return 0;
}

static const wb_sim_stanza_route stanzas[] = {
    {"ib", on_ib, WB_SIM_ON_ANY},
    {NULL, NULL, 0},
};

static const wb_sim_iq_route iqs[] = {
    {"w:p", "get", NULL, on_ping, WB_SIM_ON_ANY},
    {"passive", "set", NULL, on_passive, WB_SIM_ON_LOGIN},
    {"abt", "get", "props", on_props, WB_SIM_ON_LOGIN},
    {"md", "set", "remove-companion-device", on_remove_device, WB_SIM_ON_LOGIN},
    {NULL, NULL, NULL, NULL, 0},
};

const wb_sim_family wb_sim_family_iq = {.name = "iq", .stanzas = stanzas, .iqs = iqs};
