/* What bindings/session.c shares with the files that add to the session module
 * (session_groups.c: the group methods and events; session_kinds.c: message kinds, presence,
 * receipts). Not for other bindings. */
#ifndef WB_BINDINGS_SESSION_INT_H
#define WB_BINDINGS_SESSION_INT_H

#include <lauxlib.h>
#include <lua.h>

#include "bindings/session.h"

/* The session of the generation L belongs to (NULL in a runtime without one). */
wb_session *wb_session_of(lua_State *L);
/* The client when it is logged in, else NULL. */
wb_client *wb_session_client(wb_session *s);
/* The client, logged in or not (NULL without a host): building content and tallying polls
 * need its store and JID, not a connection. */
wb_client *wb_session_client_any(wb_session *s);
/* Wakes the client's host after a call (its sends go out on this loop turn). */
void wb_session_kick(wb_session *s);
/* The runtime events go to (NULL: none). */
wb_rt *wb_session_rt(wb_session *s);

/* Adds the group methods, onWhatsApp and profilePictureUrl to the module table on top of L. */
void wb_session_groups_open(lua_State *L);
/* Posts ev when it is a group event (groups.upsert, groups.update, group-participants.update,
 * chats.update): 1 when it was one (posted, or lost for want of memory, said in the log), 0
 * when it is not. */
int wb_session_group_event(wb_session *s, const wb_client_event *ev);

/* The primitives session_kinds.c adds to the module: build, presence, subscribe, receipts,
 * tally. */
extern const luaL_Reg wb_session_kinds_fns[];
/* Posts ev when it is an event of message kinds (messages.update of edits, revokes and votes;
 * messages.reaction; presence.update): 1 when it was one, 0 when not. */
int wb_session_kinds_event(wb_session *s, const wb_client_event *ev);
/* The message keys in the array at idx (a userdata array pushed, the key tables anchored in a
 * table pushed above it; both stay while the strings are used). Raises on a bad key, naming fn. */
wb_client_key *wb_session_read_keys(lua_State *L, int idx, size_t *n, const char *fn);

#endif
