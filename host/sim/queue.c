/* Delivery to devices and the per-device queue (sim_int.h, "delivery and offline queue").
 *
 * A durable stanza (message, receipt, notification, call) is written to the queue table before
 * anything else, already encoded in its offline form (offline="1"), and sent at once when its
 * device is online and has said passive/active; it leaves the table only when the device acks
 * it (<ack class=... id=...>, or the receipt for a message, which route.c reports through
 * wb_sim_queue_ack). So a stanza sent to a socket that dies before the client handled it is sent
 * again after the next login. On passive/active every queued stanza goes out in order, then
 * <ib><offline count=N/></ib> tells the client the backlog is done. */
#include <sqlite3.h>
#include <string.h>

#include "binary/codec.h"
#include "core/log.h"
#include "sim/sim_int.h"
#include "wa/receipt.h"

static int live(const wb_sim_device *d) {
    return d->conn && d->conn->active && d->conn->state == WB_SIM_LOGGED_IN;
}

/* The type an ack names for this stanza: acks of messages are matched by id alone. */
static const char *ack_type(const char *tag, const char *type) {
    return strcmp(tag, "message") == 0 ? "" : (type ? type : "");
}

static int enqueue(wb_sim *sim, const wb_sim_device *d, const wb_node *n, int sent) {
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_buf b = WB_BUF_INIT;
    wb_node *copy = wb_node_clone(&a, n);
    wb_node_set(copy, "offline", "1");
    int rc = wb_node_encode_payload(copy, &b);
    const char *id = wb_node_attr(n, "id");
    sqlite3_stmt *s = rc < 0 ? NULL
                             : wb_store_stmt(sim->db, "INSERT INTO queue (device, tag, stanza_id, "
                                                      "type, payload, sent) VALUES (?, ?, ?, ?, ?, ?)");
    if (rc == 0 && !s)
        rc = WB_ESTORE;
    if (rc == 0) {
        sqlite3_bind_int64(s, 1, d->row);
        sqlite3_bind_text(s, 2, n->tag, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, id ? id : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 4, ack_type(n->tag, wb_node_attr(n, "type")), -1, SQLITE_STATIC);
        sqlite3_bind_blob(s, 5, b.data, (int)b.len, SQLITE_STATIC);
        sqlite3_bind_int(s, 6, sent);
        rc = wb_store_done(s, sqlite3_step(s) == SQLITE_DONE ? 0 : WB_ESTORE);
    }
    wb_buf_free(&b);
    wb_arena_free(&a);
    return rc;
}

int wb_sim_deliver(wb_sim *sim, wb_sim_device *d, const wb_node *n, unsigned flags) {
    if (d->removed)
        return 0;
    int now = live(d);
    if (!(flags & WB_SIM_DURABLE)) {
        if (!now) {
            wb_sim_countf(sim, 1, "dropped.%s", n->tag);
            return 0;
        }
        wb_sim_conn_send(d->conn, n);
        return 0;
    }
    int rc = enqueue(sim, d, n, now);
    if (rc < 0) {
        WB_ERROR("sim", "cannot queue <%s>: %s", n->tag, wb_strerror(rc));
        return rc;
    }
    if (now) {
        wb_sim_countf(sim, 1, "delivered.live.%s", n->tag);
        wb_sim_conn_send(d->conn, n); /* a failure closes that socket; the row stays queued */
    } else {
        wb_sim_countf(sim, 1, "queued.%s", n->tag);
    }
    return 0;
}

int wb_sim_queue_ack(wb_sim *sim, wb_sim_device *d, const char *tag, const char *id,
                     const char *type) {
    sqlite3_stmt *s = wb_store_stmt(sim->db, "DELETE FROM queue WHERE device = ? AND tag = ? AND "
                                             "stanza_id = ? AND type = ?");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_int64(s, 1, d->row);
    sqlite3_bind_text(s, 2, tag, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, ack_type(tag, type), -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        return wb_store_done(s, WB_ESTORE);
    int n = sqlite3_changes(wb_store_db(sim->db));
    if (n)
        wb_sim_countf(sim, n, "acked.%s", tag);
    return wb_store_done(s, n);
}

int64_t wb_sim_queue_count(wb_sim *sim, const wb_sim_device *d) {
    return wb_sim_count_rows(sim, "SELECT count(*) FROM queue WHERE device = ?", d->row);
}

int wb_sim_queue_flush(wb_sim_conn *c) {
    wb_sim *sim = c->sim;
    wb_sim_device *d = c->device;
    sqlite3_stmt *s = wb_store_stmt(sim->db, "SELECT tag, payload FROM queue WHERE device = ? "
                                             "ORDER BY seq");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_int64(s, 1, d->row);
    int64_t count = 0;
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        const char *tag = (const char *)sqlite3_column_text(s, 0);
        rc = wb_sim_conn_send_payload(c, tag, sqlite3_column_blob(s, 1),
                                      (size_t)sqlite3_column_bytes(s, 1));
        if (rc == 0) {
            count++;
            wb_sim_countf(sim, 1, "delivered.offline.%s", tag);
        }
    }
    wb_store_done(s, 0);
    if (rc < 0)
        return rc;
    if ((rc = wb_sim_exec_row(sim, "UPDATE queue SET sent = 1 WHERE device = ?", d->row)) < 0)
        return rc;
    wb_node *ib = wb_node_new(&c->arena, "ib");
    wb_node *off = wb_node_add_new(ib, "offline");
    wb_node_set_i64(off, "count", count);
    return wb_sim_conn_send(c, ib);
}

/* <ack class=... id=... [type]> from a device (wa/receipt.h): the stanza it names has been
 * handled. */
static int on_ack(wb_sim_conn *c, wb_node *n) {
    wb_wa_ack k;
    wb_error e = {0};
    int rc = wb_wa_ack_read(n, &k, &e);
    if (rc < 0)
        return wb_sim_conn_fail(c, rc, "ack: %s", e.what);
    rc = wb_sim_queue_ack(c->sim, c->device, k.cls, k.id, k.type);
    return rc < 0 ? wb_sim_conn_fail(c, rc, "cannot update the queue") : 0;
}

static const wb_sim_stanza_route stanzas[] = {
    {"ack", on_ack, WB_SIM_ON_LOGIN},
    {NULL, NULL, 0},
};

const wb_sim_family wb_sim_family_queue = {.name = "queue", .stanzas = stanzas};
