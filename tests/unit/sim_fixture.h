/* A memory host for the simulator core and a client written with net/'s Noise initiator, for
 * tests/unit/test_sim.c and the sim fuzz targets. Header-only (static functions), test code only.
 *
 *     sim_fx fx; sim_fx_init(&fx, NULL);
 *     fx_client *a = fx_link_qr(&fx, "15550001111");        // registers, scans, signs, 515
 *     fx_client *al = fx_login(&fx, a);                       // logs in with a's keys
 *     fx_send(al, node); wb_node *n = fx_next(al, "iq");      // stanzas both ways
 *     sim_fx_free(&fx);
 *
 * Bytes move only in fx_pump (never from inside a callback), as the real host's loop would. */
#ifndef WB_TEST_SIM_FIXTURE_H
#define WB_TEST_SIM_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "binary/codec.h"
#include "core/enc.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "net/noise_conn.h"
#include "sim/sim.h"
#include "wa/adv.h"
#include "wa/iq.h"
#include "wa/payload.h"
#include "wa/qr.h"
#include "wb_proto.h"

#define FX_MAX_CLIENTS 64
#define FX_INBOX 512

typedef struct fx_client {
    struct sim_fx *fx;
    wb_sim_conn *conn;         /* the server's side; NULL once freed */
    wb_noise_conn *noise;      /* the client's side */
    int closed;                /* the server asked to close the socket */
    int fail_sends;            /* the host's sends to this socket fail (a socket that just died) */
    int noise_err;             /* the client's Noise failed */
    wb_buf to_server, to_client;
    wb_arena arena;            /* received stanzas */
    wb_node *inbox[FX_INBOX];
    size_t ninbox, next;
    /* the companion's keys, kept by fx_login's copies */
    wb_keypair noise_key, identity, skey;
    uint32_t reg_id, skey_id;
    uint8_t adv[32];
    char jid[96], lid[96], phone[WB_JID_USER_MAX + 1];
    unsigned device;
} fx_client;

typedef struct fx_reply {
    wb_sim_reply r;
    int status;
    char body[4096];
    int answered;
} fx_reply;

typedef struct sim_fx {
    wb_sim *sim;
    fx_client *clients[FX_MAX_CLIENTS];
    size_t nclients;
    uint64_t now_ms;
} sim_fx;

/* ---- the memory host ----------------------------------------------------------------------- */

static int fx_io_send(void *ud, const uint8_t *data, size_t len) {
    fx_client *c = ud;
    if (c->fail_sends)
        return WB_ECLOSED;
    return wb_buf_append(&c->to_client, data, len);
}

static void fx_io_close(void *ud, const char *reason) { ((fx_client *)ud)->closed = 1; }

static uint64_t fx_clock(void *ud) { return ((sim_fx *)ud)->now_ms; }

static inline int sim_fx_init(sim_fx *fx, const char *state_dir) {
    memset(fx, 0, sizeof *fx);
    fx->now_ms = 1700000000000ull;
    wb_sim_opts o = {.state_dir = state_dir, .clock = fx_clock, .clock_ud = fx};
    int rc = wb_sim_new(&fx->sim, &o, NULL);
    if (rc == 0)
        wb_sim_set_io(fx->sim, &(wb_sim_io){fx_io_send, fx_io_close, NULL});
    return rc;
}

static inline void fx_pump_all(sim_fx *fx);

/* The client's socket ends (the simulator hears it closed). */
static inline void fx_client_drop(fx_client *c) {
    if (c->conn)
        wb_sim_conn_free(c->conn);
    c->conn = NULL;
    c->to_server.len = 0;
    fx_pump_all(c->fx);
}

static inline void sim_fx_free(sim_fx *fx) {
    for (size_t i = 0; i < fx->nclients; i++) {
        fx_client *c = fx->clients[i];
        if (c->conn)
            wb_sim_conn_free(c->conn);
        wb_noise_conn_free(c->noise);
        wb_buf_free(&c->to_server);
        wb_buf_free(&c->to_client);
        wb_arena_free(&c->arena);
        free(c);
    }
    wb_sim_free(fx->sim);
    memset(fx, 0, sizeof *fx);
}

/* ---- the client ---------------------------------------------------------------------------- */

