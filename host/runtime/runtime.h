/* The Lua host: runs one bot file on the libuv loop, reloading it when its files change while
 * everything below it (the WhatsApp session, the store) stays as it is.
 *
 * A bot is run in generations (ARCHITECTURE.md, "The Lua host: generations"). Each load of the bot
 * file is a fresh lua_State with the embedded `wabot` runtime; its top-level chunk runs once, under
 * a load-time budget, and registers listeners and timers. A reload loads the new generation first:
 * if its file does not compile or its top level raises, the error is logged with file:line, the old
 * generation keeps running, and the next save retries. When the new one loaded, it becomes current
 * (every event from then on goes to it), the old one's `wabot.on_reload` functions run, its timers
 * are cancelled, and it drains: coroutines waiting on calls (a send, a sleep) may still be resumed
 * until the drain deadline, after which its pending calls are abandoned and its state is closed.
 *
 * Events: the host posts them with wb_rt_post_event from any loop callback (never from inside Lua).
 * They wait in one queue owned by wb_rt, not by a generation, and are delivered on a later loop
 * iteration to whichever generation is current then, each listener in its own coroutine. A reload
 * happens between two loop callbacks, so an event posted during a swap is delivered exactly once, to
 * the new generation.
 *
 * Who calls this: main.c / host/cli (`wabot run`), the client's libuv glue (events), tests and
 * benchmarks. Bindings (the Lua-facing C code) use runtime/lua_rt.h instead. Everything runs on the
 * loop's thread. */
#ifndef WB_RUNTIME_RUNTIME_H
#define WB_RUNTIME_RUNTIME_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "core/err.h"

typedef struct wb_rt wb_rt;
struct lua_State;
struct wb_store;
struct wb_embed_file;

/* Pushes the Lua values of an event or a call's result onto L and returns how many it pushed.
 * It runs in protected mode on the generation's main thread, so it may raise (a memory error, say):
 * the event is then dropped, or the call fails, with the error logged. ud is the caller's. */
typedef int (*wb_rt_push_fn)(struct lua_State *L, void *ud);
/* Releases an event's payload. */
typedef void (*wb_rt_free_fn)(void *ud);

/* A C module every generation can require: open is a lua_CFunction (luaopen_* style) that leaves
 * the module's value on the stack. Tables of them end with {NULL, NULL}. */
typedef struct wb_rt_module {
    const char *name;
    int (*open)(struct lua_State *L);
} wb_rt_module;

typedef struct wb_rt_config {
    uv_loop_t *loop;
    const char *bot_path;  /* the bot file; modules beside it are found first by require */
    struct wb_store *store; /* for wabot.kv; NULL makes kv calls fail with "no store" */
    const char *kv_namespace; /* wabot.kv's namespace; NULL = the bot file's base name minus .lua */
    /* Preloaded into every generation: C modules (bindings' luaopen_*), and Lua modules (the
     * embedded lua/wabot/ files: a file NAME.lua is module "wabot.NAME", init.lua is "wabot").
     * Both tables must outlive the runtime. */
    const wb_rt_module *modules;
    const struct wb_embed_file *lua_modules;
    size_t mem_limit;        /* bytes of Lua memory per generation; 0 = 256 MiB */
    unsigned budget_ms;      /* how long a listener may run without yielding; 0 = 1000 */
    unsigned load_budget_ms; /* how long the bot file's top level may run; 0 = 1000 */
    unsigned slice_ms;       /* a listener running longer is paused so the loop runs; 0 = 10 */
    unsigned drain_ms;       /* how long a replaced generation may finish its calls; 0 = 5000 */
    /* A save (the file closed after writing, or a new one renamed onto it) reloads after 2 ms
     * of quiet; any other change of a watched file (a writer still at work or keeping the file
     * open, an attribute change) waits for this much quiet, then reloads if the files differ
     * from what was loaded (watch.c). 0 = 500. */
    unsigned debounce_ms;
    int no_reload;           /* non-zero: no file watching (SIGHUP and wabot.reload still work) */
    int handle_sighup;       /* non-zero: SIGHUP reloads */
    /* Called after every load attempt, with the new generation's number, and error = NULL on
     * success or the sentence that was logged on failure. Optional. */
    void (*on_load)(wb_rt *rt, unsigned gen, const char *error);
    void *data; /* for the caller; wb_rt_data returns it */
    /* For the host's binding of the WhatsApp session (module "wabot.session"): wb_rt_session
     * returns it to the binding. The runtime never looks at it. */
    void *session;
    /* A module required after `wabot` and before the bot file, whose table's fields become
     * globals (`wabot test` gives specs describe, it, you and assert this way). NULL: none. */
    const char *globals_module;
} wb_rt_config;

