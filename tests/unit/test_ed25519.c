/* Unit tests for the Ed25519 verifier with per-key tables (host/crypto/ed25519_verify.c) and its
 * use by XEdDSA verification: RFC 8032 vectors, and above all agreement with libsodium's
 * crypto_sign_ed25519_verify_detached on many random keys, messages and signatures, untouched
 * and with single bits flipped, on non-canonical S and on an R that encodes the identity. */
#include <pthread.h>
#include <sodium.h>

#include "check.h"
#include "core/err.h"
#include "crypto/curve.h"
#include "crypto/ed25519_verify.h"
#include "crypto/random.h"

#define UNHEX(buf, hex) check_unhex((buf), sizeof(buf), (hex))

/* L, the order of the base point, little-endian. */
static const uint8_t L_bytes[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
                                    0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                                    0,    0,    0,    0,    0,    0,    0,    0,
                                    0,    0,    0,    0,    0,    0,    0,    0x10};

/* Random iterations: 20,000 in the normal build; the sanitizer build (unoptimised, instrumented,
 * a few dozen times slower) runs a tenth, enough for ASan and UBSan to see every path. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifdef SANITIZED
enum { RANDOM_SIGS = 2000 };
#else
enum { RANDOM_SIGS = 20000 };
#endif

/* Our verdict for (pub, msg, sig) when pub gets a table, else -1 (refused at init). */
static int ours(const uint8_t pub[32], const uint8_t *msg, size_t len, const uint8_t sig[64]) {
    static wb_ed_key *k;
    static uint8_t built[32]; /* the key k holds, so that one key's checks build one table */
    static int have;
    if (!k)
        k = wb_ed_key_new();
    if (!k)
        return -1;
    if (!have || memcmp(built, pub, 32) != 0) {
        have = wb_ed_key_init(k, pub) == 0;
        if (!have)
            return -1;
        memcpy(built, pub, 32);
    }
    return wb_ed_key_verify(k, msg, len, sig) == 0;
}

static int sodium_ok(const uint8_t pub[32], const uint8_t *msg, size_t len, const uint8_t sig[64]) {
    return crypto_sign_ed25519_verify_detached(sig, msg, len, pub) == 0;
}

/* ---- RFC 8032 section 7.1 ------------------------------------------------------------------ */

static const char rfc_msg_1024[] =
    "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98"
    "fa6e264bf09efe12ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d8"
    "79de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d"
    "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc"
    "1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4fe"
    "ba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e"
    "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbef"
    "efd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7"
    "aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1"
    "85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2"
    "d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24"
    "554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270"
    "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc"
    "2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b07"
    "07e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba"
    "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51a"
    "ddd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429e"
    "c96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7"
    "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c"
    "42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8"
    "ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df"
    "f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08"
    "d78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649"
    "de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4"
    "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a3"
    "2ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e"
    "6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f"
    "b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b5"
    "0d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef1"
    "369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d"
    "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c"
    "0618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0";

static const struct {
    const char *name, *seed, *pub, *msg, *sig;
} rfc_vectors[] = {
    {"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b4"
     "6bd25bf5f0595bbe24655141438e7a100b"},
    {"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d"
     "8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6"
     "594a7c15e9716ed28dc027beceea1ec40a"},
    {"TEST 1024", "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
     "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e", rfc_msg_1024,
     "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436d9"
     "4b5e8fcd4f681e30a6ac00a9704a188a03"},
};

static void test_rfc8032_vectors(void) {
    for (size_t i = 0; i < sizeof rfc_vectors / sizeof rfc_vectors[0]; i++) {
        uint8_t seed[32], pub[32], sig[64], msg[1023], pk[32], sk[64], mine[64];
        CHECK_EQ(UNHEX(seed, rfc_vectors[i].seed), 32);
        CHECK_EQ(UNHEX(pub, rfc_vectors[i].pub), 32);
        CHECK_EQ(UNHEX(sig, rfc_vectors[i].sig), 64);
        size_t len = UNHEX(msg, rfc_vectors[i].msg);
        CHECK_EQ(len, strlen(rfc_vectors[i].msg) / 2);
        /* the vector itself, through libsodium: the key and the signature are reproduced */
        crypto_sign_seed_keypair(pk, sk, seed);
        CHECK_MEM(pk, pub, 32);
        crypto_sign_detached(mine, NULL, msg, len, sk);
        CHECK_MEM(mine, sig, 64);
        CHECK(sodium_ok(pub, msg, len, sig));
        CHECK_EQ(ours(pub, msg, len, sig), 1);
        /* one bit off anywhere and it fails */
        sig[i * 7] ^= 1;
        CHECK_EQ(ours(pub, msg, len, sig), 0);
        sig[i * 7] ^= 1;
        sig[40 + i] ^= 0x10;
        CHECK_EQ(ours(pub, msg, len, sig), 0);
        sig[40 + i] ^= 0x10;
        if (len) {
            msg[len - 1] ^= 0x80;
            CHECK_EQ(ours(pub, msg, len, sig), 0);
        }
    }
}

