/* JID parsing and formatting (jid.h). Callers: the attribute reader (node.c), the client, the
 * simulator and the Signal layer. The codec itself works on JID strings (encode.c, decode.c)
 * and shares only the decimal helper below. */
#include "binary/jid.h"

#include <stdio.h>
#include <string.h>

#include "binary/jid_internal.h"
#include "core/err.h"

int wb_jid_decimal(const char *s, size_t len, unsigned max, unsigned *out) {
    if (len == 0 || len > 5 || (len > 1 && s[0] == '0'))
        return 0;
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > max)
        return 0;
    *out = v;
    return 1;
}

static int valid_server(const char *s, size_t len) {
    if (len == 0 || len > WB_JID_SERVER_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

static int valid_user(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c == '@' || c == ':' || c == '_' || c == 0x7f)
            return 0;
    }
    return 1;
}

static const char *find(const char *s, size_t len, char c) {
    return len ? memchr(s, c, len) : NULL;
}

int wb_jid_parsen(wb_jid *out, const char *s, size_t len) {
    if (!s)
        return WB_EINVAL;
    const char *at = find(s, len, '@');
    if (!at)
        return WB_EMALFORMED;
    const char *server = at + 1;
    size_t slen = len - (size_t)(server - s);
    if (find(server, slen, '@'))
        return WB_EMALFORMED;
    if (slen > WB_JID_SERVER_MAX)
        return WB_ETOOBIG;
    if (!valid_server(server, slen))
        return WB_EMALFORMED;

    wb_jid j;
    memset(&j, 0, sizeof j);
    memcpy(j.server, server, slen);
    const char *user = s;
    size_t ulen = (size_t)(at - s);
    unsigned v;

    const char *colon = find(user, ulen, ':');
    if (colon) {
        const char *dev = colon + 1;
        if (!wb_jid_decimal(dev, (size_t)(at - dev), 65535, &v))
            return WB_EMALFORMED;
        j.device = (uint16_t)v;
        ulen = (size_t)(colon - user);
        if (strcmp(j.server, WB_SERVER_INTEROP) == 0) {
            const char *dash = find(user, ulen, '-');
            if (!dash || !wb_jid_decimal(user, (size_t)(dash - user), 65535, &v))
                return WB_EMALFORMED;
            j.integrator = (uint16_t)v;
            ulen -= (size_t)(dash + 1 - user);
            user = dash + 1;
        }
    }
    const char *under = find(user, ulen, '_');
    if (under) {
        const char *agent = under + 1;
        if (!wb_jid_decimal(agent, ulen - (size_t)(agent - user), 255, &v))
            return WB_EMALFORMED;
        j.agent = (uint8_t)v;
        ulen = (size_t)(under - user);
    }
    if (ulen > WB_JID_USER_MAX)
        return WB_ETOOBIG;
    if (!valid_user(user, ulen))
        return WB_EMALFORMED;
    memcpy(j.user, user, ulen);
    *out = j;
    return 0;
}

int wb_jid_parse(wb_jid *out, const char *s) {
    return s ? wb_jid_parsen(out, s, strlen(s)) : WB_EINVAL;
}

size_t wb_jid_format(const wb_jid *j, char *out, size_t cap) {
    int n;
    if (!j->server[0])
        n = snprintf(out, cap, "%s", "");
    else if (strcmp(j->server, WB_SERVER_INTEROP) == 0 && (j->integrator || j->device))
        n = snprintf(out, cap, "%u-%s:%u@%s", j->integrator, j->user, j->device, j->server);
    else {
        char agent[8] = "", device[8] = "";
        if (j->agent)
            snprintf(agent, sizeof agent, "_%u", j->agent);
        if (j->device)
            snprintf(device, sizeof device, ":%u", j->device);
        n = snprintf(out, cap, "%s%s%s@%s", j->user, agent, device, j->server);
    }
    return n < 0 ? 0 : (size_t)n;
}

int wb_jid_make(wb_jid *out, const char *user, const char *server, uint16_t device) {
    if (!user || !server)
        return WB_EINVAL;
    size_t ulen = strlen(user), slen = strlen(server);
    if (ulen > WB_JID_USER_MAX || slen > WB_JID_SERVER_MAX)
        return WB_ETOOBIG;
    if (!valid_user(user, ulen) || !valid_server(server, slen))
        return WB_EMALFORMED;
    memset(out, 0, sizeof *out);
    memcpy(out->user, user, ulen);
    memcpy(out->server, server, slen);
    out->device = device;
    return 0;
}

wb_jid wb_jid_of(const char *user, const char *server, uint16_t device) {
    wb_jid j;
    if (wb_jid_make(&j, user, server, device) < 0)
        memset(&j, 0, sizeof j);
    return j;
}

int wb_jid_eq(const wb_jid *a, const wb_jid *b) {
    return a->device == b->device && a->integrator == b->integrator && a->agent == b->agent &&
           strcmp(a->user, b->user) == 0 && strcmp(a->server, b->server) == 0;
}

int wb_jid_same_user(const wb_jid *a, const wb_jid *b) {
    return strcmp(a->user, b->user) == 0 && strcmp(a->server, b->server) == 0;
}

wb_jid wb_jid_user_jid(const wb_jid *j) {
    wb_jid u = *j;
    u.device = 0;
    u.agent = 0;
    u.integrator = 0;
    return u;
}

int wb_jid_is_empty(const wb_jid *j) {
    return j->server[0] == 0;
}

int wb_jid_on(const wb_jid *j, const char *server) {
    return strcmp(j->server, server) == 0;
}

uint8_t wb_jid_domain(const wb_jid *j) {
    if (wb_jid_on(j, WB_SERVER_LID))
        return WB_DOMAIN_LID;
    if (wb_jid_on(j, WB_SERVER_HOSTED))
        return WB_DOMAIN_HOSTED;
    if (wb_jid_on(j, WB_SERVER_HOSTED_LID))
        return WB_DOMAIN_HOSTED_LID;
    return j->agent;
}

int wb_jid_signal_address(const wb_jid *j, char *out, size_t cap) {
    if (!j->user[0])
        return WB_EINVAL;
    if (j->device == 99 && !wb_jid_on(j, WB_SERVER_HOSTED) && !wb_jid_on(j, WB_SERVER_HOSTED_LID))
        return WB_EINVAL;
    uint8_t d = wb_jid_domain(j);
    int n = d ? snprintf(out, cap, "%s_%u.%u", j->user, d, j->device)
              : snprintf(out, cap, "%s.%u", j->user, j->device);
    return n < 0 ? WB_EINVAL : n;
}
