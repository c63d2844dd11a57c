/* Device-list notifications (NOTES §5): a user linked or lost a companion, so whoever caches its
 * device list (Baileys for five minutes, whatsmeow until told) adds or drops that device:
 *
 *   <notification from="P@s.whatsapp.net" [lid="L@lid"] type="devices" id t>
 *     <add|remove|update device_hash="2:..." [device_lid_hash]>
 *       <device jid="P:n@s.whatsapp.net" [lid="L:n@lid"] key-index="k"/>
 *     </add|remove|update></notification>
 *
 * device_hash is whatsmeow's participantListHashV2 of the user's whole device list after the
 * change; a client whose updated cache hashes the same keeps it, else drops it. "update" means
 * the list changed in ways not said: drop the cache. The simulator builds these (notify.c); the
 * client reads them. */
#ifndef WB_WA_DEVICES_H
#define WB_WA_DEVICES_H

#include <stddef.h>
#include <stdint.h>

#include "binary/node.h"
#include "core/err.h"

#define WB_WA_DEVICE_HASH_MAX 16 /* "2:" and 8 base64 characters, NUL included */

typedef struct wb_wa_device_entry {
    wb_jid jid;           /* the device, on the user's server */
    wb_jid lid;           /* the same device by LID (empty: not given) */
    uint32_t key_index;   /* valid when has_key_index */
    int has_key_index;
} wb_wa_device_entry;

typedef struct wb_wa_devices_notification {
    const char *id;
    wb_jid from;                       /* the user whose list changed */
    wb_jid lid;                        /* its LID (empty: not given) */
    int64_t t;
    const char *action;                /* the child's tag: "add", "remove", "update" */
    const char *device_hash;           /* NULL: none */
    const char *device_lid_hash;
    const wb_wa_device_entry *devices; /* the child's <device>s */
    size_t ndevices;
} wb_wa_devices_notification;

/* A <notification type="devices"> as n describes it. */
wb_node *wb_wa_devices_notification_new(wb_arena *a, const wb_wa_devices_notification *n);
/* Reads one (devices go to arena a). Returns 0, WB_EPROTO / WB_EMALFORMED (not a devices
 * notification, no change child, a device without a valid jid, a bad key-index) or WB_ENOMEM. */
int wb_wa_devices_notification_read(const wb_node *n, wb_arena *a,
                                    wb_wa_devices_notification *out, wb_error *err);

/* The device_hash of a user's device list (any order): "2:" and the first 6 bytes of SHA-256 of
 * the sorted "user.agent:device@server" forms of the devices, in unpadded base64. Returns 0 or
 * WB_ENOMEM. */
int wb_wa_devices_hash(const wb_jid *devices, size_t n, char out[WB_WA_DEVICE_HASH_MAX]);

#endif
