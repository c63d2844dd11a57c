/* Curve25519 for Signal and WhatsApp (curve.h): X25519 agreement on libsodium's raw-key
 * crypto_scalarmult, key pairs through libsodium's Edwards base-point tables, and XEdDSA
 * signatures built from libsodium's Ed25519 scalar and point primitives. Called by the Noise
 * handshake, certificate chains, Signal and pairing.
 *
 * The signature scheme is the one libsignal implements (libsignal-node's curve25519-js,
 * libsignal-protocol-c's curve_sigs.c, go.mau.fi/libsignal's ecc): the Montgomery private key
 * k is used directly as the Ed25519 scalar a, A = aB, and because k is not negated when A's
 * x is odd, the sign bit of A travels in the otherwise unused top bit of the signature's S.
 * The verifier turns the Montgomery u into the Edwards y = (u - 1) / (u + 1), takes the sign
 * bit from the signature and runs an ordinary Ed25519 verification. */
#include "crypto/curve.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "crypto/ed25519_verify.h"
#include "crypto/field25519.h"
#include "crypto/hash.h"
#include "crypto/random.h"

static void clamp(uint8_t k[WB_KEY_LEN]) {
    k[0] &= 248;
    k[31] &= 127;
    k[31] |= 64;
}

/* ---- the maps between the two curves ------------------------------------------------------ */

/* (x + a) / (sx * x + b) mod p: the maps between the Montgomery u and the Edwards y, on public
 * keys only (field25519.h). WB_EBADSIG when the denominator is 0 mod p. */
static int fraction_mod_p(uint8_t out[32], const uint8_t x[32], int a, int sx, int b) {
    return wb_fe25519_fraction(out, x, a, sx, b) == 0 ? 0 : WB_EBADSIG;
}

/* ---- X25519 ------------------------------------------------------------------------------- */

int wb_keypair_generate(wb_keypair *kp) {
    wb_keypair t;
    uint8_t ed[32];
    wb_random_bytes(t.priv, sizeof t.priv);
    clamp(t.priv);
    /* A = aB on the Edwards curve with libsodium's fixed-base tables, then X25519's public key of
     * a is A's Montgomery u = (1 + y) / (1 - y): together a little over half the Montgomery
     * ladder's cost (13 us and 3 us against 30 us here), which a ratchet step pays once per
     * message. (wb_curve_public keeps the ladder; the unit tests check that both agree.) */
    int rc = crypto_scalarmult_ed25519_base_noclamp(ed, t.priv) == 0
                 ? fraction_mod_p(t.pub, ed, 1, -1, 1)
                 : WB_ECRYPTO;
    if (rc == 0)
        *kp = t;
    else
        rc = WB_ECRYPTO;
    wb_zero(&t, sizeof t);
    wb_zero(ed, sizeof ed);
    return rc;
}

void wb_curve_public(uint8_t pub[WB_KEY_LEN], const uint8_t priv[WB_KEY_LEN]) {
    uint8_t k[WB_KEY_LEN];
    memcpy(k, priv, sizeof k);
    clamp(k);
    /* Only fails for a zero result, which a clamped scalar times the base point never gives. */
    (void)crypto_scalarmult_base(pub, k);
    wb_zero(k, sizeof k);
}

int wb_curve_agree(uint8_t shared[WB_KEY_LEN], const uint8_t priv[WB_KEY_LEN],
                   const uint8_t pub[WB_KEY_LEN]) {
    uint8_t out[WB_KEY_LEN];
    /* libsodium clamps the scalar, ignores the top bit of pub and refuses an all-zero result. */
    if (crypto_scalarmult(out, priv, pub) != 0) {
        wb_zero(out, sizeof out);
        return WB_ECRYPTO;
    }
    memcpy(shared, out, sizeof out);
    wb_zero(out, sizeof out);
    return 0;
}

/* ---- XEdDSA ------------------------------------------------------------------------------- */

int wb_xeddsa_sign(uint8_t sig[WB_SIG_LEN], const uint8_t priv[WB_KEY_LEN], const uint8_t *msg,
                   size_t len) {
    uint8_t random[64];
    wb_random_bytes(random, sizeof random);
    int rc = wb_xeddsa_sign_rnd(sig, priv, msg, len, random);
    wb_zero(random, sizeof random);
    return rc;
}

/* The Edwards public key A = aB of the last few private keys this thread signed with: a group's
 * sender key signs every message, and A costs as much as the signature's own R = rB. Entries are
 * found by a SHA-256 of the clamped scalar and hold only that hash and A (public), never the key. */
enum { SIGNER_CACHE = 4 };
static _Thread_local struct {
    uint8_t id[32];    /* SHA-256 of the clamped scalar */
    uint8_t edpub[32]; /* A = aB */
    int used;
} signer_cache[SIGNER_CACHE];
static _Thread_local unsigned signer_next;

