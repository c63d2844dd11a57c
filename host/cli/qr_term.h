/* A QR code drawn in a terminal with half-block characters (two modules per character cell, so
 * the code stays square), light modules as blocks for the usual dark background, with a quiet
 * zone. For `wabot auth`. */
#ifndef WB_CLI_QR_TERM_H
#define WB_CLI_QR_TERM_H

#include <stdio.h>

/* Writes text's QR code to out. Returns 0, or -1 when libqrencode cannot encode it. */
int wb_cli_qr_print(FILE *out, const char *text);

#endif
