/* wabot.log.debug/info/warn/error(fmt, ...): string.format(fmt, ...) into the host's log,
 * component "bot", tagged with the calling file and line ("bots/echo.lua:12: ..."). With a single
 * argument nothing is formatted (log.info('100%') is fine). Below the log level nothing is
 * formatted either. */
#include <lauxlib.h>

#include "bindings/bindings.h"
#include "core/log.h"

static int log_at(lua_State *L, wb_log_level level) {
    if (level < wb_log_get_level())
        return 0;
    int n = lua_gettop(L);
    if (n == 0)
        return luaL_argerror(L, 1, "message expected");
    if (n == 1) {
        luaL_tolstring(L, 1, NULL); /* msg */
    } else {
        lua_pushvalue(L, lua_upvalueindex(1)); /* args..., format */
        lua_insert(L, 1);                      /* format, args... */
        lua_call(L, n, 1);                     /* msg */
    }
    luaL_where(L, 1); /* msg, where */
    wb_logf(level, "bot", "%s%s", lua_tostring(L, -1), lua_tostring(L, -2));
    return 0;
}

static int l_debug(lua_State *L) { return log_at(L, WB_LOG_DEBUG); }
static int l_info(lua_State *L) { return log_at(L, WB_LOG_INFO); }
static int l_warn(lua_State *L) { return log_at(L, WB_LOG_WARN); }
static int l_error(lua_State *L) { return log_at(L, WB_LOG_ERROR); }

int luaopen_wabot_log(lua_State *L) {
    static const luaL_Reg fns[] = {
        {"debug", l_debug}, {"info", l_info}, {"warn", l_warn}, {"error", l_error}, {NULL, NULL},
    };
    luaL_newlibtable(L, fns);
    /* string.format as it was when the module opened: a bot replacing it changes nothing here */
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE); /* log, loaded */
    lua_getfield(L, -1, "string");                            /* log, loaded, string */
    lua_getfield(L, -1, "format");                            /* log, loaded, string, format */
    lua_remove(L, -2);
    lua_remove(L, -2); /* log, format */
    luaL_setfuncs(L, fns, 1);
    return 1;
}
