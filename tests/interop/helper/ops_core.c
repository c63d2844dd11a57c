/* Helper ops for the harness itself: echo proves the pipe carries bytes unchanged. */
#include <stdio.h>

#include "helper.h"

static int op_echo(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    wb_buf b = WB_BUF_INIT;
    int rc = helper_get_bytes(req, "data", &b) == 0 && helper_put_bytes(resp, "data", b.data, b.len) == 0
                 ? 0
                 : -1;
    wb_buf_free(&b);
    if (rc)
        snprintf(err, errlen, "echo needs base64 'data'");
    return rc;
}

const wb_helper_op helper_ops_core[] = {
    {"echo", op_echo},
    {NULL, NULL},
};
