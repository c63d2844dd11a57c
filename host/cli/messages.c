/* `wabot messages list [--chat JID] [--limit N] [--json]`: the stored messages, newest last
 * (--json: one WebMessageInfo per line in protobufjs' toObject shape, with the row's seq). No
 * network; it does not take the store's lock, so it works beside a running sync or bot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/client_common.h"
#include "store/message_store.h"
#include "wb_proto.h"
#include "wb_proto_json.h"

typedef struct list_app {
    int json;
    unsigned count;
} list_app;

static int print_row(void *ud, const wb_message_row *row) {
    list_app *app = ud;
    Wa__WebMessageInfo *m;
    if (wb_proto_unpack(&wa__web_message_info__descriptor, row->info, row->info_len, 0, &m,
                        NULL) < 0) {
        fprintf(stderr, "wabot: messages: row %lld does not decode; skipped\n", (long long)row->seq);
        return 0;
    }
    if (app->json) {
        cJSON *j;
        if (wb_proto_to_json(m, &j) == 0) {
            cJSON_AddNumberToObject(j, "seq", (double)row->seq);
            char *text = cJSON_PrintUnformatted(j);
            if (text)
                printf("%s\n", text);
            cJSON_free(text);
            cJSON_Delete(j);
        }
    } else {
        char when[32] = "";
        time_t t = (time_t)row->ts;
        struct tm tm;
        if (localtime_r(&t, &tm))
            strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
        printf("%s %s %s %s: %s\n", when, row->chat, row->id,
               row->from_me ? "me" : m->pushname ? m->pushname : row->sender,
               row->text ? row->text : "[no text]");
    }
    app->count++;
    wb_proto_free(m);
    return 0;
}

typedef struct rows {
    int64_t *seqs;
    size_t n;
} rows;

static int collect(void *ud, const wb_message_row *row) {
    rows *r = ud;
    r->seqs[r->n++] = row->seq;
    return 0;
}

int wb_cli_messages(int argc, char **argv) {
    wb_cli_client o;
    wb_cli_client_init(&o);
    list_app app = {0};
    wb_message_query q = {.newest = 1};
    int list = 0;
    for (int i = 1; i < argc; i++) {
        int r = wb_cli_client_flag(&o, argc, argv, &i);
        if (r < 0)
            return WB_EXIT_USAGE;
        if (r)
            continue;
        if (!strcmp(argv[i], "list") && !list) {
            list = 1;
        } else if (!strcmp(argv[i], "--json")) {
            app.json = 1;
        } else if (!strcmp(argv[i], "--chat") && i + 1 < argc) {
            q.chat = argv[++i];
        } else if (!strcmp(argv[i], "--limit") && i + 1 < argc) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end || n < 1 || n > 10000000) {
                wb_cli_fail("messages: --limit wants a positive number");
                return WB_EXIT_USAGE;
            }
            q.limit = (unsigned)n;
        } else {
            fprintf(strcmp(argv[i], "--help") ? stderr : stdout,
                    "usage: wabot messages list [--chat JID] [--limit N] [--json] [flags]\n");
            return strcmp(argv[i], "--help") ? WB_EXIT_USAGE : 0;
        }
    }
    if (!list) {
        fprintf(stderr, "usage: wabot messages list [--chat JID] [--limit N] [--json] [flags]\n");
        return WB_EXIT_USAGE;
    }
    wb_store *st;
    int rc = wb_cli_store_open(&o, "messages", &st);
    if (rc != WB_EXIT_OK)
        return rc;
    /* the newest N, printed oldest first: find where they start, then walk forwards */
    rows r = {.seqs = malloc((q.limit ? q.limit : 1) * sizeof *r.seqs)};
    if (q.limit && r.seqs && wb_store_messages_each(st, &q, collect, &r) == 0 && r.n)
        q.from_seq = r.seqs[r.n - 1];
    free(r.seqs);
    q.newest = 0;
    rc = wb_store_messages_each(st, &q, print_row, &app);
    wb_store_close(st);
    free(o.ca_pem);
    return rc < 0 ? WB_EXIT_ERROR : WB_EXIT_OK;
}