static int fx_cl_send(void *ud, const uint8_t *data, size_t len) {
    return wb_buf_append(&((fx_client *)ud)->to_server, data, len);
}

static int fx_cl_frame(void *ud, const uint8_t *p, size_t len) {
    fx_client *c = ud;
    wb_node *n;
    if (c->ninbox == FX_INBOX)
        return WB_ETOOBIG;
    int rc = wb_node_decode_payload(&c->arena, p, len, &n, NULL);
    if (rc == 0)
        c->inbox[c->ninbox++] = n;
    return rc;
}

/* Moves bytes both ways until nothing is left. Returns 0, or the client's Noise error. */
static inline int fx_pump(fx_client *c) {
    while (c->to_server.len || c->to_client.len) {
        if (c->to_server.len) {
            wb_buf b = c->to_server;
            c->to_server = (wb_buf)WB_BUF_INIT;
            if (c->conn && !c->closed)
                wb_sim_conn_feed(c->conn, b.data, b.len);
            wb_buf_free(&b);
        }
        if (c->to_client.len) {
            wb_buf b = c->to_client;
            c->to_client = (wb_buf)WB_BUF_INIT;
            int rc = c->noise_err ? c->noise_err : wb_noise_conn_feed(c->noise, b.data, b.len, NULL);
            wb_buf_free(&b);
            if (rc < 0)
                c->noise_err = rc;
        }
    }
    return c->noise_err;
}

/* Pumps every client (a stanza for one may have been sent while another was handled). */
static inline void fx_pump_all(sim_fx *fx) {
    for (int again = 1; again;) {
        again = 0;
        for (size_t i = 0; i < fx->nclients; i++) {
            fx_client *c = fx->clients[i];
            if (c->to_server.len || c->to_client.len) {
                fx_pump(c);
                again = 1;
            }
        }
    }
}

/* A new socket that handshakes with payload (a serialized ClientPayload). keys: copy them from
 * another client (NULL: fresh ones). */
static inline fx_client *fx_connect(sim_fx *fx, const fx_client *keys, const wb_buf *payload) {
    fx_client *c = calloc(1, sizeof *c);
    if (!c || fx->nclients == FX_MAX_CLIENTS)
        abort();
    c->fx = fx;
    fx->clients[fx->nclients++] = c;
    wb_arena_init(&c->arena, 0);
    if (keys) {
        c->noise_key = keys->noise_key;
        c->identity = keys->identity;
        c->skey = keys->skey;
        c->reg_id = keys->reg_id;
        c->skey_id = keys->skey_id;
        memcpy(c->jid, keys->jid, sizeof c->jid);
        memcpy(c->lid, keys->lid, sizeof c->lid);
        memcpy(c->phone, keys->phone, sizeof c->phone);
        c->device = keys->device;
    } else {
        wb_keypair_generate(&c->noise_key);
        wb_keypair_generate(&c->identity);
        wb_keypair_generate(&c->skey);
        c->reg_id = 1 + wb_random_uniform(16380);
        c->skey_id = 1;
    }
    uint8_t root[32];
    wb_sim_root_pub(fx->sim, root);
    wb_noise_initiator_cfg cfg = {.static_key = &c->noise_key, .payload = payload->data,
                                  .payload_len = payload->len, .root_pub = root,
                                  .now = fx->now_ms / 1000};
    wb_noise_conn_callbacks cb = {.send = fx_cl_send, .on_frame = fx_cl_frame};
    if (wb_noise_conn_new_initiator(&c->noise, &cfg, NULL, 0, &cb, c) < 0 ||
        wb_sim_conn_new(fx->sim, c, "memory", &c->conn) < 0 || wb_noise_conn_start(c->noise) < 0)
        abort();
    fx_pump(c);
    return c;
}

/* The next received stanza with tag (NULL: any), or NULL. */
static inline wb_node *fx_next(fx_client *c, const char *tag) {
    while (c->next < c->ninbox) {
        wb_node *n = c->inbox[c->next++];
        if (!tag || wb_node_is(n, tag))
            return n;
    }
    return NULL;
}

