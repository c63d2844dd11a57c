/* Fuzz target: the simulator's handshake payload path (host/sim handshake.c, pair.c, login.c):
 * an arbitrary ClientPayload sent through a real Noise handshake, to a simulator that knows one
 * linked device (15550001111:1). Registration payloads must get pair-device or a closed socket,
 * login payloads success (only with the right key, which the fuzzer does not have) or failure.
 *
 * Input: the ClientPayload bytes. Seeds: Baileys' registration and login payloads
 * (tests/fuzz/make_sim_corpus.mjs). Oracle: the sanitizers; no login may succeed. */
#include <stdint.h>
#include <stdlib.h>

#include "core/log.h"
#include "sim/sim_int.h"
#include "../unit/sim_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    wb_log_set_level(WB_LOG_OFF);
    sim_fx fx;
    if (sim_fx_init(&fx, NULL) < 0)
        abort();
    fx_add_device(&fx, "15550001111");
    wb_buf payload = WB_BUF_INIT;
    wb_buf_append(&payload, data, size);
    fx_client *c = fx_connect(&fx, NULL, &payload);
    if (fx_next(c, "success"))
        abort(); /* a fresh Noise key never logs in */
    wb_buf_free(&payload);
    sim_fx_free(&fx);
    return 0;
}
