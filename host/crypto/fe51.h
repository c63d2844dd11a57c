/* Arithmetic mod p = 2^255 - 19 in five 51-bit limbs with 128-bit products (the representation
 * of curve25519-donna and libsodium's fe_51), private to host/crypto: the Montgomery/Edwards maps
 * (field25519.c) and the Ed25519 verifier for repeated keys (ed25519_verify.c). libsodium keeps
 * its own field arithmetic private. Everything here is variable time and only ever sees public
 * values (keys, signatures, messages' hashes).
 *
 * Limb bounds, which every caller must respect: fe_mul and fe_sq take limbs below 2^54 and give
 * limbs below 2^52; fe_add does not carry (two inputs below 2^53 give limbs below 2^54); fe_sub
 * and fe_neg carry, so they take limbs below 2^54 and give limbs below 2^52; fe_sub_nc does not
 * (a below 2^53 minus b below 2^52 gives limbs below 2^54), for a difference that only goes into
 * a multiplication. fe_load gives limbs below 2^51. The functions are static inline: a point
 * operation is a handful of them and the call overhead would be a tenth of its cost. */
#ifndef WB_CRYPTO_FE51_H
#define WB_CRYPTO_FE51_H

#include <stdint.h>
#include <string.h>

typedef unsigned __int128 wb_u128;
typedef struct {
    uint64_t v[5];
} fe;

#define FE_MASK51 ((UINT64_C(1) << 51) - 1)

static inline uint64_t fe_load64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static inline void fe_store64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

/* f = the 255 low bits of s (little-endian; the top bit is ignored and values >= p are kept as
 * they are: fe_store reduces them). */
static inline void fe_load(fe *f, const uint8_t s[32]) {
    uint64_t w0 = fe_load64(s), w1 = fe_load64(s + 8), w2 = fe_load64(s + 16),
             w3 = fe_load64(s + 24) & (UINT64_MAX >> 1);
    f->v[0] = w0 & FE_MASK51;
    f->v[1] = (w0 >> 51 | w1 << 13) & FE_MASK51;
    f->v[2] = (w1 >> 38 | w2 << 26) & FE_MASK51;
    f->v[3] = (w2 >> 25 | w3 << 39) & FE_MASK51;
    f->v[4] = w3 >> 12;
}

static inline void fe_set_small(fe *f, uint64_t c) {
    memset(f, 0, sizeof *f);
    f->v[0] = c;
}

/* Carries every limb below 2^51 (limb 0 below 2^51 + 19 * 2^13), folding the part above 2^255
 * back in as 19 times itself. */
static inline void fe_carry(uint64_t t[5]) {
    for (int i = 0; i < 4; i++) {
        t[i + 1] += t[i] >> 51;
        t[i] &= FE_MASK51;
    }
    t[0] += 19 * (t[4] >> 51);
    t[4] &= FE_MASK51;
}

/* The canonical encoding: fully reduced below p, top bit clear. */
static inline void fe_store(uint8_t s[32], const fe *f) {
    uint64_t t[5];
    memcpy(t, f->v, sizeof t);
    /* Three passes leave every limb below 2^51: the value is below 2^255 but may be >= p. */
    fe_carry(t);
    fe_carry(t);
    fe_carry(t);
    /* t >= p exactly when t + 19 reaches 2^255; then t - p = t + 19 - 2^255. */
    uint64_t q = (t[0] + 19) >> 51;
    for (int i = 1; i < 5; i++)
        q = (t[i] + q) >> 51;
    t[0] += 19 * q;
    for (int i = 0; i < 4; i++) {
        t[i + 1] += t[i] >> 51;
        t[i] &= FE_MASK51;
    }
    t[4] &= FE_MASK51;
    fe_store64(s, t[0] | t[1] << 51);
    fe_store64(s + 8, t[1] >> 13 | t[2] << 38);
    fe_store64(s + 16, t[2] >> 26 | t[3] << 25);
    fe_store64(s + 24, t[3] >> 39 | t[4] << 12);
}

/* 8p in limbs: added before a subtraction so that no limb of a subtrahend below 2^54 - 152 can
 * take a limb negative. */
