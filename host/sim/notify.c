/* Device-list notifications (NOTES §5) and the contacts they go to. When an account links or
 * loses a companion, the devices that may send to it hear of it, so a sender's cached device
 * list (Baileys keeps one for five minutes) gains or drops that device:
 *
 *   <notification from="<phone>@s.whatsapp.net" lid="<lid>@lid" type="devices" id t>
 *     <add|remove device_hash="2:..." device_lid_hash="2:..."><device
 *     jid="<phone>:<n>@s.whatsapp.net" lid="<lid>:<n>@lid" key-index="n"/></add|remove>
 *   </notification>   (wa/devices.h; the hashes are of the list after the change)
 *
 * "May send to it": the account's own other devices, its contacts (accounts it has exchanged
 * 1:1 messages with; route.c records them through wb_sim_contacts_touch, kept in the contacts
 * table) and the members of its groups. Durable: clients ack notifications. Hooks of the account
 * model (pair.c links, accounts.c removes). */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "sim/groups.h"
#include "wa/devices.h"

/* Pairs of account rows (low << 32 | high), sorted. */
struct wb_sim_contacts {
    uint64_t *pairs;
    size_t n, cap;
};

static uint64_t pair_of(int64_t a, int64_t b) {
    uint64_t lo = (uint64_t)(a < b ? a : b), hi = (uint64_t)(a < b ? b : a);
    return lo << 32 | (hi & 0xffffffffu);
}

