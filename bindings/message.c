/* Message tables for events: a WebMessageInfo pushed as its protobufjs-shaped table (proto.c)
 * with lua/wabot/message.lua's metatable, which computes m.text, m.chat, m.sender, m.isGroup and
 * m:reply. The client's binding calls wb_lua_push_message from the push functions of
 * messages.upsert and friends. */
#include <lauxlib.h>

#include "bindings/bindings.h"

void wb_lua_push_message(lua_State *L, const Wa__WebMessageInfo *info) {
    wb_lua_push_proto(L, &info->base); /* m */
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE); /* m, loaded */
    lua_getfield(L, -1, "wabot.message");                     /* m, loaded, M */
    if (lua_istable(L, -1)) {
        lua_getfield(L, -1, "mt"); /* m, loaded, M, mt */
        if (lua_istable(L, -1))
            lua_setmetatable(L, -4);
        else
            lua_pop(L, 1);
    }
    lua_pop(L, 2); /* m */
}
