/* Unit tests for message kinds through the client (host/client content.c, kinds.c, view.c,
 * presence.c, receipt.c) against the simulator's core, in memory: reactions, edits, revokes,
 * polls and votes, locations and contacts, forwards, view-once and disappearing messages,
 * presence and chat states, played and read receipts; each as built, as seen by the other side
 * (events), and as applied to both sides' stored rows. */
#include "check.h"
#include "client/client_int.h"
#include "client_fixture.h"
#include "core/log.h"
#include "store/contact_store.h"
#include "store/message_store.h"
#include "wa/poll.h"

#define A_PHONE "15550101010"
#define B_PHONE "15550202020"
#define C_PHONE "15550303030"
#define A_JID A_PHONE "@s.whatsapp.net"
#define B_JID B_PHONE "@s.whatsapp.net"
#define C_JID C_PHONE "@s.whatsapp.net"

/* What a test saw of the kinds' events. */
typedef struct seen {
    int reactions, updates, presences, chats;
    wb_client_reaction reaction;
    char reaction_text[32], reaction_key_id[64], reaction_key_jid[64], reaction_by[64];
    int update_kind;
    char update_key_id[64], update_text[128];
    size_t update_nselected;
    uint8_t update_selected[WB_WA_POLL_HASH_LEN];
    char presence[32], presence_id[96], presence_who[96];
    uint32_t chat_ephemeral;
} seen;

static seen S[3];
static cl_fx *F[3];

static seen *seen_of(cl_fx *h) {
    for (int i = 0; i < 3; i++)
        if (F[i] == h)
            return &S[i];
    return &S[0];
}

static void on_event(cl_fx *h, const wb_client_event *ev) {
    seen *s = seen_of(h);
    switch (ev->type) {
    case WB_CLIENT_EV_REACTION:
        s->reactions++;
        s->reaction = ev->reactions.reactions[0];
        snprintf(s->reaction_text, sizeof s->reaction_text, "%s", ev->reactions.reactions[0].text);
        snprintf(s->reaction_key_id, sizeof s->reaction_key_id, "%s",
                 ev->reactions.reactions[0].key.id);
        snprintf(s->reaction_key_jid, sizeof s->reaction_key_jid, "%s",
                 ev->reactions.reactions[0].key.remote_jid);
        snprintf(s->reaction_by, sizeof s->reaction_by, "%s", ev->reactions.reactions[0].by.id);
        break;
    case WB_CLIENT_EV_MESSAGE_UPDATE: {
        const wb_client_update *u = &ev->updates.updates[0];
        s->updates++;
        s->update_kind = u->kind;
        snprintf(s->update_key_id, sizeof s->update_key_id, "%s", u->key.id);
        s->update_text[0] = '\0';
        if (u->kind == WB_CLIENT_UPDATE_EDIT) {
            Wa__Message *m;
            if (wb_proto_unpack(&wa__message__descriptor, u->message, u->message_len, 0, &m,
                                NULL) == 0) {
                const char *t = wb_client_message_text(m);
                snprintf(s->update_text, sizeof s->update_text, "%s", t ? t : "");
                wb_proto_free(m);
            }
        }
        s->update_nselected = u->nselected;
        if (u->nselected)
            memcpy(s->update_selected, u->selected, WB_WA_POLL_HASH_LEN);
        break;
    }
    case WB_CLIENT_EV_PRESENCE:
        s->presences++;
        snprintf(s->presence, sizeof s->presence, "%s", ev->presence.presence);
        snprintf(s->presence_id, sizeof s->presence_id, "%s", ev->presence.id);
        snprintf(s->presence_who, sizeof s->presence_who, "%s", ev->presence.participant);
        break;
    case WB_CLIENT_EV_CHATS_UPDATE:
        if (ev->chats.chats[0].fields & WB_CHAT_F_EPHEMERAL) {
            s->chats++;
            s->chat_ephemeral = ev->chats.chats[0].ephemeral_expiration;
        }
        break;
    default:
        break;
    }
}

