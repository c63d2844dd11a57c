/* Helper ops for host/crypto: X25519 and XEdDSA on wabot's side of the interop tests
 * (tests/interop/xeddsa.test.mjs), where libsignal-node checks them. Keys are bare 32 bytes. */
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "crypto/curve.h"
#include "helper.h"

/* Reads base64 field into out, which must decode to exactly n bytes. */
static int get_fixed(const cJSON *req, const char *field, uint8_t *out, size_t n, char *err,
                     size_t errlen) {
    wb_buf b = WB_BUF_INIT;
    int ok = helper_get_bytes(req, field, &b) == 0 && b.len == n;
    if (ok)
        memcpy(out, b.data, n);
    else
        snprintf(err, errlen, "'%s' must be %zu bytes of base64", field, n);
    wb_buf_free_secret(&b);
    return ok ? 0 : -1;
}

static int op_curve_keypair(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    wb_keypair kp;
    if (wb_keypair_generate(&kp) < 0)
        return snprintf(err, errlen, "keypair generation failed"), -1;
    return helper_put_bytes(resp, "priv", kp.priv, 32) | helper_put_bytes(resp, "pub", kp.pub, 32);
}

static int op_curve_public(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    uint8_t priv[32], pub[32];
    if (get_fixed(req, "priv", priv, 32, err, errlen))
        return -1;
    wb_curve_public(pub, priv);
    return helper_put_bytes(resp, "pub", pub, 32);
}

static int op_curve_agree(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    uint8_t priv[32], pub[32], shared[32];
    if (get_fixed(req, "priv", priv, 32, err, errlen) || get_fixed(req, "pub", pub, 32, err, errlen))
        return -1;
    int rc = wb_curve_agree(shared, priv, pub);
    if (rc < 0)
        return snprintf(err, errlen, "agreement failed: %s", wb_errname(rc)), -1;
    return helper_put_bytes(resp, "shared", shared, 32);
}

/* {priv, msg[, random]} -> {sig}: random (64 bytes) makes the signature deterministic. */
static int op_xeddsa_sign(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    uint8_t priv[32], random[64], sig[64];
    wb_buf msg = WB_BUF_INIT;
    int have_random = cJSON_HasObjectItem(req, "random");
    if (get_fixed(req, "priv", priv, 32, err, errlen) ||
        (have_random && get_fixed(req, "random", random, 64, err, errlen)))
        return -1;
    if (helper_get_bytes(req, "msg", &msg) < 0)
        return snprintf(err, errlen, "'msg' must be base64"), -1;
    int rc = have_random ? wb_xeddsa_sign_rnd(sig, priv, msg.data, msg.len, random)
                         : wb_xeddsa_sign(sig, priv, msg.data, msg.len);
    wb_buf_free(&msg);
    if (rc < 0)
        return snprintf(err, errlen, "sign failed: %s", wb_errname(rc)), -1;
    return helper_put_bytes(resp, "sig", sig, 64);
}

/* {pub, msg, sig} -> {valid: bool, code}: a bad signature is a result, not an op failure. */
static int op_xeddsa_verify(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    uint8_t pub[32], sig[64];
    wb_buf msg = WB_BUF_INIT;
    if (get_fixed(req, "pub", pub, 32, err, errlen) || get_fixed(req, "sig", sig, 64, err, errlen))
        return -1;
    if (helper_get_bytes(req, "msg", &msg) < 0)
        return snprintf(err, errlen, "'msg' must be base64"), -1;
    int rc = wb_xeddsa_verify(pub, msg.data, msg.len, sig);
    wb_buf_free(&msg);
    cJSON_AddBoolToObject(resp, "valid", rc == 0);
    cJSON_AddStringToObject(resp, "code", wb_errname(rc));
    return 0;
}

const wb_helper_op helper_ops_crypto[] = {
    {"curve_keypair", op_curve_keypair},
    {"curve_public", op_curve_public},
    {"curve_agree", op_curve_agree},
    {"xeddsa_sign", op_xeddsa_sign},
    {"xeddsa_verify", op_xeddsa_verify},
    {NULL, NULL},
};
