/* Fuzz target: the simulator's stanza handlers (host/sim dispatch and every family) fed
 * arbitrary stanzas from a logged-in device, with a second device online for the handlers that
 * reach other devices (bundles, presence, chatstates, the queue).
 *
 * Input: a sequence of [be16 length][transport payload] records, each decoded (binary/codec.h)
 * and dispatched as if device 15550001111:1 had sent it, until the input ends or the simulator
 * closes that device's connection. Every input starts from a fresh simulator, so a kept input
 * replays alone. Oracle: the sanitizers, and the simulator must keep answering the other
 * device's ping afterwards. Seeds: tests/fuzz/make_sim_corpus.mjs (stanzas as Baileys encodes
 * them). */
#include <stdint.h>
#include <stdlib.h>

#include "core/log.h"
#include "sim/sim_int.h"
#include "../unit/sim_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static fx_client *login_active(sim_fx *fx, const char *phone) {
    fx_client *c = fx_login(fx, fx_add_device(fx, phone));
    wb_arena a;
    wb_arena_init(&a, 0);
    if (!fx_next(c, "success") || !fx_iq(c, &a, "set", "passive", wb_node_new(&a, "active")))
        abort();
    wb_arena_free(&a);
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    wb_log_set_level(WB_LOG_OFF);
    sim_fx fx;
    if (sim_fx_init(&fx, NULL) < 0)
        abort();
    fx_client *a = login_active(&fx, "15550001111");
    fx_client *b = login_active(&fx, "15550002222");
    wb_arena arena;
    wb_arena_init(&arena, 0);
    wb_reader r;
    wb_reader_init(&r, data, size);
    while (wb_rd_remaining(&r) >= 2 && a->conn && !a->closed) {
        uint16_t n = wb_rd_be16(&r);
        const uint8_t *p = wb_rd_bytes(&r, n);
        if (!p)
            break;
        wb_node *node;
        wb_arena_reset(&arena);
        if (wb_node_decode_payload(&arena, p, n, &node, NULL) < 0)
            continue;
        if (wb_sim_dispatch(a->conn, node) < 0)
            wb_sim_conn_close(a->conn, "%s", a->conn->why);
        fx_pump_all(&fx);
    }
    wb_node *pong = fx_iq(b, &arena, "get", "w:p", NULL);
    if (!b->closed && (!pong || !wb_node_attr(pong, "type")))
        abort(); /* the other device must not suffer */
    wb_arena_free(&arena);
    sim_fx_free(&fx);
    return 0;
}
