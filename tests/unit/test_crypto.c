/* Unit tests for host/crypto: known-answer vectors from the RFCs and NIST publications for every
 * primitive, XEdDSA vectors produced by curve25519-js (libsignal-node's implementation), and
 * round trips with tampered inputs that must fail. */
#include <openssl/bn.h>

#include "check.h"
#include "core/err.h"
#include "crypto/aes.h"
#include "crypto/curve.h"
#include "crypto/field25519.h"
#include "crypto/hash.h"
#include "crypto/random.h"

/* Decodes a hex literal into buf (size cap) and returns the length. */
#define UNHEX(buf, hex) check_unhex((buf), sizeof(buf), (hex))

static void check_hex(const uint8_t *got, size_t len, const char *hex, const char *what) {
    uint8_t want[512];
    size_t n = UNHEX(want, hex);
    if (n != len || memcmp(got, want, n) != 0) {
        fprintf(stderr, "%s: %s differs from the vector\n", check_current, what);
        check_failures++;
    }
}

/* ---- X25519 (RFC 7748) -------------------------------------------------------------------- */

static void test_x25519_rfc7748_scalar_mult_vectors(void) {
    static const char *v[][3] = {
        {"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
         "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
         "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
        {"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
         "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
         "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t k[32], u[32], out[32];
        UNHEX(k, v[i][0]);
        UNHEX(u, v[i][1]);
        CHECK_EQ(wb_curve_agree(out, k, u), 0);
        check_hex(out, 32, v[i][2], "X25519 output");
    }
}

static void test_x25519_rfc7748_iterated_1000(void) {
    uint8_t k[32] = {9}, u[32] = {9}, r[32];
    for (int i = 1; i <= 1000; i++) {
        CHECK_EQ(wb_curve_agree(r, k, u), 0);
        memcpy(u, k, 32);
        memcpy(k, r, 32);
        if (i == 1)
            check_hex(k, 32, "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079",
                      "after 1 iteration");
    }
    check_hex(k, 32, "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51",
              "after 1,000 iterations");
}

static void test_x25519_rfc7748_diffie_hellman(void) {
    uint8_t a[32], b[32], apub[32], bpub[32], s1[32], s2[32];
    UNHEX(a, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    UNHEX(b, "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    wb_curve_public(apub, a);
    wb_curve_public(bpub, b);
    check_hex(apub, 32, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", "Alice's key");
    check_hex(bpub, 32, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", "Bob's key");
    CHECK_EQ(wb_curve_agree(s1, a, bpub), 0);
    CHECK_EQ(wb_curve_agree(s2, b, apub), 0);
    check_hex(s1, 32, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", "shared");
    CHECK_MEM(s1, s2, 32);
}

static void test_x25519_refuses_low_order_public_key(void) {
    uint8_t priv[32], out[32] = {0x55}, zero[32] = {0}, one[32] = {1};
    wb_random_bytes(priv, sizeof priv);
    CHECK_EQ(wb_curve_agree(out, priv, zero), WB_ECRYPTO);
    CHECK_EQ(wb_curve_agree(out, priv, one), WB_ECRYPTO);
    CHECK_EQ(out[0], 0x55); /* untouched on failure */
}

/* wb_keypair_generate computes the public key through the Edwards curve, wb_curve_public with
 * the Montgomery ladder: they must agree on every key. */
static void test_keypair_generate_is_clamped_and_consistent(void) {
    for (int i = 0; i < 300; i++) {
        wb_keypair kp, other;
        uint8_t pub[32], s1[32], s2[32];
        CHECK_EQ(wb_keypair_generate(&kp), 0);
        CHECK_EQ(wb_keypair_generate(&other), 0);
        CHECK_EQ(kp.priv[0] & 7, 0);
        CHECK_EQ(kp.priv[31] & 0xc0, 0x40);
        wb_curve_public(pub, kp.priv);
        CHECK_MEM(pub, kp.pub, 32);
        CHECK(memcmp(kp.priv, other.priv, 32) != 0);
        CHECK_EQ(wb_curve_agree(s1, kp.priv, other.pub), 0);
        CHECK_EQ(wb_curve_agree(s2, other.priv, kp.pub), 0);
        CHECK_MEM(s1, s2, 32);
    }
}

/* ---- field arithmetic for the curve maps (field25519.h) ------------------------------------ */

/* (x + a) / (sx x + b) mod p by OpenSSL's BIGNUM, the reference; -1 for a zero denominator. */
static int bn_fraction(uint8_t out[32], const uint8_t x_in[32], int a, int sx, int b) {
    uint8_t x_le[32];
    memcpy(x_le, x_in, 32);
    x_le[31] &= 0x7f;
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *p = BN_new(), *x = BN_new(), *num = BN_new(), *den = BN_new();
    int rc = -1;
    BN_set_bit(p, 255);
    BN_sub_word(p, 19);
    BN_lebin2bn(x_le, 32, x);
    BN_nnmod(x, x, p, ctx);
    BN_copy(num, x);
    a >= 0 ? BN_add_word(num, (BN_ULONG)a) : BN_sub_word(num, (BN_ULONG)-a);
    if (sx > 0)
        BN_copy(den, x);
    else
        BN_sub(den, p, x);
    b >= 0 ? BN_add_word(den, (BN_ULONG)b) : BN_sub_word(den, (BN_ULONG)-b);
    BN_nnmod(num, num, p, ctx);
    BN_nnmod(den, den, p, ctx);
    if (!BN_is_zero(den) && BN_mod_inverse(den, den, p, ctx) && BN_mod_mul(num, num, den, p, ctx) &&
        BN_bn2lebinpad(num, out, 32) == 32)
        rc = 0;
    BN_free(p), BN_free(x), BN_free(num), BN_free(den);
    BN_CTX_free(ctx);
    return rc;
}

/* Both maps, on random values and on every edge of the field (0, 1, p - 1, p, p + 1, values
 * above p, 2^255 - 1, the top bit set), agree with BIGNUM; a zero denominator is refused. */
static void test_field_fraction_matches_bignum(void) {
    static const int forms[][3] = {{1, -1, 1}, {-1, 1, 1}, {5, 1, -7}, {-3, -1, 2}};
    uint8_t x[32], got[32], want[32];
    for (int i = 0; i < 20000 + 64; i++) {
        if (i < 20000) {
            wb_random_bytes(x, sizeof x);
        } else { /* p + k for k in -8..23, with and without the ignored top bit */
            int k = (i - 20000) % 32 - 8;
            memset(x, 0xff, 32);
            x[31] = 0x7f;
            int v = 0xed + k; /* low byte of p is 0xed */
            x[0] = (uint8_t)v;
            if (v > 0xff) { /* p + k wrapped past 2^255 - 1: 0..k-19 */
                memset(x, 0, 32);
                x[0] = (uint8_t)(v - 0x100);
            }
            if (i - 20000 >= 32)
                x[31] |= 0x80;
        }
        const int *f = forms[i % 4];
        int rc = bn_fraction(want, x, f[0], f[1], f[2]);
        memset(got, 0x55, sizeof got);
        CHECK_EQ(wb_fe25519_fraction(got, x, f[0], f[1], f[2]), rc);
        if (rc == 0)
            CHECK_MEM(got, want, 32);
    }
    /* u = -1 = p - 1 has no Edwards point: u + 1 = 0 */
    memset(x, 0xff, 32);
    x[0] = 0xec;
    x[31] = 0x7f;
    memset(got, 0x55, sizeof got);
    CHECK_EQ(wb_fe25519_fraction(got, x, -1, 1, 1), -1);
    CHECK_EQ(got[0], 0x55);
    /* and the two maps are inverses */
    for (int i = 0; i < 1000; i++) {
        uint8_t y[32], u[32];
        wb_random_bytes(x, sizeof x);
        x[31] &= 0x3f; /* below p */
        CHECK_EQ(wb_fe25519_fraction(y, x, -1, 1, 1), 0);
        CHECK_EQ(wb_fe25519_fraction(u, y, 1, -1, 1), 0);
        CHECK_MEM(u, x, 32);
    }
}

/* ---- XEdDSA ------------------------------------------------------------------------------- */

/* Produced by curve25519-js 0.0.4 (libsignal-node's signer): generateKeyPair(seed) and
 * sign(priv, "wabot xeddsa known answer", random = ff fe fd ... c0). The first key's Edwards
 * sign bit is 1, the second's 0. sig_det is sign(priv, msg) without randomness. */
static const struct {
    const char *priv, *pub, *sig_rnd;
} xeddsa_vectors[] = {
    {"00080f161d242b323940474e555c636a71787f868d949ba2a9b0b7bec5ccd35a",
     "c8feca81be196cdf2cadeabf13c4903d7632dce4955aa68b6e5d9adef54e2616",
     "9e95268db528e4f75136d869be67de29d365c6bb9d09ae55320bcb0fb715c193"
     "57a7a862492ca504a4ef69f5a77055f2469928752e4c7073ba59b8754a032b85"},
    {"000910171e252c333a41484f565d646b727980878e959ca3aab1b8bfc6cdd45b",
     "73e79971c9110029723632a80b707bf4f62c125763346e1e8718d6c0dcc3aa3a",
     "9659e227163492a8498e49a301effbbd747ee740fbc2098878e6e56d889c64f9"
     "c96ac710b8ea3b238b82c2ffc9d6cb70d15ed4360f7cf8d4d54a5281d84c8e08"},
};
static const char xeddsa_msg[] = "wabot xeddsa known answer";

static void test_xeddsa_matches_curve25519_js_signatures(void) {
    uint8_t random[64];
    for (int i = 0; i < 64; i++)
        random[i] = (uint8_t)(255 - i);
    for (size_t i = 0; i < sizeof xeddsa_vectors / sizeof xeddsa_vectors[0]; i++) {
        uint8_t priv[32], pub[32], sig[64], want[64];
        UNHEX(priv, xeddsa_vectors[i].priv);
        UNHEX(want, xeddsa_vectors[i].sig_rnd);
        wb_curve_public(pub, priv);
        check_hex(pub, 32, xeddsa_vectors[i].pub, "public key");
        CHECK_EQ(wb_xeddsa_sign_rnd(sig, priv, (const uint8_t *)xeddsa_msg, strlen(xeddsa_msg),
                                    random),
                 0);
        CHECK_MEM(sig, want, 64);
        CHECK_EQ(wb_xeddsa_verify(pub, (const uint8_t *)xeddsa_msg, strlen(xeddsa_msg), want), 0);
    }
}

static void test_xeddsa_verifies_deterministic_curve25519_js_signature(void) {
    uint8_t pub[32], sig[64];
    UNHEX(pub, xeddsa_vectors[0].pub);
    UNHEX(sig, "40509fe9565b36a6e23800c50b2c453cc371ff1e348db1b57611774d8dc07eb1"
               "66e0877f95b14dd7480f43e855336a62cabbc462d8d92410a5d5fd0c68615d85");
    CHECK_EQ(wb_xeddsa_verify(pub, (const uint8_t *)xeddsa_msg, strlen(xeddsa_msg), sig), 0);
}

static void test_xeddsa_round_trip_and_every_flipped_bit_fails(void) {
    for (int round = 0; round < 8; round++) {
        wb_keypair kp;
        uint8_t msg[100], sig[64], pub[32];
        size_t len = (size_t)round * 13;
        CHECK_EQ(wb_keypair_generate(&kp), 0);
        wb_random_bytes(msg, sizeof msg);
        CHECK_EQ(wb_xeddsa_sign(sig, kp.priv, msg, len), 0);
        CHECK_EQ(wb_xeddsa_verify(kp.pub, msg, len, sig), 0);
        for (int bit = 0; bit < 512; bit++) { /* every bit of the signature */
            sig[bit / 8] ^= (uint8_t)(1 << (bit % 8));
            CHECK_EQ(wb_xeddsa_verify(kp.pub, msg, len, sig), WB_EBADSIG);
            sig[bit / 8] ^= (uint8_t)(1 << (bit % 8));
        }
        for (int bit = 0; bit < 255; bit++) { /* every bit of the key but the ignored top one */
            memcpy(pub, kp.pub, 32);
            pub[bit / 8] ^= (uint8_t)(1 << (bit % 8));
            CHECK_EQ(wb_xeddsa_verify(pub, msg, len, sig), WB_EBADSIG);
        }
        for (size_t bit = 0; bit < len * 8; bit += 5) {
            msg[bit / 8] ^= (uint8_t)(1 << (bit % 8));
            CHECK_EQ(wb_xeddsa_verify(kp.pub, msg, len, sig), WB_EBADSIG);
            msg[bit / 8] ^= (uint8_t)(1 << (bit % 8));
        }
        CHECK_EQ(wb_xeddsa_verify(kp.pub, msg, len + 1, sig), WB_EBADSIG);
    }
}

static void test_xeddsa_rejects_key_without_edwards_form(void) {
    /* u = p - 1 makes u + 1 = 0: there is no Edwards y. */
    uint8_t pub[32], sig[64] = {0};
    UNHEX(pub, "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    CHECK_EQ(wb_xeddsa_verify(pub, (const uint8_t *)"x", 1, sig), WB_EBADSIG);
    memset(sig, 7, sizeof sig);
    CHECK_EQ(wb_xeddsa_verify(pub, (const uint8_t *)"x", 1, sig), WB_EBADSIG);
}

/* ---- SHA-256 / SHA-512 (FIPS 180-2 examples) ------------------------------------------------ */

static const char abc448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const char abc896[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                             "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

/* Verification remembers the Edwards form of recent keys (curve.c): more keys than it holds,
 * used in turn, must each verify their own signatures and no one else's. */
static void test_xeddsa_verify_with_many_keys_in_turn_never_mixes_them(void) {
    enum { K = 11 };
    wb_keypair kp[K];
    uint8_t sig[K][64];
    const uint8_t msg[] = "sender key message";
    for (int i = 0; i < K; i++) {
        CHECK_EQ(wb_keypair_generate(&kp[i]), 0);
        CHECK_EQ(wb_xeddsa_sign(sig[i], kp[i].priv, msg, sizeof msg), 0);
    }
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < K; i++)
            for (int j = 0; j < K; j++)
                CHECK_EQ(wb_xeddsa_verify(kp[j].pub, msg, sizeof msg, sig[i]),
                         i == j ? 0 : WB_EBADSIG);
}

static void test_sha256_fips180_vectors(void) {
    uint8_t out[32];
    wb_sha256(out, "abc", 3);
    check_hex(out, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "abc");
    wb_sha256(out, "", 0);
    check_hex(out, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "empty");
    wb_sha256(out, abc448, strlen(abc448));
    check_hex(out, 32, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "448 bits");
    /* one million 'a', fed incrementally in uneven pieces */
    uint8_t a[1000];
    memset(a, 'a', sizeof a);
    wb_sha256_ctx c;
    wb_sha256_init(&c);
    for (size_t done = 0, step = 1; done < 1000000; step = step % 997 + 1) {
        size_t n = 1000000 - done < step ? 1000000 - done : step;
        wb_sha256_update(&c, a, n);
        done += n;
    }
    wb_sha256_final(&c, out);
    check_hex(out, 32, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", "million a");
}

static void test_sha512_fips180_vectors(void) {
    uint8_t out[64];
    wb_sha512(out, "abc", 3);
    check_hex(out, 64,
              "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
              "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f", "abc");
    wb_sha512(out, "", 0);
    check_hex(out, 64,
              "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
              "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e", "empty");
    wb_sha512(out, abc896, strlen(abc896));
    check_hex(out, 64,
              "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
              "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909", "896 bits");
}

/* ---- HMAC-SHA256 (RFC 4231) ------------------------------------------------------------------ */

static void test_hmac_sha256_rfc4231_vectors(void) {
    static const char big_key_data1[] = "Test Using Larger Than Block-Size Key - Hash Key First";
    static const char big_key_data2[] =
        "This is a test using a larger than block-size key and a larger than block-size data. "
        "The key needs to be hashed before being used by the HMAC algorithm.";
    uint8_t k0b[20], kaa20[20], kaa131[131], k0c[20], k25[25], dd[50], cd[50], out[32];
    memset(k0b, 0x0b, sizeof k0b);
    memset(kaa20, 0xaa, sizeof kaa20);
    memset(kaa131, 0xaa, sizeof kaa131);
    memset(k0c, 0x0c, sizeof k0c);
    for (int i = 0; i < 25; i++)
        k25[i] = (uint8_t)(i + 1);
    memset(dd, 0xdd, sizeof dd);
    memset(cd, 0xcd, sizeof cd);
    struct {
        const uint8_t *key;
        size_t keylen;
        const void *data;
        size_t len;
        const char *mac;
    } v[] = {
        {k0b, 20, "Hi There", 8, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {(const uint8_t *)"Jefe", 4, "what do ya want for nothing?", 28,
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        {kaa20, 20, dd, 50, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
        {k25, 25, cd, 50, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
        {k0c, 20, "Test With Truncation", 20, "a3b6167473100ee06e0c796c2955552b"},
        {kaa131, 131, big_key_data1, strlen(big_key_data1),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
        {kaa131, 131, big_key_data2, strlen(big_key_data2),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t want[32];
        size_t n = UNHEX(want, v[i].mac);
        wb_hmac_sha256(out, v[i].key, v[i].keylen, v[i].data, v[i].len);
        CHECK_MEM(out, want, n);
        /* the precomputed key: one-shot, then incremental in two pieces, twice over */
        wb_hmac h;
        wb_hmac_init(&h, v[i].key, v[i].keylen);
        wb_hmac_mac(&h, v[i].data, v[i].len, out);
        CHECK_MEM(out, want, n);
        for (int rep = 0; rep < 2; rep++) {
            wb_hmac_start(&h);
            wb_hmac_update(&h, v[i].data, v[i].len / 2);
            wb_hmac_update(&h, (const uint8_t *)v[i].data + v[i].len / 2, v[i].len - v[i].len / 2);
            wb_hmac_final(&h, out);
            CHECK_MEM(out, want, n);
        }
        wb_hmac_clear(&h);
    }
}

/* ---- HKDF (RFC 5869, test cases 1-3) -------------------------------------------------------- */

static void test_hkdf_rfc5869_vectors(void) {
    uint8_t ikm[80], salt[80], info[80], okm[82];
    /* case 1 */
    memset(ikm, 0x0b, 22);
    size_t sl = UNHEX(salt, "000102030405060708090a0b0c");
    size_t il = UNHEX(info, "f0f1f2f3f4f5f6f7f8f9");
    CHECK_EQ(wb_hkdf_sha256(okm, 42, ikm, 22, salt, sl, info, il), 0);
    check_hex(okm, 42,
              "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
              "case 1");
    /* case 2: 80-byte inputs, 82 bytes out */
    for (int i = 0; i < 80; i++) {
        ikm[i] = (uint8_t)i;
        salt[i] = (uint8_t)(0x60 + i);
        info[i] = (uint8_t)(0xb0 + i);
    }
    CHECK_EQ(wb_hkdf_sha256(okm, 82, ikm, 80, salt, 80, info, 80), 0);
    check_hex(okm, 82,
              "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
              "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
              "cc30c58179ec3e87c14c01d5c1f3434f1d87",
              "case 2");
    /* case 3: no salt, no info */
    memset(ikm, 0x0b, 22);
    CHECK_EQ(wb_hkdf_sha256(okm, 42, ikm, 22, NULL, 0, NULL, 0), 0);
    check_hex(okm, 42,
              "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
              "case 3");
    CHECK_EQ(wb_hkdf_sha256(okm, 255 * 32 + 1, ikm, 22, NULL, 0, NULL, 0), WB_EINVAL);
}

/* ---- PBKDF2-HMAC-SHA256 (RFC 7914 §11) ------------------------------------------------------- */

static void test_pbkdf2_sha256_rfc7914_vectors(void) {
    uint8_t out[64];
    CHECK_EQ(wb_pbkdf2_sha256(out, 64, (const uint8_t *)"passwd", 6, (const uint8_t *)"salt", 4, 1), 0);
    check_hex(out, 64,
              "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
              "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783", "c = 1");
    CHECK_EQ(wb_pbkdf2_sha256(out, 64, (const uint8_t *)"Password", 8, (const uint8_t *)"NaCl", 4,
                              80000),
             0);
    check_hex(out, 64,
              "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
              "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d", "c = 80000");
    CHECK_EQ(wb_pbkdf2_sha256(out, 32, (const uint8_t *)"p", 1, (const uint8_t *)"s", 1, 0), WB_EINVAL);
}

/* ---- AES-256-GCM (the GCM specification's test cases 13-16, 256-bit key) -------------------- */

static const char gcm_key15[] = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
static const char gcm_iv15[] = "cafebabefacedbaddecaf888";
static const char gcm_pt15[] = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                               "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
static const char gcm_ct15[] = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                               "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad";

static void test_gcm_spec_test_cases_13_to_16(void) {
    struct {
        const char *key, *iv, *aad, *pt, *ct, *tag;
        size_t ptlen; /* bytes of pt/ct to use */
    } v[] = {
        {"", "", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b", 0},
        {"", "", "", "00000000000000000000000000000000", "cea7403d4d606b6e074ec5d3baf39d18",
         "d0d1c8a799996bf0265b98b5d48ab919", 16},
        {gcm_key15, gcm_iv15, "", gcm_pt15, gcm_ct15, "b094dac5d93471bdec1a502270e3cc6c", 64},
        {gcm_key15, gcm_iv15, "feedfacedeadbeeffeedfacedeadbeefabaddad2", gcm_pt15, gcm_ct15,
         "76fc6ece0f4e1768cddf8853bb2d551b", 60},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t key[32] = {0}, iv[12] = {0}, aad[32], pt[64], ct[64], tag[16], out[80], back[64];
        UNHEX(key, v[i].key);
        UNHEX(iv, v[i].iv);
        size_t al = UNHEX(aad, v[i].aad);
        UNHEX(pt, v[i].pt);
        UNHEX(ct, v[i].ct);
        UNHEX(tag, v[i].tag);
        size_t n = v[i].ptlen;
        CHECK_EQ(wb_aes_gcm_seal(key, iv, aad, al, pt, n, out), 0);
        CHECK_MEM(out, ct, n);
        CHECK_MEM(out + n, tag, 16);
        CHECK_EQ(wb_aes_gcm_open(key, iv, aad, al, out, n + 16, back), 0);
        CHECK_MEM(back, pt, n);
        /* the keyed context, several calls on the same key, in place */
        wb_gcm *g;
        CHECK_EQ(wb_gcm_new(&g, key), 0);
        for (int rep = 0; rep < 3; rep++) {
            memcpy(out, pt, n);
            CHECK_EQ(wb_gcm_seal(g, iv, aad, al, out, n, out), 0);
            CHECK_MEM(out, ct, n);
            CHECK_MEM(out + n, tag, 16);
            CHECK_EQ(wb_gcm_open(g, iv, aad, al, out, n + 16, out), 0);
            CHECK_MEM(out, pt, n);
        }
        wb_gcm_free(g);
    }
}

static void test_gcm_rejects_tampered_tag_ciphertext_aad_and_iv(void) {
    uint8_t key[32], iv[12], aad[20], pt[64], sealed[80], work[80], out[64];
    UNHEX(key, gcm_key15);
    UNHEX(iv, gcm_iv15);
    UNHEX(aad, "feedfacedeadbeeffeedfacedeadbeefabaddad2");
    UNHEX(pt, gcm_pt15);
    wb_gcm *g;
    CHECK_EQ(wb_gcm_new(&g, key), 0);
    CHECK_EQ(wb_gcm_seal(g, iv, aad, 20, pt, 60, sealed), 0);
    for (size_t i = 0; i < 76; i++) { /* a flipped bit anywhere in ciphertext or tag */
        memcpy(work, sealed, 76);
        work[i] ^= (uint8_t)(1 << (i % 8));
        memset(out, 0x33, sizeof out);
        CHECK_EQ(wb_gcm_open(g, iv, aad, 20, work, 76, out), WB_EAUTH);
        for (size_t j = 0; j < 60; j++)
            CHECK_EQ(out[j], 0); /* no unauthenticated plaintext left behind */
    }
    aad[3] ^= 1;
    CHECK_EQ(wb_gcm_open(g, iv, aad, 20, sealed, 76, out), WB_EAUTH);
    aad[3] ^= 1;
    iv[11] ^= 1;
    CHECK_EQ(wb_gcm_open(g, iv, aad, 20, sealed, 76, out), WB_EAUTH);
    iv[11] ^= 1;
    CHECK_EQ(wb_gcm_open(g, iv, aad, 20, sealed, 75, out), WB_EAUTH); /* truncated */
    CHECK_EQ(wb_gcm_open(g, iv, aad, 20, sealed, 15, out), WB_ETRUNC);
    CHECK_EQ(wb_gcm_open(g, iv, aad, 20, sealed, 76, out), 0); /* the context still works */
    CHECK_MEM(out, pt, 60);
    wb_gcm_free(g);
    wb_gcm_free(NULL);
}

/* ---- AES-256-CBC and CTR (NIST SP 800-38A F.2.5, F.5.5) ------------------------------------- */

static const char sp38a_key[] = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
static const char sp38a_pt[] = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
                               "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";

static void test_cbc_sp800_38a_vector_with_pkcs7(void) {
    uint8_t key[32], iv[16], pt[64], out[80], back[80];
    size_t n = 0;
    UNHEX(key, sp38a_key);
    UNHEX(iv, "000102030405060708090a0b0c0d0e0f");
    UNHEX(pt, sp38a_pt);
    CHECK_EQ(wb_aes_cbc_encrypt(key, iv, pt, 64, out, &n), 0);
    CHECK_EQ(n, 80); /* a whole block of padding follows */
    check_hex(out, 64,
              "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
              "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b",
              "CBC ciphertext");
    CHECK_EQ(wb_aes_cbc_decrypt(key, iv, out, 80, back, &n), 0);
    CHECK_EQ(n, 64);
    CHECK_MEM(back, pt, 64);
}

static void test_cbc_round_trips_every_length_and_rejects_bad_padding(void) {
    uint8_t key[32], iv[16], pt[40], out[48], back[48];
    wb_random_bytes(key, sizeof key);
    wb_random_bytes(iv, sizeof iv);
    wb_random_bytes(pt, sizeof pt);
    for (size_t len = 0; len <= 33; len++) {
        size_t n = 0, m = 0;
        CHECK_EQ(wb_aes_cbc_encrypt(key, iv, pt, len, out, &n), 0);
        CHECK_EQ(n, (len / 16 + 1) * 16);
        CHECK_EQ(wb_aes_cbc_decrypt(key, iv, out, n, back, &m), 0);
        CHECK_EQ(m, len);
        CHECK_MEM(back, pt, len);
        /* in place */
        memcpy(back, pt, len);
        CHECK_EQ(wb_aes_cbc_encrypt(key, iv, back, len, back, &m), 0);
        CHECK_MEM(back, out, n);
    }
    /* a last block that decrypts to bad padding: flip the previous block, or the IV */
    size_t n = 0, m = 0;
    CHECK_EQ(wb_aes_cbc_encrypt(key, iv, pt, 20, out, &n), 0);
    out[15] ^= 0x01; /* pad byte 12 becomes 13 */
    CHECK_EQ(wb_aes_cbc_decrypt(key, iv, out, n, back, &m), WB_EAUTH);
    out[15] ^= 0x01;
    out[15] ^= (uint8_t)(12 ^ 17); /* pad byte 17 */
    CHECK_EQ(wb_aes_cbc_decrypt(key, iv, out, n, back, &m), WB_EAUTH);
    out[15] ^= (uint8_t)(12 ^ 17);
    out[15] ^= 12; /* pad byte 0 */
    CHECK_EQ(wb_aes_cbc_decrypt(key, iv, out, n, back, &m), WB_EAUTH);
    out[15] ^= 12;
    CHECK_EQ(wb_aes_cbc_decrypt(key, iv, out, 0, back, &m), WB_EMALFORMED);
    CHECK_EQ(wb_aes_cbc_decrypt(key, iv, out, 17, back, &m), WB_EMALFORMED);
    CHECK_EQ(wb_aes_cbc_decrypt(key, iv, out, n, back, &m), 0);
    CHECK_EQ(m, 20);
}

static void test_ctr_sp800_38a_vector(void) {
    uint8_t key[32], iv[16], pt[64], out[64], back[64];
    UNHEX(key, sp38a_key);
    UNHEX(iv, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    UNHEX(pt, sp38a_pt);
    CHECK_EQ(wb_aes_ctr(key, iv, pt, 64, out), 0);
    check_hex(out, 64,
              "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5"
              "2b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6",
              "CTR ciphertext");
    CHECK_EQ(wb_aes_ctr(key, iv, out, 61, back), 0); /* a partial last block */
    CHECK_MEM(back, pt, 61);
}

int main(void) {
    if (wb_crypto_init() < 0)
        return 1;
    RUN(test_x25519_rfc7748_scalar_mult_vectors);
    RUN(test_x25519_rfc7748_iterated_1000);
    RUN(test_x25519_rfc7748_diffie_hellman);
    RUN(test_x25519_refuses_low_order_public_key);
    RUN(test_keypair_generate_is_clamped_and_consistent);
    RUN(test_field_fraction_matches_bignum);
    RUN(test_xeddsa_matches_curve25519_js_signatures);
    RUN(test_xeddsa_verifies_deterministic_curve25519_js_signature);
    RUN(test_xeddsa_round_trip_and_every_flipped_bit_fails);
    RUN(test_xeddsa_rejects_key_without_edwards_form);
    RUN(test_xeddsa_verify_with_many_keys_in_turn_never_mixes_them);
    RUN(test_sha256_fips180_vectors);
    RUN(test_sha512_fips180_vectors);
    RUN(test_hmac_sha256_rfc4231_vectors);
    RUN(test_hkdf_rfc5869_vectors);
    RUN(test_pbkdf2_sha256_rfc7914_vectors);
    RUN(test_gcm_spec_test_cases_13_to_16);
    RUN(test_gcm_rejects_tampered_tag_ciphertext_aad_and_iv);
    RUN(test_cbc_sp800_38a_vector_with_pkcs7);
    RUN(test_cbc_round_trips_every_length_and_rejects_bad_padding);
    RUN(test_ctr_sp800_38a_vector);
    return check_summary();
}