static void setup(sim_fx *fx, int n) {
    static const char *const phones[3] = {A_PHONE, B_PHONE, C_PHONE};
    static const char *const names[3] = {"Ann", "Bob", "Cid"};
    memset(S, 0, sizeof S);
    sim_fx_init(fx, NULL);
    for (int i = 0; i < n; i++) {
        F[i] = cl_new(fx, NULL, NULL);
        F[i]->on_event = on_event;
        CHECK_EQ(cl_link_qr(fx, F[i], phones[i], names[i]), 200);
    }
}

static void teardown(sim_fx *fx, int n) {
    for (int i = 0; i < n; i++)
        cl_free(F[i]);
    sim_fx_free(fx);
}

/* Builds content for jid and sends it from h; returns the build's code, the outcome in *r. */
static int send_content(cl_fx *h, const char *jid, const wb_client_content *in, cl_sent *r) {
    Wa__Message *m = NULL;
    wb_error e = {0};
    memset(r, 0, sizeof *r);
    int rc = wb_client_content_build(h->c, jid, in, &m, &e);
    if (rc < 0) {
        fprintf(stderr, "build: %s\n", e.what);
        return rc;
    }
    rc = wb_client_send_message(h->c, jid, m, NULL, cl_on_sent, r);
    wb_proto_free(m);
    return rc;
}

/* The stored message (chat, id) of h, decoded (free it), or NULL. */
static Wa__WebMessageInfo *stored(cl_fx *h, const char *chat, const char *id) {
    Wa__WebMessageInfo *m = NULL;
    return wb_client_message_load(h->st, chat, id, &m) == 0 ? m : NULL;
}

typedef struct count {
    int n;
} count;

static int count_row(void *ud, const wb_message_row *m) {
    (void)m;
    ((count *)ud)->n++;
    return 0;
}

static int found(cl_fx *h, const char *query) {
    count c = {0};
    wb_message_search q = {.query = query};
    CHECK_EQ(wb_store_messages_search(h->st, &q, count_row, &c), 0);
    return c.n;
}

/* ---- reactions, edits, revokes ------------------------------------------------------------- */

