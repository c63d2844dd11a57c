/* Account settings: the privacy IQs (get the categories, set one, tokens) and the blocklist
 * (get, block, unblock), stored per account (NOTES.md §5 items 6-7). */
#include <stdlib.h>
#include <string.h>

#include "sim/sim_int.h"

#define MAX_BLOCKED 10000

/* The categories clients read, with the values of a fresh account. */
static const wb_sim_setting defaults[] = {
    {"last", "all"},     {"online", "all"},       {"profile", "all"},
    {"status", "all"},   {"groupadd", "all"},     {"readreceipts", "all"},
    {"calladd", "all"},  {"messages", "all"},     {"defense", "off"},
    {"stickers", "all"},
};
#define NDEFAULTS (sizeof defaults / sizeof *defaults)

static const char *default_of(const char *name) {
    for (size_t i = 0; i < NDEFAULTS; i++)
        if (strcmp(defaults[i].name, name) == 0)
            return defaults[i].value;
    return NULL;
}

static const char *setting(const wb_sim_account *a, const char *name) {
    for (size_t i = 0; i < a->nprivacy; i++)
        if (strcmp(a->privacy[i].name, name) == 0)
            return a->privacy[i].value;
    return default_of(name);
}

const char *wb_sim_privacy_get(const wb_sim_account *a, const char *name) {
    return setting(a, name);
}

static int on_privacy_get(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    const wb_sim_account *a = c->device->account;
    wb_node *p = wb_node_add_new(reply, "privacy");
    for (size_t i = 0; i < NDEFAULTS; i++)
        WB_CHILD(p, "category", {"name", defaults[i].name}, {"value", setting(a, defaults[i].name)});
    for (size_t i = 0; i < a->nprivacy; i++) /* categories set that have no default */
        if (!default_of(a->privacy[i].name))
            WB_CHILD(p, "category", {"name", a->privacy[i].name}, {"value", a->privacy[i].value});
    return 0;
}

static int on_privacy_set(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_sim_account *a = c->device->account;
    wb_node *cat = wb_node_path(iq, "privacy", "category", NULL);
    const char *name = wb_node_attr(cat, "name"), *value = wb_node_attr(cat, "value");
    if (!name || !value || !*name || strlen(name) >= sizeof a->privacy->name ||
        strlen(value) >= sizeof a->privacy->value)
        return wb_sim_iq_error(reply, 400, "bad-request");
    size_t i = 0;
    while (i < a->nprivacy && strcmp(a->privacy[i].name, name) != 0)
        i++;
    if (i == a->nprivacy) {
        if (a->nprivacy >= 64)
            return wb_sim_iq_error(reply, 400, "bad-request");
        wb_sim_setting *p = realloc(a->privacy, (a->nprivacy + 1) * sizeof *p);
        if (!p)
            return WB_ENOMEM;
        a->privacy = p;
        a->nprivacy++;
        snprintf(p[i].name, sizeof p[i].name, "%s", name);
    }
    snprintf(a->privacy[i].value, sizeof a->privacy[i].value, "%s", value);
    if (wb_sim_persist_settings(c->sim, a) < 0)
        return wb_sim_conn_fail(c, WB_ESTORE, "database");
    WB_CHILD(wb_node_add_new(reply, "privacy"), "category", {"name", name}, {"value", value});
    return 0;
}

/* Trusted-contact tokens after 1:1 sends: accepted, nothing to remember. */
static int on_tokens(wb_sim_conn *c, wb_node *iq, wb_node *reply) { return 0; }

static int on_blocklist_get(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    const wb_sim_account *a = c->device->account;
    wb_node *list = wb_node_add_new(reply, "list");
    wb_node_set_empty_list(list);
    for (size_t i = 0; i < a->nblocked; i++)
        WB_CHILD(list, "item", {"jid", a->blocked[i]});
    return 0;
}

static int on_blocklist_set(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_sim_account *a = c->device->account;
    wb_node *item = wb_node_child(iq, "item");
    const char *action = wb_node_attr(item, "action"), *j = wb_node_attr(item, "jid");
    wb_jid jid;
    if (!action || !j || wb_jid_parse(&jid, j) < 0)
        return wb_sim_iq_error(reply, 400, "bad-request");
    size_t i = 0;
    while (i < a->nblocked && strcmp(a->blocked[i], j) != 0)
        i++;
    if (strcmp(action, "block") == 0 && i == a->nblocked) {
        char **p = a->nblocked < MAX_BLOCKED ? realloc(a->blocked, (a->nblocked + 1) * sizeof *p)
                                             : NULL;
        if (!p || !(p[a->nblocked] = strdup(j))) {
            if (p)
                a->blocked = p;
            return wb_sim_iq_error(reply, 500, "internal-server-error");
        }
        a->blocked = p;
        a->nblocked++;
    } else if (strcmp(action, "unblock") == 0 && i < a->nblocked) {
        free(a->blocked[i]);
        a->blocked[i] = a->blocked[--a->nblocked];
    } else if (strcmp(action, "block") != 0 && strcmp(action, "unblock") != 0) {
        return wb_sim_iq_error(reply, 400, "bad-request");
    }
    if (wb_sim_persist_settings(c->sim, a) < 0)
        return wb_sim_conn_fail(c, WB_ESTORE, "database");
    return 0;
}

static const wb_sim_iq_route iqs[] = {
    {"privacy", "get", "privacy", on_privacy_get, WB_SIM_ON_LOGIN},
    {"privacy", "set", "privacy", on_privacy_set, WB_SIM_ON_LOGIN},
    {"privacy", "set", "tokens", on_tokens, WB_SIM_ON_LOGIN},
    {"blocklist", "get", NULL, on_blocklist_get, WB_SIM_ON_LOGIN},
    {"blocklist", "set", "item", on_blocklist_set, WB_SIM_ON_LOGIN},
    {NULL, NULL, NULL, NULL, 0},
};

const wb_sim_family wb_sim_family_privacy = {.name = "privacy", .iqs = iqs};