/* ---- agreement with libsodium on random signatures ------------------------------------------ */

static size_t agree_failures;

static void agree(const uint8_t pub[32], const uint8_t *msg, size_t len, const uint8_t sig[64]) {
    int want = sodium_ok(pub, msg, len, sig);
    int got = ours(pub, msg, len, sig);
    if (got < 0) {
        /* refused at init: only for a key libsodium's own validity check refuses */
        if (crypto_core_ed25519_is_valid_point(pub) == 1)
            agree_failures++;
        return;
    }
    if (got != want)
        agree_failures++;
}

static void flip(uint8_t *p, size_t bit) { p[bit / 8] ^= (uint8_t)(1u << (bit % 8)); }

static void test_random_signatures_agree_with_libsodium(void) {
    uint8_t pk[32], sk[64], sig[64], msg[200];
    size_t accepted = 0;
    agree_failures = 0;
    for (int n = 0; n < RANDOM_SIGS; n++) {
        size_t len = wb_random_uniform(sizeof msg + 1);
        wb_random_bytes(msg, len);
        crypto_sign_keypair(pk, sk);
        crypto_sign_detached(sig, NULL, msg, len, sk);
        if (sodium_ok(pk, msg, len, sig) && ours(pk, msg, len, sig) == 1)
            accepted++;
        /* one random bit of R, of S, of the message and of the key */
        size_t b = wb_random_uniform(256);
        flip(sig, b);
        agree(pk, msg, len, sig);
        flip(sig, b);
        b = 256 + wb_random_uniform(256);
        flip(sig, b);
        agree(pk, msg, len, sig);
        flip(sig, b);
        if (len) {
            b = wb_random_uniform(len * 8);
            flip(msg, b);
            agree(pk, msg, len, sig);
            flip(msg, b);
        }
        b = wb_random_uniform(256);
        flip(pk, b);
        agree(pk, msg, len, sig);
        flip(pk, b);
    }
    CHECK_EQ(accepted, RANDOM_SIGS);
    CHECK_EQ(agree_failures, 0);
}

/* Every single bit of R, S, the key and the message, on a few signatures. */
static void test_every_flipped_bit_agrees_with_libsodium(void) {
    uint8_t pk[32], sk[64], sig[64], msg[24];
    agree_failures = 0;
    for (int n = 0; n < 4; n++) {
        wb_random_bytes(msg, sizeof msg);
        crypto_sign_keypair(pk, sk);
        crypto_sign_detached(sig, NULL, msg, sizeof msg, sk);
        for (size_t b = 0; b < 512; b++) {
            flip(sig, b);
            agree(pk, msg, sizeof msg, sig);
            flip(sig, b);
        }
        for (size_t b = 0; b < 256; b++) {
            flip(pk, b);
            agree(pk, msg, sizeof msg, sig);
            flip(pk, b);
        }
        for (size_t b = 0; b < sizeof msg * 8; b++) {
            flip(msg, b);
            agree(pk, msg, sizeof msg, sig);
            flip(msg, b);
        }
    }
    CHECK_EQ(agree_failures, 0);
}

/* s + L: the same scalar, not canonical; libsodium refuses it and so must we. */
static void test_non_canonical_s_is_refused(void) {
    uint8_t pk[32], sk[64], sig[64], msg[16];
    for (int n = 0; n < 50; n++) {
        wb_random_bytes(msg, sizeof msg);
        crypto_sign_keypair(pk, sk);
        crypto_sign_detached(sig, NULL, msg, sizeof msg, sk);
        unsigned carry = 0;
        for (int i = 0; i < 32; i++) {
            carry += (unsigned)sig[32 + i] + L_bytes[i];
            sig[32 + i] = (uint8_t)carry;
            carry >>= 8;
        }
        CHECK_EQ(carry, 0); /* S + L < 2^254 */
        CHECK(!sodium_ok(pk, msg, sizeof msg, sig));
        CHECK_EQ(ours(pk, msg, sizeof msg, sig), 0);
    }
}

/* R = the identity: refused with any S, including the one S = h a for which [S]B - [h]A is the
 * identity, so that R' would match R byte for byte if the identity were not refused. */
