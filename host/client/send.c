/* Sending messages (NOTES §6.1, §6.4): a FIFO of jobs, each going through
 *
 *   devices   the device lists of the recipients and of our own account (usync.c, cached)
 *   sessions  a prekey bundle fetched for every device we have no session with, one query
 *   ready     encrypted per device (our own devices get a DeviceSentMessage naming the chat),
 *             the stanza built (wa/message.h), our copy stored
 *   ack       sent; waiting for the server's <ack class="message"> with its time
 *
 * Jobs leave in the order they were made, so messages to one chat keep their order. The jobs
 * that are ready together are encrypted in one transaction, committed durably (fsync) before any
 * of their stanzas leaves the process: a power cut can never make the sending chain reuse a
 * message key that has gone out. Each job ends exactly once: the ack, a refusal (the ack's
 * error), a timeout, or the connection's end; completions are delivered at the end of the
 * client's entry point, never from inside wb_client_send_message.
 *
 * Ready jobs leave at the client's next tick, not from inside the call that made them ready: a
 * ready head makes wb_client_deadline due at once, so the host ticks at the end of its loop turn
 * and every message made ready in that turn (a bot answering a burst, `wabot send` with many
 * texts) shares one durable commit. The fsync costs milliseconds on a disk, far more than the
 * encryption, and paying it once per message bounded how fast a bot could answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/strmap.h"
#include "crypto/random.h"
#include "store/group_store.h"
#include "store/message_store.h"
#include "wa/content.h"
#include "wa/message.h"
#include "wa/prekeys.h"
#include "wa/receipt.h"
#include "wa/reporting.h"
#include "wb_proto.h"

enum { PH_GROUP = 0, PH_DEVICES, PH_SESSIONS, PH_READY, PH_ACK };

#define MAX_TARGETS 4096

struct wb_client_job {
    wb_client_job *next;
    wb_jid chat;                 /* a user or a group */
    char id[WB_WA_ID_MAX + 1];
    wb_buf msg;                  /* the Message, serialized */
    wb_wa_content_attrs attrs;   /* what the content gives the stanza: type, edit, mediatype... */
    wb_client_send_fn fn;
    void *ud;
    int phase;
    int group;                   /* to a group: sender key, distribution to new devices */
    int waiting;                 /* an IQ for this job is in flight */
    int fetched;                 /* bundles were fetched once: devices still without a session
                                    are left out */
    uint64_t deadline;
    /* the outcome */
    int status, server_error;
    int64_t t, seq;
    /* a resend (retry.c): one device, a count */
    int resend;
    wb_jid device;
    uint32_t count;
};

struct wb_client_sends {
    wb_client_job *head, *tail; /* not sent yet, in order */
    wb_strmap acks;             /* id -> job, sent and waiting for the server's ack */
    wb_client_job *done, **done_tail;
    int pumping;
};

static void job_free(wb_client_job *j) {
    if (!j)
        return;
    wb_buf_free(&j->msg);
    free(j);
}

int wb_client_sends_init(wb_client *c) {
    struct wb_client_sends *s = calloc(1, sizeof *s);
    if (!s)
        return WB_ENOMEM;
    wb_strmap_init(&s->acks);
    s->done_tail = &s->done;
    c->sends = s;
    return 0;
}

void wb_client_sends_free(wb_client *c) {
    struct wb_client_sends *s = c->sends;
    if (!s)
        return;
    wb_client_sends_fail_all(c, WB_ECLOSED);
    wb_client_sends_deliver(c);
    wb_strmap_free(&s->acks);
    free(s);
    c->sends = NULL;
}

/* A job is over: its completion waits for the end of the entry point. */
static void finish(wb_client *c, wb_client_job *j, int status) {
    struct wb_client_sends *s = c->sends;
    j->status = status;
    j->next = NULL;
    *s->done_tail = j;
    s->done_tail = &j->next;
}

void wb_client_sends_deliver(wb_client *c) {
    struct wb_client_sends *s = c->sends;
    while (s && s->done) {
        wb_client_job *j = s->done;
        s->done = j->next;
        if (!s->done)
            s->done_tail = &s->done;
        wb_client_sent sent = {.id = j->id, .t = j->t, .server_error = j->server_error,
                               .seq = j->seq};
        if (j->fn)
            j->fn(j->ud, j->status, &sent);
        job_free(j);
    }
}

