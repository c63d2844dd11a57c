/* `wabot messages list [--chat JID] [--from JID] [--after DATE] [--limit N] [--all] [--json]` and
 * `wabot messages search QUERY [the same filters]`: the stored messages, as they are now
 * (reactions, edits, revokes and votes applied to the messages they change, which are left out
 * of the list unless --all). list shows the newest N oldest first; search shows the messages
 * whose text or caption has every word of QUERY (a word ending in * matches a prefix), newest
 * first (20 unless --limit). --json: one WebMessageInfo per line in protobufjs' toObject shape,
 * with the row's seq and, for a poll, pollTally (Baileys' getAggregateVotesInPollMessage). No network; it does not take the store's lock, so it works beside a
 * running sync or bot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/client_common.h"
#include "core/arena.h"
#include "store/device_store.h"
#include "store/message_store.h"
#include "wb_proto.h"
#include "wb_proto_json.h"

#define USAGE                                                                                      \
    "usage: wabot messages list [--chat JID] [--from JID] [--after DATE] [--limit N] [--all] "  \
    "[--json] [flags]\n"                                                                           \
    "       wabot messages search QUERY [--chat JID] [--from JID] [--after DATE] [--limit N] "     \
    "[--json] [flags]\n\nDATE: YYYY-MM-DD, \"YYYY-MM-DD HH:MM[:SS]\" (local time) or unix "        \
    "seconds.\n"

typedef struct list_app {
    int json;
    unsigned count;
    const char *me; /* our user JID, for tallies */
} list_app;

