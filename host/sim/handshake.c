/* The end of the Noise handshake (conn.c calls wb_sim_handshake): the client's ClientPayload
 * decides between registration (a new companion: pair.c) and login (a known device: login.c). */
#include "core/log.h"
#include "sim/sim_int.h"
#include "wb_proto.h"

int wb_sim_handshake(wb_sim_conn *c, const uint8_t *payload, size_t len) {
    Wa__ClientPayload *p;
    wb_error e = {0};
    int rc = wb_proto_unpack(&wa__client_payload__descriptor, payload, len, 0, &p, &e);
    if (rc < 0)
        return wb_sim_conn_fail(c, rc, "undecodable ClientPayload (%s)", e.what);
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
