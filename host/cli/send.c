/* `wabot send --to JID|PHONE --text T [--text T2]... [--reply-to ID] [--mention JID]...`:
 * connects, sends the text (each --text a message, in order) and exits once the server
 * acknowledged every one, printing their ids, one per line. A reply
 * quotes a stored message (by id) as Baileys does (contextInfo with the quoted message, its id
 * and author); mentions go in contextInfo.mentionedJid. Text goes out as extendedTextMessage,
 * as Baileys sends it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client_common.h"
#include "store/message_store.h"
#include "wb_proto.h"

#define MAX_MENTIONS 64

#define MAX_TEXTS 10000

typedef struct send_app {
    char to[128];
    const char **texts;
    size_t ntexts, acked;
    int failed;
    const char *reply_to;
    char *mentions[MAX_MENTIONS];
    size_t nmentions;
    Wa__WebMessageInfo *quoted; /* the stored message replied to */
    int sent;
} send_app;

static void on_sent(void *ud, int status, const wb_client_sent *sent) {
    wb_cli_session *s = ud;
    send_app *app = s->data;
    if (status < 0) {
        wb_cli_fail("send: %s%s", wb_strerror(status),
                    status == WB_EREFUSED ? " (the server refused the message)" : "");
        app->failed = 1;
    } else {
        printf("%s\n", sent->id);
        fflush(stdout);
    }
    if (++app->acked == app->ntexts)
        wb_cli_session_finish(s, app->failed ? WB_EXIT_ERROR : WB_EXIT_OK);
}

static int send_one(wb_cli_session *s, wb_client *c, const char *text) {
    send_app *app = s->data;
    Wa__Message m = WA__MESSAGE__INIT;
    Wa__Message__ExtendedTextMessage ext = WA__MESSAGE__EXTENDED_TEXT_MESSAGE__INIT;
    Wa__ContextInfo ci = WA__CONTEXT_INFO__INIT;
    ext.text = (char *)text;
    m.extendedtextmessage = &ext;
    char participant[160];
    if (app->quoted && app->quoted->key) {
        const Wa__MessageKey *k = app->quoted->key;
        if (k->fromme)
            snprintf(participant, sizeof participant, "%.*s@s.whatsapp.net",
                     (int)strcspn(wb_client_jid(c), ":@"), wb_client_jid(c));
        else
            snprintf(participant, sizeof participant, "%s", k->participant ? k->participant
                                                                          : k->remotejid);
        ci.stanzaid = k->id;
        ci.participant = participant;
        ci.quotedmessage = app->quoted->message;
        if (k->remotejid && strcmp(k->remotejid, app->to) != 0)
            ci.remotejid = k->remotejid;
        ext.contextinfo = &ci;
    }
    if (app->nmentions) {
        ci.n_mentionedjid = app->nmentions;
        ci.mentionedjid = app->mentions;
        ext.contextinfo = &ci;
    }
    return wb_client_send_message(c, app->to, &m, NULL, on_sent, s);
}

static void send_now(wb_cli_session *s, wb_client *c) {
    send_app *app = s->data;
    for (size_t i = 0; i < app->ntexts; i++) {
        int rc = send_one(s, c, app->texts[i]);
        if (rc < 0) {
            wb_cli_fail("send: %s", rc == WB_EINVAL ? "not a user or group JID" : wb_strerror(rc));
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

static int find_quoted(void *ud, const wb_message_row *row) {
    send_app *app = ud;
    if (app->quoted)
        return 1;
    if (wb_proto_unpack(&wa__web_message_info__descriptor, row->info, row->info_len, 0,
                        &app->quoted, NULL) < 0)
        app->quoted = NULL;
    return app->quoted != NULL;
}

int wb_cli_send(int argc, char **argv) {
    wb_cli_client o;
    wb_cli_client_init(&o);
    send_app app = {0};
    const char *to = NULL;
    int rc = WB_EXIT_USAGE;
    for (int i = 1; i < argc; i++) {
        int r = wb_cli_client_flag(&o, argc, argv, &i);
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
                    " [--mention JID]... [flags]\n\nSends each text as a message, in order, and "
                    "prints their ids once the server has them.\n\nflags:\n%s",
                    wb_cli_client_flags_help);
            rc = strcmp(argv[i], "--help") ? WB_EXIT_USAGE : 0;
            goto out;
        }
    }
    if (!to || !app.ntexts || wb_cli_user_jid(to, app.to) < 0) {
        wb_cli_fail("send: --to (a phone number or a JID) and --text are needed");
        goto out;
    }
    if ((rc = wb_cli_client_open(&o, "send")))
        goto out;
    if ((rc = wb_cli_client_require_linked(&o, "send")))
        goto close;
    if (app.reply_to) {
        wb_message_query q = {.chat = app.to, .id = app.reply_to, .limit = 1};
        wb_store_messages_each(o.st, &q, find_quoted, &app);
        if (!app.quoted) {
            q.chat = NULL; /* the id in another chat */
            wb_store_messages_each(o.st, &q, find_quoted, &app);
        }
        if (!app.quoted) {
            wb_cli_fail("send: no stored message with id %s to reply to", app.reply_to);
            rc = WB_EXIT_ERROR;
            goto close;
        }
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
    for (size_t i = 0; i < app.nmentions; i++)
        free(app.mentions[i]);
    return rc;
}