static void test_client_kinds_reactions_edits_revokes_one_to_one(void) {
    sim_fx fx;
    setup(&fx, 2);
    cl_fx *a = F[0], *b = F[1];
    cl_sent s, r;
    wb_client_content text = {.text = "see you at eight"};
    CHECK_EQ(send_content(a, B_JID, &text, &s), 0);
    cl_run(&fx);
    CHECK_EQ(s.status, 0);
    CHECK_EQ(found(b, "eight"), 1);
    /* b reacts to a's message, naming it from b's side (fromMe false) */
    Wa__MessageKey k = WA__MESSAGE_KEY__INIT;
    k.remotejid = A_JID;
    k.has_fromme = 1;
    k.id = s.id;
    wb_client_content react = {.react = {.key = &k, .text = "👍"}};
    CHECK_EQ(send_content(b, A_JID, &react, &r), 0);
    cl_run(&fx);
    CHECK_EQ(r.status, 0);
    /* a hears messages.reaction: its own message (fromMe from a's side), in the chat with b */
    CHECK_EQ(S[0].reactions, 1);
    CHECK_STR(S[0].reaction_text, "👍");
    CHECK_STR(S[0].reaction_key_id, s.id);
    CHECK_STR(S[0].reaction_key_jid, B_JID);
    CHECK_EQ(S[0].reaction.key.from_me, 1);
    CHECK_STR(S[0].reaction_by, r.id);
    CHECK_EQ(S[1].reactions, 1); /* b's own reaction, as Baileys emits its own */
    Wa__WebMessageInfo *m = stored(a, B_JID, s.id);
    CHECK(m && m->n_reactions == 1 && strcmp(m->reactions[0]->text, "👍") == 0);
    wb_proto_free(m);
    m = stored(b, A_JID, s.id);
    CHECK(m && m->n_reactions == 1);
    wb_proto_free(m);
    /* another reaction replaces it; "" takes it back */
    react.react.text = "❤️";
    CHECK_EQ(send_content(b, A_JID, &react, &r), 0);
    cl_run(&fx);
    m = stored(a, B_JID, s.id);
    CHECK(m && m->n_reactions == 1 && strcmp(m->reactions[0]->text, "❤️") == 0);
    wb_proto_free(m);
    react.react.text = "";
    CHECK_EQ(send_content(b, A_JID, &react, &r), 0);
    cl_run(&fx);
    CHECK_EQ(S[0].reactions, 3);
    CHECK_STR(S[0].reaction_text, "");
    m = stored(a, B_JID, s.id);
    CHECK(m && m->n_reactions == 0);
    wb_proto_free(m);

    /* a edits its message: stanza edit="1"; b's row and search follow */
    k.remotejid = B_JID;
    k.fromme = 1;
    wb_client_content edit = {.text = "see you at nine", .edit = &k};
    CHECK_EQ(send_content(a, B_JID, &edit, &r), 0);
    cl_run(&fx);
    CHECK_EQ(r.status, 0);
    CHECK_EQ(S[1].update_kind, WB_CLIENT_UPDATE_EDIT);
    CHECK_STR(S[1].update_key_id, s.id);
    CHECK_STR(S[1].update_text, "see you at nine");
    CHECK_EQ(found(b, "eight"), 0);
    CHECK_EQ(found(b, "nine"), 1);
    CHECK_EQ(found(a, "nine"), 1); /* a's own copy too */
    m = stored(b, A_JID, s.id);
    char line[256];
    CHECK_STR(wb_client_message_describe(m, line, sizeof line), "see you at nine (edited)");
    wb_proto_free(m);
    /* b cannot edit a's message */
    Wa__MessageKey forged = k;
    forged.remotejid = A_JID;
    forged.fromme = 0;
    wb_client_content bad = {.text = "forged", .edit = &forged};
    CHECK_EQ(send_content(b, A_JID, &bad, &r), 0);
    cl_run(&fx);
    CHECK_EQ(found(a, "forged"), 0);
    CHECK_EQ(found(a, "nine"), 1);

    /* a revokes it: gone from both stores, the search finds nothing */
    wb_client_content revoke = {.revoke = &k};
    CHECK_EQ(send_content(a, B_JID, &revoke, &r), 0);
    cl_run(&fx);
    CHECK_EQ(S[1].update_kind, WB_CLIENT_UPDATE_REVOKE);
    CHECK_STR(S[1].update_key_id, s.id);
    CHECK_EQ(found(b, "nine"), 0);
    m = stored(b, A_JID, s.id);
    CHECK(m && !m->message && m->messagestubtype == WA__WEB_MESSAGE_INFO__STUB_TYPE__REVOKE);
    CHECK_STR(wb_client_message_describe(m, line, sizeof line), "[deleted]");
    wb_proto_free(m);
    m = stored(a, B_JID, s.id);
    CHECK(m && !m->message);
    wb_proto_free(m);
    teardown(&fx, 2);
}

/* ---- polls --------------------------------------------------------------------------------- */

static const char *group_of(sim_fx *fx, char gid[64]) {
    fx_reply r;
    fx_http(fx, "POST", "/admin/groups", NULL,
            "{\"subject\": \"Lunch\", \"creator\": \"" A_PHONE "\", \"participants\": [\"" B_PHONE
            "\", \"" C_PHONE "\"]}",
            &r);
    cl_run(fx);
    gid[0] = '\0';
    const char *j = strstr(r.body, "\"jid\"");
    if (j)
        sscanf(j, "\"jid\": \"%63[^\"]\"", gid);
    return gid;
}

