/* The table of the bindings' modules that main.c and tests hand to the runtime (bindings.h). */
#include "bindings/bindings.h"

const wb_rt_module wb_bindings_modules[] = {
    {"wabot.timers", luaopen_wabot_timers},
    {"wabot.kv", luaopen_wabot_kv},
    {"wabot.log", luaopen_wabot_log},
    {"wabot.proto", luaopen_wabot_proto},
    {NULL, NULL},
};