/* The index of key, or where it would go (*found 0). */
static size_t find(const struct wb_sim_contacts *ct, uint64_t key, int *found) {
    size_t lo = 0, hi = ct->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ct->pairs[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < ct->n && ct->pairs[lo] == key;
    return lo;
}

static int insert(struct wb_sim_contacts *ct, uint64_t key) {
    int found;
    size_t at = find(ct, key, &found);
    if (found)
        return 0;
    if (wb_sim_grow(&ct->pairs, ct->n, &ct->cap, sizeof *ct->pairs) < 0)
        return WB_ENOMEM;
    memmove(ct->pairs + at + 1, ct->pairs + at, (ct->n - at) * sizeof *ct->pairs);
    ct->pairs[at] = key;
    ct->n++;
    return 1;
}

void wb_sim_contacts_touch(wb_sim *sim, const wb_sim_account *a, const wb_sim_account *b) {
    if (!sim->contacts || a == b)
        return;
    uint64_t key = pair_of(a->row, b->row);
    if (insert(sim->contacts, key) != 1)
        return;
    sqlite3_stmt *s = wb_store_stmt(sim->db, "INSERT OR IGNORE INTO contacts (a, b) VALUES (?, ?)");
    if (s) {
        sqlite3_bind_int64(s, 1, (int64_t)(key >> 32));
        sqlite3_bind_int64(s, 2, (int64_t)(key & 0xffffffffu));
        wb_store_done(s, sqlite3_step(s) == SQLITE_DONE ? 0 : WB_ESTORE);
    }
}

int wb_sim_contacts_know(wb_sim *sim, const wb_sim_account *a, const wb_sim_account *b) {
    int found = a == b;
    if (!found && sim->contacts)
        find(sim->contacts, pair_of(a->row, b->row), &found);
    return found;
}

/* 1 when a device change of a concerns b. */
static int concerns(wb_sim *sim, const wb_sim_account *a, const wb_sim_account *b) {
    int found = a == b;
    if (!found && sim->contacts)
        find(sim->contacts, pair_of(a->row, b->row), &found);
    for (size_t i = 0; !found && i < wb_sim_group_count(sim); i++) {
        const wb_sim_group *g = wb_sim_group_at(sim, i);
        found = wb_sim_group_member(g, a) && wb_sim_group_member(g, b);
    }
    return found;
}

/* The device_hash (and device_lid_hash) of a's list as usync gives it: the phone and the
 * companions not removed (wa/devices.h). */
static void device_hashes(const wb_sim_account *a, char hash[WB_WA_DEVICE_HASH_MAX],
                          char lid_hash[WB_WA_DEVICE_HASH_MAX]) {
    wb_jid *pn = calloc(a->ndevices + 1, sizeof *pn), *lid = calloc(a->ndevices + 1, sizeof *lid);
    size_t n = 0;
    if (pn && lid) {
        pn[n] = wb_jid_of(a->phone, WB_SERVER_USER, 0);
        lid[n++] = wb_jid_of(a->lid, WB_SERVER_LID, 0);
        WB_SIM_EACH_DEVICE(a, d) {
            pn[n] = wb_jid_of(a->phone, WB_SERVER_USER, d->id);
            lid[n++] = wb_jid_of(a->lid, WB_SERVER_LID, d->id);
        }
    }
    if (!pn || !lid || wb_wa_devices_hash(pn, n, hash) < 0 || wb_wa_devices_hash(lid, n, lid_hash) < 0)
        hash[0] = lid_hash[0] = '\0'; /* out of memory: the notification goes without */
    free(pn);
    free(lid);
}

static void tell(wb_sim *sim, wb_sim_device *changed, const char *what) {
    wb_arena a;
    wb_arena_init(&a, 0);
    const wb_sim_account *acc = changed->account;
    char id[32], hash[WB_WA_DEVICE_HASH_MAX], lid_hash[WB_WA_DEVICE_HASH_MAX];
    wb_sim_new_id(sim, id, sizeof id);
    device_hashes(acc, hash, lid_hash);
    wb_wa_device_entry dev = {.jid = wb_jid_of(acc->phone, WB_SERVER_USER, changed->id),
                              .lid = wb_jid_of(acc->lid, WB_SERVER_LID, changed->id),
                              .key_index = changed->key_index, .has_key_index = 1};
    wb_wa_devices_notification dn = {
        .id = id, .from = wb_jid_of(acc->phone, WB_SERVER_USER, 0),
        .lid = wb_jid_of(acc->lid, WB_SERVER_LID, 0), .t = wb_sim_now(sim), .action = what,
        .device_hash = hash[0] ? hash : NULL, .device_lid_hash = lid_hash[0] ? lid_hash : NULL,
        .devices = &dev, .ndevices = 1};
    wb_node *n = wb_wa_devices_notification_new(&a, &dn);
    int64_t sent = 0;
    for (size_t i = 0; i < sim->naccounts; i++) {
        if (!concerns(sim, acc, sim->accounts[i]))
            continue;
        WB_SIM_EACH_DEVICE(sim->accounts[i], other) {
            if (other != changed && wb_sim_deliver(sim, other, n, WB_SIM_DURABLE) == 0)
                sent++;
        }
    }
    wb_sim_countf(sim, sent, "device_lists.notified.%s", what);
    wb_arena_free(&a);
}

static void on_linked(wb_sim *sim, wb_sim_device *d) { tell(sim, d, "add"); }

static void on_removed(wb_sim *sim, wb_sim_device *d) { tell(sim, d, "remove"); }

static int contacts_init(wb_sim *sim) {
    if (!(sim->contacts = calloc(1, sizeof *sim->contacts)))
        return WB_ENOMEM;
    sqlite3_stmt *s = wb_store_stmt(sim->db, "SELECT a, b FROM contacts");
    if (!s)
        return WB_ESTORE;
    int rc = 0;
    while (rc >= 0 && sqlite3_step(s) == SQLITE_ROW)
        rc = insert(sim->contacts, pair_of(sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1)));
    return wb_store_done(s, rc < 0 ? rc : 0);
}

static void contacts_free(wb_sim *sim) {
    if (sim->contacts)
        free(sim->contacts->pairs);
    free(sim->contacts);
    sim->contacts = NULL;
}

const wb_sim_family wb_sim_family_notify = {
    .name = "notify", .init = contacts_init, .free = contacts_free,
    .on_device_linked = on_linked, .on_device_removed = on_removed,
};