static void test_client_kinds_poll_votes_tallied_in_a_group(void) {
    sim_fx fx;
    setup(&fx, 3);
    cl_fx *a = F[0], *b = F[1], *c = F[2];
    char gid[64];
    CHECK(strstr(group_of(&fx, gid), "@g.us") != NULL);
    static const char *const values[] = {"pizza", "sushi", "salad"};
    wb_client_content poll = {.poll = {.name = "lunch?", .values = values, .n = 3}};
    cl_sent p, v;
    CHECK_EQ(send_content(a, gid, &poll, &p), 0);
    cl_run(&fx);
    CHECK_EQ(p.status, 0);
    /* b votes pizza, c votes sushi then changes to pizza and salad */
    Wa__WebMessageInfo *pb = stored(b, gid, p.id);
    CHECK(pb && pb->key);
    static const char *const pizza[] = {"pizza"}, *const sushi[] = {"sushi"},
                             *const both[] = {"pizza", "salad"}, *const nope[] = {"tacos"};
    wb_client_content vote = {.vote = {.key = pb->key, .values = pizza, .n = 1}};
    CHECK_EQ(send_content(b, gid, &vote, &v), 0);
    cl_run(&fx);
    CHECK_EQ(v.status, 0);
    CHECK_EQ(S[0].update_kind, WB_CLIENT_UPDATE_POLL_VOTE);
    CHECK_STR(S[0].update_key_id, p.id);
    uint8_t h[32];
    wb_wa_poll_option_hash("pizza", h);
    CHECK(S[0].update_nselected == 1 && memcmp(S[0].update_selected, h, 32) == 0);
    Wa__WebMessageInfo *pc = stored(c, gid, p.id);
    vote.vote.key = pc->key;
    vote.vote.values = sushi;
    CHECK_EQ(send_content(c, gid, &vote, &v), 0);
    cl_run(&fx);
    vote.vote.values = both;
    vote.vote.n = 2;
    CHECK_EQ(send_content(c, gid, &vote, &v), 0);
    cl_run(&fx);
    /* an option the poll lacks is refused at build */
    vote.vote.values = nope;
    vote.vote.n = 1;
    Wa__Message *none = NULL;
    wb_error e = {0};
    CHECK_EQ(wb_client_content_build(c->c, gid, &vote, &none, &e), WB_EINVAL);
    CHECK(strstr(e.what, "tacos") != NULL);
    /* every member's tally is the same: pizza b, c; sushi none; salad c */
    for (int i = 0; i < 3; i++) {
        Wa__WebMessageInfo *pm = stored(F[i], gid, p.id);
        CHECK(pm != NULL);
        if (!pm)
            continue;
        char me[64];
        snprintf(me, sizeof me, "%s@s.whatsapp.net", i == 0 ? A_PHONE : i == 1 ? B_PHONE : C_PHONE);
        wb_arena ar;
        wb_arena_init(&ar, 0);
        wb_client_poll_option *o;
        size_t n;
        CHECK_EQ(wb_client_poll_tally(pm, me, &ar, &o, &n), 0);
        CHECK_EQ(n, 3);
        if (n == 3) {
            CHECK_STR(o[0].name, "pizza");
            CHECK_EQ(o[0].nvoters, 2);
            CHECK_EQ(o[1].nvoters, 0);
            CHECK_EQ(o[2].nvoters, 1);
            CHECK(o[2].nvoters == 1 && strcmp(o[2].voters[0], C_JID) == 0);
            int saw_b = 0;
            for (size_t k = 0; k < o[0].nvoters; k++)
                saw_b |= strcmp(o[0].voters[k], B_JID) == 0;
            CHECK(saw_b);
        }
        char line[256];
        CHECK_STR(wb_client_message_describe(pm, line, sizeof line),
                  "[poll] lunch? (pizza / sushi / salad)");
        wb_arena_free(&ar);
        wb_proto_free(pm);
    }
    /* b takes its vote back */
    vote.vote.key = pb->key;
    vote.vote.n = 0;
    CHECK_EQ(send_content(b, gid, &vote, &v), 0);
    cl_run(&fx);
    Wa__WebMessageInfo *pm = stored(a, gid, p.id);
    CHECK(pm && pm->n_pollupdates == 1);
    wb_proto_free(pm);
    wb_proto_free(pb);
    wb_proto_free(pc);
    teardown(&fx, 3);
}

/* ---- the other kinds ------------------------------------------------------------------------ */

