/* `wabot chats [--json]` and `wabot contacts [--json]`: the chats in the store, the most recently
 * active first (JID, name, unread count, disappearing timer, stored messages), and the people it
 * knows (JID, LID, push name). --json: one object per line, in Baileys' Chat and Contact field
 * names ({id, name, conversationTimestamp, unreadCount, ephemeralExpiration} and {id, lid,
 * notify}). No network and no lock, as `wabot messages`. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/client_common.h"
#include "store/contact_store.h"

static void print_json(cJSON *o) {
    char *text = cJSON_PrintUnformatted(o);
    if (text)
        printf("%s\n", text);
    cJSON_free(text);
    cJSON_Delete(o);
}

static int print_chat(void *ud, const wb_chat_row *c) {
    int json = *(int *)ud;
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", c->jid);
        if (c->name[0])
            cJSON_AddStringToObject(o, "name", c->name);
        cJSON_AddNumberToObject(o, "conversationTimestamp", (double)c->last_ts);
        cJSON_AddNumberToObject(o, "unreadCount", (double)c->unread);
        if (c->ephemeral)
            cJSON_AddNumberToObject(o, "ephemeralExpiration", c->ephemeral);
        cJSON_AddNumberToObject(o, "messages", (double)c->messages);
        print_json(o);
        return 0;
    }
    char when[32] = "-";
    time_t t = (time_t)c->last_ts;
    struct tm tm;
    if (c->last_ts && localtime_r(&t, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    printf("%s  %-32s %-24s %6lld msgs", when, c->jid, c->name[0] ? c->name : "-",
           (long long)c->messages);
    if (c->unread)
        printf("  %lld unread", (long long)c->unread);
    if (c->ephemeral)
        printf("  disappearing after %u s", c->ephemeral);
    printf("\n");
    return 0;
}

static int print_contact(void *ud, const wb_contact_row *c) {
    int json = *(int *)ud;
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", c->jid);
        if (c->lid[0])
            cJSON_AddStringToObject(o, "lid", c->lid);
        if (c->name[0])
            cJSON_AddStringToObject(o, "notify", c->name);
        print_json(o);
    } else {
        printf("%-32s %-32s %s\n", c->jid, c->lid[0] ? c->lid : "-", c->name[0] ? c->name : "-");
    }
    return 0;
}

/* The two commands' shared run: flags, the store, the listing. */
static int list(int argc, char **argv, const char *cmd, int chats) {
    wb_cli_client o;
    wb_cli_client_init(&o);
    int json = 0;
    char usage[160];
    snprintf(usage, sizeof usage, "usage: wabot %s [--json] [flags]\n\nLists the %s in the store%s.",
             cmd, cmd, chats ? ", the most recently active first" : "");
    int done = wb_cli_client_args(&o, argc, argv, "--json", &json, usage);
    if (done != WB_CLI_GO_ON)
        return done;
    wb_store *st;
    int rc = wb_cli_store_open(&o, cmd, &st);
    if (rc != WB_EXIT_OK) {
        free(o.ca_pem);
        return rc;
    }
    rc = chats ? wb_store_chats_each(st, print_chat, &json)
               : wb_store_contacts_each(st, print_contact, &json);
    wb_store_close(st);
    free(o.ca_pem);
    return rc < 0 ? WB_EXIT_ERROR : WB_EXIT_OK;
}

int wb_cli_chats(int argc, char **argv) { return list(argc, argv, "chats", 1); }
int wb_cli_contacts(int argc, char **argv) { return list(argc, argv, "contacts", 0); }