static wb_client_job *pop_head(struct wb_client_sends *s) {
    wb_client_job *j = s->head;
    if (j) {
        s->head = j->next;
        if (!s->head)
            s->tail = NULL;
    }
    return j;
}

void wb_client_sends_fail_all(wb_client *c, int status) {
    struct wb_client_sends *s = c->sends;
    wb_client_job *j;
    while ((j = pop_head(s)))
        finish(c, j, status);
    size_t it = 0;
    const char *k;
    void *v;
    while (wb_strmap_next(&s->acks, &it, &k, &v)) {
        wb_strmap_del(&s->acks, k);
        finish(c, v, status);
    }
}

uint64_t wb_client_sends_deadline(const wb_client *c) {
    const struct wb_client_sends *s = c->sends;
    uint64_t d = UINT64_MAX;
    for (wb_client_job *j = s->head; j; j = j->next)
        if (!j->waiting && j->deadline < d)
            d = j->deadline;
    size_t it = 0;
    const char *k;
    void *v;
    while (wb_strmap_next(&s->acks, &it, &k, &v))
        if (((wb_client_job *)v)->deadline < d)
            d = ((wb_client_job *)v)->deadline;
    if (s->head && s->head->phase == PH_READY && c->state == WB_ST_OPEN)
        d = c->now; /* send_ready at the tick */
    return d;
}

/* ---- the phases ------------------------------------------------------------------------------ */

static void pump(wb_client *c);

static void on_devices(wb_client *c, void *ud, int status) {
    wb_client_job *j = c->sends->head;
    if (j && j->waiting) {
        j->waiting = 0;
        if (status < 0) {
            pop_head(c->sends);
            finish(c, j, status);
        }
    }
    pump(c);
}

/* The users whose devices a job needs: ours, and the chat's (1:1) or the members (group). A
 * malloc'd array in *out (free it); returns how many, or WB_ENOMEM / WB_ENOTFOUND (a group
 * whose members are not cached). */
static long job_users(wb_client *c, const wb_client_job *j, wb_jid **out) {
    const wb_jid *members = NULL;
    size_t nm = 0, n = 0;
    if (j->group && !j->resend && wb_client_group_members(c, &j->chat, &members, &nm) < 0)
        return WB_ENOTFOUND;
    wb_jid *u = malloc((nm + 2) * sizeof *u);
    if (!u)
        return WB_ENOMEM;
    wb_jid me = wb_jid_of(c->me_user, WB_SERVER_USER, 0);
    u[n++] = j->resend ? wb_jid_user_jid(&j->device) : me;
    if (!j->resend && !j->group) {
        wb_jid peer = wb_jid_user_jid(&j->chat);
        if (!wb_jid_same_user(&peer, &me))
            u[n++] = peer;
    }
    for (size_t i = 0; i < nm; i++)
        if (!wb_jid_same_user(&members[i], &me))
            u[n++] = members[i];
    *out = u;
    return (long)n;
}

/* The devices a job goes to (our own device left out), into a malloc'd *out; how many, or an
 * error as job_users. */
static long job_devices(wb_client *c, const wb_client_job *j, wb_jid **out) {
    if (j->resend) {
        if (!(*out = malloc(sizeof **out)))
            return WB_ENOMEM;
        (*out)[0] = j->device;
        return 1;
    }
    wb_jid *users;
    long nu = job_users(c, j, &users);
    if (nu < 0)
        return nu;
    size_t n = 0, cap = (size_t)nu * 4 + 4;
    wb_jid *devs = malloc(cap * sizeof *devs);
    for (long u = 0; devs && u < nu; u++) {
        const uint16_t *ids;
        size_t nd;
        if (wb_client_devices_get(c, &users[u], &ids, &nd) < 0)
            continue;
        for (size_t d = 0; d < nd && n < MAX_TARGETS; d++) {
            wb_jid dev = users[u];
            dev.device = ids[d];
            if (strcmp(dev.user, c->me_user) == 0 && wb_jid_on(&dev, WB_SERVER_USER) &&
                dev.device == c->me_device)
                continue;
            if (n == cap) {
                wb_jid *more = realloc(devs, (cap *= 2) * sizeof *devs);
                if (!more) {
                    free(devs);
                    devs = NULL;
                    break;
                }
                devs = more;
            }
            devs[n++] = dev;
        }
    }
    free(users);
    if (!devs)
        return WB_ENOMEM;
    *out = devs;
    return (long)n;
}

/* Whether device must get j's content 1:1: every device for a 1:1 or a resend; in a group only
 * the devices that lack our sender key (they get the distribution message). */
