/* Reload triggers: file watching and SIGHUP.
 *
 * Directories are watched, not files: editors save by writing a new file and renaming it over the
 * old one, which would leave a watch on the old inode blind. Each directory that holds the bot
 * file or a module loaded from beside it is watched once, and only events for the watched names
 * count.
 *
 * When to reload. A reload must never load a half-written file: a prefix of a bot is often valid
 * Lua, and loading it would replace the bot with a part of itself (its listeners missing, the
 * messages of that moment handled by nobody). Editors end a save in one of two ways: the file
 * written in place is closed (vim, nano, VS Code, cp, git: open with O_TRUNC, writes, close), or
 * a complete new file is renamed over the old name (sed -i, gedit, JetBrains' safe write, rsync).
 * On Linux inotify reports both ends (IN_CLOSE_WRITE, IN_MOVED_TO), so:
 *
 *   renamed   a complete file was renamed onto a watched name: reload on the next loop turn
 *             (the events read together with it are part of the same save);
 *   closed    a watched name was closed after writing: reload once no other event came for
 *             CLOSED_SETTLE_MS, so the several closes and changes of one save (a truncate and
 *             close before the write, a chmod after it) are one reload of the whole file; a file
 *             closed empty is still being written (truncated first), so it counts as writing;
 *   writing   a watched name was modified, created, deleted or renamed away without a close yet
 *             (a writer at work, or one that keeps the file open): wait for debounce_ms of
 *             quiet, and a later save ends the wait at once;
 *   touched   only its attributes changed (chmod, utime): as writing, except right after a save,
 *             where it is part of that save.
 *
 * A reload that comes from waiting out the quiet time (writing or touched, never a save) happens
 * only if a watched file's inode, size or mtime differ from what they were when the current
 * generation was loaded, so an attribute change after a save does not reload twice. Elsewhere
 * than Linux, libuv's portable fs events say only "changed": every change is treated as writing.
 * SIGHUP and wabot.reload() reload at once, always. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <errno.h>
#include <sys/inotify.h>
#endif

#include "core/log.h"
#include "runtime/rt_int.h"

#define CLOSED_SETTLE_MS 2

enum { PENDING_NONE, PENDING_SAVED, PENDING_QUIET };
enum { EV_RENAMED, EV_CLOSED, EV_WRITING, EV_TOUCHED };

/* ---- what a change means -------------------------------------------------------------------- */

/* Folds a file's inode, size and modification time into the fingerprint h (FNV-1a); a missing
 * file counts as missing. Not the change time: a chmod moves it and changes no content. */
static uint64_t sig_add(uint64_t h, const char *path) {
    struct stat st;
    uint64_t v[4] = {UINT64_MAX, 0, 0, 0};
    if (stat(path, &st) == 0) {
        v[0] = (uint64_t)st.st_ino;
        v[1] = (uint64_t)st.st_size;
        v[2] = (uint64_t)st.st_mtim.tv_sec;
        v[3] = (uint64_t)st.st_mtim.tv_nsec;
    }
    const unsigned char *p = (const unsigned char *)v;
    for (size_t k = 0; k < sizeof v; k++)
        h = (h ^ p[k]) * 1099511628211u;
    return h;
}

/* The fingerprint of every watched file, in the order they were added. */
static uint64_t watched_sig(const wb_rt *rt) {
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < rt->n_watched; i++)
        h = sig_add(h, rt->watched[i]);
    return h;
}

void wb_rt_watch_loading(wb_rt *rt) {
    rt->watch_pending = PENDING_NONE;
    if (rt->watch_timer_open)
        uv_timer_stop(&rt->watch_timer);
    rt->watch_sig = watched_sig(rt);
}

static void on_watch_timer(uv_timer_t *h) {
    wb_rt *rt = h->data;
    int pending = rt->watch_pending;
    rt->watch_pending = PENDING_NONE;
    if (rt->closing || pending == PENDING_NONE)
        return;
    if (pending == PENDING_QUIET && watched_sig(rt) == rt->watch_sig)
        return; /* nothing that was loaded has changed (an attribute change after a save) */
    wb_rt_reload_now(rt);
}

static void on_change(wb_rt *rt, int ev) {
    if (rt->closing || !rt->watch_timer_open)
        return;
    unsigned delay;
    if (ev == EV_RENAMED) {
        rt->watch_pending = PENDING_SAVED;
        delay = 0;
    } else if (ev == EV_CLOSED || (ev == EV_TOUCHED && rt->watch_pending == PENDING_SAVED)) {
        rt->watch_pending = PENDING_SAVED;
        delay = CLOSED_SETTLE_MS;
    } else {
        rt->watch_pending = PENDING_QUIET;
        delay = rt->cfg.debounce_ms;
    }
    uv_timer_start(&rt->watch_timer, on_watch_timer, delay, 0);
}

