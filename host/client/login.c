/* Logging in (NOTES §2, §5): the payload, then what the server answers — <success> and the
 * steps Baileys takes before it calls the connection open, one after the other:
 *
 *   1. <iq xmlns="encrypt" type="get"><count/>  how many of our one-time prekeys it holds
 *   2. an upload when it holds none (812 keys) or few (50)
 *   3. <iq xmlns="passive" type="set"><active/> the server then sends what waited for us
 *      (offline="1"), then <ib><offline count/></ib>
 *   4. <iq xmlns="encrypt" type="get"><digest/>
 *   -> connection.update open; presence available when we have a name
 *
 * <failure reason> and <stream:error> end the connection with the reason Baileys would report
 * (client.h's WB_REASON_*). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"
#include "core/log.h"
#include "wa/prekeys.h"
#include "wa/presence.h"

#define PREKEYS_LATER 50 /* a later upload (whatsmeow's; Baileys uploads 5) */

int wb_client_payload(wb_client *c, wb_buf *out) {
    wb_wa_client_info ci = c->cfg.info;
    if (c->dev.state == WB_DEVICE_LINKED)
        return wb_wa_payload_login(&ci, strtoull(c->me_user, NULL, 10), c->me_device, out);
    wb_wa_device_keys k = {.registration_id = wb_signal_registration_id(c->sig)};
    memcpy(k.identity, wb_signal_identity_public(c->sig), 32);
    int rc = wb_signal_signed_prekey_current(c->sig, &k.skey);
    return rc < 0 ? rc : wb_wa_payload_register(&ci, &k, out);
}

/* ---- the steps to open ------------------------------------------------------------------------- */

static void step(wb_client *c);

static void presence(wb_client *c) {
    if (!c->dev.name[0])
        return; /* as Baileys: no presence without a name */
    wb_wa_presence p = {.name = c->dev.name,
                        .type = c->cfg.presence_unavailable ? "unavailable" : "available"};
    wb_client_send_node(c, wb_wa_presence_new(&c->arena, &p));
}

static void opened(wb_client *c) {
    c->state = WB_ST_OPEN;
    c->opened_at = c->now;
    c->next_ping = c->now + c->cfg.keepalive_ms;
    WB_INFO("client", "logged in as %s", c->dev.jid);
    presence(c);
    wb_client_emit_connection(c, WB_CONN_OPEN, 0, NULL, 0);
    c->is_new_login = 0;
}

/* Each answer moves to the next step; an error or a timeout ends the connection, since a
 * session whose keys the server does not hold cannot receive messages. */
static void on_answer(void *ud, int status, const wb_node *answer) {
    wb_client *c = ud;
    if (status == WB_ECLOSED)
        return;
    if (status < 0) {
        wb_client_close(c, WB_REASON_BAD_SESSION, "login step %d failed: %s", c->login_step,
                        wb_strerror(status));
        return;
    }
    if (c->login_step == 1) { /* the count */
        int64_t n = wb_wa_prekeys_count_of(answer);
        if (n < 0) {
            wb_client_close(c, WB_REASON_BAD_SESSION, "prekey count without a count");
            return;
        }
        WB_DEBUG("client", "the server holds %lld of our prekeys", (long long)n);
        c->login_step = n == 0 ? 2 : n <= WB_WA_PREKEYS_MIN ? 3 : 4;
    } else if (c->login_step == 6 && !wb_node_child(answer, "digest")) {
        WB_WARN("client", "digest answered without <digest>");
    }
    step(c);
}

static void on_uploaded(wb_client *c, int status) {
    if (status == WB_ECLOSED)
        return;
    if (status < 0) {
        wb_client_close(c, WB_REASON_BAD_SESSION, "prekey upload failed: %s", wb_strerror(status));
        return;
    }
    c->login_step = 4;
    step(c);
}

static void step(wb_client *c) {
    int rc = 0;
    wb_node *iq;
    switch (c->login_step) {
    case 0:
        c->login_step = 1;
        iq = wb_client_iq(c, "get", "encrypt");
        wb_node_add_new(iq, "count");
        rc = wb_client_send_iq(c, iq, on_answer, c);
        break;
    case 2:
    case 3: {
        unsigned n = c->login_step == 2 ? WB_WA_PREKEYS_INITIAL : PREKEYS_LATER;
        c->login_step = 30; /* waiting for the upload */
        rc = wb_client_prekeys_upload(c, n, on_uploaded);
        break;
    }
    case 4:
        c->login_step = 5;
        iq = wb_client_iq(c, "set", "passive");
        wb_node_add_new(iq, "active");
        rc = wb_client_send_iq(c, iq, on_answer, c);
        break;
    case 5:
        c->login_step = 6;
        iq = wb_client_iq(c, "get", "encrypt");
        wb_node_add_new(iq, "digest");
        rc = wb_client_send_iq(c, iq, on_answer, c);
        break;
    case 6:
        c->login_step = 7;
        opened(c);
        break;
    default:
        break;
    }
    if (rc < 0 && rc != WB_ECLOSED)
        wb_client_close(c, WB_REASON_BAD_SESSION, "login step %d: %s", c->login_step,
                        wb_strerror(rc));
}

