/* Unit tests for proto/: the checked decoder (limits, errors), explicit zeros and unknown data
 * surviving a round trip, the reflection API and the JSON conversion. Interop with Baileys'
 * WAProto is in tests/interop/proto.test.mjs. */
#include "check.h"
#include "wb_proto_json.h"

/* ---- decoding limits ------------------------------------------------------------------------ */

static void test_proto_unpack_reports_truncated_input_as_malformed(void) {
    /* Message{conversation = "hello"} with its last byte cut */
    const uint8_t in[] = {0x0a, 0x05, 'h', 'e', 'l', 'l'};
    Wa__Message *m = (Wa__Message *)1;
    wb_error e = {0};
    CHECK_EQ(wb_proto_unpack(&wa__message__descriptor, in, sizeof in, 0, &m, &e), WB_EMALFORMED);
    CHECK(m == (Wa__Message *)1); /* out not written */
    CHECK_EQ(e.code, WB_EMALFORMED);
    CHECK(strstr(e.what, "wa.Message") != NULL);
}

static void test_proto_unpack_rejects_groups_and_field_zero(void) {
    const uint8_t group[] = {0x0b, 0x0c};   /* field 1, start group / end group */
    const uint8_t zero[] = {0x00, 0x01};    /* field number 0 */
    const uint8_t long_varint[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0xff, 0xff, 0x01}; /* 11 bytes */
    Wa__Message *m;
    CHECK_EQ(wb_proto_unpack(&wa__message__descriptor, group, sizeof group, 0, &m, NULL),
             WB_EMALFORMED);
    CHECK_EQ(wb_proto_unpack(&wa__message__descriptor, zero, sizeof zero, 0, &m, NULL),
             WB_EMALFORMED);
    CHECK_EQ(wb_proto_unpack(&wa__message__descriptor, long_varint, sizeof long_varint, 0, &m,
                             NULL),
             WB_EMALFORMED);
}

static void test_proto_unpack_refuses_input_over_max_len(void) {
    const uint8_t in[] = {0x0a, 0x02, 'h', 'i'};
    Wa__Message *m;
    wb_error e = {0};
    CHECK_EQ(wb_proto_unpack(&wa__message__descriptor, in, sizeof in, 3, &m, &e), WB_ETOOBIG);
    CHECK_EQ(wb_proto_unpack(&wa__message__descriptor, in, sizeof in, 4, &m, &e), 0);
    CHECK_STR(m->conversation, "hi");
    wb_proto_free(m);
}

/* A Message nested levels deep (levels odd): Message{ephemeralMessage = FutureProofMessage{
 * message = Message{...{conversation = "x"}}}}, built from the inside out. */
static void nest(wb_buf *out, int levels) {
    wb_buf inner = WB_BUF_INIT;
    wb_buf_append(&inner, "\x0a\x01x", 3); /* the innermost Message */
    for (int depth = levels - 1; depth >= 1; depth--) {
        wb_buf outer = WB_BUF_INIT;
        if (depth % 2 == 0)
            wb_buf_put_u8(&outer, 0x0a); /* FutureProofMessage.message: field 1, wire type 2 */
        else
            wb_buf_append(&outer, "\xc2\x02", 2); /* Message.ephemeralMessage: field 40 */
        for (size_t n = inner.len;; n >>= 7) { /* the length as a varint */
            wb_buf_put_u8(&outer, (uint8_t)((n & 0x7f) | (n > 0x7f ? 0x80 : 0)));
            if (n <= 0x7f)
                break;
        }
        wb_buf_append(&outer, inner.data, inner.len);
        wb_buf_free(&inner);
        inner = outer;
    }
    *out = inner;
}

static void test_proto_unpack_limits_nesting_depth(void) {
    wb_buf ok_in, deep_in;
    nest(&ok_in, WB_PROTO_MAX_DEPTH - 1);
    nest(&deep_in, WB_PROTO_MAX_DEPTH + 1);
    Wa__Message *m;
    wb_error e = {0};
    CHECK_EQ(wb_proto_unpack(&wa__message__descriptor, ok_in.data, ok_in.len, 0, &m, &e), 0);
    wb_proto_free(m);
    CHECK_EQ(wb_proto_unpack(&wa__message__descriptor, deep_in.data, deep_in.len, 0, &m, &e),
             WB_EDEPTH);
    CHECK(strstr(e.what, "nested deeper") != NULL);
    wb_buf_free(&ok_in);
    wb_buf_free(&deep_in);
}

