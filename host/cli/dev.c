/* `wabot dev`: a bot against the built-in simulator, with you chatting to it in the terminal; no
 * phone, no network (cli/devkit.h does the plumbing).
 *
 *   wabot dev BOT.lua [--script FILE] [--no-reload] [--budget MS] [--memory MIB] [--log LEVEL]
 *
 * Each line you type reaches the bot as a real encrypted message from you; what the bot sends
 * you is printed as `bot> TEXT`. Lines starting with / are commands (/help). With --script (or
 * when stdin is not a terminal) the lines are typed one by one, each after the bot's replies to
 * the one before have settled, and the transcript goes to stdout as `you> TEXT` / `bot> TEXT`;
 * wabot dev exits 0 after the last one. The bot reloads on save as under `wabot run`. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "bindings/bindings.h"
#include "cli/cli.h"
#include "cli/client_common.h"
#include "cli/devkit.h"
#include "core/log.h"

#define SETTLE_QUIET_MS 150   /* nothing moved for this long: the bot is done answering */
#define SETTLE_MAX_MS 15000   /* a line's answers are not waited for longer than this */
#define LINE_MAX_LEN 4096

typedef struct dev_app {
    wb_devkit k;
    uv_loop_t *loop;
    int echo;               /* print `you> LINE` (not when a terminal shows what was typed) */
    char **lines;           /* queued lines */
    size_t nlines, cap, next;
    int eof;                /* no more lines will come */
    wb_buf partial;         /* stdin bytes after the last newline */
    int waiting;            /* the last line's answers are not settled yet */
    uint64_t line_at, sleep_until;
    uv_timer_t poll;
    uv_pipe_t in_pipe;
    uv_tty_t in_tty;
    uv_stream_t *in;
    uv_signal_t sigint, sigterm;
    int status, done;
} dev_app;

static void dev_usage(FILE *out) {
    fprintf(out,
            "usage: wabot dev BOT.lua [--script FILE] [--no-reload] [--budget MS] [--memory MIB]\n"
            "                 [--log LEVEL]\n\n"
            "Runs the bot against wabot's built-in WhatsApp simulator: the bot and you are two\n"
            "simulated accounts, and what you type reaches the bot as a real encrypted message.\n"
            "The bot reloads when you save it. With --script FILE (or a stdin that is not a\n"
            "terminal) each line is typed in turn once the bot's replies to the one before have\n"
            "settled, and the transcript is printed as `you> TEXT` / `bot> TEXT`.\n\n"
            "commands (type them at the prompt or put them in the script):\n"
            "  /to JID|bot     send to JID (a phone number or a JID) or back to the bot\n"
            "  /group NAME     make a group of you and the bot, and send there\n"
            "  /react EMOJI    react to the bot's last message\n"
            "  /add PHONE...   add people to that group (also /remove, /promote, /demote)\n"
            "  /vote OPTION... vote in the bot's last poll (no option: take your vote back)\n"
            "  /edit TEXT      edit your last message\n"
            "  /delete         delete your last message for everyone\n"
            "  /image PATH     send the file at PATH as an image\n"
            "  /file PATH      send the file at PATH as what it looks like (image, video, audio,\n"
            "                  document, sticker)\n"
            "  /sleep MS       wait MS milliseconds (timers, reminders)\n"
            "  /quit           stop\n");
}

static uint64_t now_ms(void) { return wb_client_host_now(); }

/* ---- output ------------------------------------------------------------------------------------ */

