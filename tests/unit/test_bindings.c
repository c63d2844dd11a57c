/* Unit tests for bindings/: protobuf <-> Lua tables round trips on every message type of proto/,
 * the documented value forms, message conveniences (m.text, m.chat, m.sender, m.isGroup,
 * m:reply against the fake session), and wabot.kv (values, prefixes, restarts). */
#include <lualib.h>

#include "runtime_fixture.h"
#include "store/store.h"

/* ---- a generic filler: every field of a type set, sub-messages to a depth ------------------- */

static void fill(ProtobufCMessage *m, int depth);

static void fill_value(const ProtobufCFieldDescriptor *f, void *slot, int k, int depth) {
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        *(int32_t *)slot = -1000 - k - (int32_t)f->id;
        break;
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumDescriptor *e = f->descriptor;
        *(int32_t *)slot = k == 1 ? 9999 : e->values[e->n_values - 1].value; /* 9999: unnamed */
        break;
    }
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        *(uint32_t *)slot = 4000000000u + (uint32_t)k;
        break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        *(int64_t *)slot = -1700000000123LL - k;
        break;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        *(uint64_t *)slot = k ? 0x8000000000000001ull : 1700000000ull; /* past 2^63 too */
        break;
    case PROTOBUF_C_TYPE_FLOAT:
        *(float *)slot = 1.5f + (float)k;
        break;
    case PROTOBUF_C_TYPE_DOUBLE:
        *(double *)slot = -2.25 - k;
        break;
    case PROTOBUF_C_TYPE_BOOL:
        *(protobuf_c_boolean *)slot = 1;
        break;
    case PROTOBUF_C_TYPE_STRING: {
        char buf[80];
        snprintf(buf, sizeof buf, "s-%s-%d-\xc3\xa9", f->name, k);
        *(char **)slot = strdup(buf);
        break;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        ProtobufCBinaryData *b = slot;
        b->len = 4;
        b->data = malloc(4);
        memcpy(b->data, "\x00\xff\x10", 4);
        break;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        ProtobufCMessage *sub = wb_proto_new(f->descriptor);
        *(ProtobufCMessage **)slot = sub;
        if (depth < 3)
            fill(sub, depth + 1);
        break;
    }
    default:
        break;
    }
}

static void fill(ProtobufCMessage *m, int depth) {
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (!wb_proto_field_supported(f))
            continue;
        int n = f->label == PROTOBUF_C_LABEL_REPEATED ? 2 : 1;
        for (int k = 0; k < n; k++)
            fill_value(f, wb_proto_field_add(m, f), k, depth);
    }
}

static lua_State *plain_state(void) {
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    return L;
}

struct roundtrip {
    ProtobufCMessage *in, *out;
};

static int roundtrip_cfn(lua_State *L) {
    struct roundtrip *r = lua_touserdata(L, 1);
    wb_lua_push_proto(L, r->in);
    wb_lua_to_proto(L, -1, r->in->descriptor, &r->out);
    return 0;
}

static void test_every_message_type_round_trips_through_lua_tables(void) {
    lua_State *L = plain_state();
    size_t types = 0, failures = 0;
    for (size_t i = 0; i < wb_proto_type_count(); i++) {
        const ProtobufCMessageDescriptor *d = wb_proto_type_at(i);
        if (d->n_fields == 0)
            continue;
        ProtobufCMessage *m = wb_proto_new(d);
        fill(m, 1);
        struct roundtrip r = {m, NULL};
        lua_pushcfunction(L, roundtrip_cfn);
        lua_pushlightuserdata(L, &r);
        if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
            fprintf(stderr, "  %s: %s\n", d->name, lua_tostring(L, -1));
            lua_pop(L, 1);
            failures++;
        } else {
            wb_buf a = WB_BUF_INIT, b = WB_BUF_INIT;
            wb_proto_pack(m, &a);
            wb_proto_pack(r.out, &b);
            if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0) {
                fprintf(stderr, "  %s: bytes differ after the round trip\n", d->name);
                failures++;
            }
            wb_buf_free(&a);
            wb_buf_free(&b);
            wb_proto_free(r.out);
        }
        wb_proto_free(m);
        types++;
    }
    fprintf(stderr, "  %zu message types round-tripped\n", types);
    CHECK(types > 100);
    CHECK_EQ(failures, 0);
    lua_close(L);
}