/* Whether dir/name is a watched path. */
static int is_watched(const wb_rt *rt, const char *dir, const char *name) {
    size_t dl = strlen(dir), fl = strlen(name);
    for (size_t i = 0; i < rt->n_watched; i++) {
        const char *p = rt->watched[i];
        if (strlen(p) == dl + 1 + fl && memcmp(p, dir, dl) == 0 && p[dl] == '/' &&
            memcmp(p + dl + 1, name, fl) == 0)
            return 1;
    }
    return 0;
}

static int add_watch(wb_rt *rt, wb_rt_watch *w);
static void remove_watch(wb_rt *rt, wb_rt_watch *w);

#ifdef __linux__
/* ---- Linux: inotify ------------------------------------------------------------------------- */

#define WATCH_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_MODIFY | IN_CREATE | \
                    IN_DELETE | IN_ATTRIB | IN_ONLYDIR)

static void on_inotify_closed(uv_handle_t *h) {
    wb_rt *rt = h->data;
    close(rt->inotify_fd);
    rt->inotify_fd = -1;
    wb_rt_handle_closed(rt);
}

/* Whether dir/name is an empty file: closed so, it was truncated by a writer that has not
 * written yet (`: > bot.lua` before an append), never a save worth loading at once. */
static int is_empty(const char *dir, const char *name) {
    char path[4096];
    struct stat st;
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return 0;
    return stat(path, &st) == 0 && st.st_size == 0;
}

static void on_inotify(uv_poll_t *h, int status, int events) {
    (void)events;
    wb_rt *rt = h->data;
    if (status < 0 || rt->closing)
        return;
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t n = read(rt->inotify_fd, buf, sizeof buf);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            return; /* EAGAIN: all read */
        }
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *e = (const struct inotify_event *)p;
            p += sizeof *e + e->len;
            if (e->mask & IN_Q_OVERFLOW) { /* events were lost: what they said is unknown */
                on_change(rt, EV_WRITING);
                continue;
            }
            if (!e->len)
                continue;
            const wb_rt_watch *w = rt->watches;
            while (w && w->wd != e->wd)
                w = w->next;
            if (!w || !is_watched(rt, w->dir, e->name))
                continue;
            if (e->mask & IN_MOVED_TO)
                on_change(rt, EV_RENAMED);
            else if (e->mask & IN_CLOSE_WRITE)
                on_change(rt, is_empty(w->dir, e->name) ? EV_WRITING : EV_CLOSED);
            else if (e->mask & IN_ATTRIB)
                on_change(rt, EV_TOUCHED);
            else
                on_change(rt, EV_WRITING);
        }
    }
}

static int add_watch(wb_rt *rt, wb_rt_watch *w) {
    if (rt->inotify_fd < 0) {
        int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (fd < 0)
            return -errno;
        rt->inotify_fd = fd;
        uv_poll_init(rt->loop, &rt->inotify, fd);
        rt->inotify.data = rt;
        rt->handles_open++;
        rt->inotify_open = 1;
        int rc = uv_poll_start(&rt->inotify, UV_READABLE, on_inotify);
        if (rc < 0)
            return rc;
    }
    w->wd = inotify_add_watch(rt->inotify_fd, w->dir, WATCH_MASK);
    return w->wd < 0 ? -errno : 0;
}

static void remove_watch(wb_rt *rt, wb_rt_watch *w) {
    if (w->wd >= 0 && rt->inotify_fd >= 0)
        inotify_rm_watch(rt->inotify_fd, w->wd);
    free(w->dir);
    free(w);
}

static void stop_watching(wb_rt *rt) {
    if (rt->inotify_open) {
        rt->inotify_open = 0;
        uv_poll_stop(&rt->inotify);
        uv_close((uv_handle_t *)&rt->inotify, on_inotify_closed);
    } else if (rt->inotify_fd >= 0) {
        close(rt->inotify_fd);
        rt->inotify_fd = -1;
    }
}

#else
/* ---- elsewhere: libuv's fs events ----------------------------------------------------------- */

static void on_watch_closed(uv_handle_t *h) {
    wb_rt_watch *w = h->data;
    wb_rt *rt = w->rt;
    free(w->dir);
    free(w);
    wb_rt_handle_closed(rt);
}