/* `who> TEXT`, continuation lines of a multi-line text indented under it. */
static void print_said(const char *who, const char *text) {
    printf("%s> ", who);
    for (const char *p = text; *p; p++) {
        putchar(*p);
        if (*p == '\n' && p[1])
            printf("%*s", (int)strlen(who) + 2, "");
    }
    putchar('\n');
    fflush(stdout);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("dev: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* The bot's own log lines and reloads at info; everything else from warn on. */
static wb_log_level min_level = WB_LOG_WARN;
static void log_sink(void *ud, wb_log_level level, const char *component, const char *line) {
    (void)ud;
    int mine = strcmp(component, "bot") == 0 || strcmp(component, "runtime") == 0;
    if (level < min_level && !(mine && level >= WB_LOG_INFO))
        return;
    static const char *const names[] = {"debug", "info", "warn", "error"};
    fprintf(stderr, "%s %s: %s\n", names[level < 4 ? level : 3], component, line);
}

/* ---- stopping ---------------------------------------------------------------------------------- */

static void stopped(void *ud) {
    dev_app *app = ud;
    uv_close((uv_handle_t *)&app->sigint, NULL);
    uv_close((uv_handle_t *)&app->sigterm, NULL);
    uv_close((uv_handle_t *)&app->poll, NULL);
    if (app->in)
        uv_close((uv_handle_t *)app->in, NULL);
}

static void finish(dev_app *app, int status) {
    if (app->done)
        return;
    app->done = 1;
    app->status = status;
    if (app->in)
        uv_read_stop(app->in);
    wb_devkit_stop(&app->k, stopped, app);
}

static void on_signal(uv_signal_t *s, int signum) {
    (void)signum;
    finish(s->data, WB_EXIT_OK);
}

/* ---- lines ------------------------------------------------------------------------------------- */

static void queue_line(dev_app *app, const char *s, size_t n) {
    while (n && (s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    if (app->nlines == app->cap) {
        size_t cap = app->cap ? app->cap * 2 : 16;
        char **v = realloc(app->lines, cap * sizeof *v);
        if (!v)
            return;
        app->lines = v;
        app->cap = cap;
    }
    char *line = strndup(s, n > LINE_MAX_LEN ? LINE_MAX_LEN : n);
    if (line)
        app->lines[app->nlines++] = line;
}

static void target_to(dev_app *app, const char *arg) {
    wb_devkit *k = &app->k;
    if (!strcmp(arg, "bot") || !*arg)
        snprintf(k->target, sizeof k->target, "%s", k->bot_jid);
    else if (strchr(arg, '@'))
        snprintf(k->target, sizeof k->target, "%s", arg);
    else
        snprintf(k->target, sizeof k->target, "%s@s.whatsapp.net", arg[0] == '+' ? arg + 1 : arg);
    say("sending to %s", k->target);
}

static void members_done(void *ud, int status, const char *summary) {
    (void)ud;
    say("%s%s", status < 0 ? "not done: " : "", summary);
}

/* The words of arg (a copy in copy) into out; how many. */
static size_t split_words(const char *arg, char copy[LINE_MAX_LEN + 1], const char **out,
                          size_t max) {
    size_t n = 0;
    snprintf(copy, LINE_MAX_LEN + 1, "%s", arg);
    for (char *save, *p = strtok_r(copy, " ", &save); p && n < max; p = strtok_r(NULL, " ", &save))
        out[n++] = p;
    return n;
}

/* /add PHONE... (and /remove, /promote, /demote) in the group you write to. */
static void members(dev_app *app, const char *action, const char *arg) {
    char copy[LINE_MAX_LEN + 1];
    const char *phones[64];
    size_t n = split_words(arg, copy, phones, 64);
    wb_error err = {0};
    if (!n)
        say("/%s PHONE...", action);
    else if (wb_devkit_members(&app->k, action, phones, n, members_done, app, &err) < 0)
        say("/%s: %s", action, err.what);
}

/* /vote OPTION..., /edit TEXT, /delete */
static void kind_command(wb_devkit *k, const char *name, const char *arg) {
    wb_error err = {0};
    int rc;
    if (name[0] == 'v') {
        char copy[LINE_MAX_LEN + 1];
        const char *options[64];
        size_t n = split_words(arg, copy, options, 64);
        rc = wb_devkit_vote(k, options, n, &err);
    } else if (name[0] == 'e') {
        rc = *arg ? wb_devkit_edit(k, arg, &err) : wb_error_set(&err, WB_EINVAL, 0, "/edit TEXT");
    } else {
        rc = wb_devkit_delete(k, &err);
    }
    if (rc == WB_ENOTFOUND)
        say(name[0] == 'v' ? "the bot has sent you no poll yet" : "you have sent nothing yet");
    else if (rc < 0)
        say("/%s: %s", name, err.what[0] ? err.what : wb_strerror(rc));
}

static void command(dev_app *app, const char *line) {
    wb_devkit *k = &app->k;
    char name[16] = "";
    const char *arg = line + 1 + strcspn(line + 1, " ");
    snprintf(name, sizeof name, "%.*s", (int)strcspn(line + 1, " "), line + 1);
    while (*arg == ' ')
        arg++;
    if (!strcmp(name, "help")) {
        dev_usage(stderr);
    } else if (!strcmp(name, "quit")) {
        app->eof = 1;
        app->next = app->nlines;
    } else if (!strcmp(name, "to")) {
        target_to(app, arg);
    } else if (!strcmp(name, "sleep")) {
        app->sleep_until = now_ms() + strtoul(arg, NULL, 10);
    } else if (!strcmp(name, "group")) {
        char jid[128];
        wb_error err = {0};
        if (!*arg)
            say("/group NAME");
        else if (wb_devkit_group(k, arg, jid, &err) < 0)
            say("no group: %s", err.what);
        else
            say("group \"%s\" is %s (you and the bot); sending there", arg, jid);
    } else if (!strcmp(name, "add") || !strcmp(name, "remove") || !strcmp(name, "promote") ||
               !strcmp(name, "demote")) {
        members(app, name, arg);
    } else if (!strcmp(name, "react")) {
        int rc = *arg ? wb_devkit_react(k, arg) : WB_EINVAL;
        if (rc == WB_ENOTFOUND)
            say("the bot has sent you nothing to react to yet");
        else if (rc < 0)
            say("/react EMOJI: %s", wb_strerror(rc));
    } else if (!strcmp(name, "vote") || !strcmp(name, "edit") || !strcmp(name, "delete")) {
        kind_command(k, name, arg);
    } else if (!strcmp(name, "image") || !strcmp(name, "file")) {
        int rc = *arg ? wb_devkit_send_media(k, !strcmp(name, "image") ? "image" : NULL, arg)
                      : WB_EINVAL;
        if (rc == WB_ENOTFOUND)
            say("no such file: %s", arg);
        else if (rc < 0)
            say("/%s PATH: %s", name, wb_strerror(rc));
    } else {
        say("unknown command /%s (/help lists them)", name);
    }
}

static void take_line(dev_app *app, const char *line) {
    if (app->echo)
        print_said("you", line);
    if (line[0] == '/') {
        command(app, line);
        return;
    }
    int rc = wb_devkit_send_text(&app->k, line);
    if (rc == WB_EUNSUPPORTED)
        say("not sent: sending to groups needs the client's group support, not there yet");
    else if (rc < 0)
        say("not sent: %s", wb_strerror(rc));
}

/* Every 20 ms: the next line once the last one's answers settled (or took too long). */
static void on_poll(uv_timer_t *t) {
    dev_app *app = t->data;
    if (app->done || !app->k.ready)
        return;
    uint64_t now = now_ms();
    if (now < app->sleep_until)
        return;
    if (app->waiting) {
        if (!wb_devkit_settled(&app->k, SETTLE_QUIET_MS) && now - app->line_at < SETTLE_MAX_MS)
            return;
        if (now - app->line_at >= SETTLE_MAX_MS)
            say("the bot's answers did not settle within %d s; going on", SETTLE_MAX_MS / 1000);
        app->waiting = 0;
    }
    if (app->next < app->nlines) {
        char *line = app->lines[app->next++];
        if (line[0])
            take_line(app, line);
        app->waiting = 1;
        app->line_at = now;
    } else if (app->eof) {
        finish(app, WB_EXIT_OK);
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
    (void)h;
    buf->base = malloc(suggested);
    buf->len = buf->base ? suggested : 0;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
    dev_app *app = s->data;
    if (n > 0) {
        wb_buf_append(&app->partial, buf->base, (size_t)n);
        for (;;) {
            uint8_t *nl = memchr(app->partial.data, '\n', app->partial.len);
            if (!nl)
                break;
            size_t len = (size_t)(nl - app->partial.data);
            queue_line(app, (const char *)app->partial.data, len);
            memmove(app->partial.data, nl + 1, app->partial.len - len - 1);
            app->partial.len -= len + 1;
        }
    } else if (n < 0) {
        if (app->partial.len)
            queue_line(app, (const char *)app->partial.data, app->partial.len);
        app->partial.len = 0;
        app->eof = 1;
        uv_read_stop(s);
    }
    free(buf->base);
}

static int read_script(dev_app *app, const char *path) {
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[LINE_MAX_LEN + 2];
    while (fgets(line, sizeof line, f))
        queue_line(app, line, strlen(line));
    fclose(f);
    app->eof = 1;
    return 0;
}

/* ---- the devkit's callbacks ---------------------------------------------------------------- */

static void on_ready(void *ud) {
    dev_app *app = ud;
    say("the bot is +%s, you are +%s; %s", WB_DEVKIT_BOT_PHONE, WB_DEVKIT_YOU_PHONE,
        app->in && app->in == (uv_stream_t *)&app->in_tty
            ? "type a message (/help for commands, Ctrl-D to quit)"
            : "typing the script");
    app->waiting = 1; /* what the bot says on its own first */
    app->line_at = now_ms();
    if (app->in)
        uv_read_start(app->in, on_alloc, on_read);
}

static void on_bot_message(void *ud, const char *text, const char *chat) {
    (void)ud;
    (void)chat;
    print_said("bot", text);
}

static void on_failed(void *ud, const char *why) {
    dev_app *app = ud;
    wb_cli_fail("dev: %s", why);
    finish(app, WB_EXIT_ERROR);
}

static int parse_uint(const char *s, unsigned max, unsigned *out) {
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || v == 0 || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

int wb_cli_dev(int argc, char **argv) {
    const char *bot = NULL, *script = NULL;
    unsigned budget = 0, memory = 0;
    int no_reload = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            dev_usage(stdout);
            return 0;
        } else if (!strcmp(a, "--script") && i + 1 < argc) {
            script = argv[++i];
        } else if (!strcmp(a, "--no-reload")) {
            no_reload = 1;
        } else if (!strcmp(a, "--budget") && i + 1 < argc) {
            if (parse_uint(argv[++i], 600000, &budget) < 0) {
                wb_cli_fail("--budget takes milliseconds (1..600000)");
                return WB_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--memory") && i + 1 < argc) {
            if (parse_uint(argv[++i], 65536, &memory) < 0) {
                wb_cli_fail("--memory takes MiB (1..65536)");
                return WB_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--log") && i + 1 < argc) {
            int level = wb_log_parse_level(argv[++i]);
            if (level < 0) {
                wb_cli_fail("unknown log level '%s'", argv[i]);
                return WB_EXIT_USAGE;
            }
            min_level = (wb_log_level)level;
        } else if (a[0] != '-' && !bot) {
            bot = a;
        } else {
            dev_usage(stderr);
            return WB_EXIT_USAGE;
        }
    }
    if (!bot) {
        dev_usage(stderr);
        return WB_EXIT_USAGE;
    }
    signal(SIGPIPE, SIG_IGN);
    wb_log_set_level(min_level < WB_LOG_INFO ? min_level : WB_LOG_INFO);
    wb_log_set_sink(log_sink, NULL);
    dev_app app = {.loop = uv_default_loop(), .status = WB_EXIT_OK};
    if (script) {
        if (read_script(&app, script) < 0) {
            wb_cli_fail("dev: cannot read %s", script);
            return WB_EXIT_USAGE;
        }
        app.echo = 1;
    } else if (isatty(STDIN_FILENO)) {
        uv_tty_init(app.loop, &app.in_tty, STDIN_FILENO, 1);
        app.in = (uv_stream_t *)&app.in_tty;
    } else {
        uv_pipe_init(app.loop, &app.in_pipe, 0);
        uv_pipe_open(&app.in_pipe, STDIN_FILENO);
        app.in = (uv_stream_t *)&app.in_pipe;
        app.echo = 1;
    }
    if (app.in)
        app.in->data = &app;
    app.k.on_ready = on_ready;
    app.k.on_bot_message = on_bot_message;
    app.k.on_failed = on_failed;
    app.k.ud = &app;
    wb_rt_config rcfg = {
        .bot_path = bot,
        .lua_modules = wb_lua_wabot,
        .budget_ms = budget,
        .mem_limit = (size_t)memory << 20,
        .no_reload = no_reload,
        .handle_sighup = 1,
    };
    uv_timer_init(app.loop, &app.poll);
    app.poll.data = &app;
    uv_timer_start(&app.poll, on_poll, 20, 20);
    uv_signal_init(app.loop, &app.sigint);
    uv_signal_init(app.loop, &app.sigterm);
    app.sigint.data = app.sigterm.data = &app;
    uv_signal_start(&app.sigint, on_signal, SIGINT);
    uv_signal_start(&app.sigterm, on_signal, SIGTERM);
    wb_error err = {0};
    if (wb_devkit_start(&app.k, app.loop, &rcfg, &err) < 0) {
        wb_cli_fail("dev: %s", err.what);
        app.status = WB_EXIT_ERROR;
        app.done = 1;
        wb_devkit_stop(&app.k, stopped, &app);
    }
    uv_run(app.loop, UV_RUN_DEFAULT);
    wb_devkit_free(&app.k);
    uv_run(app.loop, UV_RUN_DEFAULT);
    uv_loop_close(app.loop);
    for (size_t i = 0; i < app.nlines; i++)
        free(app.lines[i]);
    free(app.lines);
    wb_buf_free(&app.partial);
    wb_log_set_sink(NULL, NULL);
    return app.status;
}
