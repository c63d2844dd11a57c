/* Error codes shared by every layer of wabot.
 *
 * Functions return 0 (WB_OK) or a value >= 0 on success and one of the negative codes below on
 * failure, as libuv does. Out-parameters are written only on success. Where a caller needs to know
 * *where* untrusted input went wrong (a byte offset and a sentence), the function also takes an
 * optional wb_error, filled on failure. */
#ifndef WB_CORE_ERR_H
#define WB_CORE_ERR_H

#include <stddef.h>

enum {
    WB_OK = 0,
    WB_ENOMEM = -1,       /* allocation failed */
    WB_EINVAL = -2,       /* invalid argument: the caller's misuse, not the peer's */
    WB_ETRUNC = -3,       /* input ended before the structure did */
    WB_ETOOBIG = -4,      /* a length or count over a limit */
    WB_EMALFORMED = -5,   /* bytes that do not follow the format */
    WB_EDEPTH = -6,       /* nesting deeper than allowed */
    WB_EAUTH = -7,        /* authentication tag or MAC mismatch */
    WB_EBADSIG = -8,      /* signature does not verify */
    WB_ECRYPTO = -9,      /* the crypto library failed */
    WB_ESTATE = -10,      /* call not valid in the current state */
    WB_EIO = -11,         /* operating system I/O error */
    WB_ENOTFOUND = -12,   /* no such record */
    WB_EUNSUPPORTED = -13,/* a valid but unsupported variant (version, type) */
    WB_EPROTO = -14,      /* the peer broke the protocol */
    WB_ECERT = -15,       /* certificate chain rejected */
    WB_EDUPLICATE = -16,  /* message already processed (replay) */
    WB_EUNTRUSTED = -17,  /* an identity key changed */
    WB_ESTORE = -18,      /* database error */
    WB_ETIMEOUT = -19,    /* no answer in time */
    WB_ECLOSED = -20,     /* the connection or object is closed */
    WB_EEXIST = -21,      /* already exists */
    WB_ERANGE = -22,      /* a value outside its allowed range */
    WB_EREFUSED = -23,    /* the peer answered a request with an error */
};

/* A sentence describing the code ("input ended early"); never NULL. */
const char *wb_strerror(int code);
/* The code's symbolic name ("WB_ETRUNC"); never NULL. */
const char *wb_errname(int code);

/* Detail for errors in untrusted input: what was wrong and at which byte. */
typedef struct wb_error {
    int code;          /* one of the codes above, 0 when unset */
    size_t offset;     /* byte offset into the input where the problem was found */
    char what[160];    /* a short sentence, no trailing newline */
} wb_error;

/* Fills e (if not NULL) and returns code, so a parser can write
 *   return wb_error_set(err, WB_ETRUNC, pos, "attribute value");            */
int wb_error_set(wb_error *e, int code, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
