/* Field arithmetic mod p = 2^255 - 19 (field25519.h), in five 51-bit limbs with 128-bit
 * products, the representation of curve25519-donna and libsodium's fe_51. Only what the
 * Montgomery/Edwards maps need: load, store, add a small constant, negate, multiply, square
 * and invert (Fermat: z^(p-2), the addition chain every Curve25519 implementation uses). */
#include "crypto/field25519.h"

#include <string.h>

typedef unsigned __int128 u128;
typedef struct {
    uint64_t v[5];
} fe;

#define MASK51 ((UINT64_C(1) << 51) - 1)

/* 2p in limbs: added before a subtraction so no limb goes negative. */
static const uint64_t two_p[5] = {2 * (MASK51 - 18), 2 * MASK51, 2 * MASK51, 2 * MASK51,
                                  2 * MASK51};

static uint64_t load64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void store64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

static void fe_load(fe *f, const uint8_t s[32]) {
    uint64_t w0 = load64(s), w1 = load64(s + 8), w2 = load64(s + 16),
             w3 = load64(s + 24) & (UINT64_MAX >> 1);
    f->v[0] = w0 & MASK51;
    f->v[1] = (w0 >> 51 | w1 << 13) & MASK51;
    f->v[2] = (w1 >> 38 | w2 << 26) & MASK51;
    f->v[3] = (w2 >> 25 | w3 << 39) & MASK51;
    f->v[4] = w3 >> 12;
}

/* Carries every limb below 2^51, folding the part above 2^255 back in as 19 times itself. */
static void fe_carry(uint64_t t[5]) {
    for (int i = 0; i < 4; i++) {
        t[i + 1] += t[i] >> 51;
        t[i] &= MASK51;
    }
    t[0] += 19 * (t[4] >> 51);
    t[4] &= MASK51;
}

/* The canonical encoding: fully reduced below p. */
static void fe_store(uint8_t s[32], const fe *f) {
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
        t[i] &= MASK51;
    }
    t[4] &= MASK51;
    store64(s, t[0] | t[1] << 51);
    store64(s + 8, t[1] >> 13 | t[2] << 38);
    store64(s + 16, t[2] >> 26 | t[3] << 25);
    store64(s + 24, t[3] >> 39 | t[4] << 12);
}

/* f + c for a small c of either sign (f's limbs below 2^52). */
static void fe_add_small(fe *f, int c) {
    for (int i = 0; i < 5; i++)
        f->v[i] += two_p[i];
    f->v[0] = (uint64_t)((int64_t)f->v[0] + c);
    fe_carry(f->v);
}

/* -f (f's limbs below 2^51, as fe_load leaves them). */
static void fe_neg(fe *f) {
    for (int i = 0; i < 5; i++)
        f->v[i] = two_p[i] - f->v[i];
    fe_carry(f->v);
}

/* Folds the five 128-bit column sums of a product into limbs below 2^52. */
static void fe_reduce_wide(fe *o, u128 t0, u128 t1, u128 t2, u128 t3, u128 t4) {
    t1 += (uint64_t)(t0 >> 51);
    t2 += (uint64_t)(t1 >> 51);
    t3 += (uint64_t)(t2 >> 51);
    t4 += (uint64_t)(t3 >> 51);
    uint64_t r0 = ((uint64_t)t0 & MASK51) + 19 * (uint64_t)(t4 >> 51);
    o->v[1] = ((uint64_t)t1 & MASK51) + (r0 >> 51);
    o->v[0] = r0 & MASK51;
    o->v[2] = (uint64_t)t2 & MASK51;
    o->v[3] = (uint64_t)t3 & MASK51;
    o->v[4] = (uint64_t)t4 & MASK51;
}

/* o = a * b; inputs with limbs below 2^54, output limbs below 2^52. o may alias a or b. */
static void fe_mul(fe *o, const fe *a, const fe *b) {
    const uint64_t *x = a->v, *y = b->v;
    uint64_t y1 = 19 * y[1], y2 = 19 * y[2], y3 = 19 * y[3], y4 = 19 * y[4];
    u128 t0 = (u128)x[0] * y[0] + (u128)x[1] * y4 + (u128)x[2] * y3 + (u128)x[3] * y2 +
              (u128)x[4] * y1;
    u128 t1 = (u128)x[0] * y[1] + (u128)x[1] * y[0] + (u128)x[2] * y4 + (u128)x[3] * y3 +
              (u128)x[4] * y2;
    u128 t2 = (u128)x[0] * y[2] + (u128)x[1] * y[1] + (u128)x[2] * y[0] + (u128)x[3] * y4 +
              (u128)x[4] * y3;
    u128 t3 = (u128)x[0] * y[3] + (u128)x[1] * y[2] + (u128)x[2] * y[1] + (u128)x[3] * y[0] +
              (u128)x[4] * y4;
    u128 t4 = (u128)x[0] * y[4] + (u128)x[1] * y[3] + (u128)x[2] * y[2] + (u128)x[3] * y[1] +
              (u128)x[4] * y[0];
    fe_reduce_wide(o, t0, t1, t2, t3, t4);
}

/* o = f^(2^n): squarings, 15 limb products each where a multiplication takes 25; inversion is
 * almost nothing else. */
static void fe_sq_n(fe *o, const fe *f, int n) {
    *o = *f;
    while (n-- > 0) {
        const uint64_t *x = o->v;
        uint64_t d0 = 2 * x[0], d1 = 2 * x[1], d2 = 2 * x[2];
        uint64_t x3_19 = 19 * x[3], x4_19 = 19 * x[4];
        u128 t0 = (u128)x[0] * x[0] + (u128)d1 * x4_19 + (u128)d2 * x3_19;
        u128 t1 = (u128)d0 * x[1] + (u128)d2 * x4_19 + (u128)x[3] * x3_19;
        u128 t2 = (u128)d0 * x[2] + (u128)x[1] * x[1] + (u128)(2 * x[3]) * x4_19;
        u128 t3 = (u128)d0 * x[3] + (u128)d1 * x[2] + (u128)x[4] * x4_19;
        u128 t4 = (u128)d0 * x[4] + (u128)d1 * x[3] + (u128)x[2] * x[2];
        fe_reduce_wide(o, t0, t1, t2, t3, t4);
    }
}

/* o = z^(p-2) = 1/z for z != 0: 254 squarings and 11 multiplications. */
static void fe_invert(fe *o, const fe *z) {
    fe z2, z9, z11, z2_5_0, z2_10_0, z2_20_0, z2_50_0, z2_100_0, t;
    fe_sq_n(&z2, z, 1);
    fe_sq_n(&t, &z2, 2);
    fe_mul(&z9, &t, z);
    fe_mul(&z11, &z9, &z2);
    fe_sq_n(&t, &z11, 1);
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
    fe_mul(&t, &t, &z2_50_0);
    fe_sq_n(&t, &t, 5);
    fe_mul(o, &t, &z11); /* z^(2^255 - 32 + 11) = z^(p - 2) */
}

int wb_fe25519_fraction(uint8_t out[32], const uint8_t x[32], int a, int sx, int b) {
    fe num, den, inv;
    uint8_t check[32];
    static const uint8_t zero[32];
    fe_load(&num, x);
    den = num;
    fe_add_small(&num, a);
    if (sx < 0)
        fe_neg(&den);
    fe_add_small(&den, b);
    fe_store(check, &den);
    if (memcmp(check, zero, sizeof zero) == 0)
        return -1;
    fe_invert(&inv, &den);
    fe_mul(&num, &num, &inv);
    fe_store(out, &num);
    return 0;
}