static void test_proto_unpack_bounds_memory_of_tiny_repeated_messages(void) {
    /* HistorySync with 200k empty conversations: 400 KB of input, each a Wa__Conversation of
     * hundreds of bytes once decoded. */
    wb_buf in = WB_BUF_INIT;
    for (int i = 0; i < 200000; i++)
        wb_buf_append(&in, "\x12\x00", 2);
    Wa__HistorySync *h;
    wb_error e = {0};
    CHECK_EQ(wb_proto_unpack(&wa__history_sync__descriptor, in.data, in.len, 0, &h, &e),
             WB_ETOOBIG);
    CHECK(strstr(e.what, "memory") != NULL);
    /* A realistic count decodes. */
    CHECK_EQ(wb_proto_unpack(&wa__history_sync__descriptor, in.data, 2000, 0, &h, &e), 0);
    CHECK_EQ(h->n_conversations, 1000);
    wb_proto_free(h);
    wb_buf_free(&in);
}

/* ---- wire fidelity -------------------------------------------------------------------------- */

static void test_proto_pack_writes_explicit_zeros(void) {
    /* NOTES.md §0.2: Baileys needs ADVDeviceIdentity.keyIndex even when it is 0. */
    Wa__ADVDeviceIdentity id = WA__ADVDEVICE_IDENTITY__INIT;
    id.has_rawid = 1;
    id.rawid = 5;
    id.has_keyindex = 1;
    id.keyindex = 0;
    wb_buf out = WB_BUF_INIT;
    CHECK_EQ(wb_proto_pack(&id, &out), 0);
    const uint8_t want[] = {0x08, 0x05, 0x18, 0x00};
    CHECK_EQ(out.len, sizeof want);
    CHECK_MEM(out.data, want, sizeof want);
    CHECK_EQ(wb_proto_packed_size(&id), sizeof want);
    wb_buf_free(&out);
}

/* How to build a ClientPayload in C: the login payload Baileys 7.0.0-rc14 sends for
 * 4915123456789:3@s.whatsapp.net with its default config (NOTES.md §2.1), byte for byte (the hex is
 * proto.ClientPayload.encode(generateLoginNode(...)) from Baileys). */
static void test_proto_builds_baileys_login_payload_byte_for_byte(void) {
    Wa__ClientPayload__UserAgent__AppVersion version =
        WA__CLIENT_PAYLOAD__USER_AGENT__APP_VERSION__INIT;
    version.has_primary = version.has_secondary = version.has_tertiary = 1;
    version.primary = 2;
    version.secondary = 3000;
    version.tertiary = 1043857760;
    Wa__ClientPayload__UserAgent ua = WA__CLIENT_PAYLOAD__USER_AGENT__INIT;
    ua.has_platform = 1;
    ua.platform = WA__CLIENT_PAYLOAD__USER_AGENT__PLATFORM__WEB;
    ua.appversion = &version;
    ua.mcc = "000";
    ua.mnc = "000";
    ua.osversion = "0.1";
    ua.device = "Desktop";
    ua.osbuildnumber = "0.1";
    ua.has_releasechannel = 1; /* RELEASE = 0, written explicitly */
    ua.releasechannel = WA__CLIENT_PAYLOAD__USER_AGENT__RELEASE_CHANNEL__RELEASE;
    ua.localelanguageiso6391 = "en";
    ua.localecountryiso31661alpha2 = "US";
    Wa__ClientPayload__WebInfo web = WA__CLIENT_PAYLOAD__WEB_INFO__INIT;
    web.has_websubplatform = 1;
    web.websubplatform = WA__CLIENT_PAYLOAD__WEB_INFO__WEB_SUB_PLATFORM__WEB_BROWSER;
    Wa__ClientPayload p = WA__CLIENT_PAYLOAD__INIT;
    p.has_username = 1;
    p.username = 4915123456789ULL;
    p.has_passive = 1;
    p.passive = 1;
    p.useragent = &ua;
    p.webinfo = &web;
    p.has_connecttype = 1;
    p.connecttype = WA__CLIENT_PAYLOAD__CONNECT_TYPE__WIFI_UNKNOWN;
    p.has_connectreason = 1;
    p.connectreason = WA__CLIENT_PAYLOAD__CONNECT_REASON__USER_ACTIVATED;
    p.has_device = 1;
    p.device = 3;
    p.has_pull = 1;
    p.pull = 1;
    p.has_liddbmigrated = 1;
    p.liddbmigrated = 0;
    uint8_t want[128];
    size_t n = check_unhex(want, sizeof want,
                           "089596c0a1868f0118012a36080e120b080210b81718e082e0f1031a03303030"
                           "22033030302a03302e313a074465736b746f704203302e3150005a02656e6202"
                           "55533202200060016801900103880201c80200");
    wb_buf out = WB_BUF_INIT;
    CHECK_EQ(wb_proto_pack(&p, &out), 0);
    CHECK_EQ(out.len, n);
    CHECK_MEM(out.data, want, n);
    wb_buf_free(&out);
}

