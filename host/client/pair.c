/* Linking this device (NOTES §3, §4): the device's own keys (made once, before the first
 * connection: the Noise key and the adv secret the QR carries), the server's <pair-device>
 * with its refs, a QR per ref (the first for 60 s, the others 20 s each; when all have
 * expired the registration ends with 408 and the client stops), or a pairing code instead
 * (companion_hello, the phone's primary_hello, companion_finish: wa/pair_code.h), and
 * <pair-success>: the phone's ADV identity checked (HMAC under the adv secret, the account
 * signature), signed back with our identity key, the device stored, then the server's 515
 * sends us to log in (client.c reconnects at once). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"
#include "core/log.h"
#include "core/mem.h"
#include "crypto/random.h"
#include "wa/qr.h"

/* ---- our keys --------------------------------------------------------------------------------- */

/* Fills the fields derived from the device row: phone user, device id, LID user, ADV identity. */
static void derive(wb_client *c) {
    wb_device_row *d = &c->dev;
    memcpy(c->noise_key.pub, d->noise_pub, 32);
    memcpy(c->noise_key.priv, d->noise_priv, 32);
    wb_jid j;
    c->me_user[0] = c->me_lid_user[0] = '\0';
    if (d->jid[0] && wb_jid_parse(&j, d->jid) == 0) {
        snprintf(c->me_user, sizeof c->me_user, "%s", j.user);
        c->me_device = j.device;
    }
    if (d->lid[0] && wb_jid_parse(&j, d->lid) == 0)
        snprintf(c->me_lid_user, sizeof c->me_lid_user, "%s", j.user);
    memset(&c->adv, 0, sizeof c->adv);
    if (d->adv_details_len) {
        memcpy(c->adv.details, d->adv_details, d->adv_details_len);
        c->adv.details_len = d->adv_details_len;
        memcpy(c->adv.account_key, d->adv_account_key, 32);
        memcpy(c->adv.account_sig, d->adv_account_sig, 64);
        memcpy(c->adv.device_sig, d->adv_device_sig, 64);
        c->adv.has_device_sig = 1;
        c->adv.key_index = d->key_index;
    }
}

int wb_client_device_init(wb_client *c) {
    int rc = wb_store_device_get(c->st, &c->dev);
    if (rc == WB_ENOTFOUND) {
        wb_keypair k;
        memset(&c->dev, 0, sizeof c->dev);
        if ((rc = wb_keypair_generate(&k)) < 0)
            return rc;
        memcpy(c->dev.noise_pub, k.pub, 32);
        memcpy(c->dev.noise_priv, k.priv, 32);
        wb_zero(&k, sizeof k);
        wb_random_bytes(c->dev.adv_secret, 32);
        rc = wb_store_device_put(c->st, &c->dev);
    }
    if (rc < 0)
        return rc;
    if (c->dev.state == WB_DEVICE_LINKED && (!c->dev.jid[0] || !c->dev.adv_details_len)) {
        WB_ERROR("client", "the store's device row is linked but incomplete");
        return WB_EMALFORMED;
    }
    derive(c);
    return 0;
}

/* ---- pair-device: QR codes -------------------------------------------------------------------- */

static void show_qr(wb_client *c) {
    const char *ref = c->pair.refs[c->pair.shown];
    wb_buf b = WB_BUF_INIT;
    wb_wa_qr_format(ref, strlen(ref), c->noise_key.pub, wb_signal_identity_public(c->sig),
                    c->dev.adv_secret, wb_wa_platform_id(&c->cfg.info), &b);
    wb_buf_put_u8(&b, 0);
    if (!b.err) {
        wb_client_event ev = {.type = WB_CLIENT_EV_QR};
        ev.qr.text = wb_client_evstr(c, (const char *)b.data);
        ev.qr.index = c->pair.shown;
        ev.qr.count = c->pair.nrefs;
        wb_client_emit(c, &ev);
    }
    wb_buf_free_secret(&b);
    c->pair.qr_expires = c->now + (c->pair.shown ? WB_CLIENT_QR_NEXT_MS : WB_CLIENT_QR_FIRST_MS);
    c->pair.shown++;
}

uint64_t wb_client_pair_deadline(const wb_client *c) {
    return c->state == WB_ST_REGISTERING && c->pair.nrefs ? c->pair.qr_expires : UINT64_MAX;
}

