/* What bindings/session.c shares with the files that add to the session module
 * (session_groups.c: the group methods and events). Not for other bindings. */
#ifndef WB_BINDINGS_SESSION_INT_H
#define WB_BINDINGS_SESSION_INT_H

#include <lua.h>

#include "bindings/session.h"

/* The session of the generation L belongs to (NULL in a runtime without one). */
wb_session *wb_session_of(lua_State *L);
/* The client when it is logged in, else NULL. */
wb_client *wb_session_client(wb_session *s);
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

#endif
