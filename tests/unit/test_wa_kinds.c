/* Unit tests for what message kinds put on the wire: wa/presence (presence and chat states as
 * Baileys' chats.js sends and reads them), wa/poll (votes sealed as Baileys' decryptPollVote
 * opens them: the vector below was made with Node's crypto and checked with Baileys'
 * decryptPollVote) and wa/content (the stanza attributes Baileys' sendMessage gives each kind). */
#include "check.h"
#include "wa/content.h"
#include "wa/poll.h"
#include "wa/presence.h"
#include "wa_check.h"
#include "wb_proto.h"

static wb_arena A;

static void test_wa_presence_both_ways(void) {
    /* Baileys' sendPresenceUpdate('available') and presenceSubscribe */
    wb_node *n = wa_json(&A, "{\"tag\":\"presence\",\"attrs\":{\"name\":\"Bee\",\"type\":\"available\"}}");
    wb_wa_presence p;
    wb_error e = {0};
    CHECK_EQ(wb_wa_presence_read(n, &p, &e), 0);
    CHECK_STR(p.type, "available");
    CHECK_STR(p.name, "Bee");
    CHECK(wb_jid_is_empty(&p.to) && p.last == 0);
    n = wa_json(&A, "{\"tag\":\"presence\",\"attrs\":{\"to\":\"15550001111@s.whatsapp.net\",\"id\":\"12.34-5\","
                    "\"type\":\"subscribe\"}}");
    CHECK_EQ(wb_wa_presence_read(n, &p, &e), 0);
    CHECK_STR(wa_jid(&p.to), "15550001111@s.whatsapp.net");
    CHECK_STR(p.id, "12.34-5");
    /* the server's: last seen, or hidden */
    n = wa_json(&A, "{\"tag\":\"presence\",\"attrs\":{\"from\":\"15550001111@s.whatsapp.net\",\"type\":\"unavailable\","
                    "\"last\":\"1700000000\"}}");
    CHECK_EQ(wb_wa_presence_read(n, &p, &e), 0);
    CHECK_EQ(p.last, 1700000000);
    n = wa_json(&A, "{\"tag\":\"presence\",\"attrs\":{\"from\":\"15550001111@s.whatsapp.net\",\"type\":\"unavailable\","
                    "\"last\":\"deny\"}}");
    CHECK_EQ(wb_wa_presence_read(n, &p, &e), 0);
    CHECK_EQ(p.last, WB_WA_LAST_DENY);
    /* a round trip of each shape */
    wb_wa_presence out = {.type = "unavailable", .last = 1700000001};
    wb_jid_parse(&out.from, "15550002222@s.whatsapp.net");
    CHECK_EQ(wb_wa_presence_read(wa_wire(&A, wb_wa_presence_new(&A, &out)), &p, &e), 0);
    CHECK_EQ(p.last, 1700000001);
    CHECK_STR(wa_jid(&p.from), "15550002222@s.whatsapp.net");
    static const char *const bad[] = {
        "{\"tag\":\"presence\",\"attrs\":{\"type\":\"composing\"}}",
        "{\"tag\":\"presence\",\"attrs\":{\"type\":\"subscribe\"}}",
        "{\"tag\":\"presence\",\"attrs\":{\"from\":\"x@\",\"type\":\"available\"}}",
        "{\"tag\":\"presence\",\"attrs\":{\"type\":\"available\",\"last\":\"soon\"}}",
        "{\"tag\":\"presence\",\"attrs\":{\"type\":\"available\",\"last\":\"-5\"}}",
        "{\"tag\":\"chatstate\",\"attrs\":{}}",
    };
    WA_CHECK_REFUSES(&A, bad, wb_wa_presence_read(WA_NODE, &p, WA_ERR));
}

