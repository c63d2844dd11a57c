/* Device lists and LID mappings (NOTES §6.1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"
#include "core/log.h"
#include "store/contact_store.h"

struct wb_client_usync {
    int unused;
};

int wb_client_usync_init(wb_client *c) {
    c->usync = calloc(1, sizeof *c->usync);
    return c->usync ? 0 : WB_ENOMEM;
}

void wb_client_usync_free(wb_client *c) {
    free(c->usync);
    c->usync = NULL;
}

int wb_client_usync_devices_changed(wb_client *c, wb_node *n) { return 0; }

int wb_client_lid_learn(wb_client *c, const char *lid_user, const char *pn_user) {
    char pn[WB_CONTACT_JID_MAX], lid[WB_CONTACT_JID_MAX];
    snprintf(pn, sizeof pn, "%s@" WB_SERVER_USER, pn_user);
    snprintf(lid, sizeof lid, "%s@" WB_SERVER_LID, lid_user);
    return wb_store_contact_lid_put(c->st, pn, lid, (int64_t)(c->now / 1000));
}

int wb_client_lid_to_pn(wb_client *c, const char *lid_user, char out[WB_JID_USER_MAX + 1]) {
    char lid[WB_CONTACT_JID_MAX], pn[WB_CONTACT_JID_MAX];
    snprintf(lid, sizeof lid, "%s@" WB_SERVER_LID, lid_user);
    int rc = wb_store_contact_pn_of(c->st, lid, pn);
    if (rc < 0)
        return rc;
    size_t n = strcspn(pn, "@");
    if (n > WB_JID_USER_MAX)
        return WB_EMALFORMED;
    memcpy(out, pn, n);
    out[n] = '\0';
    return 0;
}

int wb_client_address(wb_client *c, const wb_jid *device, char out[WB_SIGNAL_ADDR_MAX]) {
    char pn[WB_JID_USER_MAX + 1];
    if (wb_jid_on(device, WB_SERVER_LID) && wb_client_lid_to_pn(c, device->user, pn) == 0)
        return wb_signal_address(out, pn, 0, device->device);
    unsigned domain = wb_jid_on(device, WB_SERVER_LID) ? 1 : 0;
    return wb_signal_address(out, device->user, domain, device->device);
}
