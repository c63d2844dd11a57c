/* Fuzz target: the simulator's HTTP routes (host/sim admin.c, pair.c's scan-qr, pair_code.c's
 * enter-code) with arbitrary requests, against a simulator with one companion waiting to be
 * linked (its QR refs are random, so scans reach every check but the last) and one device
 * online (faults reach it).
 *
 * Input: "METHOD PATH[?QUERY]\n" then the body. Oracle: the sanitizers, and every request is
 * answered exactly once. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "sim/sim_int.h"
#include "../unit/sim_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    wb_log_set_level(WB_LOG_OFF);
    char line[513], *path;
    const uint8_t *body;
    size_t body_len;
    if (!fx_request_line(data, size, line, &path, &body, &body_len))
        return 0;
    char *query = strchr(path, '?');
    if (query)
        *query++ = '\0';
    sim_fx fx;
    if (sim_fx_init(&fx, NULL) < 0)
        abort();
    fx_client *online = fx_login(&fx, fx_add_device(&fx, "15550001111"));
    wb_node *pd;
    if (!online || !fx_register(&fx, "Waiting", &pd))
        abort();
    fx_reply r;
    fx_reply_init(&r);
    wb_sim_request req = {line, path, query ? query : "", body, body_len, 0};
    wb_sim_http(fx.sim, &req, &r.r);
    fx_pump_all(&fx);
    if (r.answered != 1)
        abort();
    sim_fx_free(&fx);
    return 0;
}
