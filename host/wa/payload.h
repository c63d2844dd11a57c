/* The ClientPayload a client sends in the third Noise handshake message (NOTES §2.1): a login for
 * a linked device, or a registration for a new one (its Signal keys, so the phone can link it).
 * The client builds them (with the fields Baileys sends, so the server cannot tell the two
 * apart); the simulator reads the registration's keys with wb_wa_payload_reg_keys. */
#ifndef WB_WA_PAYLOAD_H
#define WB_WA_PAYLOAD_H

#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "wa/prekeys.h"

struct Wa__ClientPayload;

/* How a client presents itself: Baileys' `browser` tuple and `version`. Strings are borrowed. */
typedef struct wb_wa_client_info {
    const char *os;       /* "Mac OS": DeviceProps.os and the pairing display "Chrome (Mac OS)" */
    const char *browser;  /* "Chrome": DeviceProps.platformType and the QR's platform id */
    uint32_t version[3];  /* the WhatsApp Web version: userAgent.appVersion, buildHash */
    const char *push_name;/* NULL or "": none */
    const char *country;  /* ISO 3166 alpha-2, "US" */
} wb_wa_client_info;

/* Baileys' defaults: Mac OS, Chrome, 2.3000.1043857760, US, no push name. */
extern const wb_wa_client_info wb_wa_client_default;

/* A login: username = the phone number, device = our device id; passive and pull set. Appends
 * the serialized ClientPayload to out. Returns 0 or WB_ENOMEM. */
int wb_wa_payload_login(const wb_wa_client_info *ci, uint64_t username, uint32_t device,
                        wb_buf *out);
/* A registration carrying k (our registration id, identity and signed prekey). */
int wb_wa_payload_register(const wb_wa_client_info *ci, const wb_wa_device_keys *k, wb_buf *out);
/* The keys of a registration payload, with the signed prekey's signature checked. Returns 0,
 * WB_EPROTO (missing or wrong-sized fields, err says which) or WB_EBADSIG. */
int wb_wa_payload_reg_keys(const struct Wa__ClientPayload *p, wb_wa_device_keys *out,
                           wb_error *err);

/* The companion platform id a QR or pairing code carries: "1" Chrome, "2" Edge, "3" Firefox,
 * "4" IE, "5" Opera, "6" Safari, "7" Electron, "8" UWP, "9" anything else (Baileys'
 * getCompanionPlatformId). */
const char *wb_wa_platform_id(const wb_wa_client_info *ci);

#endif