/* ---- what the server says ----------------------------------------------------------------------- */

int wb_client_on_success(wb_client *c, wb_node *n) {
    if (c->state != WB_ST_LOGGING_IN)
        return WB_EPROTO;
    wb_attrs a = wb_attrs_of(n);
    int64_t t = wb_attrs_opt_i64(&a, "t", 0);
    wb_jid lid = wb_attrs_opt_jid(&a, "lid");
    if (!wb_attrs_ok(&a))
        return WB_EPROTO;
    if (t > 0)
        c->server_offset_s = t - (int64_t)(c->now / 1000);
    if (wb_jid_on(&lid, WB_SERVER_LID) && lid.user[0]) {
        char lj[WB_DEVICE_JID_MAX];
        wb_jid_format(&lid, lj, sizeof lj);
        snprintf(c->me_lid_user, sizeof c->me_lid_user, "%s", lid.user);
        if (strcmp(lj, c->dev.lid) != 0) {
            snprintf(c->dev.lid, sizeof c->dev.lid, "%s", lj);
            if (wb_store_device_put(c->st, &c->dev) < 0)
                WB_WARN("client", "cannot store our LID");
        }
        wb_client_lid_learn(c, c->me_lid_user, c->me_user);
    }
    c->login_step = 0;
    step(c);
    return 0;
}

int wb_client_on_failure(wb_client *c, wb_node *n) {
    wb_attrs a = wb_attrs_of(n);
    int64_t reason = wb_attrs_opt_i64(&a, "reason", WB_REASON_BAD_SESSION);
    if (!wb_attrs_ok(&a) || reason < 100 || reason > 999)
        reason = WB_REASON_BAD_SESSION;
    wb_client_close(c, (int)reason, "the server refused the login (%lld: %s)", (long long)reason,
                    wb_client_reason_text((int)reason));
    return 0;
}

/* Baileys' getErrorCodeFromStreamError: the code attribute, else 440 for <conflict>, else 500. */
int wb_client_on_stream_error(wb_client *c, wb_node *n) {
    wb_attrs a = wb_attrs_of(n);
    int64_t code = wb_attrs_opt_i64(&a, "code", 0);
    wb_node *child = wb_node_child(n, NULL);
    if (!wb_attrs_ok(&a) || code < 0 || code > 999)
        code = 0;
    if (!code)
        code = wb_node_is(child, "conflict") ? WB_REASON_CONNECTION_REPLACED : WB_REASON_BAD_SESSION;
    const char *type = wb_node_attr(child, "type");
    wb_client_close(c, (int)code, "%s (stream error %lld%s%s%s%s%s)",
                    wb_client_reason_text((int)code), (long long)code, child ? " <" : "",
                    child ? child->tag : "", type ? " " : "", type ? type : "", child ? ">" : "");
    return 0;
}

int wb_client_on_ib(wb_client *c, wb_node *n) {
    wb_node *child = wb_node_child(n, NULL);
    if (wb_node_is(child, "offline")) {
        wb_attrs a = wb_attrs_of(child);
        int64_t count = wb_attrs_opt_i64(&a, "count", 0);
        c->backlog_done = 1;
        WB_DEBUG("client", "offline backlog: %lld (the server's count), %llu received",
                 (long long)count, (unsigned long long)c->backlog_count);
        wb_client_recv_flush(c); /* the backlog's rows first, then its end */
        wb_store_release_memory(c->st); /* what the login and the backlog read; idle now */
        wb_client_event ev = {.type = WB_CLIENT_EV_BACKLOG_DONE};
        ev.backlog.count = c->backlog_count;
        wb_client_emit(c, &ev);
    } else if (wb_node_is(child, "downgrade_webclient")) {
        wb_client_close(c, WB_REASON_MULTIDEVICE_MISMATCH, "the phone does not support "
                                                          "multi-device");
    }
    return 0;
}