static void test_client_kinds_location_contacts_forward_view_once_ephemeral(void) {
    sim_fx fx;
    setup(&fx, 2);
    cl_fx *a = F[0], *b = F[1];
    cl_sent s;
    Wa__Message__LocationMessage loc = WA__MESSAGE__LOCATION_MESSAGE__INIT;
    loc.has_degreeslatitude = loc.has_degreeslongitude = 1;
    loc.degreeslatitude = 52.52;
    loc.degreeslongitude = 13.405;
    loc.name = "Berlin";
    wb_client_content in = {.location = &loc, .ephemeral_expiration = 86400};
    CHECK_EQ(send_content(a, B_JID, &in, &s), 0);
    cl_run(&fx);
    Wa__WebMessageInfo *m = stored(b, A_JID, s.id);
    CHECK(m && m->message && m->message->locationmessage &&
          m->message->locationmessage->contextinfo &&
          m->message->locationmessage->contextinfo->expiration == 86400);
    char line[256];
    CHECK_STR(wb_client_message_describe(m, line, sizeof line), "[location 52.520000,13.405000 Berlin]");
    /* forwarded to a: counted as forwarded once */
    wb_client_content fwd = {.forward = {.msg = m}};
    cl_sent f;
    CHECK_EQ(send_content(b, A_JID, &fwd, &f), 0);
    cl_run(&fx);
    Wa__WebMessageInfo *fm = stored(a, B_JID, f.id);
    CHECK(fm && fm->message && fm->message->locationmessage &&
          fm->message->locationmessage->contextinfo &&
          fm->message->locationmessage->contextinfo->isforwarded &&
          fm->message->locationmessage->contextinfo->forwardingscore == 1 &&
          !fm->message->locationmessage->contextinfo->has_expiration);
    wb_proto_free(fm);
    wb_proto_free(m);
    /* contact cards, one and several */
    Wa__Message__ContactMessage c1 = WA__MESSAGE__CONTACT_MESSAGE__INIT, c2 = c1;
    c1.displayname = "Ann";
    c1.vcard = "BEGIN:VCARD\nVERSION:3.0\nFN:Ann\nTEL;waid=15550101010:+1 555 010 1010\nEND:VCARD";
    c2.displayname = "Bob";
    c2.vcard = "BEGIN:VCARD\nVERSION:3.0\nFN:Bob\nEND:VCARD";
    const Wa__Message__ContactMessage *cards[] = {&c1, &c2};
    wb_client_content one = {.contacts = {.v = cards, .n = 1}};
    CHECK_EQ(send_content(a, B_JID, &one, &s), 0);
    cl_run(&fx);
    m = stored(b, A_JID, s.id);
    CHECK(m && m->message && m->message->contactmessage &&
          strstr(m->message->contactmessage->vcard, "waid=15550101010"));
    CHECK_STR(wb_client_message_describe(m, line, sizeof line), "[contact Ann]");
    wb_proto_free(m);
    wb_client_content two = {.contacts = {.name = "2 contacts", .v = cards, .n = 2}};
    CHECK_EQ(send_content(a, B_JID, &two, &s), 0);
    cl_run(&fx);
    m = stored(b, A_JID, s.id);
    CHECK(m && m->message && m->message->contactsarraymessage &&
          m->message->contactsarraymessage->n_contacts == 2);
    wb_proto_free(m);
    /* view once text: found by its words, described as such */
    wb_client_content once = {.text = "only once", .view_once = 1};
    CHECK_EQ(send_content(a, B_JID, &once, &s), 0);
    cl_run(&fx);
    m = stored(b, A_JID, s.id);
    CHECK(m && m->message && m->message->viewoncemessage);
    CHECK_STR(wb_client_message_describe(m, line, sizeof line), "[view once] only once");
    CHECK_EQ(found(b, "once"), 1);
    wb_proto_free(m);
    /* a disappearing-messages timer (Baileys' disappearingMessagesInChat): chats.update */
    Wa__Message timer = WA__MESSAGE__INIT, inner = WA__MESSAGE__INIT;
    Wa__Message__FutureProofMessage fp = WA__MESSAGE__FUTURE_PROOF_MESSAGE__INIT;
    Wa__Message__ProtocolMessage pm = WA__MESSAGE__PROTOCOL_MESSAGE__INIT;
    pm.has_type = pm.has_ephemeralexpiration = 1;
    pm.type = WA__MESSAGE__PROTOCOL_MESSAGE__TYPE__EPHEMERAL_SETTING;
    pm.ephemeralexpiration = 604800;
    inner.protocolmessage = &pm;
    fp.message = &inner;
    timer.ephemeralmessage = &fp;
    CHECK_EQ(wb_client_send_message(a->c, B_JID, &timer, NULL, cl_on_sent, &s), 0);
    cl_run(&fx);
    CHECK_EQ(S[1].chats, 1);
    CHECK_EQ(S[1].chat_ephemeral, 604800);
    /* nothing without a kind, two kinds at once */
    wb_client_content none = {0}, twice = {.text = "x", .location = &loc};
    Wa__Message *out;
    wb_error e = {0};
    CHECK_EQ(wb_client_content_build(a->c, B_JID, &none, &out, &e), WB_EINVAL);
    CHECK_EQ(wb_client_content_build(a->c, B_JID, &twice, &out, &e), WB_EINVAL);
    teardown(&fx, 2);
}

