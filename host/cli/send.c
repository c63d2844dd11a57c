/* `wabot send --to JID|PHONE (--text T [--text T2]... | KIND) [--reply-to ID] [--mention JID]...
 * [--json]`: connects, sends (each --text a message, in order) and exits once the server
 * acknowledged every one, printing their ids, one per line (--json: each sent message as Baileys'
 * sendMessage returns it, a WebMessageInfo). The messages are built by the client's
 * wb_client_content_build, as Baileys' generateWAMessage builds them: text as
 * extendedTextMessage, a reply quoting a stored message (contextInfo with the quoted message,
 * its id and author), mentions in contextInfo.mentionedJid.
 *
 * The kinds other than text (one per run; a stored message is named by its id, looked up in the
 * chat of --to first, then in any chat):
 *   --react EMOJI --id ID          a reaction ("" takes it back)
 *   --edit ID --text T             our message ID now says T
 *   --revoke ID                    deleted for everyone (someone else's: an admin's revoke)
 *   --poll Q --option A --option B [--select N]   a poll (N: how many may be chosen, 0 any)
 *   --vote ID --option A...        a vote in a stored poll (no --option: take the vote back)
 *   --location LAT,LON [--name N]  a location
 * and on top of text or a location: --view-once, --ephemeral SECONDS (a disappearing message,
 * contextInfo.expiration).
 *   --file PATH [--caption C] [--as KIND]   a file as a media message (media_cli.h): uploaded,
 *                                  then sent; KIND from the file's bytes unless --as says */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client_common.h"
#include "cli/media_cli.h"
#include "store/message_store.h"
#include "wb_proto.h"
#include "wb_proto_json.h"

#define MAX_MENTIONS 64
#define MAX_OPTIONS 64
#define MAX_TEXTS 10000

typedef struct send_app {
    char to[128];
    const char **texts;
    size_t ntexts, nsends, acked;
    int failed, json;
    const char *reply_to;
    char *mentions[MAX_MENTIONS];
    size_t nmentions;
    Wa__WebMessageInfo *quoted; /* the stored message replied to */
    int sent;
    /* the other kinds */
    wb_client_content kind;
    const char *react, *react_id, *edit_id, *revoke_id, *vote_id, *location_name;
    const char *options[MAX_OPTIONS];
    size_t noptions;
    Wa__WebMessageInfo *target; /* the stored message a kind names */
    Wa__Message__LocationMessage location;
    Wa__Message **built;        /* what went out, for --json */
    wb_cli_media_file media;    /* --file, --caption, --as */
} send_app;

static void print_json(send_app *app, size_t i, const wb_client_sent *sent) {
    Wa__WebMessageInfo info = WA__WEB_MESSAGE_INFO__INIT;
    Wa__MessageKey key = WA__MESSAGE_KEY__INIT;
    key.remotejid = app->to;
    key.has_fromme = key.fromme = 1;
    key.id = (char *)sent->id;
    info.key = &key;
    info.message = app->built ? app->built[i] : NULL;
    info.has_messagetimestamp = info.has_status = 1;
    info.messagetimestamp = (uint64_t)sent->t;
    info.status = WA__WEB_MESSAGE_INFO__STATUS__SERVER_ACK;
    cJSON *j;
    if (wb_proto_to_json(&info, &j) == 0) {
        char *text = cJSON_PrintUnformatted(j);
        if (text)
            printf("%s\n", text);
        cJSON_free(text);
        cJSON_Delete(j);
    }
}

typedef struct one_send {
    wb_cli_session *s;
    size_t i;
} one_send;

static void on_sent(void *ud, int status, const wb_client_sent *sent) {
    one_send *o = ud;
    wb_cli_session *s = o->s;
    send_app *app = s->data;
    if (app->media.built && app->built) { /* the media message, built once it was uploaded */
        app->built[o->i] = app->media.built;
        app->media.built = NULL;
    }
    if (status < 0) {
        wb_cli_fail("send: %s%s", app->media.why[0] ? app->media.why : wb_strerror(status),
                    status == WB_EREFUSED && !app->media.why[0]
                        ? " (the server refused the message)" : "");
        app->failed = 1;
    } else if (app->json) {
        print_json(app, o->i, sent);
    } else {
        printf("%s\n", sent->id);
    }
    fflush(stdout);
    free(o);
    if (++app->acked == app->nsends)
        wb_cli_session_finish(s, app->failed ? WB_EXIT_ERROR : WB_EXIT_OK);
}