/* Sends a node to the server and pumps. Returns 0 or a negative code. */
static inline int fx_send(fx_client *c, const wb_node *n) {
    wb_buf b = WB_BUF_INIT;
    int rc = wb_node_encode_payload(n, &b);
    if (rc == 0)
        rc = wb_noise_conn_send(c->noise, b.data, b.len);
    wb_buf_free(&b);
    fx_pump_all(c->fx);
    return rc;
}

/* Sends iq (wa/iq.h's wb_wa_iq_new and a family's builder) with a fresh id, to
 * @s.whatsapp.net unless it names another `to`, and returns the answer (or NULL). */
static inline wb_node *fx_request(fx_client *c, wb_node *iq) {
    static unsigned seq;
    char id[24];
    snprintf(id, sizeof id, "fx.%u", ++seq);
    wb_node_set(iq, "id", id);
    if (!wb_node_attr(iq, "to"))
        wb_node_set(iq, "to", "@" WB_SERVER_USER);
    if (fx_send(c, iq) < 0)
        return NULL;
    for (size_t i = c->next; i < c->ninbox; i++) {
        const char *got = wb_node_attr(c->inbox[i], "id");
        if (wb_node_is(c->inbox[i], "iq") && got && strcmp(got, id) == 0)
            return c->inbox[i];
    }
    return NULL;
}

/* Sends <iq id=... type xmlns to=@s.whatsapp.net> with child (may be NULL) and returns the
 * answer (or NULL). */
static inline wb_node *fx_iq(fx_client *c, wb_arena *a, const char *type, const char *xmlns,
                             wb_node *child) {
    wb_node *iq = wb_wa_iq_new(a, type, xmlns);
    if (child)
        wb_node_add(iq, child);
    return fx_request(c, iq);
}

/* ---- payloads ----------------------------------------------------------------------------- */

/* The keys a registration or upload carries: the registration id, the identity and the signed
 * prekey, signed now by the identity. */
static inline wb_wa_device_keys fx_device_keys(const fx_client *c) {
    wb_wa_device_keys k = {.registration_id = c->reg_id, .skey = {.id = c->skey_id}};
    uint8_t signed_key[33] = {5};
    memcpy(k.identity, c->identity.pub, 32);
    memcpy(k.skey.pub, c->skey.pub, 32);
    memcpy(signed_key + 1, c->skey.pub, 32);
    wb_xeddsa_sign(k.skey.signature, c->identity.priv, signed_key, sizeof signed_key);
    return k;
}

static inline void fx_registration_payload(const fx_client *keys, const char *push, wb_buf *out) {
    wb_wa_client_info ci = wb_wa_client_default;
    wb_wa_device_keys k = fx_device_keys(keys);
    ci.push_name = push;
    wb_wa_payload_register(&ci, &k, out);
}

static inline void fx_login_payload(uint64_t username, unsigned device, wb_buf *out) {
    wb_wa_payload_login(&wb_wa_client_default, username, device, out);
}

/* ---- linking ------------------------------------------------------------------------------ */

static void fx_reply_respond(wb_sim_reply *r, int status, const char *ct, const void *body,
                             size_t len) {
    fx_reply *fr = (fx_reply *)r;
    fr->status = status;
    fr->answered++;
    snprintf(fr->body, sizeof fr->body, "%.*s", (int)len, (const char *)body);
}

static inline void fx_reply_init(fx_reply *r) {
    memset(r, 0, sizeof *r);
    r->r.respond = fx_reply_respond;
}

/* A reply that keeps every byte of its body (fx_reply keeps text). */
typedef struct fx_blob_reply {
    wb_sim_reply r;
    int status, answered;
    wb_buf body;
    size_t cut_at; /* a streamed request body ends (the client gone) after this many bytes */
    void (*body_fn)(void *ud, const uint8_t *data, size_t len, int status);
    void *body_ud;
} fx_blob_reply;

static void fx_blob_respond(wb_sim_reply *r, int status, const char *ct, const void *body,
                            size_t len) {
    fx_blob_reply *x = (fx_blob_reply *)r;
    (void)ct;
    x->status = status;
    x->answered++;
    wb_buf_reset(&x->body);
    wb_buf_append(&x->body, body, len);
}

/* A streamed answer, read the way a slow host would: pieces of odd sizes, every size from 1
 * byte up, so the source is tried at every boundary. */