static void test_wa_chatstate_both_ways(void) {
    /* Baileys' sendPresenceUpdate('recording', jid) */
    wb_node *n = wa_json(&A,
        "{\"tag\":\"chatstate\",\"attrs\":{\"from\":\"15550001111:3@s.whatsapp.net\",\"to\":\"15550002222@s.whatsapp.net\"},"
        "\"content\":[{\"tag\":\"composing\",\"attrs\":{\"media\":\"audio\"}}]}");
    wb_wa_chatstate s;
    wb_error e = {0};
    CHECK_EQ(wb_wa_chatstate_read(n, &s, &e), 0);
    CHECK_STR(s.state, "composing");
    CHECK_STR(s.media, "audio");
    CHECK_STR(wb_wa_chatstate_presence(&s), "recording");
    const char *state, *media;
    CHECK_EQ(wb_wa_presence_kind("recording", &state, &media), WB_WA_PRESENCE_CHATSTATE);
    CHECK_STR(state, "composing");
    CHECK_STR(media, "audio");
    CHECK_EQ(wb_wa_presence_kind("paused", &state, &media), WB_WA_PRESENCE_CHATSTATE);
    CHECK(media == NULL);
    CHECK_EQ(wb_wa_presence_kind("available", NULL, NULL), WB_WA_PRESENCE_AVAILABILITY);
    CHECK_EQ(wb_wa_presence_kind("typing", NULL, NULL), WB_WA_PRESENCE_BAD);
    /* the server's in a group: who types is the participant; paused reads available */
    wb_wa_chatstate g = {.state = "paused"};
    wb_jid_parse(&g.from, "120363000000000001@g.us");
    wb_jid_parse(&g.participant, "15550001111@s.whatsapp.net");
    n = wa_wire(&A, wb_wa_chatstate_new(&A, &g));
    CHECK_STR(wa_to_json(n), "{\"tag\":\"chatstate\",\"attrs\":{\"from\":\"120363000000000001@g.us\","
                             "\"participant\":\"15550001111@s.whatsapp.net\"},\"content\":[{\"tag\":\"paused\",\"attrs\":{}}]}");
    CHECK_EQ(wb_wa_chatstate_read(n, &s, &e), 0);
    CHECK_STR(wb_wa_chatstate_presence(&s), "available");
    static const char *const bad[] = {
        "{\"tag\":\"chatstate\",\"attrs\":{\"from\":\"15550001111@s.whatsapp.net\"}}",
        "{\"tag\":\"chatstate\",\"attrs\":{},\"content\":[{\"tag\":\"typing\",\"attrs\":{}}]}",
        "{\"tag\":\"chatstate\",\"attrs\":{\"from\":\"@@\"},\"content\":[{\"tag\":\"paused\",\"attrs\":{}}]}",
    };
    WA_CHECK_REFUSES(&A, bad, wb_wa_chatstate_read(WA_NODE, &s, WA_ERR));
}

