/* The WhatsApp session as bots see it: the client (host/client) joined to the Lua host. It is
 * two things:
 *
 *   - the module "wabot.session", the primitives lua/wabot/sock.lua builds sock's methods on:
 *     send(jid, message_table[, id]) -> id, t (waits for the server's ack), read(keys),
 *     logout() (waits), user() -> {id, lid, name}, random(n); session_kinds.c's build
 *     (content -> Message table, by the client's wb_client_content_build), presence,
 *     subscribe, receipts, tally; and session_media.c's upload(kind, path, bytes) and
 *     download(message[, path]) (both wait);
 *   - the client's events turned into Baileys' events (connection.update, messages.upsert,
 *     messages.update, messages.reaction, message-receipt.update, presence.update,
 *     contacts.upsert, chats.upsert, chats.update), posted to the runtime with
 *     wb_rt_post_event.
 *
 * The durability rule: a messages.upsert is posted tracked (wb_rt_post_event_tracked), and its
 * rows are marked handled (wb_client_handled) only once every listener of it has ended; rows of
 * an event whose listeners were dropped unfinished (a shutdown, a generation that did not drain)
 * stay pending and are delivered again, with up.replay set, at the next start.
 *
 *     wb_session *s; wb_session_new(&s);
 *     wb_client_host_new(&h, loop, &cfg, &ho, on_event, app);   // on_event calls
 *                                                                // wb_session_on_event(s, ev)
 *     wb_session_set_host(s, h);
 *     cfg.session = s; cfg.modules = wb_session_modules; wb_rt_new(&rt, &cfg, &err);
 *     wb_session_set_rt(s, rt);
 *     wb_client_host_start(h); ... uv_run ...
 *     wb_rt_close(rt); wb_session_set_rt(s, NULL); ... stop and free the host ...;
 *     wb_session_free(s);
 *
 * Reloads never touch the client: generations come and go, the session stays. Everything runs on
 * the loop's thread. */
#ifndef WB_BINDINGS_SESSION_H
#define WB_BINDINGS_SESSION_H

#include <lua.h>
#include <stdint.h>

#include "client/host.h"
#include "runtime/runtime.h"

typedef struct wb_session wb_session;

/* Counters, for `wabot dev` (has the bot settled?) and tests. */
typedef struct wb_session_stats {
    uint64_t sends, sends_ok, sends_failed; /* sendMessage calls that reached the client */
    unsigned sends_pending;                 /* waiting for their ack */
    unsigned upserts_pending;               /* messages.upsert whose listeners still run */
    uint64_t messages_handled;              /* rows marked handled */
    uint64_t messages_unhandled;            /* rows left pending (listeners dropped) */
} wb_session_stats;

/* {"wabot.timers", ...} as wb_bindings_modules, plus {"wabot.session", luaopen_wabot_session}. */
extern const wb_rt_module wb_session_modules[];
int luaopen_wabot_session(lua_State *L);

int wb_session_new(wb_session **out);
/* The client the methods use (NULL: none, they answer "not connected"). */
void wb_session_set_host(wb_session *s, wb_client_host *h);
/* The runtime events go to (NULL: events are dropped, handled marks are not given). */
void wb_session_set_rt(wb_session *s, wb_rt *rt);
/* One client event (call it from the host's on_event). */
void wb_session_on_event(wb_session *s, const wb_client_event *ev);
void wb_session_stats_get(const wb_session *s, wb_session_stats *out);
void wb_session_free(wb_session *s);

/* ---- media (session_media.c) -------------------------------------------------------------------
 * session.upload and session.download, registered in "wabot.session" by session.c. */
int wb_session_l_upload(lua_State *L);
int wb_session_l_download(lua_State *L);
/* The client host of L's session, or NULL when there is none. */
wb_client_host *wb_session_host_of(lua_State *L);

#endif
