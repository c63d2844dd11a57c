/* JSON <-> wa.* messages (wb_proto_json.h): one walk over the descriptor's fields in each
 * direction, values converted by a switch on the field type. Used by the interop helper's
 * proto_encode/proto_decode ops, the fuzz target, and the CLI and logs. */
#include "wb_proto_json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enc.h"

/* ---- message -> JSON ------------------------------------------------------------------------ */

static int message_to_json(const ProtobufCMessage *m, unsigned depth, cJSON **out);

static cJSON *bytes_to_json(const ProtobufCBinaryData *bd) {
    wb_buf b = WB_BUF_INIT;
    cJSON *j = NULL;
    if (wb_b64_encode(&b, bd->data, bd->len, WB_B64_STD) == 0 && wb_buf_put_u8(&b, 0) == 0)
        j = cJSON_CreateString((const char *)b.data);
    wb_buf_free(&b);
    return j;
}

/* A double as JSON number text that reads back as exactly the same double (cJSON's own printing
 * stops at 15 significant digits when it thinks that is close enough). Non-finite values, which
 * JSON numbers cannot express, become the strings "NaN", "Infinity", "-Infinity" (as protobufjs'
 * toObject with json: true and the proto3 JSON mapping write them). */
static cJSON *double_to_json(double x) {
    char text[32];
    if (isnan(x))
        return cJSON_CreateString("NaN");
    if (isinf(x))
        return cJSON_CreateString(x > 0 ? "Infinity" : "-Infinity");
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(text, sizeof text, "%.*g", digits, x);
        if (strtod(text, NULL) == x)
            break;
    }
    return cJSON_CreateRaw(text);
}

/* One value of field f (v points at it, typed as wb_proto.h's table says) as JSON. */
static int value_to_json(const ProtobufCFieldDescriptor *f, const void *v, unsigned depth,
                         cJSON **out) {
    char num[24];
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_ENUM:
        *out = cJSON_CreateNumber(*(const int32_t *)v);
        break;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        *out = cJSON_CreateNumber(*(const uint32_t *)v);
        break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        snprintf(num, sizeof num, "%" PRId64, *(const int64_t *)v);
        *out = cJSON_CreateString(num);
        break;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        snprintf(num, sizeof num, "%" PRIu64, *(const uint64_t *)v);
        *out = cJSON_CreateString(num);
        break;
    case PROTOBUF_C_TYPE_FLOAT:
        *out = double_to_json(*(const float *)v);
        break;
    case PROTOBUF_C_TYPE_DOUBLE:
        *out = double_to_json(*(const double *)v);
        break;
    case PROTOBUF_C_TYPE_BOOL:
        *out = cJSON_CreateBool(*(const protobuf_c_boolean *)v);
        break;
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)v;
        *out = cJSON_CreateString(s ? s : "");
        break;
    }
    case PROTOBUF_C_TYPE_BYTES:
        *out = bytes_to_json(v);
        break;
    case PROTOBUF_C_TYPE_MESSAGE:
        return message_to_json(*(ProtobufCMessage *const *)v, depth + 1, out);
    default:
        *out = NULL;
        break;
    }
    return *out ? 0 : WB_ENOMEM;
}

static int message_to_json(const ProtobufCMessage *m, unsigned depth, cJSON **out) {
    if (depth > WB_PROTO_MAX_DEPTH)
        return WB_EDEPTH;
    const ProtobufCMessageDescriptor *d = m->descriptor;
    cJSON *obj = cJSON_CreateObject();
    int rc = obj ? 0 : WB_ENOMEM;
    for (unsigned i = 0; rc == 0 && i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        size_t n = wb_proto_field_count(m, f);
        if (n == 0)
            continue;
        cJSON *v = NULL;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            if (!(v = cJSON_CreateArray()))
                rc = WB_ENOMEM;
            for (size_t k = 0; rc == 0 && k < n; k++) {
                cJSON *e;
                if ((rc = value_to_json(f, wb_proto_field_get(m, f, k), depth, &e)) == 0)
                    cJSON_AddItemToArray(v, e);
            }
        } else {
            rc = value_to_json(f, wb_proto_field_get(m, f, 0), depth, &v);
        }
        if (v && (rc != 0 || !cJSON_AddItemToObject(obj, f->name, v))) {
            cJSON_Delete(v);
            rc = rc ? rc : WB_ENOMEM;
        }
    }
    if (rc != 0) {
        cJSON_Delete(obj);
        return rc;
    }
    *out = obj;
    return 0;
}

