/* Presence and chat states (presence.h). */
#include "wa/presence.h"

#include <string.h>

static int one_of(const char *s, const char *const *set) {
    for (; s && *set; set++)
        if (strcmp(s, *set) == 0)
            return 1;
    return 0;
}

wb_node *wb_wa_presence_new(wb_arena *a, const wb_wa_presence *p) {
    wb_node *n = WB_NODE(a, "presence", {"name", p->name}, {"id", p->id}, {"type", p->type});
    wb_node_set_jid(n, "from", &p->from);
    wb_node_set_jid(n, "to", &p->to);
    wb_node_set_jid(n, "participant", &p->participant);
    if (p->last == WB_WA_LAST_DENY)
        wb_node_set(n, "last", "deny");
    else if (p->last > 0)
        wb_node_set_i64(n, "last", p->last);
    return n;
}

int wb_wa_presence_read(const wb_node *n, wb_wa_presence *out, wb_error *err) {
    static const char *const types[] = {"available", "unavailable", "subscribe", "unsubscribe",
                                        NULL};
    if (!wb_node_is(n, "presence"))
        return wb_error_set(err, WB_EPROTO, 0, "not a <presence>");
    wb_wa_presence p = {0};
    wb_attrs a = wb_attrs_of(n);
    p.type = wb_attrs_opt_str(&a, "type");
    p.name = wb_attrs_opt_str(&a, "name");
    p.id = wb_attrs_opt_str(&a, "id");
    p.from = wb_attrs_opt_jid(&a, "from");
    p.to = wb_attrs_opt_jid(&a, "to");
    p.participant = wb_attrs_opt_jid(&a, "participant");
    const char *last = wb_attrs_opt_str(&a, "last");
    if (last && strcmp(last, "deny") == 0)
        p.last = WB_WA_LAST_DENY;
    else if (last)
        p.last = wb_attrs_i64(&a, "last");
    if (!wb_attrs_ok(&a))
        return wb_attrs_check(&a, err);
    if (p.type && !one_of(p.type, types))
        return wb_error_set(err, WB_EPROTO, 0, "presence of type %.32s", p.type);
    if (p.last < WB_WA_LAST_DENY)
        return wb_error_set(err, WB_EMALFORMED, 0, "presence last=%lld", (long long)p.last);
    if (p.type && p.type[0] == 's' && wb_jid_is_empty(&p.to))
        return wb_error_set(err, WB_EPROTO, 0, "presence subscribe without to");
    *out = p;
    return 0;
}

wb_node *wb_wa_chatstate_new(wb_arena *a, const wb_wa_chatstate *s) {
    wb_node *n = wb_node_new(a, "chatstate");
    wb_node_set_jid(n, "from", &s->from);
    wb_node_set_jid(n, "to", &s->to);
    wb_node_set_jid(n, "participant", &s->participant);
    WB_CHILD(n, s->state ? s->state : "paused", {"media", s->media});
    return n;
}

int wb_wa_chatstate_read(const wb_node *n, wb_wa_chatstate *out, wb_error *err) {
    static const char *const states[] = {"composing", "paused", NULL};
    if (!wb_node_is(n, "chatstate"))
        return wb_error_set(err, WB_EPROTO, 0, "not a <chatstate>");
    wb_wa_chatstate s = {0};
    wb_attrs a = wb_attrs_of(n);
    s.from = wb_attrs_opt_jid(&a, "from");
    s.to = wb_attrs_opt_jid(&a, "to");
    s.participant = wb_attrs_opt_jid(&a, "participant");
    if (!wb_attrs_ok(&a))
        return wb_attrs_check(&a, err);
    wb_node *st = wb_node_child(n, NULL);
    if (!st || !one_of(st->tag, states))
        return wb_error_set(err, WB_EPROTO, 0, "chatstate <%.32s>", st ? st->tag : "");
    s.state = st->tag;
    s.media = wb_node_attr(st, "media");
    *out = s;
    return 0;
}

int wb_wa_presence_kind(const char *type, const char **state, const char **media) {
    static const struct {
        const char *type, *state, *media;
        int kind;
    } kinds[] = {
        {"available", NULL, NULL, WB_WA_PRESENCE_AVAILABILITY},
        {"unavailable", NULL, NULL, WB_WA_PRESENCE_AVAILABILITY},
        {"composing", "composing", NULL, WB_WA_PRESENCE_CHATSTATE},
        {"recording", "composing", "audio", WB_WA_PRESENCE_CHATSTATE},
        {"paused", "paused", NULL, WB_WA_PRESENCE_CHATSTATE},
    };
    for (size_t i = 0; type && i < sizeof kinds / sizeof *kinds; i++) {
        if (strcmp(kinds[i].type, type) != 0)
            continue;
        if (state)
            *state = kinds[i].state;
        if (media)
            *media = kinds[i].media;
        return kinds[i].kind;
    }
    return WB_WA_PRESENCE_BAD;
}

const char *wb_wa_chatstate_presence(const wb_wa_chatstate *s) {
    if (strcmp(s->state, "paused") == 0)
        return "available";
    return s->media && strcmp(s->media, "audio") == 0 ? "recording" : "composing";
}
