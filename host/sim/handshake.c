/* The end of the Noise handshake (conn.c calls wb_sim_handshake): the client's ClientPayload
 * decides between registration (a new companion: pair.c) and login (a known device: login.c). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "sim/sim_int.h"
#include "wb_proto.h"
#include "wb_proto_json.h"

/* The dotted paths of the fields a payload carries, space-separated, into b: its shape without
 * its values (which hold keys and numbers), for the stanza log and the conformance test that
 * compares what wabot and Baileys send. */
static void field_paths(const cJSON *o, const char *prefix, wb_buf *b) {
    for (const cJSON *f = o ? o->child : NULL; f; f = f->next) {
        char path[160];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", f->string);
        if (cJSON_IsObject(f)) {
            field_paths(f, path, b);
        } else {
            if (b->len)
                wb_buf_put_u8(b, ' ');
            wb_buf_append(b, path, strlen(path));
        }
    }
}

/* Who the client says it is: the version it claims and, in a registration, the OS and browser the
 * phone's list of linked devices will show (DeviceProps). */
static void log_identity(wb_sim_conn *c, const Wa__ClientPayload *p) {
    const Wa__ClientPayload__UserAgent__AppVersion *v =
        p->useragent ? p->useragent->appversion : NULL;
    char props[160] = "";
    if (p->devicepairingdata && p->devicepairingdata->has_deviceprops) {
        Wa__DeviceProps *d;
        if (wb_proto_unpack(&wa__device_props__descriptor, p->devicepairingdata->deviceprops.data,
                            p->devicepairingdata->deviceprops.len, 0, &d, NULL) == 0) {
            snprintf(props, sizeof props, ", device os \"%.64s\" platform type %d",
                     d->os ? d->os : "", d->has_platformtype ? (int)d->platformtype : -1);
            wb_proto_free(d);
        }
    }
    wb_sim_log_event(c, "payload identity: version %u.%u.%u%s", v ? v->primary : 0,
                     v ? v->secondary : 0, v ? v->tertiary : 0, props);
}

static void log_payload(wb_sim_conn *c, const Wa__ClientPayload *p) {
    cJSON *j;
    if (!c->sim->stanza_log || wb_proto_to_json(p, &j) < 0)
        return;
    /* the serialized DeviceProps inside a registration go in as their own fields */
    wb_buf b = WB_BUF_INIT;
    field_paths(j, "", &b);
    if (p->devicepairingdata && p->devicepairingdata->has_deviceprops) {
        Wa__DeviceProps *d;
        cJSON *dj;
        if (wb_proto_unpack(&wa__device_props__descriptor, p->devicepairingdata->deviceprops.data,
                            p->devicepairingdata->deviceprops.len, 0, &d, NULL) == 0) {
            if (wb_proto_to_json(d, &dj) == 0) {
                field_paths(dj, "devicePairingData.deviceProps", &b);
                cJSON_Delete(dj);
            }
            wb_proto_free(d);
        }
    }
    log_identity(c, p); /* first: "payload fields" is followed by what the payload does */
    wb_sim_log_event(c, "payload fields: %.*s", (int)b.len, (const char *)b.data);
    wb_buf_free(&b);
    cJSON_Delete(j);
}

int wb_sim_handshake(wb_sim_conn *c, const uint8_t *payload, size_t len) {
    Wa__ClientPayload *p;
    wb_error e = {0};
    int rc = wb_proto_unpack(&wa__client_payload__descriptor, payload, len, 0, &p, &e);
    if (rc < 0)
        return wb_sim_conn_fail(c, rc, "undecodable ClientPayload (%s)", e.what);
    log_payload(c, p);
    if (p->devicepairingdata) {
        wb_sim_count(c->sim, "handshakes.registration", 1);
        wb_sim_log_event(c, "registration payload%s%s", p->pushname ? ", push name " : "",
                         p->pushname ? p->pushname : "");
        rc = wb_sim_reg_start(c, p);
    } else {
        wb_sim_count(c->sim, "handshakes.login", 1);
        wb_sim_log_event(c, "login payload for %llu:%u", (unsigned long long)p->username,
                         p->has_device ? p->device : 0);
        rc = wb_sim_login(c, p);
    }
    wb_proto_free(p);
    return rc;
}