/* Counters, for tests, benchmarks and `wabot status`. */
typedef struct wb_rt_stats {
    unsigned current_gen;      /* the current generation's number (1, 2, ...), 0 if none loaded */
    unsigned loads_ok;         /* successful loads, the first included */
    unsigned loads_failed;
    unsigned gens_alive;       /* the current one plus those still draining */
    uint64_t events_posted;
    uint64_t events_delivered; /* events handed to a generation (listeners or not) */
    uint64_t events_dropped;   /* never delivered: their payload could not be built */
    uint64_t tasks_started;    /* coroutines started: listeners, timers, spawned functions */
    uint64_t tasks_failed;     /* ended by an error (logged with its traceback) */
    uint64_t tasks_killed;     /* stopped by the watchdog for running past the budget */
    uint64_t tasks_preempted;  /* times a long-running listener was paused for the loop */
    uint64_t calls_abandoned;  /* calls still pending when their generation closed */
    uint64_t refs_leaked;      /* registry references still held when generations closed */
} wb_rt_stats;

/* Makes a runtime on cfg->loop and loads the first generation synchronously. Returns 0 and *out,
 * or: WB_EINVAL (bad config), WB_EIO (the bot file cannot be read), WB_EMALFORMED (it does not
 * compile or its top level raised: err->what has file:line and the message), WB_ENOMEM. On failure
 * nothing is left behind. File watching (unless no_reload) starts here. */
int wb_rt_new(wb_rt **out, const wb_rt_config *cfg, wb_error *err);

/* Queues an event for the current generation: on a later loop iteration (never inside this call)
 * each listener registered with sock.ev:on(name, fn) runs in its own coroutine with the value that
 * push(L, ud) leaves on the stack (its first value; the payload is built once per event and shared
 * by the listeners). free(ud) is called exactly once, after delivery or when the event is dropped
 * (runtime closed, payload failed); free may be NULL. name is copied. Returns 0, or WB_ENOMEM /
 * WB_ECLOSED, in which case free(ud) has already been called. */
int wb_rt_post_event(wb_rt *rt, const char *name, wb_rt_push_fn push, wb_rt_free_fn free,
                     void *ud);

/* Tells how an event posted with wb_rt_post_event_tracked ended: handled is 1 when every listener
 * started for it has ended (returned, raised, or been stopped by the watchdog) or nobody listened,
 * 0 when it was never delivered or some listener was dropped before it ended (its generation
 * closed while it waited on a call, or the runtime closed). Called exactly once, instead of free;
 * it must release ud. */
typedef void (*wb_rt_done_fn)(void *ud, int handled);

/* As wb_rt_post_event, but done(ud, handled) is called (once, never from inside this call nor
 * from inside Lua) after the event's listeners finished, not merely after it was delivered: the
 * client's binding marks a message handled only then (the durability rule). Returns 0, or
 * WB_ENOMEM / WB_ECLOSED after calling done(ud, 0). */
int wb_rt_post_event_tracked(wb_rt *rt, const char *name, wb_rt_push_fn push, wb_rt_done_fn done,
                             void *ud);

/* Asks for a reload on the next loop iteration (as a file change or SIGHUP would). */
void wb_rt_reload(wb_rt *rt);

void wb_rt_stats_get(const wb_rt *rt, wb_rt_stats *out);
void *wb_rt_data(const wb_rt *rt);
void *wb_rt_session(const wb_rt *rt);
uv_loop_t *wb_rt_loop(const wb_rt *rt);

/* Closes every generation (pending calls are abandoned, queued events freed), stops watching and
 * releases the runtime once its libuv handles have closed (run the loop to let them). The runtime
 * must not be used after this call. Not to be called from inside Lua (a binding). */
void wb_rt_close(wb_rt *rt);

#endif