static int needs_pairwise(wb_client *c, const wb_client_job *j, const char *addr) {
    if (!j->group || j->resend)
        return 1;
    char group[WB_JID_STR_MAX];
    wb_jid_format(&j->chat, group, sizeof group);
    return wb_store_sender_key_sent_has(c->st, group, addr) != 1;
}

static void on_bundles(void *ud, int status, const wb_node *answer) {
    wb_client *c = ud;
    wb_client_job *j = c->sends->head;
    if (status == 0) {
        wb_node *list = wb_node_child(answer, "list");
        uint32_t it = 0;
        wb_node *user;
        while ((user = wb_node_next(list, "user", &it))) {
            wb_attrs a = wb_attrs_of(user);
            wb_jid jid = wb_attrs_jid(&a, "jid");
            wb_signal_bundle b;
            wb_error e = {0};
            char addr[WB_SIGNAL_ADDR_MAX];
            int rc = wb_attrs_ok(&a) ? wb_wa_prekeys_bundle_read(user, &b, &e) : WB_EPROTO;
            if (rc == 0)
                rc = wb_client_address(c, &jid, addr);
            if (rc == 0)
                rc = wb_signal_session_from_bundle(c->sig, addr, &b, NULL);
            if (rc < 0)
                WB_WARN("client", "no session with %s from its bundle: %s", addr[0] ? addr : "?",
                        e.what[0] ? e.what : wb_strerror(rc));
        }
    } else if (status != WB_ECLOSED) {
        WB_WARN("client", "prekey bundles: %s", wb_strerror(status));
    }
    if (j && j->waiting) {
        j->waiting = 0;
        j->fetched = 1;
    }
    pump(c);
}

/* Fetches bundles for the devices of j without a session: 1 when none is missing. */
static int sessions(wb_client *c, wb_client_job *j, const wb_jid *devs, size_t n) {
    wb_node *iq = NULL, *key = NULL;
    for (size_t i = 0; i < n; i++) {
        char addr[WB_SIGNAL_ADDR_MAX];
        if (wb_client_address(c, &devs[i], addr) < 0 || !needs_pairwise(c, j, addr) ||
            wb_signal_has_session(c->sig, addr) == 1)
            continue;
        if (!iq) {
            iq = wb_client_iq(c, "get", "encrypt");
            key = wb_node_add_new(iq, "key");
        }
        char jid[WB_JID_STR_MAX];
        wb_jid_format(&devs[i], jid, sizeof jid);
        WB_CHILD(key, "user", {"jid", jid});
    }
    if (!iq || j->fetched)
        return 1;
    int rc = wb_client_send_iq(c, iq, on_bundles, c);
    if (rc < 0)
        return rc;
    j->waiting = 1;
    return 0;
}

/* ---- encryption and the stanza ------------------------------------------------------------- */

/* Our copy of a sent message: for listings, and to answer retry requests. */
static int store_own(wb_client *c, wb_client_job *j, const Wa__Message *msg, const char *chat) {
    Wa__WebMessageInfo info = WA__WEB_MESSAGE_INFO__INIT;
    Wa__MessageKey key = WA__MESSAGE_KEY__INIT;
    key.remotejid = (char *)chat;
    key.has_fromme = key.fromme = 1;
    key.id = j->id;
    info.key = &key;
    info.message = (Wa__Message *)msg;
    info.has_messagetimestamp = info.has_status = 1;
    info.messagetimestamp = (uint64_t)wb_client_server_time(c);
    info.status = WA__WEB_MESSAGE_INFO__STATUS__PENDING;
    wb_buf bytes = WB_BUF_INIT;
    char me[WB_JID_STR_MAX];
    snprintf(me, sizeof me, "%s@" WB_SERVER_USER, c->me_user);
    int rc = wb_proto_pack(&info, &bytes);
    if (rc == 0) {
        wb_message_row row = {.chat = chat, .sender = me, .id = j->id, .from_me = 1,
                              .ts = (int64_t)info.messagetimestamp, .status = 1,
                              .text = wb_client_message_text(msg), .info = bytes.data,
                              .info_len = bytes.len, .target = wb_client_kinds_target(msg)};
        /* WB_EEXIST: an id we used already; refused, as the server would */
        rc = wb_store_message_add(c->st, &row, 0, &j->seq);
        c->search_stale = 1;
        /* our reaction, edit, revoke or vote changes its target's row too (kinds.c) */
        if (rc == 0)
            rc = wb_client_kinds_apply(c, &info, j->attrs.edit &&
                                                     strcmp(j->attrs.edit, WB_WA_EDIT_ADMIN_REVOKE) == 0);
    }
    wb_buf_free(&bytes);
    return rc;
}

