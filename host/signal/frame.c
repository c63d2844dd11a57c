/* WhatsApp's framing around Signal (signal.h): the random padding on every plaintext
 * (Baileys' writeRandomPadMax16 / whatsmeow's unpadMessage) and Signal address strings
 * (Baileys' jidToSignalProtocolAddress). Called by the client. */
#include <stdio.h>
#include <string.h>

#include "crypto/random.h"
#include "signal/signal.h"

int wb_signal_pad(wb_buf *out, const uint8_t *msg, size_t len) {
    uint8_t n = (uint8_t)(wb_random_uniform(16) + 1);
    if (wb_buf_append(out, msg, len) < 0)
        return out->err;
    uint8_t *p = wb_buf_extend(out, n);
    if (!p)
        return out->err;
    memset(p, n, n);
    return 0;
}

long wb_signal_unpad(const uint8_t *msg, size_t len) {
    if (len == 0)
        return WB_EMALFORMED;
    uint8_t n = msg[len - 1];
    if (n == 0 || n > len)
        return WB_EMALFORMED;
    for (size_t i = len - n; i < len; i++)
        if (msg[i] != n)
            return WB_EMALFORMED;
    return (long)(len - n);
}

/* A user part: not empty, no '.', '_' or control characters, short enough. */
static size_t user_len(const char *user, size_t max) {
    size_t n = 0;
    for (; user[n]; n++)
        if (n >= max || user[n] == '.' || user[n] == '_' || (unsigned char)user[n] <= ' ')
            return 0;
    return n;
}

int wb_signal_address(char out[WB_SIGNAL_ADDR_MAX], const char *user, unsigned domain,
                      unsigned device) {
    if (!user_len(user, 128) || domain > 255 || device > 65535)
        return WB_EINVAL;
    if (domain)
        snprintf(out, WB_SIGNAL_ADDR_MAX, "%s_%u.%u", user, domain, device);
    else
        snprintf(out, WB_SIGNAL_ADDR_MAX, "%s.%u", user, device);
    return 0;
}

/* "user[_domain].device" with decimal domain and device, as wb_signal_address writes them. */
int wb_signal_address_valid(const char *addr) {
    if (!addr)
        return 0;
    const char *dot = strrchr(addr, '.');
    if (!dot || dot == addr || dot[1] == '\0' || strlen(dot + 1) > 5)
        return 0;
    for (const char *p = dot + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    const char *us = memchr(addr, '_', (size_t)(dot - addr));
    const char *user_end = us ? us : dot;
    if (user_end == addr || user_end - addr > 128)
        return 0;
    for (const char *p = addr; p < user_end; p++)
        if (*p == '.' || (unsigned char)*p <= ' ')
            return 0;
    if (us) {
        if (us + 1 == dot || dot - us - 1 > 3)
            return 0;
        for (const char *p = us + 1; p < dot; p++)
            if (*p < '0' || *p > '9')
                return 0;
    }
    return 1;
}
