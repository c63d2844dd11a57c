/* What every wabot command that uses the client shares (auth, sync, send, status, logout, run):
 * the global flags, the store directory and its lock, the client's configuration, exit codes.
 *
 *   --store DIR        the data directory (default $XDG_DATA_HOME/wabot, else
 *                      ~/.local/share/wabot); the database is DIR/wabot.db
 *   --server URL       the websocket (default wss://web.whatsapp.com/ws/chat)
 *   --trust-root HEX|FILE  the Noise certificate root to trust instead of WhatsApp's (such as
 *                      a simulator's rootKey from /admin/info): 64 hex digits, or a file of them
 *   --ca FILE          PEM certificates to trust for wss:// instead of the system's
 *   --os NAME, --browser NAME  who we say we are when linking ("Mac OS", "Chrome" by default,
 *                      as Baileys' Browsers.macOS('Chrome')): the phone's list of linked
 *                      devices shows "BROWSER (OS)"
 *   --wa-version X.Y.Z the WhatsApp Web version we claim (default Baileys' 2.3000.1043857760);
 *                      the server refuses versions it considers too old, so a newer one can be
 *                      given here without a new wabot
 *   --media-ca FILE    PEM certificates to trust for the media hosts instead of the system's
 *   --log LEVEL        debug, info, warn (default), error */
#ifndef WB_CLI_CLIENT_COMMON_H
#define WB_CLI_CLIENT_COMMON_H

#include <stdint.h>

#include "client/client.h"
#include "client/host.h"
#include "store/lock.h"
#include "store/store.h"

/* Exit codes of the client commands (README.md lists them). */
enum {
    WB_EXIT_OK = 0,
    WB_EXIT_ERROR = 1,       /* a failure: the store, the network, the server refused */
    WB_EXIT_USAGE = 2,       /* bad arguments */
    WB_EXIT_NOT_LINKED = 3,  /* no linked device in the store: run wabot auth */
    WB_EXIT_LOGGED_OUT = 4,  /* the phone removed this device (401/403) */
    WB_EXIT_REPLACED = 5,    /* another process logged in as this device (440) */
    WB_EXIT_LOCKED = 6,      /* another wabot holds the store */
    WB_EXIT_LINK_FAILED = 7, /* linking did not finish (QR codes expired, refused) */
};

typedef struct wb_cli_client {
    char dir[4096];
    const char *server;
    uint8_t root[32];
    int has_root;
    char *ca_pem;
    char os[64], browser[64];  /* "": the default */
    uint32_t version[3];       /* all 0: the default */
    char *media_ca_pem;
    wb_store_lock *lock;
    wb_store *st;
} wb_cli_client;

/* Initialises o with the defaults. */
void wb_cli_client_init(wb_cli_client *o);
/* Takes a global flag at argv[*i] (advancing *i past its value). Returns 1 when it was one, 0
 * when it is not a global flag, -1 after printing why its value is bad. */
int wb_cli_client_flag(wb_cli_client *o, int argc, char **argv, int *i);
/* The help text of the global flags. */
extern const char wb_cli_client_flags_help[];
/* The arguments of a command that takes the global flags and at most one boolean flag of its
 * own (flag, e.g. "--json", NULL for none: *on is set to 1 when given). Anything else, and
 * --help, prints usage (a sentence or two: the global flags' help follows it) and ends the
 * command. Returns WB_CLI_GO_ON, or the exit code to end with: 0 after --help, WB_EXIT_USAGE
 * otherwise. */
#define WB_CLI_GO_ON (-1)
int wb_cli_client_args(wb_cli_client *o, int argc, char **argv, const char *flag, int *on,
                       const char *usage);
/* Opens the store (DIR/wabot.db) without taking its lock (for commands that only read it).
 * Returns WB_EXIT_OK, or WB_EXIT_ERROR after printing why. */
int wb_cli_store_open(const wb_cli_client *o, const char *cmd, wb_store **st);
/* Locks and opens the store. Returns WB_EXIT_OK or an exit code after printing why. */
int wb_cli_client_open(wb_cli_client *o, const char *cmd);
void wb_cli_client_close(wb_cli_client *o);
/* A client configuration on o's store and trust root. */
void wb_cli_client_config(const wb_cli_client *o, wb_client_config *cfg);
void wb_cli_client_host_opts(const wb_cli_client *o, wb_client_host_opts *ho);
/* Fails (and says why) unless the store holds a linked device: WB_EXIT_OK, WB_EXIT_NOT_LINKED or
 * WB_EXIT_LOGGED_OUT. */
int wb_cli_client_require_linked(wb_cli_client *o, const char *cmd);
/* A user: "+15551234" or "15551234" -> "15551234@s.whatsapp.net"; a JID as it is. 0, or -1 for
 * neither. */
int wb_cli_user_jid(const char *in, char out[128]);
/* The exit code for a connection that ended for good with reason. */
int wb_cli_exit_for_reason(int reason);

/* A command's run of the client: a loop, the host, SIGINT/SIGTERM ending it. on_event gets
 * every event; a command ends with wb_cli_session_finish (from an event, or a send's
 * completion), after which the loop stops once the socket has closed. */
typedef struct wb_cli_session {
    uv_loop_t *loop;
    wb_client_host *host;
    uv_signal_t sigint, sigterm;
    int status;
    int done;
    const char *cmd;
    int signal_status; /* the status SIGINT/SIGTERM end the run with (0 by default) */
    void (*on_event)(struct wb_cli_session *s, wb_client *c, const wb_client_event *ev);
    void *data; /* the command's */
} wb_cli_session;

/* Runs the client on cfg until finished; returns the status given to wb_cli_session_finish
 * (WB_EXIT_ERROR when the loop ended without one). */
int wb_cli_session_run(wb_cli_session *s, const wb_cli_client *o, const wb_client_config *cfg);
/* Shows a QR event: in the terminal (half blocks) or as a "qr: ..." line when stdout is not
 * one, appended to qr_out (may be NULL) as one line (auth.c). */
void wb_cli_show_qr(const char *qr_out, const wb_client_event *ev);
/* Ends the run with status (the first call wins). */
void wb_cli_session_finish(wb_cli_session *s, int status);
/* The usual handling of connection.update for commands that need a logged-in client: a final
 * close ends the run with its exit code (and says why). Returns 1 when ev was such a close. */
int wb_cli_session_closed(wb_cli_session *s, const wb_client_event *ev);

#endif
