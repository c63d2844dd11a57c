/* The maps between Curve25519's Montgomery u and Ed25519's Edwards y (field25519.h), on the
 * shared field arithmetic of fe51.h: load, add a small constant, negate, invert, multiply. */
#include "crypto/field25519.h"

#include "crypto/fe51.h"

/* f + c for a small c of either sign (f's limbs below 2^52). */
static void fe_add_small(fe *f, int c) {
    fe k;
    fe_set_small(&k, (uint64_t)(c < 0 ? -c : c));
    if (c < 0)
        fe_sub(f, f, &k);
    else
        fe_add(f, f, &k);
    fe_carry(f->v);
}

int wb_fe25519_fraction(uint8_t out[32], const uint8_t x[32], int a, int sx, int b) {
    fe num, den, inv;
    fe_load(&num, x);
    den = num;
    fe_add_small(&num, a);
    if (sx < 0)
        fe_neg(&den, &den);
    fe_add_small(&den, b);
    if (fe_is_zero(&den))
        return -1;
    fe_invert(&inv, &den);
    fe_mul(&num, &num, &inv);
    fe_store(out, &num);
    return 0;
}
