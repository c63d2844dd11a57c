/* Crypto micro-benchmarks (wabot only: they compare wabot's code with libsodium, in one run).
 *
 *   ed25519-verify-cached   Ed25519 verification of one key's signatures on 100-byte messages
 *                           (a SenderKeyMessage's size): wb_ed_key_verify with the key's table
 *                           built, against libsodium's crypto_sign_ed25519_verify_detached.
 *                           Printed on stderr as both rates, the time ratio and the cost of
 *                           building a table; the value returned is ours per second. */
#include <sodium.h>
#include <stdio.h>

#include "bench.h"
#include "crypto/ed25519_verify.h"
#include "crypto/random.h"

enum { SIGS = 64, MSG_LEN = 100 };

static struct {
    uint8_t pk[32], msg[SIGS][MSG_LEN], sig[SIGS][64];
    wb_ed_key *key;
    unsigned next;
} V;

static int verify_ours(void *ctx) {
    unsigned i = V.next++ % SIGS;
    return wb_ed_key_verify(V.key, V.msg[i], MSG_LEN, V.sig[i]) != 0;
}

static int verify_sodium(void *ctx) {
    unsigned i = V.next++ % SIGS;
    return crypto_sign_ed25519_verify_detached(V.sig[i], V.msg[i], MSG_LEN, V.pk) != 0;
}

static int build_table(void *ctx) { return wb_ed_key_init(V.key, V.pk) != 0; }

static double best(int (*op)(void *), int runs) {
    double r = 0;
    for (int i = 0; i < runs; i++) {
        double x = bench_measure(op, NULL, 0.2);
        if (x < 0)
            return -1;
        if (x > r)
            r = x;
    }
    return r;
}

static double bench_ed25519_verify_cached(const char *datadir) {
    uint8_t sk[64];
    crypto_sign_keypair(V.pk, sk);
    for (int i = 0; i < SIGS; i++) {
        wb_random_bytes(V.msg[i], MSG_LEN);
        crypto_sign_detached(V.sig[i], NULL, V.msg[i], MSG_LEN, sk);
    }
    V.key = wb_ed_key_new();
    if (!V.key || wb_ed_key_init(V.key, V.pk) != 0)
        return -1;
    /* interleaved in short turns, best of ten each, so both sides see the same machine load */
    double ours = 0, sodium = 0;
    for (int i = 0; i < 10; i++) {
        double a = best(verify_ours, 1), b = best(verify_sodium, 1);
        if (a < 0 || b < 0)
            return -1;
        ours = a > ours ? a : ours;
        sodium = b > sodium ? b : sodium;
    }
    double build = best(build_table, 1);
    wb_ed_key_free(V.key);
    if (build < 0)
        return -1;
    fprintf(stderr,
            "ed25519-verify-cached: ours %.0f/s (%.1f us) libsodium %.0f/s (%.1f us) "
            "ours/libsodium time %.2f; table build %.1f us\n",
            ours, 1e6 / ours, sodium, 1e6 / sodium, sodium / ours, 1e6 / build);
    return ours;
}

const wb_bench bench_crypto[] = {
    {"ed25519-verify-cached", bench_ed25519_verify_cached},
    {NULL, NULL},
};
