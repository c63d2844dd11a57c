/* Looking people up (client.h): onWhatsApp, a usync query of the contact protocol for phone
 * numbers (Baileys' Socket/socket.js onWhatsApp: context "interactive", each number as
 * <user><contact>+N</contact></user>, answered <contact type="in"|"out">), and the URL of a
 * profile picture (w:profile:picture, wa/picture.h; Baileys' profilePictureUrl). One IQ each,
 * completed through calls.c. */
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"
#include "core/log.h"
#include "wa/picture.h"
#include "wa/usync.h"

static int on_usync(wb_client *c, wb_client_call *k, const wb_node *answer) {
    wb_wa_usync_result res;
    wb_error e = {0};
    if (wb_wa_usync_result_read(answer, &c->arena, &res, &e) < 0) {
        WB_WARN("client", "an onWhatsApp answer we cannot read: %s", e.what);
        return WB_EPROTO;
    }
    wb_client_lookup *v = wb_arena_zalloc(&k->arena, (res.nusers ? res.nusers : 1) * sizeof *v);
    if (!v)
        return WB_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < res.nusers; i++) {
        const wb_wa_usync_user *u = &res.users[i];
        if (u->contact < 0)
            continue; /* no answer for this one (an <error>) */
        v[n].jid = wb_client_jid_dup(&k->arena, &u->jid);
        v[n].exists = u->contact == 1;
        v[n].lid = wb_client_jid_dup(&k->arena, &u->lid);
        if (!v[n].jid)
            return WB_ENOMEM;
        if (v[n].lid && wb_jid_on(&u->jid, WB_SERVER_USER))
            wb_client_lid_learn(c, u->lid.user, u->jid.user);
        n++;
    }
    k->r.lookups = v;
    k->r.nlookups = n;
    return 0;
}

/* "+15551234567", "15551234567" or "15551234567[:N]@s.whatsapp.net" -> the digits; NULL when
 * it is none of those. */
static const char *digits_of(const char *s, char out[WB_WA_USYNC_PHONE_MAX + 1]) {
    if (!s)
        return NULL;
    if (*s == '+')
        s++;
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > WB_WA_USYNC_PHONE_MAX)
        return NULL;
    if (s[n] && s[n] != '@' && s[n] != ':') /* Baileys: the part before '@' and ':' */
        return NULL;
    memcpy(out, s, n);
    out[n] = '\0';
    return out;
}

int wb_client_on_whatsapp(wb_client *c, const char *const *phones, size_t n,
                          wb_client_result_fn fn, void *ud) {
    char digits[WB_WA_USYNC_PHONE_MAX + 1];
    if (!n || !phones || n > WB_WA_USYNC_USERS_MAX)
        return WB_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!digits_of(phones[i], digits))
            return WB_EINVAL;
    wb_client_enter(c);
    if (c->state != WB_ST_OPEN)
        return WB_ECLOSED;
    wb_client_call *k = wb_client_call_new(c, on_usync, fn, ud);
    if (!k)
        return WB_ENOMEM;
    char sid[WB_WA_IQ_ID_MAX];
    wb_client_stanza_id(c, sid);
    wb_node *iq = wb_client_iq(c, "get", "usync");
    wb_wa_usync_query_fill(iq, sid, "interactive", WB_WA_USYNC_CONTACT);
    for (size_t i = 0; i < n; i++)
        wb_wa_usync_query_add_phone(iq, digits_of(phones[i], digits));
    return wb_client_call_start(k, iq);
}

static int on_picture(wb_client *c, wb_client_call *k, const wb_node *answer) {
    wb_wa_picture p;
    wb_error e = {0};
    if (wb_wa_picture_read(answer, &p, &e) < 0) {
        WB_WARN("client", "a profile picture answer we cannot read: %s", e.what);
        return WB_EPROTO;
    }
    if (p.status == 204 || !p.url) { /* no picture, said another way (whatsmeow reads it) */
        k->r.server_error = 404;
        k->r.server_text = "item-not-found";
        return WB_EREFUSED;
    }
    k->r.url = wb_arena_strdup(&k->arena, p.url);
    k->r.picture_id = p.id ? wb_arena_strdup(&k->arena, p.id) : NULL;
    return k->r.url ? 0 : WB_ENOMEM;
}

int wb_client_profile_picture_url(wb_client *c, const char *jid, int full,
                                  wb_client_result_fn fn, void *ud) {
    wb_jid j;
    if (!jid || wb_jid_parse(&j, jid) < 0 || !j.user[0] ||
        !(wb_jid_on(&j, WB_SERVER_USER) || wb_jid_on(&j, WB_SERVER_LID) ||
          wb_jid_on(&j, WB_SERVER_GROUP)))
        return WB_EINVAL;
    j = wb_jid_user_jid(&j); /* Baileys: jidNormalizedUser */
    wb_client_enter(c);
    if (c->state != WB_ST_OPEN)
        return WB_ECLOSED;
    wb_client_call *k = wb_client_call_new(c, on_picture, fn, ud);
    if (!k)
        return WB_ENOMEM;
    wb_wa_picture_request r = {.action = WB_WA_PICTURE_GET, .target = j,
                               .type = full ? "image" : "preview"};
    return wb_client_call_start(k, wb_wa_picture_request_new(&c->arena, &r));
}