static void test_identity_r_is_refused(void) {
    uint8_t pk[32], sk[64], sig[64], msg[16], hash[64], a[32], h[32], wide[64] = {0};
    crypto_sign_keypair(pk, sk);
    wb_random_bytes(msg, sizeof msg);
    /* a: the clamped first half of SHA-512(seed), the signing scalar, reduced mod L */
    crypto_hash_sha512(hash, sk, 32);
    hash[0] &= 248;
    hash[31] &= 127;
    hash[31] |= 64;
    memcpy(wide, hash, 32);
    crypto_core_ed25519_scalar_reduce(a, wide);
    static const char *identities[] = {
        "0100000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000080",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    };
    for (size_t i = 0; i < 4; i++) {
        UNHEX(sig, identities[i]);
        crypto_hash_sha512_state st;
        crypto_hash_sha512_init(&st);
        crypto_hash_sha512_update(&st, sig, 32);
        crypto_hash_sha512_update(&st, pk, 32);
        crypto_hash_sha512_update(&st, msg, sizeof msg);
        crypto_hash_sha512_final(&st, hash);
        crypto_core_ed25519_scalar_reduce(h, hash);
        crypto_core_ed25519_scalar_mul(sig + 32, h, a);
        CHECK(!sodium_ok(pk, msg, sizeof msg, sig));
        CHECK_EQ(ours(pk, msg, sizeof msg, sig), 0);
        for (int n = 0; n < 20; n++) {
            wb_random_bytes(sig + 32, 32);
            sig[63] &= 0x0f;
            CHECK(!sodium_ok(pk, msg, sizeof msg, sig));
            CHECK_EQ(ours(pk, msg, sizeof msg, sig), 0);
        }
    }
}

/* Keys libsodium's validity check refuses are refused at init: small order, off the curve,
 * non-canonical, outside the prime-order subgroup. */
static void test_invalid_keys_are_refused_at_init(void) {
    static const char *bad[] = {
        "0100000000000000000000000000000000000000000000000000000000000000", /* identity */
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* y = -1, order 2 */
        "0000000000000000000000000000000000000000000000000000000000000000", /* order 4 */
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* y = p */
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", /* order 8 */
    };
    wb_ed_key *k = wb_ed_key_new();
    CHECK(k != NULL);
    uint8_t pub[32];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        UNHEX(pub, bad[i]);
        CHECK_EQ(wb_ed_key_init(k, pub), WB_EBADSIG);
    }
    /* A + (a point of order 2): on the curve, not small order, not in the subgroup */
    uint8_t pk[32], sk[64], t[32];
    crypto_sign_keypair(pk, sk);
    UNHEX(t, bad[1]);
    CHECK_EQ(crypto_core_ed25519_add(pub, pk, t), 0);
    CHECK_EQ(crypto_core_ed25519_is_valid_point(pub), 0);
    CHECK_EQ(wb_ed_key_init(k, pub), WB_EBADSIG);
    CHECK_EQ(wb_ed_key_init(k, pk), 0);
    wb_ed_key_free(k);
}

/* ---- the reduction mod L -------------------------------------------------------------------- */

/* out = in mod L by long division one bit at a time, the simplest correct reference: r stays
 * below L, so 2r + bit stays below 2L < 2^254 and one subtraction brings it back. */
static void reduce_reference(uint8_t out[32], const uint8_t in[64]) {
    uint8_t r[33] = {0};
    for (int bit = 511; bit >= 0; bit--) {
        unsigned c = (in[bit / 8] >> (bit % 8)) & 1;
        for (int i = 0; i < 33; i++) {
            unsigned v = (unsigned)r[i] << 1 | c;
            r[i] = (uint8_t)v;
            c = v >> 8;
        }
        int ge = 1; /* r >= L ? */
        for (int i = 32; i >= 0; i--) {
            uint8_t l = i < 32 ? L_bytes[i] : 0;
            if (r[i] != l) {
                ge = r[i] > l;
                break;
            }
        }
        if (ge) {
            int borrow = 0;
            for (int i = 0; i < 33; i++) {
                int v = r[i] - (i < 32 ? L_bytes[i] : 0) - borrow;
                borrow = v < 0;
                r[i] = (uint8_t)v;
            }
        }
    }
    memcpy(out, r, 32);
}

static int reduce_agrees(const uint8_t in[64]) {
    uint8_t got[32], want[32], lib[32];
    wb_ed_scalar_reduce(got, in);
    reduce_reference(want, in);
    crypto_core_ed25519_scalar_reduce(lib, in);
    return memcmp(got, want, 32) == 0 && memcmp(lib, want, 32) == 0;
}