int wb_proto_to_json(const void *msg, cJSON **out) {
    return message_to_json(msg, 1, out);
}

/* ---- JSON -> message ------------------------------------------------------------------------ */

static int message_from_json(const ProtobufCMessageDescriptor *d, const cJSON *j,
                             unsigned depth, ProtobufCMessage **out, wb_error *err);

#define BAD(...) wb_error_set(err, WB_EINVAL, 0, __VA_ARGS__)

/* An integral JSON number within [lo, hi]; doubles hold integers exactly up to 2^53. */
static int json_integer(const cJSON *j, double lo, double hi, double *v) {
    if (!cJSON_IsNumber(j))
        return -1;
    double x = j->valuedouble;
    if (!isfinite(x) || x != floor(x) || x < lo || x > hi || fabs(x) > 9007199254740992.0)
        return -1;
    *v = x;
    return 0;
}

/* A float or double: a JSON number, number text as double_to_json writes it, or one of the
 * strings "NaN", "Infinity", "-Infinity". */
static int json_double(const cJSON *j, double *v) {
    if (cJSON_IsNumber(j)) {
        *v = j->valuedouble;
        return 0;
    }
    if (cJSON_IsString(j)) {
        if (strcmp(j->valuestring, "NaN") == 0)
            *v = NAN;
        else if (strcmp(j->valuestring, "Infinity") == 0)
            *v = INFINITY;
        else if (strcmp(j->valuestring, "-Infinity") == 0)
            *v = -INFINITY;
        else
            return -1;
        return 0;
    }
    char *end;
    if (!cJSON_IsRaw(j) || !j->valuestring[0])
        return -1;
    *v = strtod(j->valuestring, &end);
    return *end ? -1 : 0;
}

/* A 64-bit integer from a decimal string (the full range) or an exact JSON number. */
static int json_int64(const cJSON *j, int is_signed, uint64_t *v) {
    if (cJSON_IsString(j)) {
        const char *s = j->valuestring;
        char *end;
        if (!s[0] || (s[0] == '-' && !is_signed) || !(s[0] == '-' || (s[0] >= '0' && s[0] <= '9')))
            return -1;
        errno = 0;
        if (is_signed) {
            long long x = strtoll(s, &end, 10);
            *v = (uint64_t)x;
        } else {
            *v = (uint64_t)strtoull(s, &end, 10);
        }
        return errno || *end ? -1 : 0;
    }
    double x;
    if (json_integer(j, is_signed ? -9007199254740992.0 : 0, 9007199254740992.0, &x) < 0)
        return -1;
    *v = is_signed ? (uint64_t)(int64_t)x : (uint64_t)x;
    return 0;
}

