/* Signal wire messages (proto/signal.proto): parsing untrusted bytes into checked structs and
 * building messages to send. Used by the session and group ciphers and by the fuzz targets.
 *
 * Every message starts with the version byte 0x33 (anything else is WB_EUNSUPPORTED). Public keys
 * travel as 33 bytes, 0x05 then the key; the structs hold the bare 32. Parsed structs point into
 * the caller's input or into their own arena, so they live as long as both; wb_sig_*_done releases
 * what the arena had to take from the heap. */
#ifndef WB_SIGNAL_WIRE_H
#define WB_SIGNAL_WIRE_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define WB_SIG_VERSION 0x33
#define WB_SIG_MAC_LEN 8
#define WB_SIG_SIGNATURE_LEN 64

/* Where protobuf-c puts what it decodes: a small buffer, the heap beyond it. */
typedef struct wb_sig_arena {
    ProtobufCAllocator alloc;
    size_t used;
    _Alignas(16) uint8_t buf[1024];
} wb_sig_arena;

/* A "msg": version byte, SignalMessage, 8-byte MAC. */
typedef struct wb_sig_message {
    uint8_t ratchet_key[32];
    uint32_t counter;
    uint32_t previous_counter;
    const uint8_t *ciphertext;
    size_t ciphertext_len;
    const uint8_t *signed_part; /* version byte and protobuf: what the MAC covers after the keys */
    size_t signed_len;
    const uint8_t *mac; /* WB_SIG_MAC_LEN bytes */
    void *proto;        /* the decoded protobuf, owned */
    wb_sig_arena arena;
} wb_sig_message;

/* A "pkmsg": version byte, PreKeySignalMessage (which carries a whole msg). */
typedef struct wb_sig_prekey_message {
    uint32_t registration_id;
    int has_prekey_id;
    uint32_t prekey_id;
    uint32_t signed_prekey_id;
    uint8_t base_key[32];
    uint8_t identity[32];
    wb_sig_message message;
    void *proto;
    wb_sig_arena arena;
} wb_sig_prekey_message;

/* An "skmsg": version byte, SenderKeyMessage, 64-byte signature over what precedes it. */
typedef struct wb_sig_sender_key_message {
    uint32_t key_id;
    uint32_t iteration;
    const uint8_t *ciphertext;
    size_t ciphertext_len;
    const uint8_t *signed_part;
    size_t signed_len;
    const uint8_t *signature;
    void *proto;
    wb_sig_arena arena;
} wb_sig_sender_key_message;

/* A SenderKeyDistributionMessage: version byte, then the protobuf. */
typedef struct wb_sig_distribution {
    uint32_t key_id;
    uint32_t iteration;
    uint8_t chain_key[32];
    uint8_t signing_key[32];
} wb_sig_distribution;

/* 1 if the 32-byte public key is canonically encoded (u < 2^255 - 19), else 0. Every key we
 * accept from a peer must be. */
int wb_sig_key_canonical(const uint8_t k[32]);

/* Parsers: 0, or WB_ETRUNC / WB_EMALFORMED / WB_EUNSUPPORTED with err (optional) saying why. On
 * success the message must be released with the matching _done; on failure nothing is held. */
int wb_sig_message_parse(wb_sig_message *m, const uint8_t *data, size_t len, wb_error *err);
void wb_sig_message_done(wb_sig_message *m);
int wb_sig_prekey_message_parse(wb_sig_prekey_message *m, const uint8_t *data, size_t len,
                                wb_error *err);
void wb_sig_prekey_message_done(wb_sig_prekey_message *m);
int wb_sig_sender_key_message_parse(wb_sig_sender_key_message *m, const uint8_t *data, size_t len,
                                    wb_error *err);
void wb_sig_sender_key_message_done(wb_sig_sender_key_message *m);
int wb_sig_distribution_parse(wb_sig_distribution *d, const uint8_t *data, size_t len,
                              wb_error *err);

/* Builders append to out (checking out->err is enough). */
/* Version byte and SignalMessage; the caller appends the MAC. */
int wb_sig_message_build(wb_buf *out, const uint8_t ratchet_key[32], uint32_t counter,
                         uint32_t previous_counter, const uint8_t *ct, size_t ctlen);
int wb_sig_prekey_message_build(wb_buf *out, uint32_t registration_id, int has_prekey_id,
                                uint32_t prekey_id, uint32_t signed_prekey_id,
                                const uint8_t base_key[32], const uint8_t identity[32],
                                const uint8_t *msg, size_t msglen);
/* Version byte and SenderKeyMessage; the caller appends the signature. */
int wb_sig_sender_key_message_build(wb_buf *out, uint32_t key_id, uint32_t iteration,
                                    const uint8_t *ct, size_t ctlen);
int wb_sig_distribution_build(wb_buf *out, const wb_sig_distribution *d);

#endif
