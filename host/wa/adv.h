/* ADV: how a phone vouches for its companion devices (NOTES §3.2, §3.3). At pair-success the
 * phone signs the companion's identity key with its account key (the account signature) over an
 * ADVDeviceIdentity (raw id, time, key index) and MACs the result with the adv secret the QR or
 * pairing code carried; the companion checks both, signs back with its own identity key (the
 * device signature) and keeps the whole signed identity, which it attaches to every pkmsg it
 * sends (<device-identity>) so recipients know the device belongs to the account.
 *
 *   account message  06 00 | details | companion identity         (06 05 for hosted devices)
 *   device message   06 01 | details | companion identity | account key
 *   container        ADVSignedDeviceIdentityHMAC{details = ADVSignedDeviceIdentity{details,
 *                    accountSignatureKey, accountSignature}, hmac = HMAC-SHA256(adv, details)}
 *
 * The simulator's phone issues (wb_wa_adv_issue) and checks the companion's answer
 * (wb_wa_adv_check_signed); the client accepts (wb_wa_adv_accept) and signs. */
#ifndef WB_WA_ADV_H
#define WB_WA_ADV_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "crypto/curve.h"

#define WB_WA_ADV_DETAILS_MAX 64 /* an ADVDeviceIdentity is ~25 bytes */

/* A companion's signed identity as the phone issued it (and, once signed, the device too). */
typedef struct wb_wa_adv_identity {
    uint8_t details[WB_WA_ADV_DETAILS_MAX]; /* the ADVDeviceIdentity bytes, as signed */
    size_t details_len;
    uint8_t account_key[WB_KEY_LEN];        /* the phone's identity key */
    uint8_t account_sig[WB_SIG_LEN];
    uint8_t device_sig[WB_SIG_LEN];         /* valid when has_device_sig */
    int has_device_sig;
    /* read from details */
    uint32_t raw_id;
    uint64_t timestamp;
    uint32_t key_index;
    int hosted;                             /* deviceType HOSTED: the 06 05 prefix */
} wb_wa_adv_identity;

/* The phone: issues the identity of a companion with identity key companion_ident, as account
 * (key pair) with raw_id, timestamp and key_index, and appends the container for pair-success
 * (HMACed with adv_secret) to container. Returns 0 (out filled) or a negative code. */
int wb_wa_adv_issue(const wb_keypair *account, uint32_t raw_id, uint64_t timestamp,
                    uint32_t key_index, const uint8_t companion_ident[WB_KEY_LEN],
                    const uint8_t adv_secret[32], wb_wa_adv_identity *out, wb_buf *container);

/* The companion: checks a pair-success container against adv_secret (WB_EAUTH), the account
 * signature over our identity key own_ident (WB_EBADSIG) and the details (WB_EMALFORMED: no key
 * index, undecodable bytes); out gets the identity (without a device signature). */
int wb_wa_adv_accept(const uint8_t *container, size_t len, const uint8_t adv_secret[32],
                     const uint8_t own_ident[WB_KEY_LEN], wb_wa_adv_identity *out, wb_error *err);

/* The bytes the device signature covers (06 01 | details | companion identity | account key),
 * appended to out. The companion signs them with its identity key and sets id->device_sig. */
int wb_wa_adv_device_message(const wb_wa_adv_identity *id, const uint8_t companion_ident[WB_KEY_LEN],
                             wb_buf *out);

/* Appends the ADVSignedDeviceIdentity (details, account signature, the device signature when
 * set, the account key when with_account_key) to out: without the key in pair-device-sign, with
 * it in a pkmsg's <device-identity>, as Baileys encodes them. */
int wb_wa_adv_encode(const wb_wa_adv_identity *id, int with_account_key, wb_buf *out);

/* The phone: checks the companion's <pair-device-sign> identity p against what was issued: same
 * details and account signature, no other account key, a valid device signature by
 * companion_ident. Returns 0 or a negative code with *why saying what was wrong. */
int wb_wa_adv_check_signed(const uint8_t *p, size_t len, const wb_wa_adv_identity *issued,
                           const uint8_t companion_ident[WB_KEY_LEN], const char **why);

#endif