/* The plaintexts of a job, padded: what other people's devices get (the message, or in a group
 * the sender-key distribution), and what our own devices get (a DeviceSentMessage naming the
 * chat; in a group the same as the others). */
static int plaintexts(wb_client *c, wb_client_job *j, const Wa__Message *msg, const char *chat,
                      wb_buf *peer, wb_buf *own) {
    int rc;
    if (j->group && !j->resend) {
        char self[WB_SIGNAL_ADDR_MAX];
        wb_jid me = wb_jid_of(c->me_user, WB_SERVER_USER, c->me_device);
        wb_buf skdm = WB_BUF_INIT, m = WB_BUF_INIT;
        Wa__Message wrap = WA__MESSAGE__INIT;
        Wa__Message__SenderKeyDistributionMessage d =
            WA__MESSAGE__SENDER_KEY_DISTRIBUTION_MESSAGE__INIT;
        if ((rc = wb_client_address(c, &me, self)) == 0 &&
            (rc = wb_signal_group_distribution(c->sig, chat, self, &skdm)) == 0) {
            d.groupid = (char *)chat;
            d.has_axolotlsenderkeydistributionmessage = 1;
            d.axolotlsenderkeydistributionmessage = (ProtobufCBinaryData){skdm.len, skdm.data};
            wrap.senderkeydistributionmessage = &d;
            if ((rc = wb_proto_pack(&wrap, &m)) == 0 && (rc = wb_signal_pad(peer, m.data, m.len)) == 0)
                rc = wb_signal_pad(own, m.data, m.len);
        }
        wb_buf_free_secret(&skdm);
        wb_buf_free_secret(&m);
        return rc;
    }
    Wa__Message wrap = WA__MESSAGE__INIT;
    Wa__Message__DeviceSentMessage d = WA__MESSAGE__DEVICE_SENT_MESSAGE__INIT;
    d.destinationjid = (char *)chat;
    d.message = (Wa__Message *)msg;
    wrap.devicesentmessage = &d;
    wb_buf dsm = WB_BUF_INIT;
    if ((rc = wb_proto_pack(&wrap, &dsm)) == 0 &&
        (rc = wb_signal_pad(peer, j->msg.data, j->msg.len)) == 0)
        rc = wb_signal_pad(own, dsm.data, dsm.len);
    wb_buf_free_secret(&dsm);
    return rc;
}

/* Encrypts j for its devices and builds its stanza into *out; stores our copy. Inside the
 * caller's durable transaction. */
