/* JSON <-> wa.* messages, driven by protobuf-c descriptors, for the interop tests, the CLI and
 * logs. The JSON is what protobufjs produces with
 *     Type.toObject(msg, {longs: String, bytes: String, enums: Number, defaults: false})
 * so Baileys' objects compare equal to ours:
 *   - keys are the .proto field names ("extendedTextMessage", "eRegid");
 *   - absent fields are left out, present ones written even when zero; repeated fields are arrays,
 *     left out when empty;
 *   - 64-bit integers are decimal strings, other numbers JSON numbers, bools true/false;
 *     floats and doubles are raw number nodes (cJSON_IsRaw) holding the shortest text that reads
 *     back exactly, because cJSON prints numbers with 15 significant digits; NaN and infinities,
 *     which JSON numbers lack, are the strings "NaN", "Infinity", "-Infinity" (protobufjs'
 *     toObject gives them as numbers only when not asked for JSON);
 *   - bytes are padded standard base64; enums are numbers (unknown values included);
 *   - sub-messages are objects. Unknown fields are not shown.
 * On input, 64-bit integers may also be JSON numbers (exact up to 2^53), enums may be names
 * ("WEB"), and null means absent. Anything else is refused, unknown keys included.
 *
 * The walk uses wb_proto.h's reflection (wb_proto_field_count/get/add), the same one the Lua
 * table conversion in bindings/ follows. */
#ifndef WB_PROTO_JSON_H
#define WB_PROTO_JSON_H

#include <cjson/cJSON.h>

#include "wb_proto.h"

/* Converts msg (any generated struct, or a ProtobufCMessage *) to a new JSON object in *out,
 * which the caller frees with cJSON_Delete. Returns 0 or WB_ENOMEM. */
int wb_proto_to_json(const void *msg, cJSON **out);

/* Builds a message of type d from a JSON object. On success *out (the address of a pointer to
 * the generated struct) owns a tree to release with wb_proto_free. Returns WB_EINVAL when the JSON
 * does not fit the type (err->what names the field and the problem), WB_EDEPTH when it nests
 * deeper than WB_PROTO_MAX_DEPTH, WB_ENOMEM. */
int wb_proto_from_json(const ProtobufCMessageDescriptor *d, const cJSON *json, void *out,
                       wb_error *err);

#endif
