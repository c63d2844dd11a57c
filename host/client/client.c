/* The client's life (client.h): making and freeing it, the connection state machine driven by
 * the host's socket events and the clock, keepalive and the reconnection policy.
 *
 * Reconnection: a connection that ends for a reason that is not final is retried, at once after
 * 515 (restart required after linking) and 503 (the server asks us back), else after an
 * exponential backoff with jitter (cfg.backoff_min_ms doubling to cfg.backoff_max_ms, +-20%),
 * which resets once a connection has stayed open for a minute. 401/403 (this device was
 * removed) and 440 (another process logged in as us) are final: the client stops and says so.
 *
 * Keepalive: every cfg.keepalive_ms while logged in the client pings (<iq xmlns="w:p"><ping/>,
 * as Baileys); any frame from the server counts as life, and a socket that stays silent for
 * cfg.dead_ms (handshake included) is dropped with 408 and retried, so a dead connection is
 * noticed within about 30 s by default and never left deaf. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"
#include "store/message_store.h"
#include "core/log.h"
#include "core/mem.h"
#include "crypto/random.h"

int wb_client_reason_is_final(int reason) {
    return reason == WB_REASON_LOGGED_OUT || reason == WB_REASON_FORBIDDEN ||
           reason == WB_REASON_CONNECTION_REPLACED;
}

const char *wb_client_reason_text(int reason) {
    static const struct {
        int reason;
        const char *text;
    } texts[] = {
        {WB_REASON_LOGGED_OUT, "logged out: the phone removed this device"},
        {WB_REASON_FORBIDDEN, "forbidden: the account is not available"},
        {WB_REASON_CONNECTION_LOST, "connection lost"},
        {WB_REASON_MULTIDEVICE_MISMATCH, "multi-device mismatch"},
        {WB_REASON_CONNECTION_CLOSED, "connection closed"},
        {WB_REASON_CONNECTION_REPLACED, "connection replaced: another instance logged in as this device"},
        {WB_REASON_BAD_SESSION, "bad session"},
        {WB_REASON_UNAVAILABLE, "service unavailable"},
        {WB_REASON_RESTART_REQUIRED, "restart required"},
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        if (texts[i].reason == reason)
            return texts[i].text;
    return "connection failure";
}

/* ---- life ------------------------------------------------------------------------------------- */

static unsigned or_default(unsigned v, unsigned dflt) { return v ? v : dflt; }