static int encrypt_job(wb_client *c, wb_client_job *j, wb_node **out) {
    wb_jid *devs = NULL;
    wb_wa_target *targets = NULL;
    wb_buf *cts = NULL, peer_pt = WB_BUF_INIT, own_pt = WB_BUF_INIT, idbuf = WB_BUF_INIT,
           skmsg = WB_BUF_INIT, padded = WB_BUF_INIT;
    Wa__Message *msg = NULL;
    char chat[WB_JID_STR_MAX];
    wb_jid_format(&j->chat, chat, sizeof chat);
    long nd = job_devices(c, j, &devs);
    size_t n = nd > 0 ? (size_t)nd : 0, nt = 0;
    int rc = nd < 0 ? (int)nd : 0;
    if (rc == 0 && (!(targets = malloc((n + 1) * sizeof *targets)) ||
                    !(cts = calloc(n + 1, sizeof *cts))))
        rc = WB_ENOMEM;
    if (rc == 0)
        rc = wb_proto_unpack(&wa__message__descriptor, j->msg.data, j->msg.len, 0, &msg, NULL);
    if (rc == 0)
        rc = plaintexts(c, j, msg, chat, &peer_pt, &own_pt);
    if (rc == 0 && j->group && !j->resend) { /* the content, once, under our sender key */
        char self[WB_SIGNAL_ADDR_MAX];
        wb_jid me = wb_jid_of(c->me_user, WB_SERVER_USER, c->me_device);
        if ((rc = wb_client_address(c, &me, self)) == 0 &&
            (rc = wb_signal_pad(&padded, j->msg.data, j->msg.len)) == 0)
            rc = wb_signal_group_encrypt(c->sig, chat, self, padded.data, padded.len, &skmsg);
    }
    int any_pkmsg = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char addr[WB_SIGNAL_ADDR_MAX];
        int own = strcmp(devs[i].user, c->me_user) == 0 && wb_jid_on(&devs[i], WB_SERVER_USER);
        int type;
        if (wb_client_address(c, &devs[i], addr) < 0 || !needs_pairwise(c, j, addr))
            continue;
        const wb_buf *pt = own ? &own_pt : &peer_pt;
        int erc = wb_signal_encrypt(c->sig, addr, pt->data, pt->len, &cts[nt], &type);
        if (erc == WB_ENOTFOUND)
            continue; /* no session (no bundle): this device misses the message */
        if ((rc = erc) < 0)
            break;
        if (j->group && !j->resend && (rc = wb_store_sender_key_sent_add(c->st, chat, addr)) < 0)
            break;
        any_pkmsg |= type == WB_SIGNAL_PKMSG;
        targets[nt] = (wb_wa_target){.jid = devs[i], .has_enc = 1};
        targets[nt].enc = (wb_wa_enc){.type = type == WB_SIGNAL_PKMSG ? "pkmsg" : "msg",
                                      .data = cts[nt].data, .len = cts[nt].len,
                                      .mediatype = j->attrs.mediatype,
                                      .decrypt_fail = j->attrs.decrypt_fail};
        nt++;
    }
    if (rc == 0 && nt == 0 && !(j->group && !j->resend))
        rc = WB_ENOTFOUND; /* nobody to send to: no device has a session */
    if (rc == 0 && any_pkmsg)
        rc = wb_wa_adv_encode(&c->adv, 1, &idbuf);
    /* the reporting token of a first send (not of a resend: Baileys sends none there) */
    uint8_t token[WB_WA_REPORTING_TOKEN_LEN];
    int has_token = rc == 0 && !j->resend && wb_wa_reporting_wanted(msg) &&
                    msg->messagecontextinfo && msg->messagecontextinfo->has_messagesecret &&
                    msg->messagecontextinfo->messagesecret.len == 32 &&
                    wb_wa_reporting_token(j->msg.data, j->msg.len,
                                          msg->messagecontextinfo->messagesecret.data, j->id, chat,
                                          token) == 1;
    if (rc == 0) {
        wb_wa_message_send m = {.id = j->id, .to = j->chat, .type = j->attrs.type,
                                .identity = any_pkmsg ? idbuf.data : NULL,
                                .identity_len = any_pkmsg ? idbuf.len : 0,
                                .reporting_token = has_token ? token : NULL};
        if (!j->resend) { /* as Baileys' sendMessage; a resend (relayMessage alone) has neither */
            m.edit = j->attrs.edit;
            m.poll_type = j->attrs.poll_type;
        }
        wb_wa_enc direct;
        if (j->resend) {
            /* a resend names its one device and carries its enc directly (retry.c) */
            direct = targets[0].enc;
            direct.count = j->count;
            m.encs = &direct;
            m.nencs = 1;
            if (j->group)
                m.participant = j->device;
            else
                m.to = j->device;
        } else {
            if (j->group) {
                direct = (wb_wa_enc){.type = "skmsg", .data = skmsg.data, .len = skmsg.len,
                                     .mediatype = j->attrs.mediatype,
                                     .decrypt_fail = j->attrs.decrypt_fail};
                m.encs = &direct;
                m.nencs = 1;
                m.addressing_mode = "pn";
            }
            m.targets = targets;
            m.ntargets = nt;
        }
        *out = wb_wa_message_send_new(&c->arena, &m);
        if (!*out)
            rc = WB_ENOMEM;
    }
    if (rc == 0 && !j->resend)
        rc = store_own(c, j, msg, chat);
    wb_proto_free(msg);
    for (size_t i = 0; cts && i <= n; i++)
        wb_buf_free(&cts[i]);
    free(cts);
    free(targets);
    free(devs);
    wb_buf_free_secret(&peer_pt);
    wb_buf_free_secret(&own_pt);
    wb_buf_free_secret(&padded);
    wb_buf_free(&skmsg);
    wb_buf_free(&idbuf);
    return rc;
}

