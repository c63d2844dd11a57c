/* Device lists and LID mappings (NOTES §6.1): before a send the client needs every device of
 * the recipients and of our own account. Lists come from usync queries (devices and lid
 * protocols, context "message", as Baileys asks them), are cached for five minutes (Baileys'
 * USER_DEVICES TTL), and are dropped at once when a devices notification says the list changed,
 * so a contact's new companion is encrypted for at the next send.
 *
 * Waiting: wb_client_devices_ensure asks for the users not cached in one query and calls back
 * when it is answered; the send pipeline (send.c) re-checks the cache then, so a failed or
 * partial answer shows up as users without a list. LIDs learnt here (and from message
 * attributes, recv.c) go to the contacts table: the Signal address of a device is by phone
 * number whenever we know it (wb_client_address). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"
#include "core/log.h"
#include "core/strmap.h"
#include "crypto/random.h"
#include "store/contact_store.h"
#include "wa/devices.h"
#include "wa/usync.h"

#define DEVICES_TTL_MS (5 * 60 * 1000)
#define MAX_DEVICES 64 /* per user; WhatsApp allows the phone and four companions */
#define QUERY_MAX 500  /* users per query */

typedef struct devlist {
    uint64_t fetched;
    uint16_t n;
    uint16_t ids[MAX_DEVICES];
} devlist;

typedef struct waiter {
    void (*fn)(wb_client *c, void *ud, int status);
    void *ud;
} waiter;

struct wb_client_usync {
    wb_strmap lists;  /* user JID -> devlist* */
    wb_strmap asked;  /* user JIDs in a query not yet answered -> (void *)1 */
    int queries;      /* in flight */
};

int wb_client_usync_init(wb_client *c) {
    c->usync = calloc(1, sizeof *c->usync);
    if (!c->usync)
        return WB_ENOMEM;
    wb_strmap_init(&c->usync->lists);
    wb_strmap_init(&c->usync->asked);
    return 0;
}

void wb_client_usync_free(wb_client *c) {
    struct wb_client_usync *u = c->usync;
    if (!u)
        return;
    size_t it = 0;
    const char *k;
    void *v;
    while (wb_strmap_next(&u->lists, &it, &k, &v))
        free(v);
    wb_strmap_free(&u->lists);
    wb_strmap_free(&u->asked);
    free(u);
    c->usync = NULL;
}

static void user_key(const wb_jid *j, char out[WB_JID_STR_MAX]) {
    wb_jid u = wb_jid_user_jid(j);
    wb_jid_format(&u, out, WB_JID_STR_MAX);
}

static void drop(wb_client *c, const char *key) { free(wb_strmap_del(&c->usync->lists, key)); }

int wb_client_devices_get(wb_client *c, const wb_jid *user, const uint16_t **ids, size_t *n) {
    char key[WB_JID_STR_MAX];
    user_key(user, key);
    devlist *l = wb_strmap_get(&c->usync->lists, key);
    if (!l)
        return WB_ENOTFOUND;
    if (c->now - l->fetched > DEVICES_TTL_MS) {
        drop(c, key);
        return WB_ENOTFOUND;
    }
    *ids = l->ids;
    *n = l->n;
    return 0;
}

/* ---- the query ------------------------------------------------------------------------------ */

typedef struct query {
    wb_client *c;
    waiter w;
    size_t nasked;
    char **asked;
} query;

static void query_free(wb_client *c, query *q) {
    for (size_t i = 0; i < q->nasked; i++) {
        wb_strmap_del(&c->usync->asked, q->asked[i]);
        free(q->asked[i]);
    }
    free(q->asked);
    free(q);
}

static void on_result(void *ud, int status, const wb_node *answer) {
    query *q = ud;
    wb_client *c = q->c;
    c->usync->queries--;
    if (status == 0) {
        wb_wa_usync_result res;
        wb_error e = {0};
        if ((status = wb_wa_usync_result_read(answer, &c->arena, &res, &e)) < 0)
            WB_WARN("client", "a usync result we cannot read: %s", e.what);
        for (size_t i = 0; status == 0 && i < res.nusers; i++) {
            const wb_wa_usync_user *u = &res.users[i];
            if (!wb_jid_is_empty(&u->lid) && wb_jid_on(&u->jid, WB_SERVER_USER))
                wb_client_lid_learn(c, u->lid.user, u->jid.user);
            if (u->error)
                continue;
            devlist *l = calloc(1, sizeof *l);
            if (!l)
                continue;
            l->fetched = c->now;
            for (size_t d = 0; d < u->ndevices && l->n < MAX_DEVICES; d++) {
                /* as Baileys: a companion without a key index is not used */
                if (u->devices[d].id != 0 && !u->devices[d].has_key_index)
                    continue;
                if (u->devices[d].hosted)
                    continue;
                l->ids[l->n++] = u->devices[d].id;
            }
            char key[WB_JID_STR_MAX];
            user_key(&u->jid, key);
            void *old = NULL;
            if (wb_strmap_put(&c->usync->lists, key, l, &old) < 0)
                free(l);
            free(old);
        }
    } else if (status != WB_ECLOSED) {
        WB_WARN("client", "usync failed: %s", wb_strerror(status));
    }
    waiter w = q->w;
    query_free(c, q);
    if (w.fn)
        w.fn(c, w.ud, status);
}