static void test_proto_keeps_unknown_enum_values_and_fields(void) {
    /* ADVDeviceIdentity{rawId 1, accountType 77 (unnamed), field 9 = 5, field 10 = "hi"} */
    const uint8_t in[] = {0x08, 0x01, 0x20, 77, 0x48, 0x05, 0x52, 0x02, 'h', 'i'};
    Wa__ADVDeviceIdentity *id;
    CHECK_EQ(wb_proto_unpack(&wa__advdevice_identity__descriptor, in, sizeof in, 0, &id, NULL), 0);
    CHECK(id->has_accounttype);
    CHECK_EQ(id->accounttype, 77);
    CHECK_EQ(id->base.n_unknown_fields, 2);
    wb_buf out = WB_BUF_INIT;
    CHECK_EQ(wb_proto_pack(id, &out), 0);
    CHECK_EQ(out.len, sizeof in);
    CHECK_MEM(out.data, in, sizeof in);
    wb_buf_free(&out);
    wb_proto_free(id);
}

static void test_proto_pack_of_empty_message_appends_nothing(void) {
    Wa__Message m = WA__MESSAGE__INIT;
    wb_buf out = WB_BUF_INIT;
    CHECK_EQ(wb_proto_pack(&m, &out), 0);
    CHECK_EQ(out.len, 0);
    Wa__Message *back;
    CHECK_EQ(wb_proto_unpack(&wa__message__descriptor, out.data, 0, 0, &back, NULL), 0);
    CHECK(back->conversation == NULL);
    wb_proto_free(back);
}

/* ---- registry and reflection ---------------------------------------------------------------- */

static void test_proto_find_knows_top_level_and_nested_types(void) {
    CHECK(wb_proto_find("wa.Message") == &wa__message__descriptor);
    CHECK(wb_proto_find("wa.Message.ImageMessage") == &wa__message__image_message__descriptor);
    CHECK(wb_proto_find("wa.CertChain.NoiseCertificate.Details") ==
          &wa__cert_chain__noise_certificate__details__descriptor);
    CHECK(wb_proto_find("wa.ClientPayload.UserAgent.AppVersion") != NULL);
    CHECK(wb_proto_find("wa.NoSuchThing") == NULL);
    CHECK(wb_proto_type_count() > 100);
    int found_message = 0;
    for (size_t i = 0; i < wb_proto_type_count(); i++)
        found_message |= wb_proto_type_at(i) == &wa__message__descriptor;
    CHECK(found_message);
    CHECK(wb_proto_type_at(wb_proto_type_count()) == NULL);
}