/* ---- presence and receipts ----------------------------------------------------------------- */

static void test_client_kinds_presence_and_chat_states(void) {
    sim_fx fx;
    setup(&fx, 3);
    cl_fx *a = F[0], *b = F[1];
    CHECK_EQ(wb_client_presence_subscribe(a->c, B_JID), 0);
    cl_run(&fx);
    CHECK(S[0].presences >= 1);
    CHECK_STR(S[0].presence_id, B_JID);
    CHECK_STR(S[0].presence, "available");
    /* b types, records, pauses: a sees composing, recording, available */
    static const char *const states[][2] = {{"composing", "composing"},
                                            {"recording", "recording"},
                                            {"paused", "available"}};
    for (int i = 0; i < 3; i++) {
        int before = S[0].presences;
        CHECK_EQ(wb_client_send_presence(b->c, states[i][0], A_JID), 0);
        cl_run(&fx);
        CHECK_EQ(S[0].presences, before + 1);
        CHECK_STR(S[0].presence, states[i][1]);
        CHECK_STR(S[0].presence_who, B_JID);
    }
    /* b goes away */
    CHECK_EQ(wb_client_send_presence(b->c, "unavailable", NULL), 0);
    cl_run(&fx);
    CHECK_STR(S[0].presence, "unavailable");
    /* typing in a group reaches the members, from the group with b as participant */
    char gid[64];
    CHECK(strstr(group_of(&fx, gid), "@g.us") != NULL);
    CHECK_EQ(wb_client_send_presence(b->c, "composing", gid), 0);
    cl_run(&fx);
    CHECK_STR(S[0].presence_id, gid);
    CHECK_STR(S[0].presence_who, B_JID);
    CHECK_STR(S[2].presence_id, gid);
    CHECK_EQ(wb_client_send_presence(b->c, "dancing", A_JID), WB_EINVAL);
    CHECK_EQ(wb_client_send_presence(b->c, "composing", "nobody"), WB_EINVAL);
    teardown(&fx, 3);
}

static void test_client_kinds_played_and_read_receipts(void) {
    sim_fx fx;
    setup(&fx, 2);
    cl_fx *a = F[0], *b = F[1];
    cl_sent s;
    CHECK_EQ(cl_send_text(a, B_JID, "a voice note, say", &s), 0);
    cl_run(&fx);
    wb_client_key k = {.remote_jid = A_JID, .id = s.id};
    CHECK_EQ(wb_client_read(b->c, &k, 1), 0);
    cl_run(&fx);
    CHECK_EQ(a->statuses[4], 1);
    CHECK_EQ(wb_client_send_receipts(b->c, &k, 1, "played"), 0);
    cl_run(&fx);
    CHECK_EQ(a->statuses[5], 1);
    CHECK_EQ(wb_client_send_receipts(b->c, &k, 1, ""), WB_EINVAL);
    teardown(&fx, 2);
}

/* ---- replays and order ---------------------------------------------------------------------- */

