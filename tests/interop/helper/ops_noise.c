/* Helper ops for host/net's Noise connection (tests/interop/noise.test.mjs): wabot's responder
 * for Baileys' noise handler to talk to, and wabot's initiator for a node:crypto responder. Each
 * connection lives in a small table between calls, named by an id.
 *
 *   noise_server {root_priv | chain, [static_priv], [not_before, not_after]} -> {id, server_pub}
 *   noise_client {static_priv, payload, root_pub, [routing], [now]} -> {id, out}
 *   noise_feed   {id, data}        -> {out, frames[], [peer_static, payload], [routing]}
 *   noise_send   {id, frames[]}    -> {out}
 *   noise_free   {id}
 * out is every byte the connection sent during the call; frames are decrypted payloads. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/enc.h"
#include "core/err.h"
#include "crypto/curve.h"
#include "helper.h"
#include "net/cert.h"
#include "net/noise_conn.h"

#define MAX_CONNS 64

typedef struct slot {
    wb_noise_conn *c;
    wb_buf out;       /* sent during the current call */
    cJSON *frames;    /* received during the current call (owned by the response) */
    cJSON *resp;      /* the current call's response */
} slot;

static slot slots[MAX_CONNS];

static int on_send(void *ud, const uint8_t *p, size_t len) { return wb_buf_append(&((slot *)ud)->out, p, len); }

static int on_frame(void *ud, const uint8_t *p, size_t len) {
    slot *s = ud;
    wb_buf b = WB_BUF_INIT;
    cJSON *item = NULL;
    if (wb_b64_encode(&b, p, len, WB_B64_STD) == 0 && wb_buf_put_u8(&b, 0) == 0)
        item = cJSON_CreateString((const char *)b.data);
    wb_buf_free(&b);
    if (!item)
        return WB_ENOMEM;
    cJSON_AddItemToArray(s->frames, item);
    return 0;
}

static int on_handshake(void *ud, const uint8_t key[32], const uint8_t *payload, size_t len) {
    slot *s = ud;
    return helper_put_bytes(s->resp, "peer_static", key, 32) | helper_put_bytes(s->resp, "payload", payload, len);
}

static int on_intro(void *ud, const uint8_t *routing, size_t len) {
    return helper_put_bytes(((slot *)ud)->resp, "routing", routing, len);
}

static const wb_noise_conn_callbacks callbacks = {on_send, on_handshake, on_frame, on_intro};

static int get_key(const cJSON *req, const char *field, uint8_t key[32], char *err, size_t errlen) {
    wb_buf b = WB_BUF_INIT;
    int ok = helper_get_bytes(req, field, &b) == 0 && b.len == 32;
    if (ok)
        memcpy(key, b.data, 32);
    else
        snprintf(err, errlen, "'%s' must be 32 bytes of base64", field);
    wb_buf_free_secret(&b);
    return ok ? 0 : -1;
}

static slot *free_slot(int *id) {
    for (int i = 0; i < MAX_CONNS; i++)
        if (!slots[i].c) {
            *id = i;
            return &slots[i];
        }
    return NULL;
}

static slot *find(const cJSON *req, char *err, size_t errlen) {
    int id = (int)helper_get_num(req, "id", -1);
    if (id < 0 || id >= MAX_CONNS || !slots[id].c) {
        snprintf(err, errlen, "no noise connection %d", id);
        return NULL;
    }
    return &slots[id];
}

/* Starts a call on s: output and frames collect into resp. */
static void begin(slot *s, cJSON *resp) {
    wb_buf_reset(&s->out);
    s->resp = resp;
    s->frames = cJSON_AddArrayToObject(resp, "frames");
}

/* Ends a call: puts out into resp and turns rc into the op's result. */
static int end(slot *s, int rc, const wb_error *e, char *err, size_t errlen) {
    if (rc == 0 && helper_put_bytes(s->resp, "out", s->out.data, s->out.len) < 0)
        rc = WB_ENOMEM;
    s->resp = NULL;
    s->frames = NULL;
    if (rc < 0)
        snprintf(err, errlen, "%s: %s", wb_errname(rc), e && e->what[0] ? e->what : wb_strerror(rc));
    return rc < 0 ? -1 : 0;
}

