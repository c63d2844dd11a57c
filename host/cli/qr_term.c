/* QR codes in the terminal (qr_term.h), on libqrencode. */
#include "cli/qr_term.h"

#include <qrencode.h>

#define QUIET 2 /* modules of quiet zone around the code */

int wb_cli_qr_print(FILE *out, const char *text) {
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
    if (!q)
        return -1;
    int w = q->width, size = w + 2 * QUIET;
    /* dark(x, y): a dark module (the quiet zone is light) */
#define DARK(x, y)                                                                                 \
    ((x) >= QUIET && (y) >= QUIET && (x) < QUIET + w && (y) < QUIET + w &&                         \
     (q->data[((y) - QUIET) * w + ((x) - QUIET)] & 1))
    /* by (top dark) * 2 + (bottom dark): light is drawn */
    static const char *const cell[4] = {"\xe2\x96\x88", /* both light: full block */
                                        "\xe2\x96\x80", /* top light: upper half */
                                        "\xe2\x96\x84", /* bottom light: lower half */
                                        " "};
    for (int y = 0; y < size; y += 2) {
        for (int x = 0; x < size; x++) {
            int top = DARK(x, y), bottom = y + 1 < size ? DARK(x, y + 1) : 0;
            fputs(cell[top * 2 + bottom], out);
        }
        fputc('\n', out);
    }
#undef DARK
    QRcode_free(q);
    return 0;
}