/* Our own message as Baileys emits it at send time (messages.upsert, type append). */
static void emit_own(wb_client *c, wb_client_job *j) {
    Wa__WebMessageInfo *info = NULL;
    Wa__WebMessageInfo tmp = WA__WEB_MESSAGE_INFO__INIT;
    Wa__MessageKey key = WA__MESSAGE_KEY__INIT;
    char chat[WB_JID_STR_MAX];
    wb_jid_format(&j->chat, chat, sizeof chat);
    key.remotejid = chat;
    key.has_fromme = key.fromme = 1;
    key.id = j->id;
    tmp.key = &key;
    tmp.has_messagetimestamp = tmp.has_status = 1;
    tmp.messagetimestamp = (uint64_t)wb_client_server_time(c);
    tmp.status = WA__WEB_MESSAGE_INFO__STATUS__PENDING;
    wb_buf b = WB_BUF_INIT;
    /* the Message bytes go in as field 2: concatenating keeps them as they are */
    if (wb_proto_pack(&tmp, &b) < 0) {
        wb_buf_free(&b);
        return;
    }
    wb_buf_put_u8(&b, 0x12); /* field 2, length-delimited */
    size_t len = j->msg.len;
    do {
        wb_buf_put_u8(&b, (uint8_t)((len & 0x7f) | (len > 0x7f ? 0x80 : 0)));
        len >>= 7;
    } while (len);
    wb_buf_append(&b, j->msg.data, j->msg.len);
    if (!b.err && wb_proto_unpack(&wa__web_message_info__descriptor, b.data, b.len, 0, &info,
                                  NULL) == 0) {
        Wa__WebMessageInfo **msgs = wb_arena_alloc(&c->evq.arena, sizeof *msgs);
        int64_t *seqs = wb_arena_alloc(&c->evq.arena, sizeof *seqs);
        if (msgs && seqs) {
            msgs[0] = info;
            seqs[0] = j->seq;
            wb_client_event ev = {.type = WB_CLIENT_EV_MESSAGES};
            ev.messages.append = 1;
            ev.messages.n = 1;
            ev.messages.msgs = msgs;
            ev.messages.seqs = seqs;
            wb_client_emit(c, &ev);
            wb_client_kinds_emit(c, info); /* as Baileys' own events: a reaction, an edit... */
        } else {
            wb_proto_free(info);
        }
    }
    wb_buf_free(&b);
}

/* Encrypts and sends the ready jobs at the head of the queue, in one durable transaction. */
static void send_ready(wb_client *c) {
    struct wb_client_sends *s = c->sends;
    size_t n = 0;
    for (wb_client_job *j = s->head; j && j->phase == PH_READY; j = j->next)
        n++;
    if (!n)
        return;
    wb_node **stanzas = calloc(n, sizeof *stanzas);
    int *ok = calloc(n, sizeof *ok);
    if (!stanzas || !ok) {
        free(stanzas);
        free(ok);
        return;
    }
    wb_client_recv_flush(c); /* the durable transaction is an outermost one */
    wb_client_handled_flush(c);
    int rc = c->cfg.durable_sends < 0 ? wb_store_begin(c->st) : wb_store_begin_durable(c->st);
    size_t i = 0;
    for (wb_client_job *j = s->head; rc == 0 && i < n; j = j->next, i++) {
        int jrc = wb_store_begin(c->st); /* a savepoint: a job that fails leaves nothing */
        if (jrc == 0)
            jrc = encrypt_job(c, j, &stanzas[i]);
        if (jrc == 0)
            jrc = wb_store_commit(c->st);
        else if (wb_store_depth(c->st) > 1)
            wb_store_rollback(c->st);
        ok[i] = jrc;
    }
    if (rc == 0)
        rc = wb_store_commit(c->st);
    for (i = 0; i < n; i++) {
        wb_client_job *j = pop_head(s);
        int jrc = rc < 0 ? rc : ok[i];
        if (jrc == 0)
            jrc = wb_client_send_node(c, stanzas[i]);
        if (jrc < 0) {
            WB_WARN("client", "message %s to not sent: %s", j->id, wb_strerror(jrc));
            finish(c, j, jrc);
            continue;
        }
        j->phase = PH_ACK;
        j->deadline = c->now + c->cfg.send_timeout_ms;
        if (wb_strmap_put(&s->acks, j->id, j, NULL) < 0) {
            finish(c, j, WB_ENOMEM);
            continue;
        }
        if (!j->resend)
            emit_own(c, j);
    }
    free(stanzas);
    free(ok);
}

static void on_group(wb_client *c, void *ud, int status) {
    on_devices(c, ud, status); /* the same: the head job goes on, or fails */
}

