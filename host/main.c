/* wabot's command line: dispatches to the subcommands in host/cli/ through one table. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "crypto/random.h"

static const wb_command commands[] = {
    {"auth", "link this device to a phone (QR code or pairing code)", wb_cli_auth},
    {"status", "show the linked device and check the store", wb_cli_status},
    {"logout", "unlink this device and wipe its keys", wb_cli_logout},
    {"sync", "receive and store messages, printing them (--follow: stay)", wb_cli_sync},
    {"send", "send messages: text, reactions, edits, revokes, polls, votes, locations", wb_cli_send},
    {"messages", "list or search the stored messages", wb_cli_messages},
    {"chats", "list the stored chats", wb_cli_chats},
    {"contacts", "list the stored contacts", wb_cli_contacts},
    {"groups", "list, inspect and administer groups", wb_cli_groups},
    {"media", "download the media of a stored message (decrypted, verified)", wb_cli_media},
    {"node", "convert one stanza between its binary payload and JSON", wb_cli_node},
    {"sim", "run the WhatsApp server simulator", wb_cli_sim},
    {"run", "run a bot written in Lua, reloading it on save", wb_cli_run},
    {"dev", "run a bot against the built-in simulator and chat with it", wb_cli_dev},
    {"test", "run a bot's specs against the built-in simulator", wb_cli_test},
    {NULL, NULL, NULL},
};

static void usage(FILE *out) {
    fprintf(out, "usage: wabot <command> [args]\n\n"
                 "wabot is a WhatsApp Web client that runs bots written in Lua.\n\ncommands:\n");
    for (const wb_command *c = commands; c->name; c++)
        fprintf(out, "  %-14s %s\n", c->name, c->summary);
    fprintf(out, "\n  --help         this text\n  --version      print the version\n");
}

void wb_cli_fail(const char *fmt, ...) {
    va_list ap;
    fputs("wabot: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("wabot %s\n", WABOT_VERSION);
        return 0;
    }
    if (wb_crypto_init() < 0) {
        wb_cli_fail("cannot initialise the crypto library");
        return 1;
    }
    for (const wb_command *c = commands; c->name; c++)
        if (strcmp(argv[1], c->name) == 0)
            return c->run(argc - 1, argv + 1);
    wb_cli_fail("unknown command '%s' (see wabot --help)", argv[1]);
    return 2;
}
