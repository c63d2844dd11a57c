/* Helper ops for protobuf interop (tests/interop/proto*.test.mjs): wabot's decoding, encoding
 * and JSON conversion of wa.* messages, compared against Baileys' WAProto.
 *   proto_encode {type, json}  -> {bytes}   JSON object -> message -> wire bytes
 *   proto_decode {type, bytes} -> {json}    wire bytes -> message -> JSON object
 *   proto_repack {type, bytes} -> {bytes}   decode and encode again (unknown fields kept)
 * type is a full name ("wa.Message"); the JSON is protobufjs' toObject shape (wb_proto_json.h). */
#include <stdio.h>

#include "helper.h"
#include "wb_proto_json.h"

static const ProtobufCMessageDescriptor *req_type(const cJSON *req, char *err, size_t errlen) {
    const char *name = helper_get_str(req, "type");
    const ProtobufCMessageDescriptor *d = name ? wb_proto_find(name) : NULL;
    if (!d)
        snprintf(err, errlen, "unknown message type '%s'", name ? name : "(none)");
    return d;
}

/* Decodes req.bytes as type d into *m, or explains why not in err. */
static int req_unpack(const cJSON *req, const ProtobufCMessageDescriptor *d, ProtobufCMessage **m,
                      char *err, size_t errlen) {
    wb_buf in = WB_BUF_INIT;
    wb_error e = {0};
    int rc = helper_get_bytes(req, "bytes", &in);
    if (rc < 0)
        snprintf(err, errlen, "needs base64 'bytes'");
    else if ((rc = wb_proto_unpack(d, in.data, in.len, 0, m, &e)) < 0)
        snprintf(err, errlen, "%s: %s (offset %zu)", wb_errname(rc), e.what, e.offset);
    wb_buf_free(&in);
    return rc < 0 ? -1 : 0;
}

static int op_proto_encode(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    const ProtobufCMessageDescriptor *d = req_type(req, err, errlen);
    if (!d)
        return -1;
    ProtobufCMessage *m;
    wb_error e = {0};
    int rc = wb_proto_from_json(d, cJSON_GetObjectItemCaseSensitive(req, "json"), &m, &e);
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", wb_errname(rc), e.what);
        return -1;
    }
    wb_buf out = WB_BUF_INIT;
    rc = wb_proto_pack(m, &out) == 0 && helper_put_bytes(resp, "bytes", out.data, out.len) == 0
             ? 0
             : -1;
    wb_buf_free(&out);
    wb_proto_free(m);
    return rc;
}

static int op_proto_decode(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    const ProtobufCMessageDescriptor *d = req_type(req, err, errlen);
    ProtobufCMessage *m;
    if (!d || req_unpack(req, d, &m, err, errlen) < 0)
        return -1;
    cJSON *j;
    int rc = wb_proto_to_json(m, &j);
    wb_proto_free(m);
    if (rc < 0) {
        snprintf(err, errlen, "to_json: %s", wb_errname(rc));
        return -1;
    }
    cJSON_AddItemToObject(resp, "json", j);
    return 0;
}

static int op_proto_repack(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    const ProtobufCMessageDescriptor *d = req_type(req, err, errlen);
    ProtobufCMessage *m;
    if (!d || req_unpack(req, d, &m, err, errlen) < 0)
        return -1;
    wb_buf out = WB_BUF_INIT;
    int rc = wb_proto_pack(m, &out) == 0 && helper_put_bytes(resp, "bytes", out.data, out.len) == 0
                 ? 0
                 : -1;
    wb_buf_free(&out);
    wb_proto_free(m);
    return rc;
}

const wb_helper_op helper_ops_proto[] = {
    {"proto_encode", op_proto_encode},
    {"proto_decode", op_proto_decode},
    {"proto_repack", op_proto_repack},
    {NULL, NULL},
};
