/* Subcommands of the wabot executable. Each takes the arguments after its own name
 * (argv[0] is the subcommand) and returns the process exit status. */
#ifndef WB_CLI_H
#define WB_CLI_H

typedef struct wb_command {
    const char *name;
    const char *summary; /* one line for `wabot --help` */
    int (*run)(int argc, char **argv);
} wb_command;

/* `wabot node decode|encode` (node.c). */
int wb_cli_node(int argc, char **argv);

/* `wabot sim` (sim.c). */
int wb_cli_sim(int argc, char **argv);

/* The client commands (auth.c, status.c, logout.c, sync.c, send.c, messages.c). */
int wb_cli_auth(int argc, char **argv);
int wb_cli_status(int argc, char **argv);
int wb_cli_logout(int argc, char **argv);
int wb_cli_sync(int argc, char **argv);
int wb_cli_send(int argc, char **argv);
int wb_cli_messages(int argc, char **argv);
/* `wabot groups ...` (groups.c). */
int wb_cli_groups(int argc, char **argv);
/* `wabot chats`, `wabot contacts` (chats.c). */
int wb_cli_chats(int argc, char **argv);
int wb_cli_contacts(int argc, char **argv);
/* `wabot media download` (media.c). */
int wb_cli_media(int argc, char **argv);

/* `wabot run BOT.lua` (run.c), `wabot dev BOT.lua` (dev.c), `wabot test SPEC.lua BOT.lua`
 * (test.c). */
int wb_cli_run(int argc, char **argv);
int wb_cli_dev(int argc, char **argv);
int wb_cli_test(int argc, char **argv);

/* Prints "wabot: " and the formatted message to stderr, with a newline. */
void wb_cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
