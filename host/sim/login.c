/* Login of a known device (handshake.c -> wb_sim_login): the account and device named in the
 * ClientPayload must exist, not be removed, and the Noise key of the handshake must be the one
 * registered for that device; otherwise <failure reason="401"/>. A second login of a device
 * replaces the first connection (<stream:error><conflict type="replaced"/>). */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "sim/sim_int.h"
#include "wb_proto.h"

/* <failure reason="401" location="sim"/> and the end of the connection. Not a protocol error:
 * the client did nothing wrong on the wire, it is just not welcome. */
static int refuse(wb_sim_conn *c, const char *why) {
    wb_sim_count(c->sim, "logins.refused", 1);
    wb_node *n = WB_NODE(&c->arena, "failure", {"reason", "401"}, {"location", "sim"});
    wb_sim_conn_send(c, n);
    wb_sim_conn_close(c, "login refused: %s", why);
    return 0;
}

int wb_sim_login(wb_sim_conn *c, const Wa__ClientPayload *p) {
    wb_sim *sim = c->sim;
    if (!p->has_username)
        return refuse(c, "no username");
    char phone[24];
    snprintf(phone, sizeof phone, "%llu", (unsigned long long)p->username);
    wb_sim_account *a = wb_sim_account_by_phone(sim, phone);
    wb_sim_device *d = a && p->has_device ? wb_sim_device_of(a, (uint16_t)p->device) : NULL;
    if (!a)
        return refuse(c, "unknown account");
    if (!d || (p->has_device && p->device > 0xffff))
        return refuse(c, "unknown device");
    d->stat_handshakes++;
    if (d->removed)
        return refuse(c, "device was removed");
    if (wb_memneq(d->noise_pub, c->peer_static, WB_KEY_LEN))
        return refuse(c, "wrong noise key");
    wb_sim_conn_attach(c, d);
    d->stat_logins++;
    wb_sim_account_name(sim, a, p->pushname);
    wb_sim_count(sim, "logins.ok", 1);
    char lid[WB_JID_STR_MAX];
    wb_sim_device_lid_jid(d, lid);
    wb_node *n = WB_NODE(&c->arena, "success", {"location", "sim"}, {"props", "27"},
                         {"abprops", "8"}, {"lid", lid});
    wb_node_set_i64(n, "t", wb_sim_now(sim));
    wb_node_set_i64(n, "creation", d->created);
    wb_sim_log_event(c, "logged in");
    return wb_sim_conn_send(c, n);
}