int wb_client_devices_ensure(wb_client *c, const wb_jid *users, size_t n,
                             void (*fn)(wb_client *c, void *ud, int status), void *ud) {
    struct wb_client_usync *us = c->usync;
    query *q = calloc(1, sizeof *q);
    if (!q)
        return WB_ENOMEM;
    q->c = c;
    q->w = (waiter){fn, ud};
    wb_node *iq = NULL;
    int rc = 0, waiting = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char key[WB_JID_STR_MAX];
        const uint16_t *ids;
        size_t nd;
        user_key(&users[i], key);
        if (wb_client_devices_get(c, &users[i], &ids, &nd) == 0)
            continue;
        if (wb_strmap_get(&us->asked, key)) {
            waiting = 1; /* another query asks already: its answer will fill the cache */
            continue;
        }
        if (q->nasked == QUERY_MAX)
            break; /* the rest at the next round */
        if (!iq) {
            char sid[WB_WA_IQ_ID_MAX];
            wb_client_stanza_id(c, sid);
            iq = wb_client_iq(c, "get", "usync");
            wb_wa_usync_query_fill(iq, sid, "message", WB_WA_USYNC_DEVICES | WB_WA_USYNC_LID);
            if (!(q->asked = calloc(n < QUERY_MAX ? n : QUERY_MAX, sizeof *q->asked)))
                rc = WB_ENOMEM;
        }
        wb_jid u = wb_jid_user_jid(&users[i]);
        if (rc == 0 && (q->asked[q->nasked] = strdup(key)) &&
            wb_strmap_put(&us->asked, key, (void *)1, NULL) == 0) {
            q->nasked++;
            wb_wa_usync_query_add_jid(iq, &u);
        } else if (rc == 0) {
            free(q->asked[q->nasked]);
            rc = WB_ENOMEM;
        }
    }
    if (rc == 0 && iq) {
        rc = wb_client_send_iq(c, iq, on_result, q);
        if (rc == 0) {
            us->queries++;
            return 0; /* fn comes with the answer */
        }
    }
    query_free(c, q);
    if (rc < 0)
        return rc;
    /* nothing to ask: all cached (1), or others' queries will answer (0: fn is not called, the
     * caller retries when any usync answer arrives: send.c pumps after each) */
    return waiting ? 0 : 1;
}

/* ---- notifications ------------------------------------------------------------------------- */

int wb_client_usync_devices_changed(wb_client *c, wb_node *n) {
    wb_wa_devices_notification dn;
    wb_error e = {0};
    int rc = wb_wa_devices_notification_read(n, &c->arena, &dn, &e);
    if (rc < 0) {
        WB_WARN("client", "a devices notification we cannot read: %s", e.what);
        return 0;
    }
    if (!wb_jid_is_empty(&dn.lid) && wb_jid_on(&dn.from, WB_SERVER_USER))
        wb_client_lid_learn(c, dn.lid.user, dn.from.user);
    char key[WB_JID_STR_MAX];
    user_key(&dn.from, key);
    WB_DEBUG("client", "%s's devices changed (%s): list dropped", key, dn.action);
    drop(c, key);
    if (!wb_jid_is_empty(&dn.lid)) {
        user_key(&dn.lid, key);
        drop(c, key);
    }
    return 0;
}

/* ---- LIDs and addresses ----------------------------------------------------------------------- */

int wb_client_lid_learn(wb_client *c, const char *lid_user, const char *pn_user) {
    char pn[WB_CONTACT_JID_MAX], lid[WB_CONTACT_JID_MAX];
    snprintf(pn, sizeof pn, "%s@" WB_SERVER_USER, pn_user);
    snprintf(lid, sizeof lid, "%s@" WB_SERVER_LID, lid_user);
    return wb_store_contact_lid_put(c->st, pn, lid, (int64_t)(c->now / 1000));
}

int wb_client_lid_to_pn(wb_client *c, const char *lid_user, char out[WB_JID_USER_MAX + 1]) {
    char lid[WB_CONTACT_JID_MAX], pn[WB_CONTACT_JID_MAX];
    snprintf(lid, sizeof lid, "%s@" WB_SERVER_LID, lid_user);
    int rc = wb_store_contact_pn_of(c->st, lid, pn);
    if (rc < 0)
        return rc;
    size_t n = strcspn(pn, "@");
    if (n > WB_JID_USER_MAX)
        return WB_EMALFORMED;
    memcpy(out, pn, n);
    out[n] = '\0';
    return 0;
}

int wb_client_address(wb_client *c, const wb_jid *device, char out[WB_SIGNAL_ADDR_MAX]) {
    char pn[WB_JID_USER_MAX + 1];
    if (wb_jid_on(device, WB_SERVER_LID) && wb_client_lid_to_pn(c, device->user, pn) == 0)
        return wb_signal_address(out, pn, 0, device->device);
    int n = wb_jid_signal_address(device, out, WB_SIGNAL_ADDR_MAX);
    return n < 0 || n >= WB_SIGNAL_ADDR_MAX ? WB_EINVAL : 0;
}
