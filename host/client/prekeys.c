/* Our one-time prekeys on the server (NOTES §5): uploads at login (login.c) and when the server
 * says we run low (<notification type="encrypt"><count value=N/>, notify.c). Keys are marked
 * uploaded only after the server's result, so a failed upload is sent again next time. */
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"
#include "core/log.h"
#include "wa/prekeys.h"

typedef struct upload {
    wb_client *c;
    void (*done)(wb_client *c, int status);
    unsigned n;
    wb_signal_prekey keys[];
} upload;

static void on_uploaded(void *ud, int status, const wb_node *answer) {
    upload *u = ud;
    wb_client *c = u->c;
    if (status == 0 && (status = wb_signal_prekeys_mark_uploaded(c->sig, u->keys, u->n)) == 0)
        WB_INFO("client", "uploaded %u prekeys", u->n);
    else if (status != WB_ECLOSED)
        WB_WARN("client", "prekey upload failed: %s", wb_strerror(status));
    void (*done)(wb_client *, int) = u->done;
    free(u);
    if (done)
        done(c, status);
}

int wb_client_prekeys_upload(wb_client *c, unsigned count, void (*done)(wb_client *c, int status)) {
    upload *u = malloc(sizeof *u + count * sizeof u->keys[0]);
    if (!u)
        return WB_ENOMEM;
    u->c = c;
    u->done = done;
    wb_wa_device_keys k = {.registration_id = wb_signal_registration_id(c->sig)};
    memcpy(k.identity, wb_signal_identity_public(c->sig), 32);
    int rc = wb_signal_signed_prekey_current(c->sig, &k.skey);
    if (rc == 0)
        rc = wb_signal_prekeys_for_upload(c->sig, count, u->keys, &u->n);
    if (rc == 0) {
        wb_node *iq = wb_client_iq(c, "set", "encrypt");
        wb_wa_prekeys_upload_fill(iq, &k, u->keys, u->n);
        rc = wb_client_send_iq(c, iq, on_uploaded, u);
    }
    if (rc < 0)
        free(u);
    return rc;
}