void wb_client_pair_tick(wb_client *c) {
    if (c->state != WB_ST_REGISTERING || !c->pair.nrefs || c->now < c->pair.qr_expires)
        return;
    if (c->pair.shown < c->pair.nrefs && !c->pair.code_sent) {
        show_qr(c);
        return;
    }
    c->stopped = 1; /* as Baileys: the registration is over; linking starts again by hand */
    wb_client_close(c, WB_REASON_TIMED_OUT, c->pair.code_sent
                        ? "the pairing code was not entered in time"
                        : "every QR code expired before one was scanned");
}

static void on_hello_answer(void *ud, int status, const wb_node *answer) {
    if (status < 0 && status != WB_ECLOSED)
        WB_WARN("client", "companion_hello answered with %s", wb_strerror(status));
}

/* Pairing by code: the companion_hello for cfg.pair_phone, and the code for the user. */
static int start_code(wb_client *c) {
    wb_client_pairing *p = &c->pair;
    uint8_t wrapped[WB_WA_PAIR_WRAPPED_LEN];
    char jid[64], display[80];
    wb_wa_pair_code_new(p->code);
    int rc = wb_keypair_generate(&p->code_eph);
    if (rc == 0)
        rc = wb_wa_pair_code_wrap(p->code, p->code_eph.pub, wrapped);
    if (rc < 0)
        return rc;
    snprintf(jid, sizeof jid, "%s@" WB_SERVER_USER, c->cfg.pair_phone);
    snprintf(display, sizeof display, "%s (%s)", c->cfg.info.browser, c->cfg.info.os);
    wb_node *iq = wb_client_iq(c, "set", "md");
    wb_wa_pair_code_hello_fill(iq, jid, wrapped, c->noise_key.pub, wb_wa_platform_id(&c->cfg.info),
                               display);
    if ((rc = wb_client_send_iq(c, iq, on_hello_answer, c)) < 0)
        return rc;
    p->code_sent = 1;
    char shown[WB_WA_PAIR_CODE_LEN + 2];
    snprintf(shown, sizeof shown, "%.4s-%.4s", p->code, p->code + 4);
    wb_client_event ev = {.type = WB_CLIENT_EV_PAIR_CODE};
    ev.pair_code.code = wb_client_evstr(c, shown);
    wb_client_emit(c, &ev);
    return 0;
}

static int on_pair_device(wb_client *c, wb_node *iq, wb_node *pd) {
    wb_client_pairing *p = &c->pair;
    memset(p->refs, 0, sizeof p->refs);
    p->nrefs = p->shown = 0;
    uint32_t it = 0;
    wb_node *ref;
    while ((ref = wb_node_next(pd, "ref", &it)) && p->nrefs < WB_CLIENT_REFS_MAX) {
        size_t len;
        const uint8_t *r = wb_node_content(ref, &len);
        if (!r || !len || len >= sizeof p->refs[0] || memchr(r, ',', len) || memchr(r, 0, len))
            return WB_EPROTO;
        memcpy(p->refs[p->nrefs++], r, len);
    }
    if (!p->nrefs)
        return WB_EPROTO;
    int rc = wb_client_send_node(c, wb_wa_iq_result(&c->arena, iq, WB_WA_CLIENT));
    if (rc < 0)
        return rc;
    if (c->cfg.pair_phone && *c->cfg.pair_phone) {
        /* the code stays valid as long as the refs would: their whole lifetime */
        p->qr_expires = c->now + WB_CLIENT_QR_FIRST_MS + (uint64_t)(p->nrefs - 1) *
                                                             WB_CLIENT_QR_NEXT_MS;
        p->shown = p->nrefs;
        return start_code(c);
    }
    show_qr(c);
    return 0;
}

/* ---- the pairing code: the phone's primary_hello ---------------------------------------------- */

