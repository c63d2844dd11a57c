/* Linking by pairing code (NOTES §4): instead of scanning a QR, the user types an 8-character
 * code the companion shows into the phone. The code only protects an exchange of ephemeral keys;
 * the adv secret that MACs pair-success comes from Diffie-Hellman:
 *
 *   companion_hello  (companion -> server, iq md) the phone number and the companion's ephemeral
 *                    key wrapped under the code: salt32 | iv16 | AES-CTR(PBKDF2(code, salt), key)
 *   primary_hello    (server -> companion, notification) the phone's identity key and its own
 *                    ephemeral key, wrapped the same way
 *   companion_finish (companion -> server, iq md) a key bundle, salt32 | nonce12 |
 *                    AES-GCM(HKDF(shared, salt), companion identity | phone identity | random32),
 *                    where shared = X25519 of the two ephemeral keys
 *   adv secret       HKDF(shared | X25519(companion identity, phone identity) | random32,
 *                    info "adv_secret"), computed by both sides
 *
 * The client plays the companion, the simulator the phone; the crypto and the stanza shapes are
 * here once for both. A wrong code shows up as a bundle that does not authenticate. */
#ifndef WB_WA_PAIR_CODE_H
#define WB_WA_PAIR_CODE_H

#include <stddef.h>
#include <stdint.h>

#include "binary/node.h"
#include "core/buf.h"
#include "core/err.h"

#define WB_WA_PAIR_CODE_LEN 8
#define WB_WA_PAIR_CODE_ITERATIONS (2u << 16) /* 131072, as both clients derive it */
#define WB_WA_PAIR_WRAPPED_LEN 80             /* salt 32 | iv 16 | key 32 */
#define WB_WA_PAIR_BUNDLE_LEN (32 + 12 + 96 + 16) /* salt | nonce | plaintext | tag */
#define WB_WA_PAIR_REF_MAX 64

/* ---- the code and the key wraps ----------------------------------------------------------- */

/* A fresh code: 5 random bytes in the alphabet 123456789ABCDEFGHJKLMNPQRSTVWXYZ, NUL-terminated. */
void wb_wa_pair_code_new(char code[WB_WA_PAIR_CODE_LEN + 1]);
/* The code as the KDF takes it: 8 letters or digits, upper case, without '-' or spaces.
 * Returns 0 or WB_EMALFORMED. */
int wb_wa_pair_code_normalize(const char *in, char out[WB_WA_PAIR_CODE_LEN + 1]);
/* Wraps a public key under the code with a fresh salt and IV. */
int wb_wa_pair_code_wrap(const char *code, const uint8_t pub[32],
                         uint8_t out[WB_WA_PAIR_WRAPPED_LEN]);
/* Unwraps (no authentication: a wrong code gives a wrong key, found out at the bundle). */
int wb_wa_pair_code_unwrap(const char *code, const uint8_t wrapped[WB_WA_PAIR_WRAPPED_LEN],
                           uint8_t pub[32]);

/* ---- the key bundle and the adv secret ------------------------------------------------------ */

/* The companion: seals companion_ident | primary_ident | random under shared, into out
 * (WB_WA_PAIR_BUNDLE_LEN bytes appended). */
int wb_wa_pair_code_seal(const uint8_t shared[32], const uint8_t companion_ident[32],
                         const uint8_t primary_ident[32], const uint8_t random[32], wb_buf *out);
/* The phone: opens a bundle with shared. Returns 0 (the three parts written), WB_EAUTH (another
 * shared key: a wrong code) or WB_EMALFORMED (the wrong size). */
int wb_wa_pair_code_open(const uint8_t shared[32], const uint8_t *bundle, size_t len,
                         uint8_t companion_ident[32], uint8_t primary_ident[32], uint8_t random[32]);
/* HKDF(shared | identity_dh | random, info "adv_secret") into adv. */
int wb_wa_pair_code_adv_secret(const uint8_t shared[32], const uint8_t identity_dh[32],
                               const uint8_t random[32], uint8_t adv[32]);

/* ---- stanzas ---------------------------------------------------------------------------------- */

/* <link_code_companion_reg jid stage="companion_hello" should_show_push_notification="true">
 * with the wrapped key, the Noise key, platform id and display ("Chrome (Mac OS)") and nonce "0",
 * added to iq (an <iq xmlns="md" type="set">). */
void wb_wa_pair_code_hello_fill(wb_node *iq, const char *phone_jid,
                                const uint8_t wrapped[WB_WA_PAIR_WRAPPED_LEN],
                                const uint8_t noise_pub[32], const char *platform_id,
                                const char *platform_display);
/* The companion_finish: the bundle, our identity and the ref, added to iq. */
void wb_wa_pair_code_finish_fill(wb_node *iq, const char *phone_jid, const uint8_t *bundle,
                                 size_t bundle_len, const uint8_t companion_ident[32],
                                 const uint8_t *ref, size_t ref_len);
/* The phone's notification (primary_hello). */
wb_node *wb_wa_pair_code_primary_hello(wb_arena *a, const char *id, int64_t t, const uint8_t *ref,
                                       size_t ref_len, const uint8_t primary_ident[32],
                                       const uint8_t wrapped[WB_WA_PAIR_WRAPPED_LEN]);

/* What a <link_code_companion_reg> carries, read by either side (pointers into the node). */
typedef struct wb_wa_pair_code_reg {
    const char *stage;            /* "companion_hello", "companion_finish", "primary_hello" or NULL */
    wb_jid jid;                   /* the phone number's user JID (hello, finish) */
    const uint8_t *wrapped;       /* WB_WA_PAIR_WRAPPED_LEN: hello (companion's), primary_hello */
    const uint8_t *auth_key;      /* hello: the companion's Noise key */
    const uint8_t *display;       /* hello: the platform display, display_len bytes (optional) */
    size_t display_len;
    const uint8_t *bundle;        /* finish */
    size_t bundle_len;
    const uint8_t *ident;         /* finish: companion identity; primary_hello: the phone's */
    const uint8_t *ref;           /* finish, primary_hello, the hello's answer */
    size_t ref_len;
} wb_wa_pair_code_reg;

/* Reads the <link_code_companion_reg> child of n (an iq or notification) for the stage it names
 * (or, with no stage, as the hello's answer: only the ref). Returns 0 or WB_EPROTO /
 * WB_EMALFORMED with err saying what is missing. */
int wb_wa_pair_code_read(const wb_node *n, wb_wa_pair_code_reg *out, wb_error *err);

#endif
