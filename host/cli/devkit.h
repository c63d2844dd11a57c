/* The phone-free loop behind `wabot dev` and `wabot test`: the simulator in-process (host/sim's
 * server on 127.0.0.1 with an in-memory state), the bot (cli/bot.h) on a client linked to one
 * simulated account, and a second client, "you", linked to another. What you send reaches the
 * bot as a real encrypted message through the simulator; what the bot sends you arrives the same
 * way. Everything runs on one loop.
 *
 *     wb_devkit k = {.on_ready = ..., .on_bot_message = ..., .ud = me};
 *     wb_devkit_start(&k, loop, "bots/echo.lua", &rt_cfg, &err);   // both clients link
 *     ... on_ready: wb_devkit_send_text(&k, "hi"); ...
 *     wb_devkit_settled(&k)     // the bot has handled what you sent and what it sent arrived
 *     wb_devkit_stop(&k, on_stopped, me); ... wb_devkit_free(&k);
 */
#ifndef WB_CLI_DEVKIT_H
#define WB_CLI_DEVKIT_H

#include <stdint.h>
#include <uv.h>

#include "cli/bot.h"
#include "sim/server.h"
#include "store/store.h"

#define WB_DEVKIT_BOT_PHONE "15550000001"
#define WB_DEVKIT_YOU_PHONE "15550000002"

typedef struct wb_devkit {
    /* set by the caller */
    void (*on_ready)(void *ud);                       /* both logged in */
    void (*on_bot_message)(void *ud, const char *text, const char *chat); /* to you from the bot */
    void (*on_failed)(void *ud, const char *why);     /* linking or the connection failed */
    void *ud;
    /* the parts */
    uv_loop_t *loop;
    wb_sim_server *sim;
    wb_store *bot_store, *you_store;
    wb_cli_bot bot;
    wb_client_host *you;
    uint8_t root[32];
    int bot_open, you_open, ready, stopping, parts, parts_stopped;
    char bot_jid[96], you_jid[96]; /* user JIDs: 15550000001@s.whatsapp.net */
    char target[128];              /* where wb_devkit_send_text goes: the bot, a group, a JID */
    char last_id[96], last_chat[128], last_participant[96]; /* the bot's last message to you */
    char poll_id[96], poll_chat[128], poll_participant[96]; /* the bot's last poll to you */
    char my_last_id[96], my_last_chat[128];  /* your last message (acked), and where it went */
    char my_sending_chat[128];               /* where your latest send went */
    /* settling */
    uint64_t you_sent, you_acked;  /* your messages, and the server's acks of them */
    unsigned you_uploading;        /* your media still going up */
    uint64_t bot_got;              /* your messages the bot's client received */
    uint64_t bot_expects;          /* your messages sent to the bot or a group */
    uint64_t you_got;              /* the bot's messages you received */
    unsigned calls;                /* your group calls not answered yet */
    uint64_t last_activity_ms;
    void (*on_stopped)(void *ud);
    void *stopped_ud;
} wb_devkit;

/* Starts the simulator and both clients, and loads the bot (rcfg as for wb_cli_bot_start: the
 * bot file, budgets, reload). on_ready once both are logged in. Returns 0, or a negative code
 * with err set (the simulator does not start, the bot does not load). */
int wb_devkit_start(wb_devkit *k, uv_loop_t *loop, wb_rt_config *rcfg, wb_error *err);
/* Sends text from you to k->target (the bot unless changed). Returns 0 or a negative code. */
int wb_devkit_send_text(wb_devkit *k, const char *text);
/* Sends the file at path from you to k->target as a media message of kind ("image", ...; NULL:
 * what the file looks like): uploaded to the simulator's media host first. Returns 0 or a
 * negative code (WB_ENOTFOUND: no such file); a failure after that is logged. */
int wb_devkit_send_media(wb_devkit *k, const char *kind, const char *path);
/* Reacts with emoji to the bot's last message to you. WB_ENOTFOUND when there is none. */
int wb_devkit_react(wb_devkit *k, const char *emoji);
/* Votes for options in the bot's last poll to you (none takes the vote back), edits
 * your last message to text, or deletes it for everyone. WB_ENOTFOUND when there is no such
 * message, WB_EINVAL with err set when the client refuses (an option the poll lacks). */
int wb_devkit_vote(wb_devkit *k, const char *const *options, size_t n, wb_error *err);
int wb_devkit_edit(wb_devkit *k, const char *text, wb_error *err);
int wb_devkit_delete(wb_devkit *k, wb_error *err);
/* Makes a group of you and the bot named subject (the simulator's admin route), and makes it the
 * target. Returns 0 with the group's JID in jid, or a negative code with a sentence in err. */
int wb_devkit_group(wb_devkit *k, const char *subject, char jid[128], wb_error *err);
/* Changes the members of the group you write to (k->target: made by wb_devkit_group, you its
 * creator): action "add", "remove", "promote" or "demote" for the phone numbers (digits, or
 * +digits; their accounts are made in the simulator on demand), as your client's w:g2 call. done
 * (may be NULL) gets 0 and one "PHONE STATUS" per member, space-separated ("15550000003 200"),
 * or a negative code and a sentence, once the server answered. Returns 0 (done will be called),
 * or a negative code with a sentence in err (not in a group, a bad number). */
int wb_devkit_members(wb_devkit *k, const char *action, const char *const *phones, size_t n,
                      void (*done)(void *ud, int status, const char *summary), void *ud,
                      wb_error *err);
/* 1 when everything you sent was received and its listeners ended, nothing of the bot's is
 * waiting (sends, listeners) and all it sent has arrived, and nothing moved for quiet_ms. */
int wb_devkit_settled(wb_devkit *k, unsigned quiet_ms);
/* Stops both clients, the bot and the simulator; on_stopped(ud) once they are all closed. */
void wb_devkit_stop(wb_devkit *k, void (*on_stopped)(void *ud), void *ud);
void wb_devkit_free(wb_devkit *k);

#endif