/* Builds message i (text i, or the one kind) and sends it. */
static int send_one(wb_cli_session *s, wb_client *c, size_t i) {
    send_app *app = s->data;
    wb_client_content in = app->kind;
    if (app->ntexts)
        in.text = app->texts[i];
    in.mentions = (const char *const *)app->mentions;
    in.nmentions = app->nmentions;
    in.quoted = app->quoted;
    Wa__Message *m = NULL;
    wb_error e = {0};
    int rc = wb_client_content_build(c, app->to, &in, &m, &e);
    if (rc < 0) {
        wb_cli_fail("send: %s", e.what[0] ? e.what : wb_strerror(rc));
        return rc;
    }
    one_send *o = malloc(sizeof *o);
    if (!o) {
        wb_proto_free(m);
        return WB_ENOMEM;
    }
    *o = (one_send){s, i};
    rc = wb_client_send_message(c, app->to, m, NULL, on_sent, o);
    if (rc < 0) {
        free(o);
        wb_proto_free(m);
        wb_cli_fail("send: %s", rc == WB_EINVAL ? "not a user or group JID" : wb_strerror(rc));
    } else if (app->built) {
        app->built[i] = m;
    } else {
        wb_proto_free(m);
    }
    return rc;
}

static void send_now(wb_cli_session *s, wb_client *c) {
    send_app *app = s->data;
    if (app->media.file) {
        one_send *o = malloc(sizeof *o);
        if (o)
            *o = (one_send){s, 0};
        if (!o || wb_cli_media_send(&app->media, s->host, app->to, on_sent, o) < 0) {
            wb_cli_fail("send: %s", o ? app->media.why : wb_strerror(WB_ENOMEM));
            free(o);
            wb_cli_session_finish(s, WB_EXIT_ERROR);
        }
        return;
    }
    for (size_t i = 0; i < app->nsends; i++) {
        int rc = send_one(s, c, i);
        if (rc < 0) {
            wb_cli_session_finish(s, rc == WB_EINVAL ? WB_EXIT_USAGE : WB_EXIT_ERROR);
            return;
        }
    }
}

static void send_event(wb_cli_session *s, wb_client *c, const wb_client_event *ev) {
    send_app *app = s->data;
    if (ev->type == WB_CLIENT_EV_MESSAGES) /* stored; printing them is sync's business */
        wb_client_handled(c, ev->messages.seqs, ev->messages.n);
    if (wb_cli_session_closed(s, ev))
        return;
    if (ev->type == WB_CLIENT_EV_CONNECTION && ev->connection.state == WB_CONN_OPEN && !app->sent) {
        app->sent = 1;
        send_now(s, c);
    }
}

static int take_info(void *ud, const wb_message_row *row) {
    Wa__WebMessageInfo **m = ud;
    return wb_proto_unpack(&wa__web_message_info__descriptor, row->info, row->info_len, 0, m,
                           NULL) == 0;
}

/* The stored message id, in the chat to first, then anywhere (NULL when none). */
static Wa__WebMessageInfo *load(wb_store *st, const char *to, const char *id) {
    Wa__WebMessageInfo *m = NULL;
    if (wb_client_message_load(st, to, id, &m) == 0)
        return m;
    wb_message_query q = {.id = id, .no_changes = 1, .newest = 1};
    if (wb_store_messages_each(st, &q, take_info, &m) < 0)
        return NULL;
    return m;
}

/* ---- the kinds' options -------------------------------------------------------------------- */

/* Takes one of the kinds' options at argv[*i]: 1 when it was one, 0 when not, -1 when its value
 * is bad (said). */
