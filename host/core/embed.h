/* Files compiled into the binary at build time (cmake/wb_embed.cmake): schema migrations, and
 * whatever else must ship inside wabot rather than beside it. */
#ifndef WB_CORE_EMBED_H
#define WB_CORE_EMBED_H

#include <stddef.h>

typedef struct wb_embed_file {
    const char *name;          /* the file's base name, e.g. "0001_signal.sql"; NULL ends a table */
    const unsigned char *data; /* its bytes, followed by a NUL that len does not count */
    size_t len;
} wb_embed_file;

#endif