static void fx_blob_respond_source(wb_sim_reply *r, int status, const char *ct, uint64_t len,
                                   const wb_http_body_source *src) {
    fx_blob_reply *x = (fx_blob_reply *)r;
    (void)ct;
    x->status = status;
    x->answered++;
    wb_buf_reset(&x->body);
    int rc = wb_buf_reserve(&x->body, (size_t)len);
    for (size_t piece = 1; rc == 0 && x->body.len < len; piece = piece * 3 + 1) {
        size_t want = len - x->body.len < piece ? (size_t)len - x->body.len : piece;
        long n = src->read(src->ud, x->body.data + x->body.len, want);
        if (n <= 0 || (size_t)n > want)
            rc = WB_EIO;
        else
            x->body.len += (size_t)n;
    }
    if (rc < 0)
        x->status = -1; /* a source that failed: no test expects one */
    src->done(src->ud, rc);
}

static int fx_blob_read_body(wb_sim_reply *r,
                             void (*fn)(void *ud, const uint8_t *data, size_t len, int status),
                             void *ud) {
    fx_blob_reply *x = (fx_blob_reply *)r;
    if (x->body_fn)
        return WB_ESTATE;
    x->body_fn = fn;
    x->body_ud = ud;
    return 0;
}

/* Sends a request answered into *r; returns how many answers came (1 for a good route). A body
 * for a streamed route (media uploads) is passed on as a streaming host would: after the head,
 * in pieces of odd sizes, then its end (or, with r->cut_at, its loss after that many bytes). */
static inline int fx_blob_request(sim_fx *fx, const char *method, const char *path,
                                  const char *query, const void *body, size_t len,
                                  fx_blob_reply *r) {
    r->r.respond = fx_blob_respond;
    r->r.respond_source = fx_blob_respond_source;
    r->r.read_body = fx_blob_read_body;
    r->body_fn = NULL;
    r->answered = 0;
    r->status = 0;
    int follows = len && wb_sim_http_streams(fx->sim, method, path);
    wb_sim_request req = {method, path, query ? query : "", follows ? NULL : body,
                          follows ? 0 : len, follows};
    wb_sim_http(fx->sim, &req, &r->r);
    const uint8_t *b = body;
    size_t end = r->cut_at && r->cut_at < len ? r->cut_at : len;
    for (size_t off = 0, piece = 1; r->body_fn && !r->answered && off < end; piece = piece * 3 + 1) {
        size_t n = end - off < piece ? end - off : piece;
        r->body_fn(r->body_ud, b + off, n, 0);
        off += n;
    }
    if (r->body_fn && !r->answered)
        r->body_fn(r->body_ud, NULL, 0, end < len ? WB_ECLOSED : 0);
    fx_pump_all(fx);
    return r->answered;
}

/* An admin request; the reply is in *r once answered (maybe after later pumps). */
static inline void fx_http(sim_fx *fx, const char *method, const char *path, const char *query,
                           const char *body, fx_reply *r) {
    fx_reply_init(r);
    wb_sim_request req = {method, path, query ? query : "", (const uint8_t *)body,
                          body ? strlen(body) : 0, 0};
    wb_sim_http(fx->sim, &req, &r->r);
    fx_pump_all(fx);
}

/* The QR string Baileys would show for c's first ref (after pair-device arrived). */
static inline int fx_qr(fx_client *c, wb_node *pair_device, char *out, size_t cap) {
    size_t rlen;
    const uint8_t *ref = wb_node_content(wb_node_path(pair_device, "pair-device", "ref", NULL), &rlen);
    if (!ref)
        return WB_EPROTO;
    wb_buf b = WB_BUF_INIT;
    wb_wa_qr_format((const char *)ref, rlen, c->noise_key.pub, c->identity.pub, c->adv, "1", &b);
    snprintf(out, cap, "%.*s", (int)b.len, (const char *)b.data);
    wb_buf_free(&b);
    return 0;
}

/* The companion's side of pair-success (validate-connection.js): HMAC, account signature, then
 * the device signature in <pair-device-sign>. corrupt != 0 flips a byte of the device signature.
 * Returns 0 or the check that failed. */
