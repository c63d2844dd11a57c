/* Reload triggers: file watching (libuv fs events) and SIGHUP.
 *
 * Directories are watched, not files: editors save by writing a new file and renaming it over the
 * old one, which would leave a watch on the old inode blind. Each directory that holds the bot
 * file or a module loaded from beside it has one uv_fs_event; an event for a watched name restarts
 * the debounce timer, so a burst of writes (truncate, write, write, rename) is one reload. A
 * reload of a half-written file fails to compile, is reported, and the old generation keeps
 * running until the write that completes it. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "runtime/rt_int.h"

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
    if (filename) {
        size_t dl = strlen(w->dir), fl = strlen(filename);
        int hit = 0;
        for (size_t i = 0; i < rt->n_watched && !hit; i++) {
            const char *p = rt->watched[i];
            hit = strlen(p) == dl + 1 + fl && memcmp(p, w->dir, dl) == 0 && p[dl] == '/' &&
                  memcmp(p + dl + 1, filename, fl) == 0;
        }
        if (!hit)
            return;
    }
    wb_rt_schedule_reload(rt, rt->cfg.debounce_ms);
}

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
    uv_fs_event_init(rt->loop, &w->h);
    w->h.data = w;
    rt->handles_open++;
    int rc = uv_fs_event_start(&w->h, on_fs_event, dir, 0);
    if (rc < 0) {
        WB_WARN("runtime", "cannot watch %s: %s", dir, uv_strerror(rc));
        uv_close((uv_handle_t *)&w->h, on_watch_closed);
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
    if (!rt->cfg.no_reload && !rt->closing)
        watch_dir(rt, dir);
    free(dir);
}

static void on_handle_closed_sighup(uv_handle_t *h) { wb_rt_handle_closed(h->data); }

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
        uv_fs_event_stop(&w->h);
        uv_close((uv_handle_t *)&w->h, on_watch_closed);
    }
    if (rt->sighup_open) {
        rt->sighup_open = 0;
        uv_signal_stop(&rt->sighup);
        uv_close((uv_handle_t *)&rt->sighup, on_handle_closed_sighup);
    }
}