static void on_fs_event(uv_fs_event_t *h, const char *filename, int events, int status) {
    (void)events;
    wb_rt_watch *w = h->data;
    wb_rt *rt = w->rt;
    if (status < 0 || rt->closing)
        return;
    if (!filename || is_watched(rt, w->dir, filename))
        on_change(rt, EV_WRITING);
}

static int add_watch(wb_rt *rt, wb_rt_watch *w) {
    uv_fs_event_init(rt->loop, &w->h);
    w->h.data = w;
    rt->handles_open++;
    w->open = 1;
    return uv_fs_event_start(&w->h, on_fs_event, w->dir, 0);
}

static void remove_watch(wb_rt *rt, wb_rt_watch *w) {
    (void)rt;
    if (!w->open) {
        free(w->dir);
        free(w);
        return;
    }
    uv_fs_event_stop(&w->h);
    uv_close((uv_handle_t *)&w->h, on_watch_closed);
}

static void stop_watching(wb_rt *rt) { (void)rt; }
#endif

/* ---- the watched files ---------------------------------------------------------------------- */

static int watch_dir(wb_rt *rt, const char *dir) {
    for (wb_rt_watch *w = rt->watches; w; w = w->next)
        if (strcmp(w->dir, dir) == 0)
            return 0;
    wb_rt_watch *w = calloc(1, sizeof *w);
    if (!w || !(w->dir = strdup(dir))) {
        free(w);
        return WB_ENOMEM;
    }
    w->rt = rt;
    w->wd = -1;
    int rc = add_watch(rt, w);
    if (rc < 0) {
        WB_WARN("runtime", "cannot watch %s: %s (SIGHUP reloads)", dir, uv_strerror(rc));
        remove_watch(rt, w);
        return WB_EIO;
    }
    w->next = rt->watches;
    rt->watches = w;
    return 0;
}

void wb_rt_watch_add(wb_rt *rt, const char *path) {
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
    const char *base = slash ? slash + 1 : path;
    if (dir && !dir[0]) { /* "/bot.lua" */
        free(dir);
        dir = strdup("/");
    }
    size_t n = dir ? strlen(dir) + strlen(base) + 2 : 0;
    char *key = dir ? malloc(n) : NULL;
    if (!key) {
        free(dir);
        return;
    }
    snprintf(key, n, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, base);
    for (size_t i = 0; i < rt->n_watched; i++)
        if (strcmp(rt->watched[i], key) == 0) {
            free(key);
            free(dir);
            return;
        }
    char **grown = realloc(rt->watched, (rt->n_watched + 1) * sizeof *grown);
    if (!grown) {
        free(key);
        free(dir);
        return;
    }
    rt->watched = grown;
    rt->watched[rt->n_watched++] = key;
    rt->watch_sig = sig_add(rt->watch_sig, key); /* a module found by the load under way */
    if (!rt->cfg.no_reload && !rt->closing)
        watch_dir(rt, dir);
    free(dir);
}

static void on_handle_closed(uv_handle_t *h) { wb_rt_handle_closed(h->data); }

void wb_rt_watch_init(wb_rt *rt) {
    rt->inotify_fd = -1;
    uv_timer_init(rt->loop, &rt->watch_timer);
    rt->watch_timer.data = rt;
    rt->watch_timer_open = 1;
    rt->handles_open++;
}

/* ---- SIGHUP --------------------------------------------------------------------------------- */

static void on_sighup(uv_signal_t *h, int signum) {
    (void)signum;
    wb_rt *rt = h->data;
    WB_INFO("runtime", "SIGHUP: reloading");
    wb_rt_schedule_reload(rt, 0);
}

int wb_rt_sighup_start(wb_rt *rt) {
    uv_signal_init(rt->loop, &rt->sighup);
    rt->sighup.data = rt;
    rt->sighup_open = 1;
    rt->handles_open++;
    return uv_signal_start(&rt->sighup, on_sighup, SIGHUP);
}

void wb_rt_watch_stop(wb_rt *rt) {
    while (rt->watches) {
        wb_rt_watch *w = rt->watches;
        rt->watches = w->next;
        remove_watch(rt, w);
    }
    stop_watching(rt);
    if (rt->watch_timer_open) {
        rt->watch_timer_open = 0;
        uv_timer_stop(&rt->watch_timer);
        uv_close((uv_handle_t *)&rt->watch_timer, on_handle_closed);
    }
    if (rt->sighup_open) {
        rt->sighup_open = 0;
        uv_signal_stop(&rt->sighup);
        uv_close((uv_handle_t *)&rt->sighup, on_handle_closed);
    }
}
