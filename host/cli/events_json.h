/* The client's events as JSON lines, shaped as Baileys emits them, for `wabot sync --json`:
 *
 *   {"event": "messages.upsert", "data": {"type": "notify", "messages": [WebMessageInfo]}}
 *   {"event": "messages.update", "data": [{"key": {...}, "update": {"status": 3}}]}
 *   {"event": "message-receipt.update", "data": [{"key": {...}, "receipt": {"userJid": ...,
 *    "receiptTimestamp" | "readTimestamp" | "playedTimestamp": t}}]}
 *   {"event": "connection.update", "data": {"connection": "open" | "connecting" | "close",
 *    "lastDisconnect": {"statusCode": 515, "reason": "..."}, "qr": ..., "isNewLogin": true}}
 *   {"event": "contacts.upsert", "data": [{"id": jid, "notify": name}]}
 *   {"event": "chats.upsert", "data": [{"id": jid}]}
 *   {"event": "groups.upsert", "data": [GroupMetadata + "author"]}
 *   {"event": "groups.update", "data": [{"id", "author", "subject" | "desc" | "announce" |
 *    "restrict" | "inviteCode"}]}
 *   {"event": "group-participants.update", "data": {"id", "author", "participants": [{"id",
 *    "phoneNumber", "lid", "admin"}], "action"}}
 *   {"event": "chats.update", "data": [{"id", "name" | "description" | "readOnly" |
 *    "ephemeralExpiration"...}]}
 *
 * WebMessageInfo objects are protobufjs' toObject form (proto/wb_proto_json.h): 64-bit numbers
 * as strings, bytes as base64. A messages.upsert replayed after a restart carries
 * "replay": true beside "type". */
#ifndef WB_CLI_EVENTS_JSON_H
#define WB_CLI_EVENTS_JSON_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "client/client.h"

/* The JSON line of ev (a new object to cJSON_Delete), or NULL for events without one. */
cJSON *wb_cli_event_json(const wb_client_event *ev);
/* A group as Baileys' GroupMetadata ({id, subject, owner, participants: [{id, admin}], ...}),
 * or, for a groups.update entry (g->fields without WB_GROUP_F_ALL), the fields it names. */
cJSON *wb_cli_group_json(const wb_client_group *g);
cJSON *wb_cli_participants_json(const wb_client_participant *p, size_t n);
/* Prints it on out as one line and flushes. Returns 1 when something was printed. */
int wb_cli_event_print(FILE *out, const wb_client_event *ev);

#endif