int wb_client_pair_code_notification(wb_client *c, wb_node *n) {
    wb_client_pairing *p = &c->pair;
    wb_wa_pair_code_reg ph;
    wb_error e = {0};
    int rc = wb_wa_pair_code_read(n, &ph, &e);
    if (rc < 0 || !ph.wrapped || !ph.ident) {
        WB_WARN("client", "a link_code_companion_reg notification we cannot read: %s", e.what);
        return 0;
    }
    if (c->state != WB_ST_REGISTERING || !p->code_sent) {
        WB_WARN("client", "a pairing-code notification while not pairing by code");
        return 0;
    }
    uint8_t primary_eph[32], shared[32], rnd[32], idh[32];
    wb_buf bundle = WB_BUF_INIT;
    rc = wb_wa_pair_code_unwrap(p->code, ph.wrapped, primary_eph);
    if (rc == 0)
        rc = wb_curve_agree(shared, p->code_eph.priv, primary_eph);
    wb_random_bytes(rnd, sizeof rnd);
    if (rc == 0)
        rc = wb_wa_pair_code_seal(shared, wb_signal_identity_public(c->sig), ph.ident, rnd,
                                  &bundle);
    if (rc == 0)
        rc = wb_signal_identity_agree(c->sig, ph.ident, idh);
    if (rc == 0)
        rc = wb_wa_pair_code_adv_secret(shared, idh, rnd, c->dev.adv_secret);
    if (rc == 0)
        rc = wb_store_device_put(c->st, &c->dev); /* pair-success is MACed with this one */
    if (rc == 0) {
        char jid[64];
        snprintf(jid, sizeof jid, "%s@" WB_SERVER_USER, c->cfg.pair_phone);
        wb_node *iq = wb_client_iq(c, "set", "md");
        wb_wa_pair_code_finish_fill(iq, jid, bundle.data, bundle.len,
                                    wb_signal_identity_public(c->sig), ph.ref, ph.ref_len);
        rc = wb_client_send_iq(c, iq, on_hello_answer, c);
    }
    wb_zero(primary_eph, sizeof primary_eph);
    wb_zero(shared, sizeof shared);
    wb_zero(rnd, sizeof rnd);
    wb_zero(idh, sizeof idh);
    wb_buf_free_secret(&bundle);
    if (rc < 0 && rc != WB_ECLOSED)
        wb_client_close(c, WB_REASON_BAD_SESSION, "cannot finish pairing by code: %s",
                        wb_strerror(rc));
    return 0;
}

/* ---- pair-success ---------------------------------------------------------------------------- */

static int refuse(wb_client *c, wb_node *iq, int code, const char *text, const char *why) {
    wb_node *r = wb_wa_iq_result(&c->arena, iq, WB_WA_CLIENT);
    wb_wa_iq_set_error(r, code, text);
    wb_client_send_node(c, r);
    c->stopped = 1; /* a phone that cannot prove itself will not do better next time */
    wb_client_close(c, WB_REASON_BAD_SESSION, "pair-success refused: %s", why);
    return 0;
}

static int on_pair_success(wb_client *c, wb_node *iq, wb_node *ps) {
    size_t len = 0;
    wb_node *idn = wb_node_child(ps, "device-identity");
    const uint8_t *container = wb_node_content(idn, &len);
    wb_node *dev = wb_node_child(ps, "device");
    wb_attrs a = wb_attrs_of(dev);
    wb_jid jid = wb_attrs_jid(&a, "jid");
    wb_jid lid = wb_attrs_opt_jid(&a, "lid");
    if (!container || !dev || !wb_attrs_ok(&a) || !wb_jid_on(&jid, WB_SERVER_USER) || !jid.device)
        return refuse(c, iq, 400, "bad-request", "no device-identity or device jid");
    wb_wa_adv_identity adv;
    wb_error e = {0};
    int rc = wb_wa_adv_accept(container, len, c->dev.adv_secret, wb_signal_identity_public(c->sig),
                              &adv, &e);
    if (rc < 0)
        return refuse(c, iq, 401, rc == WB_EAUTH ? "hmac-mismatch" : "signature-mismatch", e.what);
    wb_buf msg = WB_BUF_INIT, signed_id = WB_BUF_INIT;
    rc = wb_wa_adv_device_message(&adv, wb_signal_identity_public(c->sig), &msg);
    if (rc == 0)
        rc = wb_signal_identity_sign(c->sig, msg.data, msg.len, adv.device_sig);
    adv.has_device_sig = rc == 0;
    if (rc == 0)
        rc = wb_wa_adv_encode(&adv, 0, &signed_id); /* without the account key, as Baileys */
    wb_buf_free(&msg);
    if (rc < 0) {
        wb_buf_free(&signed_id);
        return rc;
    }
    /* store first: a crash after the answer must not lose the device the phone now lists */
    wb_device_row *d = &c->dev;
    d->state = WB_DEVICE_LINKED;
    wb_jid_format(&jid, d->jid, sizeof d->jid);
    if (wb_jid_on(&lid, WB_SERVER_LID))
        wb_jid_format(&lid, d->lid, sizeof d->lid);
    snprintf(d->name, sizeof d->name, "%s",
             wb_node_attr(wb_node_child(ps, "biz"), "name") ? wb_node_attr(wb_node_child(ps, "biz"),
                                                                           "name")
                                                            : "");
    snprintf(d->platform, sizeof d->platform, "%s",
             wb_node_attr(wb_node_child(ps, "platform"), "name")
                 ? wb_node_attr(wb_node_child(ps, "platform"), "name")
                 : "");
    memcpy(d->adv_details, adv.details, adv.details_len);
    d->adv_details_len = adv.details_len;
    memcpy(d->adv_account_key, adv.account_key, 32);
    memcpy(d->adv_account_sig, adv.account_sig, 64);
    memcpy(d->adv_device_sig, adv.device_sig, 64);
    d->key_index = adv.key_index;
    d->linked_at = c->now / 1000;
    if ((rc = wb_store_device_put(c->st, d)) < 0) {
        wb_buf_free(&signed_id);
        d->state = WB_DEVICE_UNLINKED;
        return rc;
    }
    derive(c);
    c->is_new_login = 1;
    char ki[16];
    snprintf(ki, sizeof ki, "%u", adv.key_index);
    wb_node *r = wb_wa_iq_result(&c->arena, iq, WB_WA_CLIENT);
    wb_node *sign = wb_node_add_new(r, "pair-device-sign");
    wb_node_set_bytes(WB_CHILD(sign, "device-identity", {"key-index", ki}), signed_id.data,
                      signed_id.len);
    wb_buf_free(&signed_id);
    WB_INFO("client", "linked as %s", d->jid);
    wb_client_event ev = {.type = WB_CLIENT_EV_LINKED};
    ev.linked.jid = wb_client_evstr(c, d->jid);
    ev.linked.lid = wb_client_evstr(c, d->lid);
    ev.linked.name = wb_client_evstr(c, d->name);
    wb_client_emit(c, &ev);
    if (c->me_lid_user[0])
        wb_client_lid_learn(c, c->me_lid_user, c->me_user);
    c->pair.nrefs = 0; /* no more QR rotation; the server's 515 comes next */
    return wb_client_send_node(c, r);
}

