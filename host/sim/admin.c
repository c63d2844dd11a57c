/* The HTTP side of the simulator (sim.h, "HTTP"): routing to the families' HTTP tables, the
 * reply helpers, and the admin routes that belong to no other family: GET /admin/info,
 * POST and GET /admin/accounts, POST /admin/mock-phone/unlink, GET /admin/stats,
 * POST /admin/fault. scan-qr lives in pair.c, enter-code in pair_code.c. */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enc.h"
#include "core/log.h"
#include "net/http.h"
#include "sim/sim_int.h"

void wb_sim_reply_json(wb_sim_reply *r, int status, const char *json, size_t len) {
    r->respond(r, status, "application/json", json, len);
}

void wb_sim_reply_source(wb_sim_reply *r, int status, const char *content_type, uint64_t len,
                         const wb_http_body_source *src) {
    if (r->respond_source) {
        r->respond_source(r, status, content_type, len, src);
        return;
    }
    /* a host without streaming: the whole body, read as a streaming host would */
    wb_buf b = WB_BUF_INIT;
    int rc = len > SIZE_MAX ? WB_ETOOBIG : wb_buf_reserve(&b, (size_t)len);
    while (rc == 0 && b.len < len) {
        long n = src->read(src->ud, b.data + b.len, (size_t)len - b.len);
        if (n <= 0)
            rc = n < 0 ? (int)n : WB_EIO;
        else
            b.len += (size_t)n;
    }
    if (rc == 0)
        r->respond(r, status, content_type, b.data ? b.data : (const uint8_t *)"", b.len);
    else
        wb_sim_reply_error(r, 500, "cannot read the answer's body: %s", wb_strerror(rc));
    wb_buf_free(&b);
    src->done(src->ud, rc);
}

void wb_sim_reply_error(wb_sim_reply *r, int status, const char *fmt, ...) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", msg);
    char *text = cJSON_PrintUnformatted(o);
    static const char oom[] = "{\"error\":\"out of memory\"}";
    wb_sim_reply_json(r, status, text ? text : oom, text ? strlen(text) : sizeof oom - 1);
    free(text);
    cJSON_Delete(o);
}

void wb_sim_reply_cjson(wb_sim_reply *r, int status, struct cJSON *o) {
    char *text = o ? cJSON_PrintUnformatted(o) : NULL;
    if (text)
        wb_sim_reply_json(r, status, text, strlen(text));
    else
        wb_sim_reply_error(r, 500, "out of memory");
    free(text);
    cJSON_Delete(o);
}

int wb_sim_query_param(const wb_sim_request *req, const char *name, char *out, size_t cap) {
    wb_buf b = WB_BUF_INIT;
    out[0] = '\0';
    int rc = wb_http_query_get(req->query ? req->query : "", name, &b);
    if (rc == 1 && (b.len >= cap || (b.len && memchr(b.data, 0, b.len))))
        rc = WB_ETOOBIG;
    if (rc == 1)
        snprintf(out, cap, "%.*s", (int)b.len, b.data ? (const char *)b.data : "");
    wb_buf_free(&b);
    return rc;
}

int wb_sim_http_streams(wb_sim *sim, const char *method, const char *path) {
    wb_sim_request req = {.method = method, .path = path, .query = ""};
    int path_ok, streamed;
    (void)sim;
    return wb_sim_http_find(&req, &path_ok, &streamed) && streamed;
}

void wb_sim_http(wb_sim *sim, const wb_sim_request *req, wb_sim_reply *reply) {
    int path_ok;
    wb_arena_reset(&sim->arena);
    wb_sim_countf(sim, 1, "http.%s", req->method);
    int streamed;
    const wb_sim_http_route *r = wb_sim_http_find(req, &path_ok, &streamed);
    if (r)
        r->fn(sim, req, reply);
    else if (path_ok)
        wb_sim_reply_error(reply, 405, "method %s not allowed here", req->method);
    else
        wb_sim_reply_error(reply, 404, "no such route");
}

/* ---- GET /admin/info ------------------------------------------------------------------------ */

