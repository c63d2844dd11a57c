/* The symmetric half of Signal, shared by 1:1 sessions and sender keys: chain-key steps, message
 * keys derived from a step, and the bounded list of skipped message keys a chain keeps for
 * messages that arrive out of order. Called by ratchet.c, session.c and group.c.
 *
 * A chain key ck gives the message-key seed HMAC(ck, 0x01) and the next chain key HMAC(ck, 0x02)
 * (libsignal's MESSAGE_KEY_SEED and CHAIN_KEY_SEED); the seed expands by HKDF with 32 zero bytes
 * of salt and the info "WhisperMessageKeys" (sessions: cipher key, MAC key, IV) or "WhisperGroup"
 * (sender keys: IV, cipher key). */
#ifndef WB_SIGNAL_CHAIN_H
#define WB_SIGNAL_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

typedef struct wb_sig_mkey {
    uint32_t index;
    uint8_t seed[32];
} wb_sig_mkey;

/* Skipped message keys: ascending index, at most WB_SIGNAL_MAX_SKIPPED (the oldest go first). */
typedef struct wb_sig_mkeys {
    uint32_t n, cap;
    wb_sig_mkey *k; /* heap, cap entries, zeroed when freed */
} wb_sig_mkeys;

/* Appends (index above every stored one), evicting the oldest past the bound. 0 or WB_ENOMEM. */
int wb_sig_mkeys_push(wb_sig_mkeys *l, uint32_t index, const uint8_t seed[32]);
/* Removes the key for index into seed: 0, or WB_ENOTFOUND. */
int wb_sig_mkeys_take(wb_sig_mkeys *l, uint32_t index, uint8_t seed[32]);
void wb_sig_mkeys_free(wb_sig_mkeys *l);
/* Reads "u16 count, count x (u32 index, 32 seed)", requiring ascending indexes below `below`. */
int wb_sig_mkeys_read(wb_reader *rd, wb_sig_mkeys *l, uint32_t below, wb_error *err);
void wb_sig_mkeys_write(wb_buf *out, const wb_sig_mkeys *l);

/* One step: the message-key seed of ck and the next chain key (next may equal ck). */
void wb_sig_chain_step(const uint8_t ck[32], uint8_t seed[32], uint8_t next[32]);
/* Moves the chain (key ck, next index *next) to give the seed for message `target`, which must be
 * at or after *next: the keys in between go to skipped, ck and *next end just past target.
 * WB_ERANGE if target is WB_SIGNAL_MAX_FUTURE or more ahead; WB_ENOMEM. */
int wb_sig_chain_seek(uint8_t ck[32], uint32_t *next, uint32_t target, wb_sig_mkeys *skipped,
                      uint8_t seed[32]);

/* The cipher key, MAC key and IV of a session message ("WhisperMessageKeys"). */
void wb_sig_message_keys(const uint8_t seed[32], uint8_t cipher[32], uint8_t mac[32],
                         uint8_t iv[16]);
/* Decrypts an AES-256-CBC body and appends the plaintext to out; on failure (WB_EAUTH for bad
 * padding) out is left as it was. */
int wb_sig_cbc_open(wb_buf *out, const uint8_t key[32], const uint8_t iv[16], const uint8_t *ct,
                    size_t len);

/* The IV and cipher key of a group message ("WhisperGroup"). */
void wb_sig_group_keys(const uint8_t seed[32], uint8_t iv[16], uint8_t cipher[32]);

#endif