static void test_wa_poll_vote_as_baileys_opens_it(void) {
    uint8_t secret[32], iv[12], want_pt[64], want_ct[128], hash[32];
    for (int i = 0; i < 32; i++)
        secret[i] = (uint8_t)i;
    memset(iv, 7, sizeof iv);
    size_t npt = check_unhex(want_pt, sizeof want_pt,
                             "0a209ed1515819dec61fd361d5fdabb57f41ecce1a5fe1fe263b98c0d6943b9b232e");
    size_t nct = check_unhex(want_ct, sizeof want_ct,
                             "2df9066735eee60e8a7e196f7ab4492b42c8e10bbaf6abff708dc7234d82899934cb8b"
                             "68be386a0e6f13701852f284b9d662");
    const char *id = "3EB0AABBCCDDEEFF001122", *creator = "15550001111@s.whatsapp.net",
               *voter = "15550002222@s.whatsapp.net";
    /* the option's hash is what the vote carries */
    wb_wa_poll_option_hash("pizza", hash);
    CHECK_MEM(hash, want_pt + 2, 32);
    wb_buf ct = WB_BUF_INIT, pt = WB_BUF_INIT;
    CHECK_EQ(wb_wa_poll_vote_seal(secret, id, creator, voter, iv, want_pt, npt, &ct), 0);
    CHECK_EQ(ct.len, nct);
    CHECK_MEM(ct.data, want_ct, nct);
    CHECK_EQ(wb_wa_poll_vote_open(secret, id, creator, voter, iv, 12, want_ct, nct, &pt), 0);
    CHECK_EQ(pt.len, npt);
    CHECK_MEM(pt.data, want_pt, npt);
    /* anyone else's view of it does not open: another voter, creator, poll, secret, a flipped
     * byte, a short IV */
    wb_buf_reset(&pt);
    CHECK_EQ(wb_wa_poll_vote_open(secret, id, creator, creator, iv, 12, want_ct, nct, &pt), WB_EAUTH);
    CHECK_EQ(wb_wa_poll_vote_open(secret, id, voter, voter, iv, 12, want_ct, nct, &pt), WB_EAUTH);
    CHECK_EQ(wb_wa_poll_vote_open(secret, "3EB0X", creator, voter, iv, 12, want_ct, nct, &pt), WB_EAUTH);
    secret[0] ^= 1;
    CHECK_EQ(wb_wa_poll_vote_open(secret, id, creator, voter, iv, 12, want_ct, nct, &pt), WB_EAUTH);
    secret[0] ^= 1;
    want_ct[3] ^= 0x20;
    CHECK_EQ(wb_wa_poll_vote_open(secret, id, creator, voter, iv, 12, want_ct, nct, &pt), WB_EAUTH);
    CHECK_EQ(pt.len, 0);
    CHECK_EQ(wb_wa_poll_vote_open(secret, id, creator, voter, iv, 8, want_ct, nct, &pt), WB_EMALFORMED);
    CHECK_EQ(wb_wa_poll_vote_open(secret, id, creator, voter, iv, 12, want_ct, 15, &pt), WB_EMALFORMED);
    CHECK_EQ(wb_wa_poll_vote_open(secret, NULL, creator, voter, iv, 12, want_ct, nct, &pt), WB_EINVAL);
    wb_buf_free(&ct);
    wb_buf_free(&pt);
}

/* The attributes of a message given as its fields. */
static wb_wa_content_attrs attrs_of(const Wa__Message *m) {
    wb_wa_content_attrs a;
    wb_wa_content_attrs_of(m, &a);
    return a;
}