static int kind_flag(send_app *app, int argc, char **argv, int *i) {
    const char *a = argv[*i];
    if (!strcmp(a, "--view-once")) {
        app->kind.view_once = 1;
        return 1;
    }
    if (*i + 1 >= argc)
        return 0;
    const char *v = argv[*i + 1];
    if (!strcmp(a, "--react")) {
        app->react = v;
    } else if (!strcmp(a, "--id")) {
        app->react_id = v;
    } else if (!strcmp(a, "--edit")) {
        app->edit_id = v;
    } else if (!strcmp(a, "--revoke")) {
        app->revoke_id = v;
    } else if (!strcmp(a, "--vote")) {
        app->vote_id = v;
    } else if (!strcmp(a, "--poll")) {
        app->kind.poll.name = v;
    } else if (!strcmp(a, "--option") && app->noptions < MAX_OPTIONS) {
        app->options[app->noptions++] = v;
    } else if (!strcmp(a, "--select")) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || n < 0 || n > MAX_OPTIONS) {
            wb_cli_fail("send: --select wants a number from 0 to %d", MAX_OPTIONS);
            return -1;
        }
        app->kind.poll.selectable = (unsigned)n;
    } else if (!strcmp(a, "--location")) {
        double lat, lon;
        char extra;
        if (sscanf(v, "%lf,%lf%c", &lat, &lon, &extra) != 2 || lat < -90 || lat > 90 ||
            lon < -180 || lon > 180) {
            wb_cli_fail("send: --location wants LAT,LON in degrees, such as 52.52,13.405");
            return -1;
        }
        app->location = (Wa__Message__LocationMessage)WA__MESSAGE__LOCATION_MESSAGE__INIT;
        app->location.has_degreeslatitude = app->location.has_degreeslongitude = 1;
        app->location.degreeslatitude = lat;
        app->location.degreeslongitude = lon;
        app->kind.location = &app->location;
    } else if (!strcmp(a, "--name")) {
        app->location_name = v;
    } else if (!strcmp(a, "--ephemeral")) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || n < 0 || n > 365L * 86400) {
            wb_cli_fail("send: --ephemeral wants seconds (86400 is a day)");
            return -1;
        }
        app->kind.ephemeral_expiration = (uint32_t)n;
    } else {
        return 0;
    }
    (*i)++;
    return 1;
}

/* Checks the kinds' options together and fills app->kind (stored messages looked up in st).
 * Returns 0 or an exit code after saying why. */
static int kind_resolve(send_app *app, wb_store *st) {
    int kinds = !!app->react + !!app->edit_id + !!app->revoke_id + !!app->kind.poll.name +
                !!app->vote_id + !!app->kind.location + !!app->media.file;
    if (kinds > 1 || (kinds && app->ntexts && !app->edit_id) || (app->edit_id && app->ntexts != 1)) {
        wb_cli_fail("send: one kind per run: --text, --file (its text is --caption), --react, "
                    "--edit (with one --text), --revoke, --poll, --vote or --location");
        return WB_EXIT_USAGE;
    }
    if (!kinds && !app->ntexts) {
        wb_cli_fail("send: --to (a phone number or a JID) and --text (or another kind) are needed");
        return WB_EXIT_USAGE;
    }
    if (app->media.file && (app->reply_to || app->nmentions || app->kind.view_once ||
                            app->kind.ephemeral_expiration)) {
        wb_cli_fail("send: --file goes without --reply-to, --mention, --view-once and --ephemeral");
        return WB_EXIT_USAGE;
    }
    if ((app->react && !app->react_id) || (app->noptions && !app->kind.poll.name && !app->vote_id)) {
        wb_cli_fail("send: %s", app->react ? "--react needs --id MSGID"
                                           : "--option goes with --poll or --vote");
        return WB_EXIT_USAGE;
    }
    if (app->location_name && app->kind.location)
        app->location.name = (char *)app->location_name;
    app->kind.poll.values = app->options;
    app->kind.poll.n = app->kind.poll.name ? app->noptions : 0;
    const char *id = app->react ? app->react_id : app->edit_id ? app->edit_id
                     : app->revoke_id ? app->revoke_id : app->vote_id;
    if (!id)
        return 0;
    if (!(app->target = load(st, app->to, id))) {
        wb_cli_fail("send: no stored message with id %s in %s", id, app->to);
        return WB_EXIT_ERROR;
    }
    const Wa__MessageKey *k = app->target->key;
    if (app->react) {
        app->kind.react.key = k;
        app->kind.react.text = app->react;
    } else if (app->edit_id) {
        app->kind.edit = k;
    } else if (app->revoke_id) {
        app->kind.revoke = k;
    } else {
        app->kind.vote.key = k;
        app->kind.vote.values = app->options;
        app->kind.vote.n = app->noptions;
    }
    return 0;
}

