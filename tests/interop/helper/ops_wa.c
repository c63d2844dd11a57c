/* Helper ops for host/wa's computations that Baileys has its own of (tests/interop/wa.test.mjs):
 *   wa_reporting_token {msg, secret, id, chat} -> {token} (base64; absent when the message has
 *                      none of the selected fields)
 * msg is an encoded wa.Message, secret its 32-byte messageSecret. */
#include <stdio.h>
#include <string.h>

#include "helper.h"
#include "wa/reporting.h"

static int op_reporting_token(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    wb_buf msg = WB_BUF_INIT, secret = WB_BUF_INIT;
    const char *id = helper_get_str(req, "id"), *chat = helper_get_str(req, "chat");
    int rc = -1;
    if (helper_get_bytes(req, "msg", &msg) < 0 || helper_get_bytes(req, "secret", &secret) < 0 ||
        secret.len != 32 || !id || !chat) {
        snprintf(err, errlen, "needs msg, a 32-byte secret, id and chat");
        goto done;
    }
    uint8_t token[WB_WA_REPORTING_TOKEN_LEN];
    int made = wb_wa_reporting_token(msg.data, msg.len, secret.data, id, chat, token);
    if (made < 0) {
        snprintf(err, errlen, "%s", wb_errname(made));
        goto done;
    }
    rc = made ? helper_put_bytes(resp, "token", token, sizeof token) : 0;
done:
    wb_buf_free(&msg);
    wb_buf_free(&secret);
    return rc;
}

const wb_helper_op helper_ops_wa[] = {
    {"wa_reporting_token", op_reporting_token},
    {NULL, NULL},
};
