/* <notification> from the server, by type (NOTES §5): encrypt (our prekeys run low),
 * link_code_companion_reg (pairing by code), devices (a contact's device list changed). Every
 * notification is acked once handled, as Baileys does; the server keeps it queued until then. */
#include <string.h>

#include "client/client_int.h"
#include "core/log.h"
#include "wa/prekeys.h"

#define PREKEYS_TOP_UP 50

static int on_encrypt(wb_client *c, wb_node *n) {
    int64_t left = wb_wa_prekeys_count_of(n);
    if (left >= 0 && left < WB_WA_PREKEYS_MIN && c->state == WB_ST_OPEN) {
        WB_INFO("client", "the server holds %lld of our prekeys: uploading more", (long long)left);
        int rc = wb_client_prekeys_upload(c, PREKEYS_TOP_UP, NULL);
        if (rc < 0)
            WB_WARN("client", "cannot upload prekeys: %s", wb_strerror(rc));
    }
    return 0;
}

static const struct {
    const char *type;
    int (*fn)(wb_client *c, wb_node *n);
} types[] = {
    {"encrypt", on_encrypt},
    {"link_code_companion_reg", wb_client_pair_code_notification},
    {"devices", wb_client_usync_devices_changed},
    {"w:gp2", wb_client_group_notification},
};

int wb_client_on_notification(wb_client *c, wb_node *n) {
    const char *type = wb_node_attr(n, "type");
    int rc = 0;
    size_t i = 0;
    for (; type && i < sizeof types / sizeof *types; i++)
        if (strcmp(types[i].type, type) == 0) {
            rc = types[i].fn(c, n);
            break;
        }
    if (!type || i == sizeof types / sizeof *types)
        WB_DEBUG("client", "notification type=%s not handled", type ? type : "");
    if (rc < 0)
        WB_WARN("client", "notification type=%s: %s", type, wb_strerror(rc));
    /* a notification we could not use is still acked: holding it would only make the server
     * send it again at every login */
    return c->state == WB_ST_CLOSING ? 0 : wb_client_ack_stanza(c, n);
}