/* Runs a Lua snippet with `proto` bound to wabot.proto; returns what it returned as a string. */
static char snippet_out[2048];
static const char *run_lua(const char *code) {
    lua_State *L = plain_state();
    luaL_requiref(L, "wabot.proto", luaopen_wabot_proto, 0);
    lua_setglobal(L, "proto");
    if (luaL_loadstring(L, code) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK)
        snprintf(snippet_out, sizeof snippet_out, "error: %s", lua_tostring(L, -1));
    else
        snprintf(snippet_out, sizeof snippet_out, "%s", luaL_tolstring(L, -1, NULL));
    lua_close(L);
    return snippet_out;
}

static void test_lua_forms_of_values_are_the_documented_ones(void) {
    /* camelCase names, enums by name, bytes as strings, 64-bit integers as integers */
    CHECK_STR(run_lua("local b = proto.encode('Message', {imageMessage = {caption = 'c', "
                      "fileSha256 = '\\0\\1', fileLength = 123456789012, mediaKeyTimestamp = -5}})\n"
                      "local t = proto.decode('wa.Message', b)\n"
                      "local i = t.imageMessage\n"
                      "return table.concat({i.caption, #i.fileSha256, math.type(i.fileLength), "
                      "i.fileLength, i.mediaKeyTimestamp}, ' ')"),
              "c 2 integer 123456789012 -5");
    CHECK_STR(run_lua("local t = proto.decode('WebMessageInfo', proto.encode('WebMessageInfo', "
                      "{key = {remoteJid = 'a@s.whatsapp.net', fromMe = true, id = 'X'}, "
                      "status = 'READ', messageTimestamp = 1700000000}))\n"
                      "return t.status .. ' ' .. t.key.remoteJid .. ' ' .. tostring(t.key.fromMe) "
                      ".. ' ' .. t.messageTimestamp"),
              "READ a@s.whatsapp.net true 1700000000");
    CHECK_STR(run_lua("return proto.decode('WebMessageInfo', proto.encode('WebMessageInfo', "
                      "{key = {}, status = 4})).status"),
              "READ");
    /* misuse names the field */
    CHECK(strstr(run_lua("return proto.encode('Message', {conversation = 5})"),
                 "wa.Message.conversation: expected a string") != NULL);
    CHECK(strstr(run_lua("return proto.encode('Message', {nope = 1})"),
                 "wa.Message has no field 'nope'") != NULL);
    CHECK(strstr(run_lua("return proto.encode('WebMessageInfo', {key = {}, status = 'LOST'})"),
                 "no value named 'LOST'") != NULL);
    CHECK(strstr(run_lua("local t = {} t.message = {ephemeralMessage = {message = t}}\n"
                         "return proto.encode('WebMessageInfo', {key = {}, message = {ephemeralMessage = {message = {ephemeralMessage = t}}}})"),
                 "error") != NULL);
    CHECK(strstr(run_lua("local m = {} local c = m for i = 1, 100 do c.ephemeralMessage = {message = {}} "
                         "c = c.ephemeralMessage.message end return proto.encode('Message', m)"),
                 "nested deeper") != NULL);
    CHECK_STR(run_lua("return select(3, proto.decode('Message', '\\255\\255'))"), "WB_EMALFORMED");
}

/* ---- message tables in a running bot -------------------------------------------------------- */

static wb_rt *rt;

struct msg_ud {
    const char *remote, *participant, *text, *caption;
    int from_me, ephemeral;
};