static inline int fx_answer_pair_success(fx_client *c, wb_node *iq, wb_arena *a, int corrupt) {
    wb_node *ps = wb_node_child(iq, "pair-success");
    size_t len;
    const uint8_t *p = wb_node_content(wb_node_child(ps, "device-identity"), &len);
    wb_node *dev = wb_node_child(ps, "device");
    if (!p || !dev)
        return WB_EPROTO;
    wb_wa_adv_identity id;
    int rc = wb_wa_adv_accept(p, len, c->adv, c->identity.pub, &id, NULL);
    if (rc < 0)
        return rc;
    wb_buf msg = WB_BUF_INIT, enc = WB_BUF_INIT;
    wb_wa_adv_device_message(&id, c->identity.pub, &msg);
    rc = wb_xeddsa_sign(id.device_sig, c->identity.priv, msg.data, msg.len);
    id.device_sig[5] ^= corrupt ? 1 : 0;
    id.has_device_sig = 1;
    if (rc == 0)
        rc = wb_wa_adv_encode(&id, 0, &enc); /* Baileys leaves the account key out */
    char ki[16];
    snprintf(ki, sizeof ki, "%u", id.key_index);
    snprintf(c->jid, sizeof c->jid, "%s", wb_node_attr(dev, "jid"));
    snprintf(c->lid, sizeof c->lid, "%s", wb_node_attr(dev, "lid"));
    wb_jid j;
    if (wb_jid_parse(&j, c->jid) == 0) {
        snprintf(c->phone, sizeof c->phone, "%s", j.user);
        c->device = j.device;
    }
    wb_buf_free(&msg);
    if (rc == 0) {
        wb_node *r = WB_NODE(a, "iq", {"to", "@s.whatsapp.net"}, {"type", "result"},
                             {"id", wb_node_attr(iq, "id")});
        wb_node *sign = wb_node_add_new(r, "pair-device-sign");
        wb_node_set_bytes(WB_CHILD(sign, "device-identity", {"key-index", ki}), enc.data, enc.len);
        rc = fx_send(c, r);
    }
    wb_buf_free(&enc);
    return rc;
}

/* Registers a fresh companion and answers pair-device. Returns the client (pair-device in
 * *pair_device) or NULL. */
static inline fx_client *fx_register(sim_fx *fx, const char *push, wb_node **pair_device) {
    fx_client keys;
    memset(&keys, 0, sizeof keys);
    wb_keypair_generate(&keys.noise_key);
    wb_keypair_generate(&keys.identity);
    wb_keypair_generate(&keys.skey);
    keys.reg_id = 1 + wb_random_uniform(16380);
    keys.skey_id = 7;
    wb_buf pl = WB_BUF_INIT;
    fx_registration_payload(&keys, push, &pl);
    fx_client *c = fx_connect(fx, &keys, &pl);
    wb_buf_free(&pl);
    wb_random_bytes(c->adv, 32);
    wb_node *pd = fx_next(c, "iq");
    if (!pd || !wb_node_child(pd, "pair-device"))
        return NULL;
    wb_node *ok = WB_NODE(&c->arena, "iq", {"to", "@s.whatsapp.net"}, {"type", "result"},
                          {"id", wb_node_attr(pd, "id")});
    fx_send(c, ok);
    *pair_device = pd;
    return c;
}

/* The whole QR flow: registration, the phone scans (for account phone, NULL: a new one), the
 * companion signs, the server sends 515. Returns the linked (now closed) client, or NULL. */
static inline fx_client *fx_link_qr(sim_fx *fx, const char *phone) {
    wb_node *pd;
    fx_client *c = fx_register(fx, "Tester", &pd);
    char qr[512], query[64];
    if (!c || fx_qr(c, pd, qr, sizeof qr) < 0)
        return NULL;
    snprintf(query, sizeof query, "phone=%s", phone ? phone : "");
    fx_reply r;
    fx_http(fx, "POST", "/admin/mock-phone/scan-qr", phone ? query : NULL, qr, &r);
    wb_node *ps = fx_next(c, "iq");
    if (r.answered || !ps || fx_answer_pair_success(c, ps, &c->arena, 0) < 0 || r.status != 200)
        return NULL;
    wb_node *se = fx_next(c, "stream:error");
    if (!se || strcmp(wb_node_attr(se, "code") ? wb_node_attr(se, "code") : "", "515") != 0 ||
        !c->closed)
        return NULL;
    return c;
}