static void test_client_kinds_events_come_back_with_their_replay(void) {
    sim_fx fx;
    setup(&fx, 2);
    cl_fx *a = F[0], *b = F[1];
    cl_sent s, r;
    CHECK_EQ(cl_send_text(a, B_JID, "react to me", &s), 0);
    cl_run(&fx);
    b->auto_handled = 0; /* b's consumer dies before it handled the reaction */
    Wa__MessageKey k = WA__MESSAGE_KEY__INIT;
    k.remotejid = B_JID;
    k.has_fromme = k.fromme = 1;
    k.id = s.id;
    wb_client_content react = {.react = {.key = &k, .text = "🔥"}};
    CHECK_EQ(send_content(a, B_JID, &react, &r), 0);
    cl_run(&fx);
    CHECK_EQ(S[1].reactions, 1);
    wb_store *st = b->st;
    b->own_store = 0;
    cl_free(b);
    memset(&S[1], 0, sizeof S[1]);
    F[1] = b = cl_new(&fx, st, NULL);
    b->on_event = on_event;
    cl_start(b);
    CHECK_EQ(S[1].reactions, 1); /* again, with the replayed upsert */
    CHECK_STR(S[1].reaction_text, "🔥");
    CHECK_STR(S[1].reaction_key_id, s.id);
    /* applied once: the stored message has one reaction */
    Wa__WebMessageInfo *m = stored(b, A_JID, s.id);
    CHECK(m && m->n_reactions == 1);
    wb_proto_free(m);
    cl_free(b);
    wb_store_close(st);
    cl_free(a);
    sim_fx_free(&fx);
}

/* A change stored before the message it changes (a vote or an edit that overtook it) is applied
 * when that message is stored. */
static void test_client_kinds_a_change_waits_for_its_target(void) {
    sim_fx fx;
    setup(&fx, 1);
    cl_fx *a = F[0];
    Wa__Message edited = WA__MESSAGE__INIT;
    edited.conversation = "the right words";
    Wa__Message__ProtocolMessage pm = WA__MESSAGE__PROTOCOL_MESSAGE__INIT;
    Wa__MessageKey k = WA__MESSAGE_KEY__INIT;
    k.remotejid = A_JID;
    k.has_fromme = k.fromme = 1;
    k.id = "3EB0LATE";
    pm.key = &k;
    pm.has_type = 1;
    pm.type = WA__MESSAGE__PROTOCOL_MESSAGE__TYPE__MESSAGE_EDIT;
    pm.editedmessage = &edited;
    Wa__Message edit = WA__MESSAGE__INIT, orig = WA__MESSAGE__INIT;
    edit.protocolmessage = &pm;
    orig.conversation = "the wrong words";
    /* as received from B: the edit first, then the message */
    struct {
        const char *id;
        Wa__Message *m;
    } order[] = {{"3EB0EDIT", &edit}, {"3EB0LATE", &orig}};
    for (int i = 0; i < 2; i++) {
        Wa__WebMessageInfo info = WA__WEB_MESSAGE_INFO__INIT;
        Wa__MessageKey key = WA__MESSAGE_KEY__INIT;
        key.remotejid = B_JID;
        key.has_fromme = 1;
        key.id = (char *)order[i].id;
        info.key = &key;
        info.message = order[i].m;
        wb_buf b = WB_BUF_INIT;
        CHECK_EQ(wb_proto_pack(&info, &b), 0);
        wb_message_row row = {.chat = B_JID, .sender = B_JID, .id = order[i].id, .ts = 1,
                              .text = wb_client_message_text(order[i].m), .info = b.data,
                              .info_len = b.len, .target = wb_client_kinds_target(order[i].m)};
        int64_t seq;
        CHECK_EQ(wb_store_begin(a->st), 0);
        CHECK_EQ(wb_store_message_add(a->st, &row, 0, &seq), 0);
        CHECK_EQ(wb_client_kinds_apply(a->c, &info, 0), 0);
        CHECK_EQ(wb_store_commit(a->st), 0);
        wb_buf_free(&b);
    }
    Wa__WebMessageInfo *m = stored(a, B_JID, "3EB0LATE");
    char line[128];
    CHECK_STR(wb_client_message_describe(m, line, sizeof line), "the right words (edited)");
    CHECK_EQ(found(a, "wrong"), 0);
    wb_proto_free(m);
    teardown(&fx, 1);
}

int main(void) {
    wb_crypto_init();
    wb_log_set_level(WB_LOG_ERROR);
    RUN(test_client_kinds_reactions_edits_revokes_one_to_one);
    RUN(test_client_kinds_poll_votes_tallied_in_a_group);
    RUN(test_client_kinds_location_contacts_forward_view_once_ephemeral);
    RUN(test_client_kinds_presence_and_chat_states);
    RUN(test_client_kinds_played_and_read_receipts);
    RUN(test_client_kinds_events_come_back_with_their_replay);
    RUN(test_client_kinds_a_change_waits_for_its_target);
    return check_summary();
}
