/* The QR code a companion shows while it waits to be linked (NOTES §3.1): one string per ref the
 * server sent in <pair-device>,
 *
 *   https://wa.me/settings/linked_devices#REF,NOISE,IDENTITY,ADV,PLATFORM
 *
 * with the companion's Noise and identity public keys and its adv secret in standard base64 and
 * its platform id ("1" Chrome, ...). The phone reads the keys from it and MACs pair-success with
 * the adv secret, which exists only in the QR. The client formats; the simulator's phone parses
 * what POST /admin/mock-phone/scan-qr receives. */
#ifndef WB_WA_QR_H
#define WB_WA_QR_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define WB_WA_QR_PREFIX "https://wa.me/settings/linked_devices#"
#define WB_WA_QR_REF_MAX 127

typedef struct wb_wa_qr {
    char ref[WB_WA_QR_REF_MAX + 1];
    uint8_t noise_pub[32];
    uint8_t identity_pub[32];
    uint8_t adv_secret[32];
    char platform[32]; /* "" when the QR names none */
} wb_wa_qr;

/* Appends the QR string for ref (ref_len bytes, as the server sent it) to out. Returns 0 or
 * WB_ENOMEM. */
int wb_wa_qr_format(const char *ref, size_t ref_len, const uint8_t noise_pub[32],
                    const uint8_t identity_pub[32], const uint8_t adv_secret[32],
                    const char *platform, wb_buf *out);
/* Parses a QR string (with or without the URL prefix; the platform is optional). Returns 0 (out
 * filled) or WB_EMALFORMED. out holds a secret: zero it when done. */
int wb_wa_qr_parse(const char *text, size_t len, wb_wa_qr *out);

#endif
