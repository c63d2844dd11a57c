/* Unit tests for the simulator's local-only policy (host/sim/local.h): which Host and Origin
 * headers name the simulator. */
#include "check.h"
#include "sim/local.h"

static void test_sim_local_host_names_only_the_simulator(void) {
    wb_sim_local l;
    wb_sim_local_init(&l, "127.0.0.1", 8080, 0);
    const char *ok[] = {NULL, "127.0.0.1:8080", "127.0.0.1", "localhost:8080", "LocalHost",
                        "[::1]:8080", "127.5.6.7:1", "[::ffff:127.0.0.1]:8080"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        CHECK(wb_sim_local_host_ok(&l, ok[i]));
    /* names (DNS rebinding), other addresses, and what is not a host at all */
    const char *bad[] = {"evil.example:8080", "evil.example", "localhost.evil.example",
                         "192.168.1.5:8080", "", ":8080", "127.0.0.1:99999", "127.0.0.1:80/x",
                         "user@127.0.0.1", "[::1", "127.0.0.1 :8080", "0.0.0.0:8080"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK(!wb_sim_local_host_ok(&l, bad[i]));
    /* listening on an address: that one too; on every address: any address, still no names */
    wb_sim_local_init(&l, "192.168.1.5", 8080, 0);
    CHECK(wb_sim_local_host_ok(&l, "192.168.1.5:8080"));
    CHECK(!wb_sim_local_host_ok(&l, "192.168.1.6:8080"));
    wb_sim_local_init(&l, "0.0.0.0", 8080, 0);
    CHECK(wb_sim_local_host_ok(&l, "192.168.1.6:8080"));
    CHECK(wb_sim_local_host_ok(&l, "[fe80::1]:8080"));
    CHECK(!wb_sim_local_host_ok(&l, "sim.lan:8080"));
}

static void test_sim_local_origin_is_the_simulator_or_whatsapp(void) {
    wb_sim_local l;
    wb_sim_local_init(&l, "127.0.0.1", 8080, 0);
    CHECK(wb_sim_local_origin_ok(&l, NULL, 0)); /* Node, curl, wabot */
    CHECK(wb_sim_local_origin_ok(&l, "http://127.0.0.1:8080", 0));
    CHECK(wb_sim_local_origin_ok(&l, "http://localhost:8080", 0));
    CHECK(wb_sim_local_origin_ok(&l, "http://[::1]:8080", 0));
    CHECK(!wb_sim_local_origin_ok(&l, "https://127.0.0.1:8080", 0)); /* not our scheme */
    CHECK(!wb_sim_local_origin_ok(&l, "http://127.0.0.1:8081", 0));  /* another local server */
    CHECK(!wb_sim_local_origin_ok(&l, "http://127.0.0.1", 0));
    CHECK(!wb_sim_local_origin_ok(&l, "https://evil.example", 0));
    CHECK(!wb_sim_local_origin_ok(&l, "null", 0));
    CHECK(!wb_sim_local_origin_ok(&l, "http://127.0.0.1:8080/x", 0));
    CHECK(!wb_sim_local_origin_ok(&l, "http://localhost.evil.example:8080", 0));
    /* WhatsApp's origin is for the websocket only */
    CHECK(!wb_sim_local_origin_ok(&l, WB_SIM_WHATSAPP_ORIGIN, 0));
    CHECK(wb_sim_local_origin_ok(&l, WB_SIM_WHATSAPP_ORIGIN, 1));
    CHECK(!wb_sim_local_origin_ok(&l, "https://web.whatsapp.com.evil.example", 1));
    /* default ports are left out by browsers */
    wb_sim_local_init(&l, "127.0.0.1", 443, 1);
    CHECK(wb_sim_local_origin_ok(&l, "https://localhost", 0));
    CHECK(!wb_sim_local_origin_ok(&l, "http://localhost", 0));
}

static void test_sim_local_loopback_addresses(void) {
    CHECK(wb_sim_local_is_loopback("127.0.0.1"));
    CHECK(wb_sim_local_is_loopback("127.1.2.3"));
    CHECK(wb_sim_local_is_loopback("::1"));
    CHECK(!wb_sim_local_is_loopback("0.0.0.0"));
    CHECK(!wb_sim_local_is_loopback("::"));
    CHECK(!wb_sim_local_is_loopback("10.0.0.1"));
    CHECK(!wb_sim_local_is_loopback("localhost")); /* numeric addresses only */
    CHECK(!wb_sim_local_is_loopback(NULL));
}

int main(void) {
    RUN(test_sim_local_host_names_only_the_simulator);
    RUN(test_sim_local_origin_is_the_simulator_or_whatsapp);
    RUN(test_sim_local_loopback_addresses);
    return check_summary();
}