/* One step of j: 1 when it moved to another phase, 0 when it waits for an answer, or an error. */
static int advance(wb_client *c, wb_client_job *j) {
    int rc;
    switch (j->phase) {
    case PH_GROUP: {
        const wb_jid *members;
        size_t n;
        if (wb_client_group_members(c, &j->chat, &members, &n) == 0) {
            j->phase = PH_DEVICES;
            return 1;
        }
        if ((rc = wb_client_group_fetch(c, &j->chat, on_group, c)) < 0)
            return rc;
        j->waiting = 1;
        return 0;
    }
    case PH_DEVICES: {
        wb_jid *users;
        long nu = job_users(c, j, &users);
        if (nu < 0) /* the group's members went out of the cache: fetch them again */
            return nu == WB_ENOTFOUND && j->group ? (j->phase = PH_GROUP, 1) : (int)nu;
        rc = wb_client_devices_ensure(c, users, (size_t)nu, on_devices, c);
        free(users);
        if (rc == 0)
            j->waiting = 1;
        if (rc > 0)
            j->phase = PH_SESSIONS;
        return rc;
    }
    case PH_SESSIONS: {
        wb_jid *devs;
        long nd = job_devices(c, j, &devs);
        if (nd < 0)
            return nd == WB_ENOTFOUND && j->group ? (j->phase = PH_GROUP, 1) : (int)nd;
        rc = sessions(c, j, devs, (size_t)nd);
        free(devs);
        if (rc > 0)
            j->phase = PH_READY;
        return rc;
    }
    default:
        return 0;
    }
}

static void pump(wb_client *c) {
    struct wb_client_sends *s = c->sends;
    if (s->pumping)
        return;
    s->pumping = 1;
    for (wb_client_job *j = s->head; j && c->state == WB_ST_OPEN;) {
        if (j->waiting)
            break;
        if (j->phase == PH_READY) {
            j = j->next;
            continue;
        }
        int rc = advance(c, j);
        if (rc > 0)
            continue; /* the next phase, at once */
        if (rc == 0)
            break;    /* an answer is awaited */
        /* only the first job not ready can fail here: the ready ones before it go first */
        send_ready(c);
        if (s->head == j)
            finish(c, pop_head(s), rc);
        j = s->head;
    }
    s->pumping = 0;
}

void wb_client_sends_tick(wb_client *c) {
    struct wb_client_sends *s = c->sends;
    size_t it = 0;
    const char *k;
    void *v;
    while (wb_strmap_next(&s->acks, &it, &k, &v)) {
        wb_client_job *j = v;
        if (j->deadline <= c->now) {
            wb_strmap_del(&s->acks, k);
            finish(c, j, WB_ETIMEOUT);
        }
    }
    /* queued jobs past their deadline that no request of theirs will end */
    for (wb_client_job **pp = &s->head; *pp;) {
        wb_client_job *j = *pp;
        if (!j->waiting && j->deadline <= c->now) {
            *pp = j->next;
            if (!*pp)
                s->tail = NULL;
            finish(c, j, WB_ETIMEOUT);
            continue;
        }
        pp = &j->next;
    }
    if (s->tail == NULL)
        for (wb_client_job *j = s->head; j; j = j->next)
            s->tail = j;
    pump(c);
    send_ready(c); /* what this turn made ready, in one durable commit */
}

/* ---- the server's ack ------------------------------------------------------------------------ */

int wb_client_on_ack(wb_client *c, wb_node *n) {
    wb_wa_ack k;
    if (wb_wa_ack_read(n, &k, NULL) < 0 || strcmp(k.cls, "message") != 0)
        return 0;
    wb_client_job *j = wb_strmap_del(&c->sends->acks, k.id);
    if (!j)
        return 0;
    j->t = k.t;
    if (k.error) {
        j->server_error = k.error;
        WB_WARN("client", "the server refused message %s (%d)", j->id, k.error);
        finish(c, j, WB_EREFUSED);
        return 0;
    }
    if (!j->resend) {
        char chat[WB_JID_STR_MAX];
        wb_jid_format(&j->chat, chat, sizeof chat);
        wb_store_message_status(c->st, chat, j->id, 1, WA__WEB_MESSAGE_INFO__STATUS__SERVER_ACK);
    }
    finish(c, j, 0);
    return 0;
}

/* ---- resends ---------------------------------------------------------------------------------- */

static void enqueue(wb_client *c, wb_client_job *j);

