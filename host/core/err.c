/* Names and sentences for the error codes of err.h. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>

static const struct {
    int code;
    const char *name;
    const char *text;
} errors[] = {
    {WB_OK, "WB_OK", "success"},
    {WB_ENOMEM, "WB_ENOMEM", "out of memory"},
    {WB_EINVAL, "WB_EINVAL", "invalid argument"},
    {WB_ETRUNC, "WB_ETRUNC", "input ended early"},
    {WB_ETOOBIG, "WB_ETOOBIG", "length over the limit"},
    {WB_EMALFORMED, "WB_EMALFORMED", "malformed input"},
    {WB_EDEPTH, "WB_EDEPTH", "nesting too deep"},
    {WB_EAUTH, "WB_EAUTH", "authentication failed"},
    {WB_EBADSIG, "WB_EBADSIG", "bad signature"},
    {WB_ECRYPTO, "WB_ECRYPTO", "crypto library error"},
    {WB_ESTATE, "WB_ESTATE", "not valid in this state"},
    {WB_EIO, "WB_EIO", "I/O error"},
    {WB_ENOTFOUND, "WB_ENOTFOUND", "not found"},
    {WB_EUNSUPPORTED, "WB_EUNSUPPORTED", "unsupported"},
    {WB_EPROTO, "WB_EPROTO", "protocol violation"},
    {WB_ECERT, "WB_ECERT", "certificate rejected"},
    {WB_EDUPLICATE, "WB_EDUPLICATE", "duplicate message"},
    {WB_EUNTRUSTED, "WB_EUNTRUSTED", "untrusted identity"},
    {WB_ESTORE, "WB_ESTORE", "database error"},
    {WB_ETIMEOUT, "WB_ETIMEOUT", "timed out"},
    {WB_ECLOSED, "WB_ECLOSED", "closed"},
    {WB_EEXIST, "WB_EEXIST", "already exists"},
    {WB_ERANGE, "WB_ERANGE", "value out of range"},
    {WB_EREFUSED, "WB_EREFUSED", "the peer refused the request"},
};

static int find(int code) {
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
        if (errors[i].code == code)
            return (int)i;
    return -1;
}

const char *wb_strerror(int code) {
    int i = find(code);
    return i < 0 ? "unknown error" : errors[i].text;
}

const char *wb_errname(int code) {
    int i = find(code);
    return i < 0 ? "WB_E?" : errors[i].name;
}

int wb_error_set(wb_error *e, int code, size_t offset, const char *fmt, ...) {
    if (e) {
        va_list ap;
        e->code = code;
        e->offset = offset;
        va_start(ap, fmt);
        vsnprintf(e->what, sizeof e->what, fmt, ap);
        va_end(ap);
    }
    return code;
}
