/* Poll votes: how a vote is sealed for the poll's author and the other members.
 *
 * A poll (pollCreationMessage[V2|V3]) carries a 32-byte messageSecret in its
 * messageContextInfo. A vote (pollUpdateMessage) names the poll by its key and carries
 * vote = {encPayload, encIv}: a PollVoteMessage (selectedOptions: the SHA-256 of each chosen
 * option's name) sealed with AES-256-GCM under a key only people who saw the poll can make
 * (Baileys' Utils/process-message.js decryptPollVote, whatsmeow's msgsecret.go):
 *
 *   key  = HKDF-SHA256(ikm = messageSecret, salt = none, info = pollId | creator | voter |
 *          "Poll Vote", 32 bytes)
 *   aad  = pollId | 0x00 | voter
 *   vote = AES-256-GCM(key, iv = 12 random bytes, aad, PollVoteMessage), tag appended
 *
 * creator and voter are user JIDs without a device ("155...@s.whatsapp.net"), in the
 * addressing the chat uses; whatsmeow retries with the other addressing when a vote does not
 * open, and so do callers of wb_wa_poll_vote_open that know both.
 *
 * Pure functions: no I/O, no allocation beyond the wb_buf given. */
#ifndef WB_WA_POLL_H
#define WB_WA_POLL_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "crypto/aes.h"

#define WB_WA_POLL_SECRET_LEN 32
#define WB_WA_POLL_HASH_LEN 32
#define WB_WA_POLL_OPTIONS_MAX 64     /* options of a poll (WhatsApp allows 12) */
#define WB_WA_POLL_VOTE_MAX 4096      /* bytes of a sealed vote we open */

/* The SHA-256 of an option's name: what a vote carries for it. */
void wb_wa_poll_option_hash(const char *name, uint8_t out[WB_WA_POLL_HASH_LEN]);

/* Seals a vote (the serialized PollVoteMessage pt) for poll id by creator, from voter, with the
 * poll's secret and iv (12 bytes, fresh for each vote): out gets the ciphertext and its tag
 * (pt_len + 16 bytes). Returns 0, WB_EINVAL (a missing string) or WB_ENOMEM. */
int wb_wa_poll_vote_seal(const uint8_t secret[WB_WA_POLL_SECRET_LEN], const char *id,
                         const char *creator, const char *voter, const uint8_t iv[WB_GCM_IV_LEN],
                         const uint8_t *pt, size_t pt_len, wb_buf *out);
/* Opens a sealed vote into out (the PollVoteMessage bytes). Returns 0, WB_EAUTH (not sealed for
 * this poll, creator and voter, or tampered with), WB_EMALFORMED (an IV that is not 12 bytes,
 * less than a tag), WB_ETOOBIG (over WB_WA_POLL_VOTE_MAX), WB_EINVAL or WB_ENOMEM. */
int wb_wa_poll_vote_open(const uint8_t secret[WB_WA_POLL_SECRET_LEN], const char *id,
                         const char *creator, const char *voter, const uint8_t *iv, size_t iv_len,
                         const uint8_t *ct, size_t ct_len, wb_buf *out);

#endif