int wb_client_send_again(wb_client *c, const wb_jid *chat, const char *id, const Wa__Message *m,
                         const wb_jid *device, uint32_t count) {
    if (wb_strmap_get(&c->sends->acks, id))
        return 0; /* the first send is still unacknowledged: the retry adds nothing */
    wb_client_job *j = calloc(1, sizeof *j);
    if (!j)
        return WB_ENOMEM;
    j->chat = *chat;
    snprintf(j->id, sizeof j->id, "%s", id);
    j->deadline = c->now + c->cfg.send_timeout_ms;
    j->resend = 1;
    j->device = *device;
    j->count = count;
    wb_wa_content_attrs_of(m, &j->attrs);
    if (wb_proto_pack(m, &j->msg) < 0) {
        job_free(j);
        return WB_ENOMEM;
    }
    j->group = wb_jid_on(chat, WB_SERVER_GROUP);
    j->phase = PH_SESSIONS; /* the one device is known */
    enqueue(c, j);
    pump(c);
    return 0;
}

/* ---- the entry point ------------------------------------------------------------------------- */

static wb_client_job *job_new(wb_client *c, const wb_jid *chat, const char *id,
                              wb_client_send_fn fn, void *ud) {
    wb_client_job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->chat = *chat;
    j->fn = fn;
    j->ud = ud;
    j->deadline = c->now + c->cfg.send_timeout_ms;
    if (id)
        snprintf(j->id, sizeof j->id, "%s", id);
    else {
        wb_jid me = wb_jid_of(c->me_user, WB_SERVER_USER, 0);
        wb_wa_message_id_new(j->id, &me, wb_client_server_time(c));
    }
    return j;
}

static void enqueue(wb_client *c, wb_client_job *j) {
    struct wb_client_sends *s = c->sends;
    if (s->tail)
        s->tail->next = j;
    else
        s->head = j;
    s->tail = j;
}

int wb_client_send_message(wb_client *c, const char *jid, const Wa__Message *m,
                           const wb_client_send_opts *opts, wb_client_send_fn fn, void *ud) {
    wb_jid chat;
    if (!jid || !m || wb_jid_parse(&chat, jid) < 0 || !chat.user[0] || chat.device ||
        !(wb_jid_on(&chat, WB_SERVER_USER) || wb_jid_on(&chat, WB_SERVER_LID) ||
          wb_jid_on(&chat, WB_SERVER_GROUP)))
        return WB_EINVAL;
    if (opts && opts->id && (!*opts->id || strlen(opts->id) > WB_WA_ID_MAX))
        return WB_EINVAL;
    wb_client_enter(c);
    if (c->state != WB_ST_OPEN)
        return WB_ECLOSED;
    wb_client_job *j = job_new(c, &chat, opts ? opts->id : NULL, fn, ud);
    if (!j)
        return WB_ENOMEM;
    j->group = wb_jid_on(&chat, WB_SERVER_GROUP);
    j->phase = j->group ? PH_GROUP : PH_DEVICES;
    wb_wa_content_attrs_of(m, &j->attrs);
    /* Every message but reactions and votes carries a fresh messageSecret, as Baileys' and
     * WhatsApp's do: the key of its reporting token, and of what others later attach to it
     * (poll votes, encrypted reactions, edits). The copy is shallow: only the pointer changes. */
    Wa__Message with_secret;
    Wa__MessageContextInfo ctx = WA__MESSAGE_CONTEXT_INFO__INIT;
    uint8_t secret[32];
    if (wb_wa_reporting_wanted(m) &&
        !(m->messagecontextinfo && m->messagecontextinfo->has_messagesecret)) {
        with_secret = *m;
        if (m->messagecontextinfo)
            ctx = *m->messagecontextinfo;
        wb_random_bytes(secret, sizeof secret);
        ctx.has_messagesecret = 1;
        ctx.messagesecret = (ProtobufCBinaryData){sizeof secret, secret};
        with_secret.messagecontextinfo = &ctx;
        m = &with_secret;
    }
    if (wb_proto_pack(m, &j->msg) < 0) {
        job_free(j);
        return WB_ENOMEM;
    }
    enqueue(c, j);
    pump(c);
    wb_client_flush_events(c);
    return 0;
}

int wb_client_idle(const wb_client *c) {
    return !c->sends->head && !c->sends->done && wb_strmap_count(&c->sends->acks) == 0 &&
           !wb_client_recv_pending(c);
}