static void test_proto_field_add_appends_repeated_and_replaces_singular(void) {
    const ProtobufCMessageDescriptor *d = &wa__context_info__descriptor;
    const ProtobufCFieldDescriptor *mentions =
        protobuf_c_message_descriptor_get_field_by_name(d, "mentionedJid");
    const ProtobufCFieldDescriptor *stanza =
        protobuf_c_message_descriptor_get_field_by_name(d, "stanzaId");
    const ProtobufCFieldDescriptor *expiration =
        protobuf_c_message_descriptor_get_field_by_name(d, "expiration");
    ProtobufCMessage *m = wb_proto_new(d);
    CHECK(m != NULL);
    CHECK_EQ(wb_proto_field_count(m, mentions), 0);
    for (int i = 0; i < 100; i++) {
        char jid[32];
        snprintf(jid, sizeof jid, "%d@s.whatsapp.net", i);
        char **slot = wb_proto_field_add(m, mentions);
        *slot = strdup(jid);
    }
    CHECK_EQ(wb_proto_field_count(m, mentions), 100);
    CHECK_STR(*(char *const *)wb_proto_field_get(m, mentions, 99), "99@s.whatsapp.net");
    *(char **)wb_proto_field_add(m, stanza) = strdup("first");
    *(char **)wb_proto_field_add(m, stanza) = strdup("second"); /* frees "first" */
    CHECK_EQ(wb_proto_field_count(m, stanza), 1);
    CHECK_EQ(wb_proto_field_count(m, expiration), 0);
    *(uint32_t *)wb_proto_field_add(m, expiration) = 0; /* present although zero */
    CHECK_EQ(wb_proto_field_count(m, expiration), 1);
    Wa__ContextInfo *ci = (Wa__ContextInfo *)m;
    CHECK_STR(ci->stanzaid, "second");
    CHECK(ci->has_expiration && ci->expiration == 0);
    CHECK_EQ(ci->n_mentionedjid, 100);
    wb_proto_free(m);
}

/* ---- JSON ----------------------------------------------------------------------------------- */

static char *to_json_text(const void *msg) {
    cJSON *j;
    if (wb_proto_to_json(msg, &j) < 0)
        return NULL;
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return text;
}

static void test_proto_json_round_trip_keeps_every_kind_of_value(void) {
    const char *in =
        "{\"extendedTextMessage\":{\"text\":\"héllo 😀\",\"textArgb\":4294967295,"
        "\"mediaKeyTimestamp\":\"-9223372036854775808\",\"jpegThumbnail\":\"AAEC/w==\","
        "\"font\":1000,\"previewType\":5,\"doNotPlayInline\":false,"
        "\"contextInfo\":{\"mentionedJid\":[\"a@s\",\"b@s\"],\"expiration\":0,"
        "\"quotedMessage\":{\"conversation\":\"\"}}},"
        "\"locationMessage\":{\"degreesLatitude\":-692.5191846676171,\"speedInMps\":0.1},"
        "\"imageMessage\":{\"fileLength\":\"18446744073709551615\"}}";
    cJSON *j = cJSON_Parse(in);
    Wa__Message *m;
    wb_error e = {0};
    CHECK_EQ(wb_proto_from_json(&wa__message__descriptor, j, &m, &e), 0);
    cJSON_Delete(j);
    wb_buf bytes = WB_BUF_INIT;
    CHECK_EQ(wb_proto_pack(m, &bytes), 0);
    wb_proto_free(m);
    CHECK_EQ(wb_proto_unpack(&wa__message__descriptor, bytes.data, bytes.len, 0, &m, NULL), 0);
    CHECK_EQ(m->extendedtextmessage->font, 1000);
    CHECK_EQ(m->imagemessage->filelength, UINT64_MAX);
    CHECK(m->locationmessage->speedinmps == 0.1f);
    char *text = to_json_text(m);
    /* Field order is by number; values come back as they went in (floats as the float they are). */
    CHECK_STR(text,
              "{\"imageMessage\":{\"fileLength\":\"18446744073709551615\"},"
              "\"locationMessage\":{\"degreesLatitude\":-692.5191846676171,"
              "\"speedInMps\":0.10000000149011612},"
              "\"extendedTextMessage\":{\"text\":\"héllo 😀\",\"textArgb\":4294967295,"
              "\"font\":1000,\"previewType\":5,\"jpegThumbnail\":\"AAEC/w==\","
              "\"contextInfo\":{\"quotedMessage\":{\"conversation\":\"\"},"
              "\"mentionedJid\":[\"a@s\",\"b@s\"],\"expiration\":0},\"doNotPlayInline\":false,"
              "\"mediaKeyTimestamp\":\"-9223372036854775808\"}}");
    free(text);
    wb_proto_free(m);
    wb_buf_free(&bytes);
}

