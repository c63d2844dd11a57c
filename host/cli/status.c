/* `wabot status [--json]`: who this store's device is linked as, and whether the store is
 * sound (SQLite's quick_check, the schema version), without connecting. It does not take the
 * store's lock, so it works beside a running `wabot run` or `wabot sync --follow`, and says
 * which process holds it. */
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/client_common.h"
#include "store/device_store.h"
#include "store/message_store.h"

static const char *state_name(int state) {
    return state == WB_DEVICE_LINKED ? "linked" : state == WB_DEVICE_LOGGED_OUT ? "logged out"
                                                                                : "not linked";
}

/* "ok", or the first problem quick_check found. */
static void check_store(wb_store *st, char *out, size_t cap) {
    sqlite3_stmt *s;
    snprintf(out, cap, "cannot check");
    if (sqlite3_prepare_v2(wb_store_db(st), "PRAGMA quick_check", -1, &s, NULL) != SQLITE_OK)
        return;
    if (sqlite3_step(s) == SQLITE_ROW)
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
}

int wb_cli_status(int argc, char **argv) {
    wb_cli_client o;
    wb_cli_client_init(&o);
    int json = 0;
    int done = wb_cli_client_args(&o, argc, argv, "--json", &json,
                                  "usage: wabot status [--json] [flags]\n\nShows the linked "
                                  "device and checks the store.");
    if (done != WB_CLI_GO_ON)
        return done;
    wb_store_lock *lock = NULL;
    pid_t holder = 0;
    wb_error e = {0};
    int lrc = wb_store_lock_take(o.dir, &lock, &holder, &e);
    wb_store_lock_release(lock); /* only to learn who holds it */
    char path[4200];
    snprintf(path, sizeof path, "%s/wabot.db", o.dir);
    wb_store *st;
    int rc = wb_cli_store_open(&o, "status", &st);
    if (rc != WB_EXIT_OK)
        return rc;
    wb_device_row d;
    int have = wb_store_device_get(st, &d) == 0;
    wb_store_counts n = {0};
    wb_store_count_all(st, &n);
    char check[256];
    check_store(st, check, sizeof check);
    int state = have ? d.state : WB_DEVICE_UNLINKED;
    if (json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "store", path);
        cJSON_AddStringToObject(j, "state", state_name(state));
        if (have && d.jid[0]) {
            cJSON_AddStringToObject(j, "jid", d.jid);
            cJSON_AddStringToObject(j, "lid", d.lid);
            cJSON_AddStringToObject(j, "name", d.name);
            cJSON_AddStringToObject(j, "platform", d.platform);
            cJSON_AddNumberToObject(j, "linkedAt", (double)d.linked_at);
        }
        cJSON_AddNumberToObject(j, "messages", (double)n.messages);
        cJSON_AddNumberToObject(j, "pending", (double)n.pending);
        cJSON_AddNumberToObject(j, "contacts", (double)n.contacts);
        cJSON_AddNumberToObject(j, "chats", (double)n.chats);
        cJSON_AddNumberToObject(j, "schema", wb_store_schema_version(st));
        cJSON_AddStringToObject(j, "check", check);
        if (lrc == WB_EEXIST)
            cJSON_AddNumberToObject(j, "lockedBy", (double)holder);
        char *text = cJSON_PrintUnformatted(j);
        printf("%s\n", text ? text : "{}");
        cJSON_free(text);
        cJSON_Delete(j);
    } else {
        printf("store:    %s (schema %d, check: %s)\n", path, wb_store_schema_version(st), check);
        printf("device:   %s\n", state_name(state));
        if (have && d.jid[0]) {
            char when[64] = "";
            time_t t = (time_t)d.linked_at;
            struct tm tm;
            if (gmtime_r(&t, &tm))
                strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
            printf("jid:      %s\nlid:      %s\nname:     %s\nlinked:   %s (phone: %s)\n", d.jid,
                   d.lid[0] ? d.lid : "-", d.name[0] ? d.name : "-", when,
                   d.platform[0] ? d.platform : "?");
        }
        printf("messages: %lld (%lld pending)\ncontacts: %lld\nchats:    %lld\n",
               (long long)n.messages, (long long)n.pending, (long long)n.contacts,
               (long long)n.chats);
        if (lrc == WB_EEXIST)
            printf("in use:   by wabot pid %ld\n", (long)holder);
    }
    wb_store_close(st);
    free(o.ca_pem);
    free(o.media_ca_pem);
    if (strcmp(check, "ok") != 0)
        return WB_EXIT_ERROR;
    return state == WB_DEVICE_LINKED ? WB_EXIT_OK
           : state == WB_DEVICE_LOGGED_OUT ? WB_EXIT_LOGGED_OUT
                                           : WB_EXIT_NOT_LINKED;
}