/* ---- the server's own IQs --------------------------------------------------------------------- */

int wb_client_on_iq_request(wb_client *c, wb_node *iq) {
    wb_node *first = wb_node_child(iq, NULL);
    if (wb_node_attr_is(iq, "xmlns", "md") && wb_node_is(first, "pair-device")) {
        if (c->state != WB_ST_REGISTERING)
            return WB_EPROTO;
        return on_pair_device(c, iq, first);
    }
    if (wb_node_is(first, "pair-success")) {
        if (c->state != WB_ST_REGISTERING)
            return WB_EPROTO;
        return on_pair_success(c, iq, first);
    }
    if (wb_node_attr_is(iq, "xmlns", "urn:xmpp:ping") || wb_node_attr_is(iq, "xmlns", "w:p"))
        return wb_client_send_node(c, wb_wa_iq_result(&c->arena, iq, WB_WA_CLIENT));
    WB_DEBUG("client", "the server's iq xmlns=%s <%s> is not handled",
             wb_node_attr(iq, "xmlns") ? wb_node_attr(iq, "xmlns") : "", first ? first->tag : "");
    return 0;
}

/* ---- unlinking ---------------------------------------------------------------------------------- */

typedef struct logout {
    wb_client *c;
    void (*fn)(void *ud, int status);
    void *ud;
} logout;

static void on_logout_answer(void *ud, int status, const wb_node *answer) {
    logout *l = ud;
    wb_client *c = l->c;
    void (*fn)(void *, int) = l->fn;
    void *fud = l->ud;
    free(l);
    if (status == 0) {
        c->stopped = 1;
        wb_client_close(c, WB_REASON_LOGGED_OUT, "logged out");
    }
    if (fn)
        fn(fud, status);
}

int wb_client_logout(wb_client *c, void (*fn)(void *ud, int status), void *ud) {
    if (c->state != WB_ST_OPEN)
        return WB_ECLOSED;
    logout *l = malloc(sizeof *l);
    if (!l)
        return WB_ENOMEM;
    *l = (logout){c, fn, ud};
    wb_node *iq = wb_client_iq(c, "set", "md");
    WB_CHILD(iq, "remove-companion-device", {"jid", c->dev.jid}, {"reason", "user_initiated"});
    int rc = wb_client_send_iq(c, iq, on_logout_answer, l);
    if (rc < 0)
        free(l);
    return rc;
}