#define FE_8P0 (8 * (FE_MASK51 - 18))
#define FE_8P (8 * FE_MASK51)

static inline void fe_add(fe *o, const fe *a, const fe *b) {
    for (int i = 0; i < 5; i++)
        o->v[i] = a->v[i] + b->v[i];
}

static inline void fe_sub(fe *o, const fe *a, const fe *b) {
    o->v[0] = a->v[0] + FE_8P0 - b->v[0];
    for (int i = 1; i < 5; i++)
        o->v[i] = a->v[i] + FE_8P - b->v[i];
    fe_carry(o->v);
}

/* 4p in limbs, for fe_sub_nc. */
#define FE_4P0 (4 * (FE_MASK51 - 18))
#define FE_4P (4 * FE_MASK51)

static inline void fe_sub_nc(fe *o, const fe *a, const fe *b) {
    o->v[0] = a->v[0] + FE_4P0 - b->v[0];
    for (int i = 1; i < 5; i++)
        o->v[i] = a->v[i] + FE_4P - b->v[i];
}

static inline void fe_neg(fe *o, const fe *a) {
    static const fe zero;
    fe_sub(o, &zero, a);
}

/* Folds the five 128-bit column sums of a product into limbs below 2^52. */
static inline void fe_reduce_wide(fe *o, wb_u128 t0, wb_u128 t1, wb_u128 t2, wb_u128 t3,
                                  wb_u128 t4) {
    t1 += (uint64_t)(t0 >> 51);
    t2 += (uint64_t)(t1 >> 51);
    t3 += (uint64_t)(t2 >> 51);
    t4 += (uint64_t)(t3 >> 51);
    uint64_t r0 = ((uint64_t)t0 & FE_MASK51) + 19 * (uint64_t)(t4 >> 51);
    o->v[1] = ((uint64_t)t1 & FE_MASK51) + (r0 >> 51);
    o->v[0] = r0 & FE_MASK51;
    o->v[2] = (uint64_t)t2 & FE_MASK51;
    o->v[3] = (uint64_t)t3 & FE_MASK51;
    o->v[4] = (uint64_t)t4 & FE_MASK51;
}

/* o = a * b. o may alias a or b. */
static inline void fe_mul(fe *o, const fe *a, const fe *b) {
    const uint64_t *x = a->v, *y = b->v;
    uint64_t y1 = 19 * y[1], y2 = 19 * y[2], y3 = 19 * y[3], y4 = 19 * y[4];
    wb_u128 t0 = (wb_u128)x[0] * y[0] + (wb_u128)x[1] * y4 + (wb_u128)x[2] * y3 +
                 (wb_u128)x[3] * y2 + (wb_u128)x[4] * y1;
    wb_u128 t1 = (wb_u128)x[0] * y[1] + (wb_u128)x[1] * y[0] + (wb_u128)x[2] * y4 +
                 (wb_u128)x[3] * y3 + (wb_u128)x[4] * y2;
    wb_u128 t2 = (wb_u128)x[0] * y[2] + (wb_u128)x[1] * y[1] + (wb_u128)x[2] * y[0] +
                 (wb_u128)x[3] * y4 + (wb_u128)x[4] * y3;
    wb_u128 t3 = (wb_u128)x[0] * y[3] + (wb_u128)x[1] * y[2] + (wb_u128)x[2] * y[1] +
                 (wb_u128)x[3] * y[0] + (wb_u128)x[4] * y4;
    wb_u128 t4 = (wb_u128)x[0] * y[4] + (wb_u128)x[1] * y[3] + (wb_u128)x[2] * y[2] +
                 (wb_u128)x[3] * y[1] + (wb_u128)x[4] * y[0];
    fe_reduce_wide(o, t0, t1, t2, t3, t4);
}

