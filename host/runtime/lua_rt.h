/* The runtime as bindings see it: the generation a lua_State belongs to, counted registry
 * references, the one protected-call helper, calls that wait by yielding their coroutine, tasks,
 * and per-generation resources. Only runtime/ and bindings/ include this (and lua.h).
 *
 * Coroutines. Every listener, timer callback and spawned function runs in a task: a coroutine the
 * scheduler owns. A binding whose operation waits (a send, a query, a sleep) does
 *
 *     static int l_sock_send_message(lua_State *L) {
 *         ... check arguments with luaL_check*: misuse raises ...
 *         wb_rt_call *call = wb_rt_call_begin(L, on_abandon, op);  // raises if L cannot wait
 *         if ((rc = start_operation(op, call)) < 0)
 *             wb_rt_call_fail(call, wb_strerror(rc), "EIO");        // expected failure: nil, msg, code
 *         return wb_rt_call_yield(L, call);
 *     }
 *
 * and the operation later calls wb_rt_call_complete or wb_rt_call_fail exactly once. The coroutine
 * resumes on a later loop iteration with the values pushed (the Lua call returns them). If the
 * generation closes first, on_abandon tells the operation (it may stop early); its completion
 * then only frees the call. Timeouts belong to the operation, not to Lua. */
#ifndef WB_RUNTIME_LUA_RT_H
#define WB_RUNTIME_LUA_RT_H

#include <lua.h>
#include <uv.h>

#include "runtime/runtime.h"

typedef struct wb_rt_gen wb_rt_gen;
typedef struct wb_rt_call wb_rt_call;

/* ---- where a lua_State belongs ---------------------------------------------------------------- */

/* The generation of L (any thread of it). Never NULL for a state the runtime made. */
wb_rt_gen *wb_rt_gen_of(lua_State *L);
wb_rt *wb_rt_gen_rt(const wb_rt_gen *g);
/* The generation's number (1 for the first load) and whether it is still the current one (a
 * replaced generation drains: its calls may complete, but it starts no timers). */
unsigned wb_rt_gen_id(const wb_rt_gen *g);
int wb_rt_gen_is_current(const wb_rt_gen *g);
struct wb_store *wb_rt_store(const wb_rt *rt);
const char *wb_rt_kv_namespace(const wb_rt *rt);
const char *wb_rt_bot_path(const wb_rt *rt);

/* ---- counted registry references (luv / Neovim style) ----------------------------------------
 * Every reference the host keeps into a generation's registry goes through this pair, so that the
 * count can be checked when the generation closes: a leak is logged and counted in refs_leaked. */

/* Pops the top value of L and returns a reference to it (LUA_REFNIL for nil). May raise. */
int wb_rt_ref(lua_State *L);
/* Releases ref (LUA_NOREF and LUA_REFNIL are ignored). */
void wb_rt_unref(lua_State *L, int ref);
/* The same from C code that holds no lua_State of g (a timer's retire); g must not be closed. */
void wb_rt_gen_unref(wb_rt_gen *g, int ref);
/* Pushes the value of ref. */
void wb_rt_push_ref(lua_State *L, int ref);
/* The number of references currently held in g. */
int wb_rt_gen_refs(const wb_rt_gen *g);

/* ---- the one protected-call helper -----------------------------------------------------------
 * Every call from C into Lua outside a task goes through wb_lua_pcall; tasks are resumed by the
 * scheduler through the same file. On error it logs "CONTEXT: message" with a traceback at warn
 * level (a memory error says so), leaves nothing on the stack and returns the Lua status. The
 * watchdog's budget applies. */
int wb_lua_pcall(lua_State *L, int nargs, int nresults, const char *context);
/* Calls f(L) in protected mode with ud as its only argument (a light userdata); the same logging. */
int wb_lua_cpcall(lua_State *L, lua_CFunction f, void *ud, const char *context);

/* ---- calls that wait ------------------------------------------------------------------------ */

/* Told when the call's generation closed before the call completed. ud is begin's. The operation
 * may stop early; it must still complete or fail the call once (from here or later), which then
 * only frees it. Never called after a completion. */
typedef void (*wb_rt_abandon_fn)(wb_rt_call *call, void *ud);

/* Records the running task (L's coroutine) as waiting on a new call. Raises a Lua error when L
 * cannot wait: at the bot file's top level, inside a coroutine the bot made itself, or inside a
 * function the scheduler did not start. on_abandon may be NULL. */
wb_rt_call *wb_rt_call_begin(lua_State *L, wb_rt_abandon_fn on_abandon, void *ud);
/* Sets the ud given to on_abandon, for bindings that allocate their operation only after begin
 * (begin raises on misuse, and nothing should be allocated before it). */
void wb_rt_call_set_ud(wb_rt_call *call, void *ud);
/* Yields L until the call completes; `return wb_rt_call_yield(L, call);` from the lua_CFunction
 * that began it. If the call already completed (synchronously), returns its values at once. */
int wb_rt_call_yield(lua_State *L, wb_rt_call *call);
/* Completes the call: push(L, ud) runs now (ud is only borrowed for it) and the coroutine resumes
 * on a later loop iteration with the pushed values as the Lua call's results. If push raises, the
 * call fails with that error instead. Exactly one of complete/fail per call; after it the call is
 * gone. Safe from any loop callback and from inside the binding before it yields. */
void wb_rt_call_complete(wb_rt_call *call, wb_rt_push_fn push, void *ud);
/* Completes the call with the expected-failure triple: nil, message, code ("ETIMEDOUT"). */
void wb_rt_call_fail(wb_rt_call *call, const char *message, const char *code);
/* The generation the call waits in, or NULL once it was abandoned. */
wb_rt_gen *wb_rt_call_gen(const wb_rt_call *call);

/* ---- tasks -------------------------------------------------------------------------------- */

/* Pops a function and its nargs arguments from L and starts them as a new task of L's generation,
 * after the running task yields or returns (in order of spawning). what names it in logs (copied
 * only if it is not a string literal: pass literals or strings that outlive the task). May raise. */
void wb_rt_spawn(lua_State *L, int nargs, const char *what);
/* The same from C outside Lua: the function is ref's value (wb_rt_ref in g), no arguments. Returns
 * 0, or WB_ECLOSED when g is closing, WB_ENOMEM. */
int wb_rt_gen_spawn_ref(wb_rt_gen *g, int ref, const char *what);

/* ---- per-generation resources -----------------------------------------------------------------
 * Things that must stop when their generation is replaced (timers): retire runs once, when the
 * generation stops being current or closes, whichever comes first; it must unlink the resource
 * (wb_rt_res_remove) and may not run Lua. Embed a wb_rt_res in your struct. */
typedef struct wb_rt_res {
    struct wb_rt_res *prev, *next;
    void (*retire)(struct wb_rt_res *res);
} wb_rt_res;

void wb_rt_res_add(wb_rt_gen *g, wb_rt_res *res);
void wb_rt_res_remove(wb_rt_res *res);

/* Asks for a reload on the next loop iteration (wabot.reload()). */
void wb_rt_gen_request_reload(wb_rt_gen *g);

#endif