static int push_upsert(lua_State *L, void *ud) {
    struct msg_ud *u = ud;
    Wa__MessageKey key = WA__MESSAGE_KEY__INIT;
    key.remotejid = (char *)u->remote;
    key.participant = (char *)u->participant;
    key.id = "MSGID";
    key.has_fromme = 1;
    key.fromme = u->from_me;
    Wa__Message inner = WA__MESSAGE__INIT, outer = WA__MESSAGE__INIT;
    Wa__Message__ImageMessage img = WA__MESSAGE__IMAGE_MESSAGE__INIT;
    Wa__Message__FutureProofMessage fp = WA__MESSAGE__FUTURE_PROOF_MESSAGE__INIT;
    if (u->caption) {
        img.caption = (char *)u->caption;
        inner.imagemessage = &img;
    } else {
        inner.conversation = (char *)u->text;
    }
    Wa__Message *content = &inner;
    if (u->ephemeral) {
        fp.message = &inner;
        outer.ephemeralmessage = &fp;
        content = &outer;
    }
    Wa__WebMessageInfo info = WA__WEB_MESSAGE_INFO__INIT;
    info.key = &key;
    info.message = content;
    info.has_messagetimestamp = 1;
    info.messagetimestamp = 1700000000;
    info.pushname = "Ann";
    lua_createtable(L, 0, 2); /* {type = 'notify', messages = {m}} */
    lua_pushliteral(L, "notify");
    lua_setfield(L, -2, "type");
    lua_createtable(L, 1, 0);
    wb_lua_push_message(L, &info);
    lua_rawseti(L, -2, 1);
    lua_setfield(L, -2, "messages");
    return 1;
}

static int want_records;
static int enough_records(void) { return fx_rec_count >= want_records; }

static void test_message_conveniences_and_reply(void) {
    fx_setup();
    fx_write("bot.lua",
             "local test = require 'test'\n"
             "local sock = wabot.sock\n"
             "sock.ev:on('messages.upsert', function(up)\n"
             "  for _, m in ipairs(up.messages) do\n"
             "    test.record(up.type, m.text, m.chat, m.sender, m.isGroup, m.pushName, m.messageTimestamp)\n"
             "    if m.text == 'ping' then\n"
             "      local r = m:reply({text = 'pong'})\n"
             "      test.record('replied', r.key.id)\n"
             "    end\n"
             "  end\n"
             "end)\n");
    wb_rt_config c;
    fx_config(&c);
    CHECK_EQ(wb_rt_new(&rt, &c, NULL), 0);
    static struct msg_ud a = {"123@s.whatsapp.net", NULL, "ping", NULL, 0, 0};
    static struct msg_ud b = {"999-1@g.us", "456@s.whatsapp.net", NULL, "look", 0, 1};
    static struct msg_ud e = {"123@s.whatsapp.net", NULL, "hidden", NULL, 0, 1};
    wb_rt_post_event(rt, "messages.upsert", push_upsert, NULL, &a);
    wb_rt_post_event(rt, "messages.upsert", push_upsert, NULL, &b);
    wb_rt_post_event(rt, "messages.upsert", push_upsert, NULL, &e);
    want_records = 4;
    CHECK(fx_run_until(enough_records, 2000));
    CHECK(fx_recorded("notify ping 123@s.whatsapp.net 123@s.whatsapp.net false Ann 1700000000"));
    CHECK(fx_recorded("notify look 999-1@g.us 456@s.whatsapp.net true Ann 1700000000"));
    CHECK(fx_recorded("notify hidden 123@s.whatsapp.net 123@s.whatsapp.net false Ann 1700000000"));
    CHECK(fx_recorded("replied FAKE1"));
    CHECK(strstr(fx_sent, "123@s.whatsapp.net|pong|MSGID\n") != NULL);
    fx_teardown(rt);
}

/* ---- wabot.kv ------------------------------------------------------------------------------- */

static wb_store *kv_st;
static void with_store(wb_rt_config *c) { c->store = kv_st; }

