/* usync (NOTES.md §6.1, wa/usync.h): one query, several protocols, a list of users by JID (PN
 * or LID) or by phone (<contact>+N</contact>). Answers the protocols clients rely on: devices
 * (the phone, device 0, then the companions with their key-index; clients encrypt for the phone
 * too, and its bundle is prekeys.c's), lid (the user's LID), contact (in or out, for
 * onWhatsApp), status and disappearing_mode (empty); other protocols are left out of the
 * answer, which clients read as "nothing known". */
#include "sim/sim_int.h"
#include "wa/usync.h"

/* What the simulator knows of account a (NULL: not on WhatsApp), as the user u (whose devices
 * go to the connection's arena). */
static int describe(wb_sim_conn *c, const wb_sim_account *a, const wb_wa_usync_asked *asked,
                    wb_wa_usync_user *u) {
    *u = (wb_wa_usync_user){.jid = asked->jid, .contact = a != NULL,
                            .contact_text = asked->contact, .contact_len = asked->contact_len};
    if (!a)
        return 0;
    u->lid = wb_jid_of(a->lid, WB_SERVER_LID, 0);
    wb_wa_usync_device *v = wb_arena_zalloc(&c->arena, (a->ndevices + 1) * sizeof *v);
    if (!v)
        return WB_ENOMEM;
    size_t n = 1; /* the phone first, without a key-index, as WhatsApp lists it */
    WB_SIM_EACH_DEVICE(a, d) {
        v[n++] = (wb_wa_usync_device){.id = d->id, .key_index = d->key_index, .has_key_index = 1};
    }
    u->devices = v;
    u->ndevices = n;
    return 0;
}

static int on_usync(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_wa_usync_request req;
    wb_error e = {0};
    int rc = wb_wa_usync_request_read(iq, &c->arena, &req, &e);
    if (rc < 0)
        return wb_sim_conn_fail(c, rc, "usync: %s", e.what);
    wb_node *list = wb_wa_usync_result_fill(reply, &req);
    for (size_t i = 0; i < req.nusers; i++) {
        wb_wa_usync_user u;
        if ((rc = describe(c, wb_sim_account_by_jid(c->sim, &req.users[i].jid), &req.users[i],
                           &u)) < 0)
            return rc;
        wb_wa_usync_user_fill(list, &req, &u);
    }
    wb_sim_count(c->sim, "usync.queries", 1);
    return 0;
}

static const wb_sim_iq_route iqs[] = {
    {"usync", "get", "usync", on_usync, WB_SIM_ON_LOGIN},
    {NULL, NULL, NULL, NULL, 0},
};

const wb_sim_family wb_sim_family_usync = {.name = "usync", .iqs = iqs};
