/* The Lua API's C side: one file per Lua-facing object, each a luaopen_* registered with the
 * runtime as a module every generation can require (runtime.h, wb_rt_module). main.c and tests
 * hand wb_bindings_modules and wb_lua_wabot (the embedded lua/wabot/ files) to wb_rt_new.
 *
 * The client's binding adds its own module "wabot.session" (the methods of `sock`, see
 * lua/wabot/sock.lua) to a copy of this table, and posts events with wb_rt_post_event using the
 * push functions below. */
#ifndef WB_BINDINGS_H
#define WB_BINDINGS_H

#include <lua.h>
#include <stddef.h>
#include <stdint.h>

#include "core/embed.h"
#include "runtime/runtime.h"
#include "wb_proto.h"

/* {"wabot.timers", ...}, {"wabot.kv", ...}, {"wabot.log", ...}, {"wabot.proto", ...}, {NULL} */
extern const wb_rt_module wb_bindings_modules[];
/* The files of lua/wabot/, compiled in (cmake/wb_embed.cmake). */
extern const wb_embed_file wb_lua_wabot[];

int luaopen_wabot_timers(lua_State *L); /* timers.c: sleep, setTimeout, setInterval, clearTimer */
int luaopen_wabot_kv(lua_State *L);     /* kv.c: get, set, delete, keys */
int luaopen_wabot_log(lua_State *L);    /* log.c: debug, info, warn, error */
int luaopen_wabot_proto(lua_State *L);  /* proto.c: decode, encode (tests, tools) */

/* ---- protobuf <-> Lua tables (proto.c) ------------------------------------------------------
 * One walk over proto/'s reflection, as wb_proto_json does. A message is a table keyed by the
 * .proto field names (protobufjs' camelCase); absent fields are absent keys. Values:
 *   strings -> Lua strings; bytes -> Lua strings (raw bytes); bool -> boolean;
 *   int32/uint32/sint32/fixed32/sfixed32 -> integer; float/double -> float;
 *   int64/sint64/sfixed64 -> integer; uint64/fixed64 -> integer holding the same 64 bits (values
 *     past 2^63-1 read as negative integers; math.ult compares them; timestamps never get there);
 *   enums -> the value's name as a string ("IMAGE"), or the number when the schema has no name
 *     for it; repeated fields -> arrays (1..n); sub-messages -> tables.
 * From Lua, an enum may be given by name or number, an integer field by any number with an exact
 * integer value, a float field by any number; unknown keys and wrong types raise an error naming
 * the field. */

/* Pushes msg as a table. May raise (memory, depth). */
void wb_lua_push_proto(lua_State *L, const ProtobufCMessage *msg);
/* Reads the table at idx as a message of type d; *out gets a new message (wb_proto_free it).
 * Raises a Lua error (with the field's path) on a bad table; nothing is leaked then. */
void wb_lua_to_proto(lua_State *L, int idx, const ProtobufCMessageDescriptor *d,
                     ProtobufCMessage **out);

/* Pushes a WebMessageInfo as a message table with the conveniences of lua/wabot/message.lua
 * (m.text, m.chat, m.sender, m.isGroup, m:reply). May raise. */
void wb_lua_push_message(lua_State *L, const Wa__WebMessageInfo *info);

/* ---- wabot.kv values (kv.c) -------------------------------------------------------------------
 * The stored form of a value: a type byte then its body; tables nest up to 32 levels. Encoding
 * raises on values kv cannot hold (functions, cycles, ...); decoding bytes that are not a valid
 * encoding returns WB_EMALFORMED with nothing pushed. */
int wb_kv_decode(lua_State *L, const uint8_t *p, size_t len);

#endif