int wb_client_new(wb_client **out, const wb_client_config *cfg, const wb_client_io *io, void *ud) {
    if (!cfg || !cfg->store || !io || !io->connect || !io->send || !io->close || !io->event)
        return WB_EINVAL;
    wb_client *c = calloc(1, sizeof *c);
    if (!c)
        return WB_ENOMEM;
    c->cfg = *cfg;
    c->io = *io;
    c->ud = ud;
    c->st = cfg->store;
    wb_wa_client_info *ci = &c->cfg.info;
    const wb_wa_client_info *d = &wb_wa_client_default;
    if (!ci->os)
        ci->os = d->os;
    if (!ci->browser)
        ci->browser = d->browser;
    if (!ci->version[0])
        memcpy(ci->version, d->version, sizeof ci->version);
    if (!ci->country)
        ci->country = d->country;
    c->cfg.keepalive_ms = or_default(cfg->keepalive_ms, 20000);
    c->cfg.dead_ms = or_default(cfg->dead_ms, 30000);
    c->cfg.iq_timeout_ms = or_default(cfg->iq_timeout_ms, 30000);
    c->cfg.send_timeout_ms = or_default(cfg->send_timeout_ms, 30000);
    c->cfg.backoff_min_ms = or_default(cfg->backoff_min_ms, 1000);
    c->cfg.backoff_max_ms = or_default(cfg->backoff_max_ms, 60000);
    c->reconnect_at = UINT64_MAX;
    c->search_stale = 1; /* rows a previous run stored and did not index */
    wb_arena_init(&c->arena, 0);
    wb_arena_init(&c->evq.arena, 0);
    wb_strmap_init(&c->retries);
    wb_strmap_init(&c->groups);
    wb_wa_iqs_init(&c->iqs);
    int rc = wb_signal_open(&c->sig, c->st);
    if (rc == 0)
        rc = wb_client_device_init(c);
    if (rc == 0)
        rc = wb_client_recv_init(c);
    if (rc == 0)
        rc = wb_client_inbox_init(c);
    if (rc == 0)
        rc = wb_client_sends_init(c);
    if (rc == 0)
        rc = wb_client_usync_init(c);
    if (rc < 0) {
        wb_client_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void wb_client_free(wb_client *c) {
    if (!c)
        return;
    c->stopped = 1;
    wb_client_conn_reset(c);
    wb_client_calls_deliver(c); /* the calls the reset failed */
    wb_client_sends_free(c);
    wb_client_inbox_free(c);
    wb_client_recv_free(c);
    wb_client_usync_free(c);
    wb_wa_iqs_free(&c->iqs);
    wb_client_evq_free(c);
    wb_strmap_free(&c->retries);
    wb_client_groups_free(c);
    wb_client_reads_free(c);
    wb_client_media_free(c);
    wb_arena_free(&c->arena);
    wb_buf_free(&c->out);
    free(c->handled);
    if (c->sig)
        wb_signal_close(c->sig);
    wb_free_secret(c, sizeof *c);
}

int wb_client_is_linked(const wb_client *c) { return c->dev.state == WB_DEVICE_LINKED; }
const char *wb_client_jid(const wb_client *c) { return c->dev.jid; }
const char *wb_client_lid(const wb_client *c) { return c->dev.lid; }
const char *wb_client_name(const wb_client *c) { return c->dev.name; }
int wb_client_is_open(const wb_client *c) { return c->state == WB_ST_OPEN; }

int64_t wb_client_server_time(const wb_client *c) {
    return (int64_t)(c->now / 1000) + c->server_offset_s;
}

void wb_client_stanza_id(wb_client *c, char out[WB_WA_IQ_ID_MAX]) {
    static const char hex[] = "0123456789ABCDEF";
    uint8_t r[8];
    wb_random_bytes(r, sizeof r);
    for (int i = 0; i < 8; i++) {
        out[2 * i] = hex[r[i] >> 4];
        out[2 * i + 1] = hex[r[i] & 15];
    }
    out[16] = '\0';
}

/* Each entry point: the clock, a fresh scratch arena (nothing in it outlives an entry point). */
static void enter(wb_client *c, uint64_t now) {
    c->now = now;
    if (!c->evq.delivering)
        wb_arena_reset(&c->arena);
}

void wb_client_enter(wb_client *c) {
    enter(c, c->io.now ? c->io.now(c->ud) : c->now);
}

/* ... and on the way out: what waits for the end of the turn, then the events. */
static void leave(wb_client *c) { wb_client_flush_events(c); }

/* ---- connecting ------------------------------------------------------------------------------- */

static void ask_socket(wb_client *c) {
    c->state = WB_ST_CONNECTING;
    c->reconnect_at = UINT64_MAX;
    wb_client_emit_connection(c, WB_CONN_CONNECTING, 0, NULL, 0);
    c->io.connect(c->ud);
}

int wb_client_start(wb_client *c, uint64_t now) {
    enter(c, now);
    if (c->dev.state == WB_DEVICE_LOGGED_OUT) {
        c->stopped = 1;
        c->final_reason = WB_REASON_LOGGED_OUT;
        wb_client_emit_connection(c, WB_CONN_CLOSE, WB_REASON_LOGGED_OUT,
                                  "this device was logged out; link it again (wabot auth)", 1);
        leave(c);
        return WB_ESTATE;
    }
    int rc = wb_client_recv_replay(c);
    if (rc < 0)
        WB_WARN("client", "cannot replay pending messages: %s", wb_strerror(rc));
    c->stopped = 0;
    c->stop_asked = 0;
    if (c->state == WB_ST_IDLE)
        ask_socket(c);
    leave(c);
    return 0;
}

void wb_client_stop(wb_client *c, uint64_t now) {
    enter(c, now);
    c->stopped = 1;
    c->stop_asked = 1;
    c->reconnect_at = UINT64_MAX;
    if (c->state != WB_ST_IDLE)
        wb_client_close(c, WB_REASON_CONNECTION_CLOSED, "stopped");
    leave(c);
}

void wb_client_on_open(wb_client *c, uint64_t now) {
    enter(c, now);
    if (c->state != WB_ST_CONNECTING) {
        leave(c);
        return;
    }
    c->state = WB_ST_HANDSHAKE;
    c->last_rx = now;
    c->next_ping = now + c->cfg.keepalive_ms;
    c->login_step = 0;
    c->backlog_done = 0;
    c->backlog_count = 0;
    int rc = wb_client_conn_start(c);
    if (rc < 0)
        wb_client_close(c, WB_REASON_BAD_SESSION, "cannot start the handshake: %s", wb_strerror(rc));
    leave(c);
}

void wb_client_close(wb_client *c, int reason, const char *fmt, ...) {
    if (c->state == WB_ST_IDLE || c->state == WB_ST_CLOSING)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->close_why, sizeof c->close_why, fmt, ap);
    va_end(ap);
    c->close_reason = reason;
    int was_connecting = c->state == WB_ST_CONNECTING;
    c->state = WB_ST_CLOSING;
    WB_INFO("client", "closing (%d): %s", reason, c->close_why);
    if (was_connecting)
        WB_DEBUG("client", "closing a socket that was still connecting");
    c->io.close(c->ud, reason == WB_REASON_CONNECTION_LOST || reason == WB_REASON_BAD_SESSION,
                c->close_why);
}

/* When to try again after a connection that ended for reason. */
static uint64_t next_attempt(wb_client *c, int reason) {
    if (c->opened_at && c->now - c->opened_at >= 60000)
        c->attempts = 0; /* that one was stable */
    if (reason == WB_REASON_RESTART_REQUIRED || reason == WB_REASON_UNAVAILABLE)
        return c->now;
    uint64_t delay = c->cfg.backoff_min_ms;
    for (unsigned i = 0; i < c->attempts && delay < c->cfg.backoff_max_ms; i++)
        delay *= 2;
    if (delay > c->cfg.backoff_max_ms)
        delay = c->cfg.backoff_max_ms;
    delay = delay * (80 + wb_random_uniform(41)) / 100; /* +-20% so clients do not move in step */
    c->attempts++;
    return c->now + delay;
}

void wb_client_on_close(wb_client *c, uint64_t now, const char *why) {
    enter(c, now);
    if (c->state == WB_ST_IDLE) {
        leave(c);
        return;
    }
    int reason = c->state == WB_ST_CLOSING && c->close_reason ? c->close_reason
                                                              : WB_REASON_CONNECTION_CLOSED;
    char text[200];
    snprintf(text, sizeof text, "%s", c->state == WB_ST_CLOSING && c->close_why[0] ? c->close_why
                                      : why && *why ? why : wb_client_reason_text(reason));
    int was_open = c->opened_at != 0; /* open, or closing (by us) after it opened */
    wb_client_recv_flush(c); /* decrypted before the close: stored, acked at the redelivery */
    wb_client_handled_flush(c);
    wb_client_conn_reset(c);
    wb_client_sends_fail_all(c, WB_ECLOSED);
    c->state = WB_ST_IDLE;
    c->close_reason = 0;
    c->close_why[0] = '\0';
    int final = wb_client_reason_is_final(reason);
    if (final) {
        c->stopped = 1;
        c->final_reason = reason;
        if (reason != WB_REASON_CONNECTION_REPLACED && c->dev.state == WB_DEVICE_LINKED) {
            c->dev.state = WB_DEVICE_LOGGED_OUT;
            if (wb_store_device_set_state(c->st, WB_DEVICE_LOGGED_OUT) < 0)
                WB_WARN("client", "cannot record that this device was logged out");
        }
    }
    if (c->cfg.no_reconnect && reason != WB_REASON_RESTART_REQUIRED)
        c->stopped = 1;
    c->reconnect_at = c->stopped ? UINT64_MAX : next_attempt(c, reason);
    c->opened_at = 0;
    /* never got in: say why, always (unless we ended it ourselves, as a shutdown during a
     * reconnection does) */
    if (!was_open && reason == WB_REASON_CONNECTION_CLOSED && !c->stop_asked)
        WB_WARN("client", "connecting to the server failed: %s; %s", text,
                c->stopped ? "not retrying" : "retrying with backoff");
    else
        WB_INFO("client", "connection ended (%d, %s)%s%s", reason, text,
                was_open ? " after open" : "", c->stopped ? "; not reconnecting" : "");
    wb_client_emit_connection(c, WB_CONN_CLOSE, reason, text, c->stopped);
    leave(c);
}

/* ---- the clock ------------------------------------------------------------------------------ */

static void keepalive(wb_client *c) {
    if (c->state < WB_ST_HANDSHAKE || c->state == WB_ST_CLOSING)
        return;
    if (c->now - c->last_rx >= c->cfg.dead_ms) {
        wb_client_close(c, WB_REASON_CONNECTION_LOST, "no frame from the server for %u ms",
                        (unsigned)(c->now - c->last_rx));
        return;
    }
    if (c->state >= WB_ST_REGISTERING && c->now >= c->next_ping) {
        c->next_ping = c->now + c->cfg.keepalive_ms;
        wb_node *iq = wb_client_iq(c, "get", "w:p");
        wb_node_add_new(iq, "ping");
        wb_client_send_iq(c, iq, NULL, NULL); /* the answer only counts as life */
    }
}

/* The search index follows the store when the client has nothing else to do: a step of rows
 * per tick once the socket has been quiet for SEARCH_QUIET_MS, so a burst is received (and
 * acknowledged) at full speed and indexed after it (store/search.c, migration 0005). Quiet
 * means no frame at all, not just a loop turn without a message: a backlog arrives in many
 * socket reads with turns in between, and a 16 ms step in one of them holds up the rest of the
 * backlog (measured: 4% of a 10,000-message group backlog's time went to steps taken between
 * its reads). A step of 1,024 rows takes ~16 ms here (tests/bench: search; 256 took 8 ms, but
 * each step's commit and FTS5 segment cost twice as much in all). A search never waits for
 * this: it indexes whatever is pending first. */
#define SEARCH_STEP 1024
#define SEARCH_QUIET_MS 100

/* When the next index step may run: once the socket has been quiet long enough. */
static uint64_t search_due(const wb_client *c) { return c->last_rx + SEARCH_QUIET_MS; }

static void index_step(wb_client *c) {
    int more = 0;
    if (wb_store_search_index(c->st, SEARCH_STEP, &more) < 0)
        WB_WARN("client", "cannot update the search index (the next search will)");
    c->search_stale = more;
}

void wb_client_tick(wb_client *c, uint64_t now) {
    enter(c, now);
    int busy = wb_client_recv_pending(c);
    if (c->state == WB_ST_IDLE && !c->stopped && now >= c->reconnect_at)
        ask_socket(c);
    if (c->state >= WB_ST_HANDSHAKE && c->state != WB_ST_CLOSING) {
        wb_wa_iqs_expire(&c->iqs, now);
        keepalive(c);
        wb_client_pair_tick(c);
    }
    wb_client_recv_flush(c);
    wb_client_handled_flush(c);
    wb_client_sends_tick(c);
    if (busy)
        c->search_stale = 1;
    else if (c->search_stale && now >= search_due(c))
        index_step(c);
    leave(c);
}

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

uint64_t wb_client_deadline(const wb_client *c) {
    uint64_t d = UINT64_MAX;
    if (c->state == WB_ST_IDLE && !c->stopped)
        d = c->reconnect_at;
    if (c->state >= WB_ST_HANDSHAKE && c->state != WB_ST_CLOSING) {
        d = min64(d, wb_wa_iqs_deadline(&c->iqs));
        d = min64(d, c->last_rx + c->cfg.dead_ms);
        if (c->state >= WB_ST_REGISTERING)
            d = min64(d, c->next_ping);
        d = min64(d, wb_client_pair_deadline(c));
    }
    if (wb_client_recv_pending(c) || c->nhandled)
        d = min64(d, c->now);
    if (c->search_stale)
        d = min64(d, search_due(c));
    return min64(d, wb_client_sends_deadline(c));
}

/* ---- handled messages ------------------------------------------------------------------------- */

void wb_client_handled(wb_client *c, const int64_t *seqs, size_t n) {
    if (c->nhandled + n > c->handled_cap) {
        size_t cap = c->handled_cap ? c->handled_cap : 64;
        while (cap < c->nhandled + n)
            cap *= 2;
        int64_t *v = realloc(c->handled, cap * sizeof *v);
        if (!v) {
            WB_WARN("client", "out of memory: %zu handled messages will be delivered again "
                              "after a restart", n);
            return;
        }
        c->handled = v;
        c->handled_cap = cap;
    }
    memcpy(c->handled + c->nhandled, seqs, n * sizeof *seqs);
    c->nhandled += n;
}