static void test_wa_content_attrs_as_baileys_sends_them(void) {
    Wa__Message m = WA__MESSAGE__INIT;
    wb_wa_content_attrs a = attrs_of(&m);
    CHECK_STR(a.type, "text");
    CHECK(!a.edit && !a.mediatype && !a.decrypt_fail && !a.poll_type);
    /* a reaction: hidden when it cannot be decrypted */
    Wa__Message__ReactionMessage r = WA__MESSAGE__REACTION_MESSAGE__INIT;
    m.reactionmessage = &r;
    a = attrs_of(&m);
    CHECK_STR(a.type, "reaction");
    CHECK_STR(fx_attr_or(a.decrypt_fail), "hide");
    CHECK(!a.edit);
    m.reactionmessage = NULL;
    /* revokes: our own (7), someone else's in a group (8, an admin's); an edit (1) */
    Wa__Message__ProtocolMessage p = WA__MESSAGE__PROTOCOL_MESSAGE__INIT;
    Wa__MessageKey k = WA__MESSAGE_KEY__INIT;
    k.remotejid = "120363000000000001@g.us";
    k.has_fromme = 1;
    k.fromme = 1;
    p.key = &k;
    p.has_type = 1;
    p.type = WA__MESSAGE__PROTOCOL_MESSAGE__TYPE__REVOKE;
    m.protocolmessage = &p;
    CHECK_STR(fx_attr_or(attrs_of(&m).edit), WB_WA_EDIT_SENDER_REVOKE);
    k.fromme = 0;
    CHECK_STR(fx_attr_or(attrs_of(&m).edit), WB_WA_EDIT_ADMIN_REVOKE);
    k.remotejid = "15550001111@s.whatsapp.net";
    CHECK_STR(fx_attr_or(attrs_of(&m).edit), WB_WA_EDIT_SENDER_REVOKE);
    Wa__Message edited = WA__MESSAGE__INIT;
    edited.conversation = "fixed";
    p.type = WA__MESSAGE__PROTOCOL_MESSAGE__TYPE__MESSAGE_EDIT;
    p.editedmessage = &edited;
    a = attrs_of(&m);
    CHECK_STR(fx_attr_or(a.edit), WB_WA_EDIT_MESSAGE);
    CHECK_STR(a.type, "text");
    m.protocolmessage = NULL;
    /* polls: <meta polltype>, creation and vote */
    Wa__Message__PollCreationMessage poll = WA__MESSAGE__POLL_CREATION_MESSAGE__INIT;
    m.pollcreationmessagev3 = &poll;
    a = attrs_of(&m);
    CHECK_STR(a.type, "poll");
    CHECK_STR(fx_attr_or(a.poll_type), "creation");
    CHECK(!a.decrypt_fail);
    m.pollcreationmessagev3 = NULL;
    Wa__Message__PollUpdateMessage vote = WA__MESSAGE__POLL_UPDATE_MESSAGE__INIT;
    m.pollupdatemessage = &vote;
    a = attrs_of(&m);
    CHECK_STR(a.type, "poll");
    CHECK_STR(fx_attr_or(a.poll_type), "vote");
    CHECK_STR(fx_attr_or(a.decrypt_fail), "hide");
    m.pollupdatemessage = NULL;
    /* location is text to Baileys; contacts are media (vcard); a voice note is ptt */
    Wa__Message__LocationMessage loc = WA__MESSAGE__LOCATION_MESSAGE__INIT;
    m.locationmessage = &loc;
    a = attrs_of(&m);
    CHECK_STR(a.type, "text");
    CHECK(!a.mediatype);
    m.locationmessage = NULL;
    Wa__Message__ContactMessage card = WA__MESSAGE__CONTACT_MESSAGE__INIT;
    m.contactmessage = &card;
    a = attrs_of(&m);
    CHECK_STR(a.type, "media");
    CHECK_STR(fx_attr_or(a.mediatype), "vcard");
    m.contactmessage = NULL;
    Wa__Message__AudioMessage voice = WA__MESSAGE__AUDIO_MESSAGE__INIT;
    voice.has_ptt = voice.ptt = 1;
    m.audiomessage = &voice;
    CHECK_STR(fx_attr_or(attrs_of(&m).mediatype), "ptt");
    /* view once: the type of what is inside; the mediatype of the outer message (none) */
    Wa__Message inner = WA__MESSAGE__INIT, outer = WA__MESSAGE__INIT;
    Wa__Message__FutureProofMessage fp = WA__MESSAGE__FUTURE_PROOF_MESSAGE__INIT;
    Wa__Message__ImageMessage img = WA__MESSAGE__IMAGE_MESSAGE__INIT;
    inner.imagemessage = &img;
    fp.message = &inner;
    outer.viewoncemessage = &fp;
    a = attrs_of(&outer);
    CHECK_STR(a.type, "media");
    CHECK(!a.mediatype);
    CHECK(wb_wa_content_normalize(&outer) == &inner);
    CHECK(wb_wa_content_normalize(NULL) == NULL);
}

int main(void) {
    wb_arena_init(&A, 0);
    RUN(test_wa_presence_both_ways);
    RUN(test_wa_chatstate_both_ways);
    RUN(test_wa_poll_vote_as_baileys_opens_it);
    RUN(test_wa_content_attrs_as_baileys_sends_them);
    wb_arena_free(&A);
    return check_summary();
}