/* o = f^2: 15 limb products where a multiplication takes 25. o may alias f. */
static inline void fe_sq(fe *o, const fe *f) {
    const uint64_t *x = f->v;
    uint64_t d0 = 2 * x[0], d1 = 2 * x[1], d2 = 2 * x[2];
    uint64_t x3_19 = 19 * x[3], x4_19 = 19 * x[4];
    wb_u128 t0 = (wb_u128)x[0] * x[0] + (wb_u128)d1 * x4_19 + (wb_u128)d2 * x3_19;
    wb_u128 t1 = (wb_u128)d0 * x[1] + (wb_u128)d2 * x4_19 + (wb_u128)x[3] * x3_19;
    wb_u128 t2 = (wb_u128)d0 * x[2] + (wb_u128)x[1] * x[1] + (wb_u128)(2 * x[3]) * x4_19;
    wb_u128 t3 = (wb_u128)d0 * x[3] + (wb_u128)d1 * x[2] + (wb_u128)x[4] * x4_19;
    wb_u128 t4 = (wb_u128)d0 * x[4] + (wb_u128)d1 * x[3] + (wb_u128)x[2] * x[2];
    fe_reduce_wide(o, t0, t1, t2, t3, t4);
}

/* o = f^(2^n), n >= 1. */
static inline void fe_sq_n(fe *o, const fe *f, int n) {
    fe_sq(o, f);
    while (--n > 0)
        fe_sq(o, o);
}

/* The shared head of the inversion and square-root exponents, the addition chain every
 * Curve25519 implementation uses: *z250 = z^(2^250 - 1) and *z11 = z^11. */
static inline void fe_pow_2_250_1(fe *z250, fe *z11, const fe *z) {
    fe z2, z9, z2_5_0, z2_10_0, z2_20_0, z2_50_0, z2_100_0, t;
    fe_sq(&z2, z);
    fe_sq_n(&t, &z2, 2);
    fe_mul(&z9, &t, z);
    fe_mul(z11, &z9, &z2);
    fe_sq(&t, z11);
    fe_mul(&z2_5_0, &t, &z9); /* z^(2^5 - 1) */
    fe_sq_n(&t, &z2_5_0, 5);
    fe_mul(&z2_10_0, &t, &z2_5_0);
    fe_sq_n(&t, &z2_10_0, 10);
    fe_mul(&z2_20_0, &t, &z2_10_0);
    fe_sq_n(&t, &z2_20_0, 20);
    fe_mul(&t, &t, &z2_20_0);
    fe_sq_n(&t, &t, 10);
    fe_mul(&z2_50_0, &t, &z2_10_0);
    fe_sq_n(&t, &z2_50_0, 50);
    fe_mul(&z2_100_0, &t, &z2_50_0);
    fe_sq_n(&t, &z2_100_0, 100);
    fe_mul(&t, &t, &z2_100_0);
    fe_sq_n(&t, &t, 50);
    fe_mul(z250, &t, &z2_50_0);
}

/* o = z^(p-2) = 1/z for z != 0 (Fermat): 254 squarings and 11 multiplications. */
static inline void fe_invert(fe *o, const fe *z) {
    fe t, z11;
    fe_pow_2_250_1(&t, &z11, z);
    fe_sq_n(&t, &t, 5);
    fe_mul(o, &t, &z11); /* z^(2^255 - 32 + 11) = z^(p - 2) */
}

/* o = z^((p-5)/8) = z^(2^252 - 3), the exponent of the square root of a fraction u/v
 * (RFC 8032 section 5.1.3). */
static inline void fe_pow22523(fe *o, const fe *z) {
    fe t, z11;
    fe_pow_2_250_1(&t, &z11, z);
    fe_sq_n(&t, &t, 2);
    fe_mul(o, &t, z); /* z^((2^250 - 1) * 4 + 1) */
}

/* 1 when f mod p is 0. */
static inline int fe_is_zero(const fe *f) {
    static const uint8_t zero[32];
    uint8_t s[32];
    fe_store(s, f);
    return memcmp(s, zero, sizeof s) == 0;
}

/* 1 when f mod p is odd: Ed25519's "negative" x, whose bit is the encoding's top bit. */
static inline int fe_is_negative(const fe *f) {
    uint8_t s[32];
    fe_store(s, f);
    return s[0] & 1;
}

static inline int fe_equal(const fe *a, const fe *b) {
    uint8_t sa[32], sb[32];
    fe_store(sa, a);
    fe_store(sb, b);
    return memcmp(sa, sb, sizeof sa) == 0;
}

#endif
