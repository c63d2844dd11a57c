/* The runtime's private parts, shared by its files: rt.c (the runtime, the event queue, the tick,
 * reload and drain), gen.c (a generation's lua_State), sched.c (tasks and calls), pcall.c (the
 * protected-call helper and the watchdog), ref.c, watch.c (file watching, SIGHUP) and rt_lua.c
 * (the `wabot.rt` module the embedded Lua side is built on). */
#ifndef WB_RUNTIME_RT_INT_H
#define WB_RUNTIME_RT_INT_H

#include <lauxlib.h>
#include <lua.h>
#include <stdint.h>
#include <uv.h>

#include "runtime/lua_rt.h"
#include "runtime/runtime.h"

typedef enum { GEN_LOADING, GEN_CURRENT, GEN_DRAINING, GEN_CLOSED } wb_gen_state;

/* A coroutine the scheduler owns: a listener, a timer callback, a spawned function or the bot's
 * top level. Its thread's LUA_EXTRASPACE points back at it, which is how the watchdog and
 * wb_rt_call_begin tell a task's own thread from a coroutine the bot made. */
/* The listeners of a tracked event (wb_rt_post_event_tracked) still running: done runs when the
 * last one ends. */
typedef struct wb_rt_track {
    unsigned pending; /* listener tasks not yet ended, plus one held while delivering */
    int dropped;      /* one was dropped before it ended, or delivery failed */
    wb_rt_done_fn done;
    void *ud;
} wb_rt_track;

typedef struct wb_task {
    wb_rt_gen *gen;
    lua_State *co;
    int ref;              /* anchors co in the registry */
    int nargs;            /* values on co's stack for the next resume */
    int toplevel;         /* the bot file's top level: cannot wait, never preempted */
    int queued;           /* in the ready queue */
    wb_rt_call *call;     /* the call it waits on, or NULL */
    uint64_t deadline;    /* when the watchdog stops it, unless it waits first (ns) */
    const char *what;     /* for log lines: "listener of messages.upsert" */
    wb_rt_track *track;   /* a listener of a tracked event, or NULL */
    struct wb_task *next; /* ready queue or pool */
} wb_task;

enum { CALL_STARTED, CALL_WAITING, CALL_DONE_EARLY };

struct wb_rt_call {
    wb_task *task; /* NULL once abandoned */
    wb_rt_abandon_fn on_abandon;
    void *ud;
    int state;
    int early_ref; /* CALL_DONE_EARLY: a table {n=, ...} with the results */
    struct wb_rt_call *prev, *next; /* the generation's pending calls */
};

struct wb_rt_gen {
    wb_rt *rt;
    lua_State *L;
    unsigned id;
    wb_gen_state state;
    size_t mem, mem_limit, mem_peak; /* bytes held by L (lua_Alloc) */
    int refs;                        /* wb_rt_ref minus wb_rt_unref */
    int listeners_ref;               /* sock.ev's table name -> {fn, ...} */
    int on_reload_ref;               /* {fn, ...} from wabot.on_reload */
    wb_rt_call calls;                /* sentinel of the pending calls' list */
    unsigned n_calls, n_ready;
    wb_rt_res res;                   /* sentinel of the resources' list */
    wb_task *pool;                   /* finished tasks whose threads can run again */
    unsigned pool_n;
    /* watchdog */
    wb_task *running;
    uint64_t slice_end; /* preempt the running task after this (ns) */
    uint64_t pcall_deadline; /* wb_lua_pcall's budget outside tasks */
    int kill, preempt, preempt_nested;
    uv_timer_t drain_timer;
    int drain_timer_open;
    struct wb_rt_gen *next; /* rt->gens */
};

typedef struct wb_rt_event {
    struct wb_rt_event *next;
    wb_rt_push_fn push;
    wb_rt_free_fn free;
    wb_rt_done_fn done; /* a tracked event: done instead of free */
    void *ud;
    char name[]; /* NUL-terminated */
} wb_rt_event;

/* A watched directory (watch.c): an inotify watch descriptor on Linux, a libuv fs event
 * elsewhere. */
typedef struct wb_rt_watch {
#ifndef __linux__
    uv_fs_event_t h;
    int open;
#endif
    int wd;
    wb_rt *rt;
    char *dir;
    struct wb_rt_watch *next;
} wb_rt_watch;