static void on_info(wb_sim *sim, const wb_sim_request *req, wb_sim_reply *reply) {
    wb_buf hex = WB_BUF_INIT;
    wb_hex_encode(&hex, sim->root.pub, sizeof sim->root.pub);
    wb_buf_put_u8(&hex, 0);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "rootKey", hex.err ? "" : (const char *)hex.data);
    cJSON_AddStringToObject(o, "ws", sim->ws_url);
    cJSON_AddStringToObject(o, "mediaHost", sim->media_host);
    cJSON_AddStringToObject(o, "mediaCert", sim->media_cert_pem ? sim->media_cert_pem : "");
    cJSON_AddNumberToObject(o, "accounts", (double)sim->naccounts);
    wb_buf_free(&hex);
    wb_sim_reply_cjson(reply, 200, o);
}

/* ---- accounts: POST /admin/accounts {"phone"?, "name"?}, GET /admin/accounts ---------------- */

static cJSON *account_json(wb_sim *sim, const wb_sim_account *a) {
    char jid[WB_JID_STR_MAX];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "phone", a->phone);
    wb_sim_account_jid(a, jid);
    cJSON_AddStringToObject(o, "jid", jid);
    wb_sim_account_lid_jid(a, jid);
    cJSON_AddStringToObject(o, "lid", jid);
    cJSON_AddStringToObject(o, "name", a->name);
    cJSON *devs = cJSON_AddArrayToObject(o, "devices");
    for (size_t i = 0; i < a->ndevices; i++) {
        const wb_sim_device *d = a->devices[i];
        cJSON *dj = cJSON_CreateObject();
        wb_sim_device_jid(d, jid);
        cJSON_AddStringToObject(dj, "jid", jid);
        wb_sim_device_lid_jid(d, jid);
        cJSON_AddStringToObject(dj, "lid", jid);
        cJSON_AddNumberToObject(dj, "keyIndex", d->key_index);
        cJSON_AddBoolToObject(dj, "online", d->conn != NULL);
        cJSON_AddBoolToObject(dj, "removed", d->removed);
        /* the one-time prekeys the server still holds for it (-1: the database failed) */
        cJSON_AddNumberToObject(dj, "prekeys", (double)wb_sim_prekey_count(sim, d));
        cJSON_AddItemToArray(devs, dj);
    }
    return o;
}

static void on_account(wb_sim *sim, const wb_sim_request *req, wb_sim_reply *reply) {
    cJSON *body = req->body_len ? cJSON_ParseWithLength((const char *)req->body, req->body_len) : NULL;
    const cJSON *phone = cJSON_GetObjectItemCaseSensitive(body, "phone");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(body, "name");
    wb_sim_account *a;
    int rc;
    if ((req->body_len && !cJSON_IsObject(body)) || (phone && !cJSON_IsString(phone)) ||
        (name && !cJSON_IsString(name)))
        wb_sim_reply_error(reply, 400, "body must be {\"phone\"?: \"digits\", \"name\"?: \"...\"}");
    else if ((rc = wb_sim_account_get(sim, cJSON_GetStringValue(phone), &a)) < 0)
        wb_sim_reply_error(reply, rc == WB_EINVAL ? 400 : 500, "cannot make the account: %s",
                           wb_strerror(rc));
    else {
        wb_sim_account_name(sim, a, cJSON_GetStringValue(name));
        wb_sim_reply_cjson(reply, 200, account_json(sim, a));
    }
    cJSON_Delete(body);
}

static void on_accounts(wb_sim *sim, const wb_sim_request *req, wb_sim_reply *reply) {
    cJSON *o = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(o, "accounts");
    for (size_t i = 0; i < sim->naccounts; i++)
        cJSON_AddItemToArray(list, account_json(sim, sim->accounts[i]));
    wb_sim_reply_cjson(reply, 200, o);
}

/* ---- the phone unlinks a companion: POST /admin/mock-phone/unlink {"device": JID} ------------ */

static void on_unlink(wb_sim *sim, const wb_sim_request *req, wb_sim_reply *reply) {
    cJSON *body = cJSON_ParseWithLength((const char *)req->body, req->body_len);
    const char *dev = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "device"));
    wb_jid jid;
    wb_sim_device *d;
    if (!dev || wb_jid_parse(&jid, dev) < 0)
        wb_sim_reply_error(reply, 400, "body must be {\"device\": JID}");
    else if (!(d = wb_sim_device_by_jid(sim, &jid)) || d->removed)
        wb_sim_reply_error(reply, 404, "no linked device %s", dev);
    else if (wb_sim_device_remove(sim, d, "unlinked by the phone") < 0)
        wb_sim_reply_error(reply, 500, "cannot store the removal");
    else
        wb_sim_reply_json(reply, 200, "{\"ok\":true}", 11);
    cJSON_Delete(body);
}