/* A poll's tally (Baileys' getAggregateVotesInPollMessage), as JSON or "(a 2, b 0)" on out. */
static cJSON *tally_json(const Wa__WebMessageInfo *m, const char *me, FILE *out) {
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_client_poll_option *o;
    size_t n;
    cJSON *j = NULL;
    if (wb_client_poll_tally(m, me, &a, &o, &n) == 0) {
        if (out)
            fprintf(out, "  (");
        j = out ? NULL : cJSON_CreateArray();
        for (size_t i = 0; i < n; i++) {
            if (out) {
                fprintf(out, "%s%s %zu", i ? ", " : "", o[i].name, o[i].nvoters);
                continue;
            }
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "name", o[i].name);
            cJSON *v = cJSON_AddArrayToObject(e, "voters");
            for (size_t k = 0; k < o[i].nvoters; k++)
                cJSON_AddItemToArray(v, cJSON_CreateString(o[i].voters[k]));
            cJSON_AddItemToArray(j, e);
        }
        if (out)
            fprintf(out, ")");
    }
    wb_arena_free(&a);
    return j;
}

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
            cJSON *tally = tally_json(m, app->me, NULL);
            if (tally)
                cJSON_AddItemToObject(j, "pollTally", tally); /* wabot's: the votes counted */
            char *text = cJSON_PrintUnformatted(j);
            if (text)
                printf("%s\n", text);
            cJSON_free(text);
            cJSON_Delete(j);
        }
    } else {
        char when[32] = "", line[1024];
        time_t t = (time_t)row->ts;
        struct tm tm;
        if (localtime_r(&t, &tm))
            strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
        printf("%s %s %s %s: %s", when, row->chat, row->id,
               row->from_me ? "me" : m->pushname ? m->pushname : row->sender,
               wb_client_message_describe(m, line, sizeof line));
        for (size_t i = 0; i < m->n_reactions; i++)
            printf("%s%s", i ? "" : "  ", m->reactions[i]->text ? m->reactions[i]->text : "");
        tally_json(m, app->me, stdout);
        printf("\n");
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

/* DATE as unix seconds: YYYY-MM-DD[ HH:MM[:SS]] in local time, or a number of seconds. */
static int parse_date(const char *s, int64_t *out) {
    char *end;
    long long n = strtoll(s, &end, 10);
    if (*s && !*end && n >= 0) {
        *out = n;
        return 0;
    }
    struct tm tm = {0};
    int y, mo, d, h = 0, mi = 0, se = 0;
    char extra;
    int got = sscanf(s, "%d-%d-%d %d:%d:%d%c", &y, &mo, &d, &h, &mi, &se, &extra);
    if (got != 3 && got != 5 && got != 6) {
        got = sscanf(s, "%d-%d-%dT%d:%d:%d%c", &y, &mo, &d, &h, &mi, &se, &extra);
        if (got != 5 && got != 6)
            return -1;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 ||
        se > 60)
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    if (t == (time_t)-1)
        return -1;
    *out = (int64_t)t;
    return 0;
}

int wb_cli_messages(int argc, char **argv) {
    wb_cli_client o;
    wb_cli_client_init(&o);
    list_app app = {0};
    wb_message_query q = {.newest = 1, .no_changes = 1};
    int list = 0, search = 0;
    const char *query = NULL;
    for (int i = 1; i < argc; i++) {
        int r = wb_cli_client_flag(&o, argc, argv, &i);
        if (r < 0)
            return WB_EXIT_USAGE;
        if (r)
            continue;
        int more = i + 1 < argc;
        if (!strcmp(argv[i], "list") && !list && !search) {
            list = 1;
        } else if (!strcmp(argv[i], "search") && !list && !search && more) {
            search = 1;
            query = argv[++i];
        } else if (!strcmp(argv[i], "--json")) {
            app.json = 1;
        } else if (!strcmp(argv[i], "--all")) {
            q.no_changes = 0;
        } else if (!strcmp(argv[i], "--chat") && more) {
            q.chat = argv[++i];
        } else if (!strcmp(argv[i], "--from") && more) {
            q.sender = argv[++i];
        } else if (!strcmp(argv[i], "--after") && more) {
            if (parse_date(argv[++i], &q.after) < 0) {
                wb_cli_fail("messages: --after wants YYYY-MM-DD, \"YYYY-MM-DD HH:MM\" or unix "
                            "seconds, not '%s'", argv[i]);
                return WB_EXIT_USAGE;
            }
        } else if (!strcmp(argv[i], "--limit") && more) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end || n < 1 || n > 10000000) {
                wb_cli_fail("messages: --limit wants a positive number");
                return WB_EXIT_USAGE;
            }
            q.limit = (unsigned)n;
        } else {
            fprintf(strcmp(argv[i], "--help") ? stderr : stdout, USAGE);
            return strcmp(argv[i], "--help") ? WB_EXIT_USAGE : 0;
        }
    }
    if (!list && !search) {
        fprintf(stderr, USAGE);
        return WB_EXIT_USAGE;
    }
    wb_store *st;
    int rc = wb_cli_store_open(&o, "messages", &st);
    if (rc != WB_EXIT_OK)
        return rc;
    wb_device_row dev;
    char me[160] = "";
    if (wb_store_device_get(st, &dev) == 0 && dev.jid[0])
        snprintf(me, sizeof me, "%.*s@s.whatsapp.net", (int)strcspn(dev.jid, ":@"), dev.jid);
    app.me = me;
    if (search) {
        wb_message_search sq = {.query = query, .chat = q.chat, .sender = q.sender,
                                .after = q.after, .limit = q.limit};
        rc = wb_store_messages_search(st, &sq, print_row, &app);
        if (rc == WB_EINVAL)
            wb_cli_fail("messages: search wants at least one word");
    } else {
        /* the newest N, printed oldest first: find where they start, then walk forwards */
        rows r = {.seqs = malloc((q.limit ? q.limit : 1) * sizeof *r.seqs)};
        if (q.limit && r.seqs && wb_store_messages_each(st, &q, collect, &r) == 0 && r.n)
            q.from_seq = r.seqs[r.n - 1];
        free(r.seqs);
        q.newest = 0;
        rc = wb_store_messages_each(st, &q, print_row, &app);
    }
    wb_store_close(st);
    free(o.ca_pem);
    free(o.media_ca_pem);
    return rc == WB_EINVAL ? WB_EXIT_USAGE : rc < 0 ? WB_EXIT_ERROR : WB_EXIT_OK;
}
