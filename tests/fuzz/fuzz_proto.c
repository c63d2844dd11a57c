/* Fuzz target: protobuf decoding of untrusted bytes (proto/wb_proto.h) for every message type
 * wabot accepts from the network, a server, a phone or a blob, then the JSON conversion of what
 * decoded (wb_proto_json.h), and a re-encode that must decode again to the same JSON.
 * The first input byte selects the type from the table below (append only: the kept corpus in
 * tests/fuzz/corpus/fuzz_proto/ depends on the indices); the rest is the message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wb_proto_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const ProtobufCMessageDescriptor *const types[] = {
    &wa__message__descriptor,                              /* 0: decrypted message content */
    &wa__web_message_info__descriptor,                     /* 1 */
    &wa__history_sync__descriptor,                         /* 2: history sync blob */
    &wa__client_payload__descriptor,                       /* 3: the simulator reads it */
    &wa__device_props__descriptor,                         /* 4 */
    &wa__advsigned_device_identity_hmac__descriptor,       /* 5: pair-success */
    &wa__advsigned_device_identity__descriptor,            /* 6 */
    &wa__advdevice_identity__descriptor,                   /* 7 */
    &wa__advsigned_key_index_list__descriptor,             /* 8: device lists */
    &wa__advkey_index_list__descriptor,                    /* 9 */
    &wa__handshake_message__descriptor,                    /* 10: Noise handshake */
    &wa__cert_chain__descriptor,                           /* 11 */
    &wa__cert_chain__noise_certificate__details__descriptor, /* 12 */
    &wa__sync_action_data__descriptor,                     /* 13: app state */
    &wa__syncd_patch__descriptor,                          /* 14 */
    &wa__syncd_snapshot__descriptor,                       /* 15 */
    &wa__syncd_mutations__descriptor,                      /* 16 */
    &wa__external_blob_reference__descriptor,              /* 17 */
    &wa__client_pairing_props__descriptor,                 /* 18 */
    &wa__lidmigration_mapping_sync_payload__descriptor,    /* 19 */
    &wa__media_retry_notification__descriptor,             /* 20 */
    &wa__server_error_receipt__descriptor,                 /* 21 */
    &wa__verified_name_certificate__descriptor,            /* 22 */
    &wa__verified_name_certificate__details__descriptor,   /* 23 */
    &wa__message__poll_vote_message__descriptor,           /* 24: decrypted poll vote */
    &wa__encrypted_pairing_request__descriptor,            /* 25 */
    &wa__pairing_request__descriptor,                      /* 26 */
    &wa__companion_ephemeral_identity__descriptor,         /* 27 */
    &wa__prologue_payload__descriptor,                     /* 28 */
};

static char *json_text(const void *msg) {
    cJSON *j;
    if (wb_proto_to_json(msg, &j) < 0)
        abort(); /* a decoded message always converts */
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!text)
        abort();
    return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    const ProtobufCMessageDescriptor *d = types[data[0] % (sizeof types / sizeof types[0])];
    ProtobufCMessage *m, *again, *from_json;
    wb_error e;
    if (wb_proto_unpack(d, data + 1, size - 1, 0, &m, &e) < 0) {
        if (e.code >= 0 || e.what[0] == 0)
            abort(); /* every failure is explained */
        return 0;
    }
    char *text = json_text(m);

    /* what decoded re-encodes into bytes that decode to the same values (unless the re-encoding
     * is so much shorter - minimal varints, packed repeats - that the memory budget, which follows
     * the input length, no longer covers the same tree) */
    wb_buf bytes = WB_BUF_INIT;
    if (wb_proto_pack(m, &bytes) < 0)
        abort();
    int rc = wb_proto_unpack(d, bytes.data, bytes.len, 0, &again, NULL);
    if (rc == WB_ETOOBIG && bytes.len < size - 1) {
        wb_buf_free(&bytes);
        free(text);
        wb_proto_free(m);
        return 0;
    }
    if (rc < 0)
        abort();
    char *text2 = json_text(again);
    if (strcmp(text, text2) != 0)
        abort();

    /* and the JSON converts back into a message with the same values */
    cJSON *j = cJSON_Parse(text);
    if (!j || wb_proto_from_json(d, j, &from_json, NULL) < 0)
        abort();
    char *text3 = json_text(from_json);
    if (strcmp(text, text3) != 0)
        abort();

    cJSON_Delete(j);
    free(text);
    free(text2);
    free(text3);
    wb_buf_free(&bytes);
    wb_proto_free(m);
    wb_proto_free(again);
    wb_proto_free(from_json);
    return 0;
}