static void test_kv_values_prefixes_and_restarts(void) {
    fx_setup();
    char db[400];
    snprintf(db, sizeof db, "%s/wabot.db", fx_dir);
    CHECK_EQ(wb_store_open(&kv_st, db, 0, NULL), 0);
    fx_write("bot.lua",
             "local kv, test = wabot.kv, require 'test'\n"
             "kv.set('s', 'text\\0with nul')\n"
             "kv.set('i', math.maxinteger)\n"
             "kv.set('f', 0.5)\n"
             "kv.set('b', false)\n"
             "kv.set('t', {list = {1, 2, 'three'}, nested = {deep = true}, [10] = 'ten'})\n"
             "kv.set('remind:1', 'a') kv.set('remind:2', 'b') kv.set('remind;', 'c')\n"
             "kv.set('gone', 1) kv.set('gone', nil)\n"
             "test.record('del', kv.delete('remind;'), kv.delete('remind;'))\n"
             "test.record('bad', pcall(kv.set, 'x', print), pcall(kv.set, 'x', setmetatable({}, {})))\n"
             "local cyc = {} cyc.self = cyc\n"
             "test.record('cycle', (pcall(kv.set, 'x', cyc)))\n");
    wb_rt_config c;
    fx_config(&c);
    with_store(&c);
    CHECK_EQ(wb_rt_new(&rt, &c, NULL), 0);
    CHECK(fx_recorded("del true false"));
    CHECK(fx_recorded("cycle false"));
    wb_rt_close(rt);
    uv_run(&fx_loop, UV_RUN_DEFAULT);
    wb_store_close(kv_st);
    /* a restart: a new store connection and a new runtime read what the first one wrote */
    CHECK_EQ(wb_store_open(&kv_st, db, 0, NULL), 0);
    fx_write("bot.lua",
             "local kv, test = wabot.kv, require 'test'\n"
             "local s = kv.get('s')\n"
             "test.record('s', #s, s:byte(5))\n"
             "test.record('i', kv.get('i') == math.maxinteger, math.type(kv.get('i')))\n"
             "test.record('f', kv.get('f'), math.type(kv.get('f')))\n"
             "test.record('b', kv.get('b'))\n"
             "local t = kv.get('t')\n"
             "test.record('t', t.list[3], #t.list, t.nested.deep, t[10])\n"
             "test.record('keys', table.concat(kv.keys('remind:'), ','))\n"
             "test.record('all', #kv.keys())\n"
             "test.record('gone', kv.get('gone'))\n");
    with_store(&c);
    CHECK_EQ(wb_rt_new(&rt, &c, NULL), 0);
    CHECK(fx_recorded("s 13 0"));
    CHECK(fx_recorded("i true integer"));
    CHECK(fx_recorded("f 0.5 float"));
    CHECK(fx_recorded("b false"));
    CHECK(fx_recorded("t three 3 true ten"));
    CHECK(fx_recorded("keys remind:1,remind:2"));
    CHECK(fx_recorded("all 7"));
    CHECK(fx_recorded("gone nil"));
    fx_teardown(rt);
    wb_store_close(kv_st);
}

struct kv_rt {
    const uint8_t *p;
    size_t n;
    int rc;
};

static int kv_decode_cfn(lua_State *L) {
    struct kv_rt *k = lua_touserdata(L, 1);
    k->rc = wb_kv_decode(L, k->p, k->n);
    return 0;
}

static void test_kv_decoder_refuses_malformed_values(void) {
    static const struct {
        const char *bytes;
        size_t len;
    } bad[] = {
        {"", 0}, {"x", 1}, {"i\1\2", 3}, {"s\5ab", 4}, {"t\2T", 3}, {"TT", 2},
        {"t\1tT\0T", 6}, {"s\x80\x80\x80\x80\x80\x01", 7}, {"t\1dxxxxxxxxT", 11},
    };
    lua_State *L = plain_state();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct kv_rt k = {(const uint8_t *)bad[i].bytes, bad[i].len, 0};
        lua_pushcfunction(L, kv_decode_cfn);
        lua_pushlightuserdata(L, &k);
        CHECK_EQ(lua_pcall(L, 1, 0, 0), LUA_OK);
        if (k.rc >= 0)
            fprintf(stderr, "  accepted bad value %zu\n", i);
        CHECK(k.rc < 0);
    }
    lua_close(L);
}

/* ---- the example bots (bots/) against the fake session -------------------------------------- */

#define BOTS WB_TEST_VECTORS "/../../bots/"

static wb_rt *start_bot(const char *file) {
    wb_rt_config c;
    fx_config(&c);
    c.bot_path = file;
    c.store = kv_st;
    wb_rt *r = NULL;
    wb_error err = {0};
    if (wb_rt_new(&r, &c, &err) < 0)
        fprintf(stderr, "  %s: %s\n", file, err.what);
    return r;
}

