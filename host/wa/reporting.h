/* The reporting token of a sent message (NOTES: Baileys' Utils/reporting-utils.js).
 *
 * WhatsApp Web attaches <reporting><reporting_token v="2">16 bytes</reporting_token></reporting>
 * to the messages it sends: an HMAC over a fixed selection of the Message's fields (the ones a
 * recipient's abuse report discloses), keyed by a secret derived from the message's own
 * messageSecret, its id and the chat. A recipient who reports the message hands its content to
 * WhatsApp, which can then check that the sender really sent that content. Baileys sends it with
 * every message that has a messageSecret (all but reactions, encrypted reactions and event
 * responses, and poll votes, which carry theirs differently), except resends answering a retry. */
#ifndef WB_WA_REPORTING_H
#define WB_WA_REPORTING_H

#include <stddef.h>
#include <stdint.h>

#include "binary/node.h"
#include "wb_proto.h"

#define WB_WA_REPORTING_TOKEN_LEN 16

/* 1 when a message like m carries a messageSecret and a reporting token (Baileys'
 * shouldIncludeReportingToken). */
int wb_wa_reporting_wanted(const struct Wa__Message *m);

/* The token of the encoded Message msg (len bytes) with id, sent by us to chat (a JID string:
 * Baileys' key.remoteJid; both "from" and "to" of the derivation for a message we send), keyed by
 * its 32-byte messageSecret. Returns 1 (token written), 0 (no token: none of the selected fields
 * is in the message, or msg is not a protobuf Baileys' reader takes) or WB_ENOMEM. */
int wb_wa_reporting_token(const uint8_t *msg, size_t len, const uint8_t secret[32], const char *id,
                          const char *chat, uint8_t token[WB_WA_REPORTING_TOKEN_LEN]);

/* Adds <reporting><reporting_token v="2">token</reporting_token></reporting> to a <message>. */
void wb_wa_reporting_fill(wb_node *message, const uint8_t token[WB_WA_REPORTING_TOKEN_LEN]);

#endif