struct wb_rt {
    wb_rt_config cfg;
    uv_loop_t *loop;
    char *bot_path;  /* as given (chunk name, log lines) */
    char *bot_real;  /* its absolute path */
    char *bot_dir;   /* the directory require searches first */
    char *kv_ns;
    wb_rt_gen *current;
    wb_rt_gen *gens; /* every generation not yet closed, newest first */
    unsigned next_gen_id;
    wb_rt_event *ev_head, *ev_tail;
    wb_task *ready_head, *ready_tail;
    uv_idle_t idle;
    int idle_active;
    uv_timer_t reload_timer;
    uv_signal_t sighup;
    int sighup_open;
    wb_rt_watch *watches;
    char **watched; /* paths of the bot file and the modules loaded beside it */
    size_t n_watched;
    uv_timer_t watch_timer; /* a change waits on it (watch.c) */
    int watch_timer_open;
    int watch_pending;      /* what the timer will do */
    uint64_t watch_sig;     /* the watched files when the last load began */
#ifdef __linux__
    uv_poll_t inotify;
    int inotify_fd;         /* -1 until the first directory is watched */
    int inotify_open;
#endif
    int closing;
    int handles_open; /* closed handles we still wait for before freeing rt */
    int in_tick;
    wb_rt_stats stats;
};

/* ---- gen.c ---- */
/* Makes generation id and loads the bot into it. Returns the generation, or NULL with err set. */
wb_rt_gen *wb_gen_load(wb_rt *rt, unsigned id, wb_error *err);
/* Closes the state now: retires resources, abandons calls, drops tasks, reports ref leaks,
 * lua_close, then releases g (after its drain timer closed). Never called while g runs Lua. */
void wb_gen_destroy(wb_rt_gen *g);
/* Runs every resource's retire (timers stop). */
void wb_gen_retire(wb_rt_gen *g);
/* Records an absolute path of a module loaded beside the bot, for watching (watch.c). */
void wb_rt_watch_add(wb_rt *rt, const char *abs_path);

/* ---- sched.c ---- */
wb_task *wb_task_new(wb_rt_gen *g, lua_State *L); /* in protected mode: may raise */
void wb_task_ready(wb_task *t, int front);
/* Resumes t once (pcall.c's discipline): afterwards t is finished (pooled or dropped), waiting on a
 * call, or back at the front of the ready queue (preempted; returns 1). */
int wb_task_resume(wb_task *t);
/* Drops every task and call of g (g is closing). */
void wb_sched_drop_gen(wb_rt_gen *g);
/* Delivers one event to g: builds the payload once and readies one task per listener. A tracked
 * event's done runs when its last listener ends (maybe before this returns, when none listens). */
void wb_sched_deliver(wb_rt_gen *g, wb_rt_event *ev);
/* One listener of a tracked event has ended (ok) or was dropped (!ok). */
void wb_rt_track_release(wb_rt_track *tr, int ok);
/* Makes the loop tick soon (the idle handle). */
void wb_rt_wake(wb_rt *rt);

/* ---- pcall.c ---- */
uint64_t wb_rt_now_ns(void);
void wb_rt_install_hook(lua_State *L);
/* Resumes co under the watchdog: the raw lua_resume, plus logging of an error with a traceback.
 * Returns the status; *nres as lua_resume. */
int wb_lua_resume(wb_task *t, int *nres);
/* Logs "context: message" plus a traceback of co (or L) at warn level: the message is cmsg, or
 * when cmsg is NULL the error value on top of L (popped). */
void wb_lua_report(lua_State *L, lua_State *co, int status, const char *context, const char *cmsg);

/* ---- rt_lua.c ---- */
int wb_rt_open_rt(lua_State *L);

/* ---- rt.c ---- */
/* Closes g at the end of the tick if it is draining and has nothing left to run. */
void wb_rt_maybe_finish_drain(wb_rt_gen *g);
/* One of rt's libuv handles finished closing; the last one frees a closing rt. */
void wb_rt_handle_closed(wb_rt *rt);
void wb_rt_schedule_reload(wb_rt *rt, unsigned delay_ms);
/* Loads a new generation now and swaps it in if it loaded (a loop callback, never inside Lua). */
void wb_rt_reload_now(wb_rt *rt);

/* ---- watch.c ---- */
/* Makes the watcher's timer (before the first wb_rt_watch_add). */
void wb_rt_watch_init(wb_rt *rt);
/* A load begins: notes the watched files' state and drops a reload the watcher had pending. */
void wb_rt_watch_loading(wb_rt *rt);
int wb_rt_sighup_start(wb_rt *rt);
/* Closes the file watchers and the signal handle. */
void wb_rt_watch_stop(wb_rt *rt);

#endif