static void say(wb_rt *r, const char *text) {
    static struct msg_ud u[16];
    static int next;
    struct msg_ud *m = &u[next++ % 16];
    *m = (struct msg_ud){"123@s.whatsapp.net", NULL, text, NULL, 0, 0};
    wb_rt_post_event(r, "messages.upsert", push_upsert, NULL, m);
}

static int sent_n;
static int sent_enough(void) { return fx_sends_done >= sent_n; }

static int push_added(lua_State *L, void *ud) {
    (void)ud;
    lua_createtable(L, 0, 3);
    lua_pushliteral(L, "999-1@g.us");
    lua_setfield(L, -2, "id");
    lua_pushliteral(L, "add");
    lua_setfield(L, -2, "action");
    lua_createtable(L, 2, 0); /* Baileys 7's GroupParticipant objects */
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "111@s.whatsapp.net");
    lua_setfield(L, -2, "id");
    lua_rawseti(L, -2, 1);
    lua_createtable(L, 0, 2);
    lua_pushliteral(L, "100000000000222@lid");
    lua_setfield(L, -2, "id");
    lua_pushliteral(L, "222@s.whatsapp.net");
    lua_setfield(L, -2, "phoneNumber");
    lua_rawseti(L, -2, 2);
    lua_setfield(L, -2, "participants");
    return 1;
}

static void test_example_bots_answer_through_the_fake_session(void) {
    fx_setup();
    CHECK_EQ(wb_store_open(&kv_st, ":memory:", 0, NULL), 0);
    wb_rt *r = start_bot(BOTS "echo.lua");
    CHECK(r != NULL);
    say(r, "hello there");
    sent_n = 1;
    CHECK(fx_run_until(sent_enough, 2000));
    CHECK(strstr(fx_sent, "123@s.whatsapp.net|hello there|MSGID\n") != NULL);
    wb_rt_close(r);
    uv_run(&fx_loop, UV_RUN_DEFAULT);

    fx_sent_reset();
    r = start_bot(BOTS "commands.lua");
    say(r, "!ping");
    say(r, "!help");
    say(r, "!nope");
    sent_n = 3;
    CHECK(fx_run_until(sent_enough, 2000));
    CHECK(strstr(fx_sent, "|pong|MSGID\n") != NULL);
    CHECK(strstr(fx_sent, "!ping - answers pong") != NULL);
    CHECK(strstr(fx_sent, "unknown command !nope; try !help") != NULL);
    wb_rt_close(r);
    uv_run(&fx_loop, UV_RUN_DEFAULT);

    fx_sent_reset();
    r = start_bot(BOTS "group_welcome.lua");
    wb_rt_post_event(r, "group-participants.update", push_added, NULL, NULL);
    sent_n = 1;
    CHECK(fx_run_until(sent_enough, 2000));
    CHECK(strstr(fx_sent, "999-1@g.us|Welcome, @111, @222!|") != NULL);
    wb_rt_close(r);
    uv_run(&fx_loop, UV_RUN_DEFAULT);

    /* reminder: set one, restart the bot (a new runtime on the same store), it still fires */
    fx_sent_reset();
    r = start_bot(BOTS "reminder.lua");
    say(r, "!remind 1s stretch");
    sent_n = 1;
    CHECK(fx_run_until(sent_enough, 2000));
    CHECK(strstr(fx_sent, "|OK, in 1s.|MSGID\n") != NULL);
    wb_rt_close(r);
    uv_run(&fx_loop, UV_RUN_DEFAULT);
    r = start_bot(BOTS "reminder.lua");
    sent_n = 2;
    CHECK(fx_run_until(sent_enough, 4000));
    CHECK(strstr(fx_sent, "123@s.whatsapp.net|\xe2\x8f\xb0 stretch|\n") != NULL);
    fx_teardown(r);
    wb_store_close(kv_st);
}

int main(void) {
    RUN(test_every_message_type_round_trips_through_lua_tables);
    RUN(test_lua_forms_of_values_are_the_documented_ones);
    RUN(test_message_conveniences_and_reply);
    RUN(test_kv_values_prefixes_and_restarts);
    RUN(test_kv_decoder_refuses_malformed_values);
    RUN(test_example_bots_answer_through_the_fake_session);
    return check_summary();
}