/* A companion stored straight into the simulator's model (no pairing handshake: for fuzz
 * targets that need many fresh simulators). Returns keys to log in with (a client that never
 * connected), or NULL. Needs sim/sim_int.h. */
#ifdef WB_SIM_SIM_INT_H
static inline fx_client *fx_add_device(sim_fx *fx, const char *phone) {
    wb_sim_account *acc;
    wb_sim_device tmpl = {0}, *d;
    fx_client *k = calloc(1, sizeof *k);
    if (!k || wb_sim_account_get(fx->sim, phone, &acc) < 0 ||
        wb_sim_account_reserve(fx->sim, acc, &tmpl.id, &tmpl.key_index) < 0)
        abort();
    k->fx = fx;
    fx->clients[fx->nclients++] = k;
    wb_arena_init(&k->arena, 0);
    wb_keypair_generate(&k->noise_key);
    wb_keypair_generate(&k->identity);
    wb_keypair_generate(&k->skey);
    k->reg_id = 77;
    k->skey_id = 1;
    tmpl.keys = fx_device_keys(k);
    memcpy(tmpl.noise_pub, k->noise_key.pub, 32);
    if (wb_sim_device_add(fx->sim, acc, &tmpl, &d) < 0)
        abort();
    wb_sim_device_jid(d, k->jid);
    wb_sim_device_lid_jid(d, k->lid);
    snprintf(k->phone, sizeof k->phone, "%s", acc->phone);
    k->device = d->id;
    k->closed = 1;
    return k;
}
#endif

/* A new socket that logs in as the device linked by `keys`. */
static inline fx_client *fx_login(sim_fx *fx, const fx_client *keys) {
    wb_buf pl = WB_BUF_INIT;
    fx_login_payload(strtoull(keys->phone, NULL, 10), keys->device, &pl);
    fx_client *c = fx_connect(fx, keys, &pl);
    wb_buf_free(&pl);
    return c;
}

/* ---- reading results -------------------------------------------------------------------- */

/* n's attribute k, or "" (never NULL). */
static inline const char *fx_attr(const wb_node *n, const char *k) {
    const char *v = wb_node_attr(n, k);
    return v ? v : "";
}

/* The counter at a dotted path of /admin/stats ("queued.message"; true counts 1), 0 if absent. */
static inline int64_t fx_counter(sim_fx *fx, const char *path) {
    wb_buf b = WB_BUF_INIT;
    wb_sim_stats(fx->sim, &b);
    wb_buf_put_u8(&b, 0);
    cJSON *o = cJSON_Parse((const char *)b.data);
    wb_buf_free(&b);
    char copy[128];
    snprintf(copy, sizeof copy, "%s", path);
    cJSON *v = o;
    for (char *save = NULL, *part = strtok_r(copy, ".", &save); part && v;
         part = strtok_r(NULL, ".", &save))
        v = cJSON_GetObjectItemCaseSensitive(v, part);
    int64_t n = cJSON_IsNumber(v) ? (int64_t)v->valuedouble : cJSON_IsTrue(v) ? 1 : 0;
    cJSON_Delete(o);
    return n;
}

/* For the HTTP fuzz targets: an input "METHOD PATH[?QUERY]\n" + body. Copies the first line
 * into line, cut at the first space (line is the method, *target the rest); *body is what
 * follows the newline. Returns 1, or 0 when the input has no such line (over 512 bytes, no
 * newline or no space). */
static inline int fx_request_line(const uint8_t *data, size_t size, char line[513], char **target,
                                  const uint8_t **body, size_t *body_len) {
    const uint8_t *nl = memchr(data, '\n', size);
    if (!nl || nl - data > 512)
        return 0;
    memcpy(line, data, (size_t)(nl - data));
    line[nl - data] = '\0';
    char *sp = strchr(line, ' ');
    if (!sp)
        return 0;
    *sp = '\0';
    *target = sp + 1;
    *body = nl + 1;
    *body_len = size - (size_t)(nl + 1 - data);
    return 1;
}

#endif