static void test_scalar_reduce_matches_long_division(void) {
    uint8_t in[64];
    memset(in, 0, sizeof in); /* 0 */
    CHECK(reduce_agrees(in));
    memcpy(in, L_bytes, 32); /* L */
    CHECK(reduce_agrees(in));
    in[0]--; /* L - 1 */
    CHECK(reduce_agrees(in));
    memset(in, 0xff, sizeof in); /* 2^512 - 1 */
    CHECK(reduce_agrees(in));
    /* k L + d for small k and d near the edges of Barrett's estimate */
    for (unsigned k = 1; k < 300; k += 7)
        for (int d = -2; d <= 2; d++) {
            memset(in, 0, sizeof in);
            unsigned c = 0;
            for (int i = 0; i < 33; i++) {
                c += (i < 32 ? L_bytes[i] : 0) * k;
                in[i] = (uint8_t)c;
                c >>= 8;
            }
            in[33] = (uint8_t)c;
            if (d < 0)
                for (int i = 0, b = -d; i < 64 && b; i++) {
                    int v = in[i] - b;
                    in[i] = (uint8_t)v;
                    b = v < 0;
                }
            else
                in[0] = (uint8_t)(in[0] + d); /* L's low byte is 0xed: k L's is never 0xfe+ */
            CHECK(reduce_agrees(in));
        }
    int bad = 0;
    for (int n = 0; n < 20000; n++) {
        wb_random_bytes(in, sizeof in);
        /* also shorter inputs (high bytes zero), whose quotients are small or zero */
        if (n % 4 == 1) {
            size_t keep = wb_random_uniform(64);
            memset(in + keep, 0, 64 - keep);
        }
        bad += !reduce_agrees(in);
    }
    CHECK_EQ(bad, 0);
}

/* ---- XEdDSA with cached keys (curve.c) ----------------------------------------------------- */

/* Six keys (more than a thread caches) signing in turn: every signature verifies, first through
 * libsodium and then through a table, and a flipped bit always fails. */
static void *xeddsa_many_keys(void *arg) {
    int *failures = arg;
    wb_keypair kp[6];
    uint8_t msg[64], sig[WB_SIG_LEN];
    for (int i = 0; i < 6; i++)
        if (wb_keypair_generate(&kp[i]) < 0)
            (*failures)++;
    for (int round = 0; round < 8; round++)
        for (int i = 0; i < 6; i++) {
            int who = round < 4 ? i : i % 3; /* later rounds: three keys, all with tables */
            wb_random_bytes(msg, sizeof msg);
            if (wb_xeddsa_sign(sig, kp[who].priv, msg, sizeof msg) < 0 ||
                wb_xeddsa_verify(kp[who].pub, msg, sizeof msg, sig) != 0)
                (*failures)++;
            sig[round] ^= 4;
            if (wb_xeddsa_verify(kp[who].pub, msg, sizeof msg, sig) != WB_EBADSIG)
                (*failures)++;
            sig[round] ^= 4;
            sig[63] ^= 0x80; /* the sign bit: another Edwards key */
            if (wb_xeddsa_verify(kp[who].pub, msg, sizeof msg, sig) != WB_EBADSIG)
                (*failures)++;
            sig[63] ^= 0x80;
            if (wb_xeddsa_verify(kp[(who + 1) % 6].pub, msg, sizeof msg, sig) != WB_EBADSIG)
                (*failures)++;
        }
    return NULL;
}

static void test_xeddsa_cached_keys_on_two_threads(void) {
    int main_failures = 0, thread_failures = 0;
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, xeddsa_many_keys, &thread_failures), 0);
    xeddsa_many_keys(&main_failures);
    CHECK_EQ(pthread_join(t, NULL), 0); /* the thread's cache is freed as it exits (LSan) */
    CHECK_EQ(main_failures, 0);
    CHECK_EQ(thread_failures, 0);
}

int main(void) {
    if (wb_crypto_init() < 0)
        return 1;
    RUN(test_rfc8032_vectors);
    RUN(test_scalar_reduce_matches_long_division);
    RUN(test_non_canonical_s_is_refused);
    RUN(test_identity_r_is_refused);
    RUN(test_invalid_keys_are_refused_at_init);
    RUN(test_every_flipped_bit_agrees_with_libsodium);
    RUN(test_random_signatures_agree_with_libsodium);
    RUN(test_xeddsa_cached_keys_on_two_threads);
    return check_summary();
}
