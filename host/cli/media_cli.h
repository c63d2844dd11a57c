/* Media for the client commands: `wabot send --file PATH [--caption C] [--as KIND]` (send.c
 * takes these options through wb_cli_media_flag and sends through wb_cli_media_send) and
 * `wabot media download` (media.c); progress lines on a terminal. */
#ifndef WB_CLI_MEDIA_CLI_H
#define WB_CLI_MEDIA_CLI_H

#include <stdint.h>

#include "client/client.h"
#include "client/host.h"
#include "media/sniff.h"

typedef struct wb_cli_media_file {
    const char *file;          /* --file */
    const char *caption;       /* --caption */
    const char *as;            /* --as: image, video, audio, voice, document, sticker */
    const char *kind;          /* --as, else what the file looks like */
    wb_media_sniffed sniffed;  /* its mimetype */
    int progress;              /* show progress (stderr is a terminal, no --json) */
    /* the send in flight */
    wb_client_host *host;
    char to[128];
    wb_client_send_fn done;
    void *ud;
    char why[300];
    struct Wa__Message *built;  /* the message sent (the caller's to take and free) */
} wb_cli_media_file;

/* Takes --file, --caption or --as at argv[*i] (advancing *i past its value). Returns 1 when it
 * was one, 0 when not. */
int wb_cli_media_flag(wb_cli_media_file *m, int argc, char **argv, int *i);
/* Before connecting: the file is there and readable, --as is a kind, the kind is settled.
 * Returns 0, or an exit code after printing why. */
int wb_cli_media_check(wb_cli_media_file *m, const char *cmd);
/* Uploads m->file and sends it to jid as its kind (from a client event, once logged in);
 * done(ud, status, sent) runs exactly once, as wb_client_send_message's callback (a failed
 * upload: its status, with the sentence in m->why); the message that went out is left in
 * m->built. Returns 0 or an error (done not called). */
int wb_cli_media_send(wb_cli_media_file *m, wb_client_host *h, const char *jid, wb_client_send_fn done,
                      void *ud);

/* A progress line on stderr ("\r<verb> 42% of 10.0 MB"), at most ten times a second; total 0:
 * unknown. done == total (or finish) ends the line. */
void wb_cli_progress(const char *verb, uint64_t done, uint64_t total);
void wb_cli_progress_end(void);

#endif