static int op_noise_server(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    uint8_t root_priv[32];
    wb_keypair server, inter;
    wb_buf chain = WB_BUF_INIT;
    int id, rc;
    slot *s = free_slot(&id);
    if (!s)
        return snprintf(err, errlen, "too many connections"), -1;
    if (cJSON_HasObjectItem(req, "static_priv")) {
        if (get_key(req, "static_priv", server.priv, err, errlen))
            return -1;
        wb_curve_public(server.pub, server.priv);
    } else {
        wb_keypair_generate(&server);
    }
    if (helper_get_bytes(req, "chain", &chain) != 0) { /* no chain given: build the standard one */
        if (get_key(req, "root_priv", root_priv, err, errlen))
            return -1;
        uint64_t now = (uint64_t)time(NULL);
        uint64_t nb = (uint64_t)helper_get_num(req, "not_before", (double)(now - 3600));
        uint64_t na = (uint64_t)helper_get_num(req, "not_after", (double)(now + 365 * 86400));
        wb_keypair_generate(&inter);
        if ((rc = wb_cert_chain_build(&chain, root_priv, &inter, server.pub, nb, na)) < 0) {
            wb_buf_free(&chain);
            return snprintf(err, errlen, "cert chain: %s", wb_errname(rc)), -1;
        }
    }
    wb_noise_responder_cfg cfg = {&server, chain.data, chain.len, NULL};
    rc = wb_noise_conn_new_responder(&s->c, &cfg, &callbacks, s);
    wb_buf_free(&chain);
    if (rc < 0)
        return snprintf(err, errlen, "responder: %s", wb_errname(rc)), -1;
    cJSON_AddNumberToObject(resp, "id", id);
    return helper_put_bytes(resp, "server_pub", server.pub, 32);
}

static int op_noise_client(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    wb_keypair kp;
    uint8_t root[32];
    wb_buf payload = WB_BUF_INIT, routing = WB_BUF_INIT;
    int id;
    slot *s = free_slot(&id);
    if (!s)
        return snprintf(err, errlen, "too many connections"), -1;
    if (get_key(req, "static_priv", kp.priv, err, errlen) || get_key(req, "root_pub", root, err, errlen))
        return -1;
    wb_curve_public(kp.pub, kp.priv);
    helper_get_bytes(req, "payload", &payload);
    helper_get_bytes(req, "routing", &routing);
    wb_noise_initiator_cfg cfg = {&kp, payload.data, payload.len, root,
                                  (uint64_t)helper_get_num(req, "now", 0), NULL};
    int rc = wb_noise_conn_new_initiator(&s->c, &cfg, routing.data, routing.len, &callbacks, s);
    wb_buf_free(&payload);
    wb_buf_free(&routing);
    if (rc < 0)
        return snprintf(err, errlen, "initiator: %s", wb_errname(rc)), -1;
    cJSON_AddNumberToObject(resp, "id", id);
    begin(s, resp);
    return end(s, wb_noise_conn_start(s->c), NULL, err, errlen);
}

static int op_noise_feed(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    slot *s = find(req, err, errlen);
    wb_buf data = WB_BUF_INIT;
    if (!s)
        return -1;
    if (helper_get_bytes(req, "data", &data) != 0)
        return snprintf(err, errlen, "'data' must be base64"), -1;
    wb_error e = {0};
    begin(s, resp);
    int rc = wb_noise_conn_feed(s->c, data.data, data.len, &e);
    wb_buf_free(&data);
    return end(s, rc, &e, err, errlen);
}

static int op_noise_send(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    slot *s = find(req, err, errlen);
    if (!s)
        return -1;
    const cJSON *frames = cJSON_GetObjectItemCaseSensitive(req, "frames"), *f;
    int rc = cJSON_IsArray(frames) ? 0 : WB_EINVAL;
    begin(s, resp);
    cJSON_ArrayForEach(f, frames) {
        wb_buf b = WB_BUF_INIT;
        const char *text = cJSON_IsString(f) ? f->valuestring : "?";
        rc = wb_b64_decode(&b, text, strlen(text), WB_B64_STD);
        if (rc == 0)
            rc = wb_noise_conn_send(s->c, b.data, b.len);
        wb_buf_free(&b);
        if (rc < 0)
            break;
    }
    return end(s, rc, NULL, err, errlen);
}

static int op_noise_free(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    slot *s = find(req, err, errlen);
    if (!s)
        return -1;
    wb_noise_conn_free(s->c);
    wb_buf_free(&s->out);
    memset(s, 0, sizeof *s);
    return 0;
}

const wb_helper_op helper_ops_noise[] = {
    {"noise_server", op_noise_server},
    {"noise_client", op_noise_client},
    {"noise_feed", op_noise_feed},
    {"noise_send", op_noise_send},
    {"noise_free", op_noise_free},
    {NULL, NULL},
};