static void test_proto_json_accepts_enum_names_numbers_for_longs_and_null(void) {
    cJSON *j = cJSON_Parse("{\"userAgent\":{\"platform\":\"WEB\",\"releaseChannel\":0},"
                           "\"username\":4915123456789,\"pushName\":null}");
    Wa__ClientPayload *p;
    CHECK_EQ(wb_proto_from_json(&wa__client_payload__descriptor, j, &p, NULL), 0);
    cJSON_Delete(j);
    CHECK_EQ(p->useragent->platform, WA__CLIENT_PAYLOAD__USER_AGENT__PLATFORM__WEB);
    CHECK(p->useragent->has_releasechannel);
    CHECK_EQ(p->username, 4915123456789ULL);
    CHECK(p->pushname == NULL);
    wb_proto_free(p);
}

static void test_proto_json_rejects_values_that_do_not_fit(void) {
    static const char *const bad[] = {
        "{\"noSuchField\":1}",
        "{\"passive\":1}",
        "{\"device\":-1}",
        "{\"device\":4294967296}",
        "{\"device\":1.5}",
        "{\"username\":\"-1\"}",
        "{\"username\":\"18446744073709551616\"}",
        "{\"username\":\"12x\"}",
        "{\"sessionId\":2147483648}",
        "{\"fbCat\":\"not base64!\"}",
        "{\"shards\":5}",
        "{\"userAgent\":{\"platform\":\"NO_SUCH_PLATFORM\"}}",
        "{\"userAgent\":[]}",
        "[]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cJSON *j = cJSON_Parse(bad[i]);
        Wa__ClientPayload *p = NULL;
        wb_error e = {0};
        int rc = wb_proto_from_json(&wa__client_payload__descriptor, j, &p, &e);
        if (rc != WB_EINVAL)
            fprintf(stderr, "  accepted %s\n", bad[i]);
        CHECK_EQ(rc, WB_EINVAL);
        CHECK(p == NULL);
        CHECK(e.what[0] != 0);
        cJSON_Delete(j);
    }
}

static void test_proto_json_limits_nesting(void) {
    /* {"ephemeralMessage":{"message":{...}}} nested past the limit */
    wb_buf text = WB_BUF_INIT;
    for (int i = 0; i < WB_PROTO_MAX_DEPTH; i++)
        wb_buf_append(&text, "{\"ephemeralMessage\":{\"message\":", 31);
    wb_buf_append(&text, "{}", 2);
    for (int i = 0; i < WB_PROTO_MAX_DEPTH; i++)
        wb_buf_append(&text, "}}", 2);
    wb_buf_put_u8(&text, 0);
    cJSON *j = cJSON_Parse((const char *)text.data);
    CHECK(j != NULL);
    Wa__Message *m;
    CHECK_EQ(wb_proto_from_json(&wa__message__descriptor, j, &m, NULL), WB_EDEPTH);
    cJSON_Delete(j);
    wb_buf_free(&text);
}

int main(void) {
    RUN(test_proto_unpack_reports_truncated_input_as_malformed);
    RUN(test_proto_unpack_rejects_groups_and_field_zero);
    RUN(test_proto_unpack_refuses_input_over_max_len);
    RUN(test_proto_unpack_limits_nesting_depth);
    RUN(test_proto_unpack_bounds_memory_of_tiny_repeated_messages);
    RUN(test_proto_pack_writes_explicit_zeros);
    RUN(test_proto_builds_baileys_login_payload_byte_for_byte);
    RUN(test_proto_keeps_unknown_enum_values_and_fields);
    RUN(test_proto_pack_of_empty_message_appends_nothing);
    RUN(test_proto_find_knows_top_level_and_nested_types);
    RUN(test_proto_field_add_appends_repeated_and_replaces_singular);
    RUN(test_proto_json_round_trip_keeps_every_kind_of_value);
    RUN(test_proto_json_accepts_enum_names_numbers_for_longs_and_null);
    RUN(test_proto_json_rejects_values_that_do_not_fit);
    RUN(test_proto_json_limits_nesting);
    return check_summary();
}
