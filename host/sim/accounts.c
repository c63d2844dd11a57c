/* Accounts and devices (sim_int.h): lookups by phone, LID and JID; accounts made on demand with
 * a phone identity key and a LID; companions added after a verified pairing and removed on
 * logout. Used by every handler; writes go through persist.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "crypto/random.h"
#include "sim/sim_int.h"

#define NEW_PHONE_PREFIX 15550000000ULL /* numbers of accounts made without one */
#define NEW_LID_BASE 100000000000000ULL /* 15-digit LIDs, as real ones look */

wb_sim_account *wb_sim_account_by_phone(wb_sim *sim, const char *phone) {
    for (size_t i = 0; i < sim->naccounts; i++)
        if (strcmp(sim->accounts[i]->phone, phone) == 0)
            return sim->accounts[i];
    return NULL;
}

wb_sim_account *wb_sim_account_by_lid(wb_sim *sim, const char *lid) {
    for (size_t i = 0; i < sim->naccounts; i++)
        if (strcmp(sim->accounts[i]->lid, lid) == 0)
            return sim->accounts[i];
    return NULL;
}

wb_sim_account *wb_sim_account_by_jid(wb_sim *sim, const wb_jid *j) {
    if (j->agent || j->integrator)
        return NULL;
    if (wb_jid_on(j, WB_SERVER_USER))
        return wb_sim_account_by_phone(sim, j->user);
    if (wb_jid_on(j, WB_SERVER_LID))
        return wb_sim_account_by_lid(sim, j->user);
    return NULL;
}

wb_sim_device *wb_sim_device_of(const wb_sim_account *a, uint16_t id) {
    for (size_t i = 0; a && i < a->ndevices; i++)
        if (a->devices[i]->id == id)
            return a->devices[i];
    return NULL;
}

wb_sim_device *wb_sim_device_by_jid(wb_sim *sim, const wb_jid *j) {
    return j->device ? wb_sim_device_of(wb_sim_account_by_jid(sim, j), j->device) : NULL;
}

static int valid_number(const char *s) {
    size_t n = strlen(s);
    if (n < 5 || n > 15 || s[0] == '0')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int wb_sim_account_get(wb_sim *sim, const char *phone, wb_sim_account **out) {
    if (phone && *phone) {
        if (!valid_number(phone))
            return WB_EINVAL;
        wb_sim_account *a = wb_sim_account_by_phone(sim, phone);
        if (a) {
            *out = a;
            return 0;
        }
    }
    wb_sim_account *a = calloc(1, sizeof *a);
    if (!a)
        return WB_ENOMEM;
    if (phone && *phone)
        snprintf(a->phone, sizeof a->phone, "%s", phone);
    else
        do
            snprintf(a->phone, sizeof a->phone, "%llu", NEW_PHONE_PREFIX + sim->next_phone++);
        while (wb_sim_account_by_phone(sim, a->phone));
    do
        snprintf(a->lid, sizeof a->lid, "%llu", NEW_LID_BASE + sim->next_lid++);
    while (wb_sim_account_by_lid(sim, a->lid));
    int rc = wb_keypair_generate(&a->identity);
    a->adv_raw_id = wb_random_uniform(0xffffffffu) + 1;
    a->next_device = 1;
    a->next_key_index = 1;
    a->created = wb_sim_now(sim);
    if (rc == 0)
        rc = wb_sim_persist_account(sim, a);
    if (rc == 0)
        rc = wb_sim_account_adopt(sim, a);
    if (rc < 0) {
        wb_free_secret(a, sizeof *a);
        return rc;
    }
    WB_INFO("sim", "account %s made (lid %s)", a->phone, a->lid);
    *out = a;
    return 0;
}

void wb_sim_account_name(wb_sim *sim, wb_sim_account *a, const char *name) {
    if (!name || !*name || a->name[0])
        return;
    snprintf(a->name, sizeof a->name, "%s", name);
    if (wb_sim_persist_account(sim, a) < 0)
        WB_WARN("sim", "cannot store the name of account %s", a->phone);
}

int wb_sim_account_reserve(wb_sim *sim, wb_sim_account *a, uint16_t *device, uint32_t *key_index) {
    if (a->next_device == 0xffff)
        return WB_ERANGE;
    uint16_t id = a->next_device++;
    uint32_t ki = a->next_key_index++;
    int rc = wb_sim_persist_account(sim, a);
    if (rc < 0)
        return rc;
    *device = id;
    *key_index = ki;
    return 0;
}

int wb_sim_device_add(wb_sim *sim, wb_sim_account *a, const wb_sim_device *tmpl,
                      wb_sim_device **out) {
    wb_sim_device *d = malloc(sizeof *d);
    if (!d)
        return WB_ENOMEM;
    *d = *tmpl;
    d->row = 0;
    d->conn = NULL;
    d->created = wb_sim_now(sim);
    d->account = a;
    int rc = wb_sim_persist_device(sim, d);
    if (rc == 0)
        rc = wb_sim_account_add_device(a, d);
    if (rc < 0) {
        free(d);
        return rc;
    }
    *out = d;
    return 0;
}

int wb_sim_device_save(wb_sim *sim, wb_sim_device *d) { return wb_sim_persist_device(sim, d); }

int wb_sim_device_remove(wb_sim *sim, wb_sim_device *d, const char *why) {
    if (d->removed)
        return 0;
    d->removed = 1;
    int rc = wb_store_begin(sim->db);
    if (rc == 0)
        rc = wb_sim_device_save(sim, d);
    if (rc == 0)
        rc = wb_sim_exec_row(sim, "DELETE FROM prekeys WHERE device = ?", d->row);
    if (rc == 0)
        rc = wb_sim_exec_row(sim, "DELETE FROM queue WHERE device = ?", d->row);
    if (rc == 0)
        rc = wb_store_commit(sim->db);
    else
        wb_store_rollback(sim->db);
    char jid[WB_JID_STR_MAX];
    wb_sim_device_jid(d, jid);
    WB_INFO("sim", "device %s removed (%s)", jid, why);
    if (d->conn)
        wb_sim_conn_stream_error(d->conn, 401, "conflict", "device_removed", why);
    wb_sim_hook_removed(sim, d);
    return rc;
}

void wb_sim_account_jid(const wb_sim_account *a, char *out) {
    snprintf(out, WB_JID_STR_MAX, "%s@" WB_SERVER_USER, a->phone);
}

void wb_sim_account_lid_jid(const wb_sim_account *a, char *out) {
    snprintf(out, WB_JID_STR_MAX, "%s@" WB_SERVER_LID, a->lid);
}

void wb_sim_device_jid(const wb_sim_device *d, char *out) {
    snprintf(out, WB_JID_STR_MAX, "%s:%u@" WB_SERVER_USER, d->account->phone, d->id);
}

void wb_sim_device_lid_jid(const wb_sim_device *d, char *out) {
    snprintf(out, WB_JID_STR_MAX, "%s:%u@" WB_SERVER_LID, d->account->lid, d->id);
}

void wb_sim_accounts_free(wb_sim *sim) {
    for (size_t i = 0; i < sim->naccounts; i++) {
        wb_sim_account *a = sim->accounts[i];
        for (size_t j = 0; j < a->ndevices; j++)
            free(a->devices[j]);
        for (size_t j = 0; j < a->nblocked; j++)
            free(a->blocked[j]);
        free(a->devices);
        free(a->blocked);
        free(a->privacy);
        wb_free_secret(a, sizeof *a);
    }
    free(sim->accounts);
    sim->accounts = NULL;
    sim->naccounts = sim->accounts_cap = 0;
}