/* A = aB for the clamped scalar a, from the cache or computed (and remembered). */
static int signer_public(const uint8_t a[32], uint8_t edpub[32]) {
    uint8_t id[32];
    wb_sha256_ctx h;
    wb_sha256_init(&h);
    wb_sha256_update(&h, a, 32);
    wb_sha256_final(&h, id);
    wb_zero(&h, sizeof h);
    for (int i = 0; i < SIGNER_CACHE; i++)
        if (signer_cache[i].used && sodium_memcmp(signer_cache[i].id, id, 32) == 0) {
            memcpy(edpub, signer_cache[i].edpub, 32);
            return 0;
        }
    if (crypto_scalarmult_ed25519_base_noclamp(edpub, a) != 0)
        return WB_ECRYPTO;
    unsigned i = signer_next++ % SIGNER_CACHE;
    memcpy(signer_cache[i].id, id, 32);
    memcpy(signer_cache[i].edpub, edpub, 32);
    signer_cache[i].used = 1;
    return 0;
}

int wb_xeddsa_sign_rnd(uint8_t sig[WB_SIG_LEN], const uint8_t priv[WB_KEY_LEN],
                       const uint8_t *msg, size_t len, const uint8_t random[64]) {
    /* hash1 domain separation: 0xFE followed by 31 bytes of 0xFF (XEdDSA's hash_1). */
    static const uint8_t prefix[32] = {
        0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    struct {
        uint8_t a[32];      /* the clamped Montgomery scalar, used as the Edwards scalar */
        uint8_t a_red[32];  /* a mod L */
        uint8_t wide[64];   /* a zero-extended, then hash outputs before reduction */
        uint8_t r[32];      /* the nonce */
        uint8_t h[32];      /* the challenge */
        uint8_t ha[32];
        uint8_t edpub[32];  /* A = aB */
        uint8_t out[64];
        crypto_hash_sha512_state st;
    } s;
    int rc = WB_ECRYPTO;

    memcpy(s.a, priv, 32);
    clamp(s.a);
    memset(s.wide, 0, sizeof s.wide);
    memcpy(s.wide, s.a, 32);
    crypto_core_ed25519_scalar_reduce(s.a_red, s.wide);
    if (signer_public(s.a, s.edpub) < 0)
        goto done;

    /* r = SHA-512(prefix || a || msg || random) mod L; R = rB */
    crypto_hash_sha512_init(&s.st);
    crypto_hash_sha512_update(&s.st, prefix, sizeof prefix);
    crypto_hash_sha512_update(&s.st, s.a, 32);
    crypto_hash_sha512_update(&s.st, msg, len);
    crypto_hash_sha512_update(&s.st, random, 64);
    crypto_hash_sha512_final(&s.st, s.wide);
    crypto_core_ed25519_scalar_reduce(s.r, s.wide);
    if (crypto_scalarmult_ed25519_base_noclamp(s.out, s.r) != 0) /* r = 0: probability 2^-252 */
        goto done;

    /* h = SHA-512(R || A || msg) mod L; S = r + h a mod L */
    crypto_hash_sha512_init(&s.st);
    crypto_hash_sha512_update(&s.st, s.out, 32);
    crypto_hash_sha512_update(&s.st, s.edpub, 32);
    crypto_hash_sha512_update(&s.st, msg, len);
    crypto_hash_sha512_final(&s.st, s.wide);
    crypto_core_ed25519_scalar_reduce(s.h, s.wide);
    crypto_core_ed25519_scalar_mul(s.ha, s.h, s.a_red);
    crypto_core_ed25519_scalar_add(s.out + 32, s.r, s.ha);

    /* S < L < 2^253, so its top bit is free to carry A's sign bit. */
    s.out[63] = (uint8_t)((s.out[63] & 0x7f) | (s.edpub[31] & 0x80));
    memcpy(sig, s.out, WB_SIG_LEN);
    rc = 0;
done:
    wb_zero(&s, sizeof s);
    return rc;
}

/* Edwards y = (u - 1) / (u + 1) for the Montgomery u (top bit ignored, as X25519 does).
 * WB_EBADSIG when u + 1 = 0 mod p (no such point). */
static int mont_to_edwards_y(uint8_t y[32], const uint8_t u[32]) {
    return fraction_mod_p(y, u, -1, 1, 1);
}

/* The Edwards y of the last few keys verified on this thread: a group's sender keys sign every
 * message, and the conversion (a field inversion) is a tenth of a verification. Public data. */
enum { EDWARDS_CACHE = 8 };
static _Thread_local struct {
    uint8_t mont[32], y[32];
    int used;
} edwards_cache[EDWARDS_CACHE];
static _Thread_local unsigned edwards_next;

static int edwards_y(uint8_t y[32], const uint8_t pub[32]) {
    for (int i = 0; i < EDWARDS_CACHE; i++)
        if (edwards_cache[i].used && memcmp(edwards_cache[i].mont, pub, 32) == 0) {
            memcpy(y, edwards_cache[i].y, 32);
            return 0;
        }
    int rc = mont_to_edwards_y(y, pub);
    if (rc == 0) {
        unsigned i = edwards_next++ % EDWARDS_CACHE;
        memcpy(edwards_cache[i].mont, pub, 32);
        memcpy(edwards_cache[i].y, y, 32);
        edwards_cache[i].used = 1;
    }
    return rc;
}

/* ---- repeated keys: precomputed tables (ed25519_verify.h) ---------------------------------- */

/* Each thread that verifies keeps up to TABLES keys with their table (30 KB each) and remembers
 * the last SEEN keys it verified without one. A key gets a table on its second verification:
 * a group's sender key signs every message of its sender, while identity keys checking a signed
 * prekey, certificates and other one-off keys would pay a table (~150 us, three verifications)
 * for nothing. Allocated on the first verification, so a thread that never verifies pays
 * nothing; freed when the thread exits. Anything that fails here falls back to libsodium. */
enum { TABLES = 4, SEEN = 8 };
enum { SLOT_EMPTY, SLOT_BUILT, SLOT_REFUSED }; /* refused: wb_ed_key_init failed, use libsodium */
typedef struct {
    struct {
        uint8_t edpub[32];
        wb_ed_key *key; /* kept across evictions and reused */
        unsigned long used;
        int state;
    } slot[TABLES];
    uint8_t seen[SEEN][32];
    int seen_used[SEEN];
    unsigned seen_next;
    unsigned long tick;
} verify_cache;

static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static pthread_key_t cache_key; /* its destructor frees a thread's cache at thread exit */
static int cache_key_ok;
static _Thread_local verify_cache *thread_cache;

static void cache_free(void *p) {
    verify_cache *c = p;
    for (int i = 0; i < TABLES; i++)
        wb_ed_key_free(c->slot[i].key);
    free(c);
    thread_cache = NULL;
}

static void cache_key_create(void) {
    cache_key_ok = pthread_key_create(&cache_key, cache_free) == 0;
}

static verify_cache *cache_get(void) {
    if (thread_cache)
        return thread_cache;
    pthread_once(&cache_once, cache_key_create);
    verify_cache *c = cache_key_ok ? calloc(1, sizeof *c) : NULL;
    if (c && pthread_setspecific(cache_key, c) != 0) {
        free(c);
        c = NULL;
    }
    return thread_cache = c;
}

/* The table for the Edwards key edpub, built now if this is its second verification; NULL to
 * verify with libsodium. */
static const wb_ed_key *table_for(const uint8_t edpub[32]) {
    verify_cache *c = cache_get();
    if (!c)
        return NULL;
    c->tick++;
    for (int i = 0; i < TABLES; i++)
        if (c->slot[i].state != SLOT_EMPTY && memcmp(c->slot[i].edpub, edpub, 32) == 0) {
            c->slot[i].used = c->tick;
            return c->slot[i].state == SLOT_BUILT ? c->slot[i].key : NULL;
        }
    int seen = -1;
    for (int i = 0; i < SEEN && seen < 0; i++)
        if (c->seen_used[i] && memcmp(c->seen[i], edpub, 32) == 0)
            seen = i;
    if (seen < 0) { /* first time: remember it, verify with libsodium */
        unsigned i = c->seen_next++ % SEEN;
        memcpy(c->seen[i], edpub, 32);
        c->seen_used[i] = 1;
        return NULL;
    }
    c->seen_used[seen] = 0;
    int v = 0; /* the least recently used slot (an empty one has used = 0) */
    for (int i = 1; i < TABLES; i++)
        if (c->slot[i].used < c->slot[v].used)
            v = i;
    if (!c->slot[v].key && !(c->slot[v].key = wb_ed_key_new()))
        return NULL;
    memcpy(c->slot[v].edpub, edpub, 32);
    c->slot[v].used = c->tick;
    c->slot[v].state = wb_ed_key_init(c->slot[v].key, edpub) == 0 ? SLOT_BUILT : SLOT_REFUSED;
    return c->slot[v].state == SLOT_BUILT ? c->slot[v].key : NULL;
}

int wb_xeddsa_verify(const uint8_t pub[WB_KEY_LEN], const uint8_t *msg, size_t len,
                     const uint8_t sig[WB_SIG_LEN]) {
    uint8_t edpub[32], s[WB_SIG_LEN];
    int rc = edwards_y(edpub, pub);
    if (rc < 0)
        return rc; /* WB_EBADSIG, or the library's failure */
    edpub[31] |= sig[63] & 0x80;
    memcpy(s, sig, sizeof s);
    s[63] &= 0x7f;
    const wb_ed_key *k = table_for(edpub);
    if (k) /* the same verdicts as libsodium's, in under half its time */
        return wb_ed_key_verify(k, msg, len, s);
    /* libsodium also refuses a non-canonical S, a small-order R and a small-order key. */
    return crypto_sign_ed25519_verify_detached(s, msg, len, edpub) == 0 ? 0 : WB_EBADSIG;
}