/* ---- GET /admin/stats ----------------------------------------------------------------------- */

static void on_stats(wb_sim *sim, const wb_sim_request *req, wb_sim_reply *reply) {
    wb_buf b = WB_BUF_INIT;
    if (wb_sim_stats(sim, &b) < 0)
        wb_sim_reply_error(reply, 500, "out of memory");
    else
        wb_sim_reply_json(reply, 200, (const char *)b.data, b.len);
    wb_buf_free(&b);
}

/* ---- POST /admin/fault {"device", "action", "code", "seconds"} ------------------------------- */

static void on_fault(wb_sim *sim, const wb_sim_request *req, wb_sim_reply *reply) {
    cJSON *body = cJSON_ParseWithLength((const char *)req->body, req->body_len);
    const char *dev = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "device"));
    const char *action = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "action"));
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(body, "code");
    const cJSON *secs = cJSON_GetObjectItemCaseSensitive(body, "seconds");
    wb_jid jid;
    wb_sim_device *d = NULL;
    double s = cJSON_IsNumber(secs) ? secs->valuedouble : 0;
    double k = cJSON_IsNumber(code) ? code->valuedouble : 0;
    if (!dev || !action || wb_jid_parse(&jid, dev) < 0 || s < 0 || s > 86400 || k < 0 || k > 999 ||
        (code && !cJSON_IsNumber(code)) || (secs && !cJSON_IsNumber(secs))) {
        wb_sim_reply_error(reply, 400, "body must be {\"device\": JID, \"action\": "
                                       "close|stream-error|stall|delay|corrupt, \"code\": N, "
                                       "\"seconds\": N}");
    } else if (!(d = wb_sim_device_by_jid(sim, &jid)) || !d->conn) {
        wb_sim_reply_error(reply, 404, "device %s is not connected", dev);
    } else if (strcmp(action, "close") == 0) {
        wb_sim_count(sim, "faults.close", 1);
        wb_sim_conn_close(d->conn, "fault injected: close");
        wb_sim_reply_json(reply, 200, "{\"ok\":true}", 11);
    } else if (strcmp(action, "stream-error") == 0) {
        wb_sim_count(sim, "faults.stream_error", 1);
        wb_sim_conn_stream_error(d->conn, k ? (int)k : 503, NULL, NULL,
                                 "fault injected: stream error");
        wb_sim_reply_json(reply, 200, "{\"ok\":true}", 11);
    } else if (strcmp(action, "corrupt") == 0) {
        d->fault_corrupt = 1; /* route.c damages the next message routed to the device */
        wb_sim_count(sim, "faults.corrupt", 1);
        wb_sim_reply_json(reply, 200, "{\"ok\":true}", 11);
    } else if (strcmp(action, "stall") == 0 || strcmp(action, "delay") == 0) {
        int f = action[0] == 's' ? WB_SIM_FAULT_STALL : WB_SIM_FAULT_DELAY;
        int rc = sim->io.fault ? sim->io.fault(d->conn->io_ud, f, (unsigned)s) : WB_EUNSUPPORTED;
        if (rc < 0) {
            wb_sim_reply_error(reply, 501, "this host cannot %s a socket", action);
        } else {
            wb_sim_countf(sim, 1, "faults.%s", action);
            wb_sim_log_event(d->conn, "fault injected: %s %us", action, (unsigned)s);
            wb_sim_reply_json(reply, 200, "{\"ok\":true}", 11);
        }
    } else {
        wb_sim_reply_error(reply, 400, "unknown action '%s'", action);
    }
    cJSON_Delete(body);
}

static const wb_sim_http_route http[] = {
    {"GET", "/admin/info", on_info},
    {"POST", "/admin/accounts", on_account},
    {"GET", "/admin/accounts", on_accounts},
    {"GET", "/admin/stats", on_stats},
    {"POST", "/admin/fault", on_fault},
    {"POST", "/admin/mock-phone/unlink", on_unlink},
    {NULL, NULL, NULL},
};

const wb_sim_family wb_sim_family_admin = {.name = "admin", .http = http};