/* Fills slot (the field's C type, zeroed) from JSON value j. */
static int value_from_json(const ProtobufCMessageDescriptor *d, const ProtobufCFieldDescriptor *f,
                           const cJSON *j, void *slot, unsigned depth, wb_error *err) {
    double x;
    uint64_t u;
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        if (json_integer(j, -2147483648.0, 2147483647.0, &x) < 0)
            return BAD("%s.%s: expected a 32-bit integer", d->name, f->name);
        *(int32_t *)slot = (int32_t)x;
        return 0;
    case PROTOBUF_C_TYPE_ENUM:
        if (cJSON_IsString(j)) {
            const ProtobufCEnumValue *ev =
                protobuf_c_enum_descriptor_get_value_by_name(f->descriptor, j->valuestring);
            if (!ev)
                return BAD("%s.%s: no value '%.40s'", d->name, f->name, j->valuestring);
            *(int32_t *)slot = ev->value;
            return 0;
        }
        if (json_integer(j, -2147483648.0, 2147483647.0, &x) < 0)
            return BAD("%s.%s: expected an enum number or name", d->name, f->name);
        *(int32_t *)slot = (int32_t)x;
        return 0;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        if (json_integer(j, 0, 4294967295.0, &x) < 0)
            return BAD("%s.%s: expected an unsigned 32-bit integer", d->name, f->name);
        *(uint32_t *)slot = (uint32_t)x;
        return 0;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: {
        int is_signed = f->type == PROTOBUF_C_TYPE_INT64 || f->type == PROTOBUF_C_TYPE_SINT64 ||
                        f->type == PROTOBUF_C_TYPE_SFIXED64;
        if (json_int64(j, is_signed, &u) < 0)
            return BAD("%s.%s: expected a 64-bit integer (decimal string or number)", d->name,
                       f->name);
        memcpy(slot, &u, sizeof u);
        return 0;
    }
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_DOUBLE:
        if (json_double(j, &x) < 0)
            return BAD("%s.%s: expected a number", d->name, f->name);
        if (f->type == PROTOBUF_C_TYPE_FLOAT)
            *(float *)slot = (float)x;
        else
            *(double *)slot = x;
        return 0;
    case PROTOBUF_C_TYPE_BOOL:
        if (!cJSON_IsBool(j))
            return BAD("%s.%s: expected true or false", d->name, f->name);
        *(protobuf_c_boolean *)slot = cJSON_IsTrue(j);
        return 0;
    case PROTOBUF_C_TYPE_STRING:
        if (!cJSON_IsString(j))
            return BAD("%s.%s: expected a string", d->name, f->name);
        if (!(*(char **)slot = strdup(j->valuestring)))
            return WB_ENOMEM;
        return 0;
    case PROTOBUF_C_TYPE_BYTES: {
        if (!cJSON_IsString(j))
            return BAD("%s.%s: expected base64", d->name, f->name);
        wb_buf b = WB_BUF_INIT;
        int rc = wb_b64_decode(&b, j->valuestring, strlen(j->valuestring), WB_B64_STD);
        if (rc < 0) {
            wb_buf_free(&b);
            return rc == WB_ENOMEM ? rc : BAD("%s.%s: expected base64", d->name, f->name);
        }
        ProtobufCBinaryData *bd = slot;
        bd->data = wb_buf_detach(&b, &bd->len);
        return 0;
    }
    case PROTOBUF_C_TYPE_MESSAGE:
        return message_from_json(f->descriptor, j, depth + 1, (ProtobufCMessage **)slot, err);
    default:
        return BAD("%s.%s: unsupported field type", d->name, f->name);
    }
}

static int message_from_json(const ProtobufCMessageDescriptor *d, const cJSON *j,
                             unsigned depth, ProtobufCMessage **out, wb_error *err) {
    if (depth > WB_PROTO_MAX_DEPTH)
        return wb_error_set(err, WB_EDEPTH, 0, "%s: nested deeper than %d", d->name,
                            WB_PROTO_MAX_DEPTH);
    if (!cJSON_IsObject(j))
        return BAD("%s: expected an object", d->name);
    ProtobufCMessage *m = wb_proto_new(d);
    if (!m)
        return WB_ENOMEM;
    int rc = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, j) {
        if (cJSON_IsNull(item))
            continue;
        const ProtobufCFieldDescriptor *f =
            protobuf_c_message_descriptor_get_field_by_name(d, item->string);
        if (!f || !wb_proto_field_supported(f)) {
            rc = BAD("%s: no field '%.60s'", d->name, item->string);
            break;
        }
        if (f->label != PROTOBUF_C_LABEL_REPEATED) {
            void *slot = wb_proto_field_add(m, f);
            rc = slot ? value_from_json(d, f, item, slot, depth, err) : WB_ENOMEM;
        } else if (!cJSON_IsArray(item)) {
            rc = BAD("%s.%s: expected an array", d->name, f->name);
        } else {
            const cJSON *e;
            cJSON_ArrayForEach(e, item) {
                void *slot = wb_proto_field_add(m, f);
                if ((rc = slot ? value_from_json(d, f, e, slot, depth, err) : WB_ENOMEM) != 0)
                    break;
            }
        }
        if (rc != 0)
            break;
    }
    if (rc != 0) {
        wb_proto_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

int wb_proto_from_json(const ProtobufCMessageDescriptor *d, const cJSON *json, void *out,
                       wb_error *err) {
    ProtobufCMessage *m;
    int rc = message_from_json(d, json, 1, &m, err);
    if (rc == 0)
        memcpy(out, &m, sizeof m);
    return rc;
}