int wb_cli_send(int argc, char **argv) {
    wb_cli_client o;
    wb_cli_client_init(&o);
    send_app app = {0};
    const char *to = NULL;
    int rc = WB_EXIT_USAGE;
    for (int i = 1; i < argc; i++) {
        int r = wb_cli_client_flag(&o, argc, argv, &i);
        if (r == 0)
            r = kind_flag(&app, argc, argv, &i);
        if (r == 0)
            r = wb_cli_media_flag(&app.media, argc, argv, &i); /* --file, --caption, --as */
        if (r < 0)
            goto out;
        if (r)
            continue;
        int more = i + 1 < argc;
        if (!strcmp(argv[i], "--to") && more) {
            to = argv[++i];
        } else if (!strcmp(argv[i], "--text") && more && app.ntexts < MAX_TEXTS) {
            if (!app.texts && !(app.texts = calloc(MAX_TEXTS, sizeof *app.texts))) {
                wb_cli_fail("send: out of memory");
                goto out;
            }
            app.texts[app.ntexts++] = argv[++i];
        } else if (!strcmp(argv[i], "--reply-to") && more) {
            app.reply_to = argv[++i];
        } else if (!strcmp(argv[i], "--json")) {
            app.json = 1;
        } else if (!strcmp(argv[i], "--mention") && more && app.nmentions < MAX_MENTIONS) {
            char jid[128];
            if (wb_cli_user_jid(argv[++i], jid) < 0) {
                wb_cli_fail("send: --mention wants a phone number or a JID, not '%s'", argv[i]);
                goto out;
            }
            app.mentions[app.nmentions++] = strdup(jid);
        } else {
            fprintf(strcmp(argv[i], "--help") ? stderr : stdout,
                    "usage: wabot send --to JID|PHONE --text TEXT [--text TEXT]... [--reply-to ID]"
                    " [--mention JID]... [--json] [flags]\n"
                    "       wabot send --to JID|PHONE --react EMOJI --id ID\n"
                    "       wabot send --to JID|PHONE --edit ID --text TEXT\n"
                    "       wabot send --to JID|PHONE --revoke ID\n"
                    "       wabot send --to JID|PHONE --poll QUESTION --option A --option B... "
                    "[--select N]\n"
                    "       wabot send --to JID|PHONE --vote ID [--option A]...\n"
                    "       wabot send --to JID|PHONE --location LAT,LON [--name NAME]\n"
                    "       wabot send --to JID|PHONE --file PATH [--caption TEXT]"
                    " [--as image|video|audio|voice|document|sticker]\n"
                    "  with text or a location: --view-once, --ephemeral SECONDS\n\n"
                    "Sends each text as a message, in order (or the one reaction, edit, revoke, "
                    "poll, vote, location or file: its kind from its bytes unless --as says), and "
                    "prints their ids once the server has them (--json: each as a WebMessageInfo). "
                    "ID names a stored message.\n\nflags:\n%s",
                    wb_cli_client_flags_help);
            rc = strcmp(argv[i], "--help") ? WB_EXIT_USAGE : 0;
            goto out;
        }
    }
    if (!to || wb_cli_user_jid(to, app.to) < 0) {
        wb_cli_fail("send: --to (a phone number or a JID) and --text (or another kind) are needed");
        goto out;
    }
    if ((rc = wb_cli_media_check(&app.media, "send")) != 0)
        goto out;
    app.media.progress &= !app.json;
    if ((rc = wb_cli_client_open(&o, "send")))
        goto out;
    if ((rc = wb_cli_client_require_linked(&o, "send")))
        goto close;
    if ((rc = kind_resolve(&app, o.st)))
        goto close;
    app.nsends = app.ntexts && !app.edit_id ? app.ntexts : 1;
    if (app.json && !(app.built = calloc(app.nsends, sizeof *app.built))) {
        rc = WB_EXIT_ERROR;
        goto close;
    }
    if (app.reply_to && !(app.quoted = load(o.st, app.to, app.reply_to))) {
        wb_cli_fail("send: no stored message with id %s to reply to", app.reply_to);
        rc = WB_EXIT_ERROR;
        goto close;
    }
    wb_client_config cfg;
    wb_cli_client_config(&o, &cfg);
    wb_cli_session s = {.cmd = "send", .on_event = send_event, .data = &app,
                        .signal_status = WB_EXIT_ERROR};
    rc = wb_cli_session_run(&s, &o, &cfg);
close:
    wb_cli_client_close(&o);
out:
    free(app.texts);
    wb_proto_free(app.quoted);
    wb_proto_free(app.target);
    for (size_t i = 0; app.built && i < app.nsends; i++)
        wb_proto_free(app.built[i]);
    free(app.built);
    wb_proto_free(app.media.built);
    for (size_t i = 0; i < app.nmentions; i++)
        free(app.mentions[i]);
    return rc;
}
