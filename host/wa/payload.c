/* ClientPayloads (payload.h), field for field as Baileys' validate-connection.js builds them. */
#include "wa/payload.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "crypto/curve.h"
#include "crypto/hash.h"
#include "wb_proto.h"

const wb_wa_client_info wb_wa_client_default = {
    .os = "Mac OS", .browser = "Chrome", .version = {2, 3000, 1043857760}, .country = "US",
};

static const struct {
    const char *browser, *id;
} platform_ids[] = {
    {"Chrome", "1"}, {"Edge", "2"}, {"Firefox", "3"}, {"IE", "4"}, {"Opera", "5"}, {"Safari", "6"},
};

const char *wb_wa_platform_id(const wb_wa_client_info *ci) {
    if (strcmp(ci->browser, "Desktop") == 0)
        return strcmp(ci->os, "Windows") == 0 ? "8" : "7";
    for (size_t i = 0; i < sizeof platform_ids / sizeof *platform_ids; i++)
        if (strcmp(ci->browser, platform_ids[i].browser) == 0)
            return platform_ids[i].id;
    return "9";
}

/* DeviceProps.platformType from the browser name (Baileys' getPlatformType). */
static Wa__DeviceProps__PlatformType platform_type(const char *browser) {
    static const struct {
        const char *name;
        Wa__DeviceProps__PlatformType type;
    } types[] = {
        {"chrome", WA__DEVICE_PROPS__PLATFORM_TYPE__CHROME},
        {"firefox", WA__DEVICE_PROPS__PLATFORM_TYPE__FIREFOX},
        {"ie", WA__DEVICE_PROPS__PLATFORM_TYPE__IE},
        {"opera", WA__DEVICE_PROPS__PLATFORM_TYPE__OPERA},
        {"safari", WA__DEVICE_PROPS__PLATFORM_TYPE__SAFARI},
        {"edge", WA__DEVICE_PROPS__PLATFORM_TYPE__EDGE},
        {"desktop", WA__DEVICE_PROPS__PLATFORM_TYPE__DESKTOP},
        {"android", WA__DEVICE_PROPS__PLATFORM_TYPE__ANDROID_PHONE},
    };
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (strcasecmp(browser, types[i].name) == 0)
            return types[i].type;
    return WA__DEVICE_PROPS__PLATFORM_TYPE__CHROME;
}

/* What both payloads carry (Baileys' getClientPayload); the parts live in *ua and *web. */
static void common(const wb_wa_client_info *ci, Wa__ClientPayload *p,
                   Wa__ClientPayload__UserAgent *ua, Wa__ClientPayload__UserAgent__AppVersion *v,
                   Wa__ClientPayload__WebInfo *web) {
    int android = strcasestr(ci->browser, "android") != NULL;
    v->has_primary = v->has_secondary = v->has_tertiary = 1;
    v->primary = ci->version[0];
    v->secondary = ci->version[1];
    v->tertiary = ci->version[2];
    ua->appversion = v;
    ua->has_platform = ua->has_releasechannel = 1;
    ua->platform = android ? WA__CLIENT_PAYLOAD__USER_AGENT__PLATFORM__ANDROID
                           : WA__CLIENT_PAYLOAD__USER_AGENT__PLATFORM__WEB;
    ua->releasechannel = WA__CLIENT_PAYLOAD__USER_AGENT__RELEASE_CHANNEL__RELEASE;
    ua->osversion = (char *)"0.1";
    ua->device = (char *)"Desktop";
    ua->osbuildnumber = (char *)"0.1";
    ua->localelanguageiso6391 = (char *)"en";
    ua->mnc = (char *)"000";
    ua->mcc = (char *)"000";
    ua->localecountryiso31661alpha2 = (char *)(ci->country ? ci->country : "US");
    p->useragent = ua;
    if (!android) {
        web->has_websubplatform = 1;
        web->websubplatform = WA__CLIENT_PAYLOAD__WEB_INFO__WEB_SUB_PLATFORM__WEB_BROWSER;
        p->webinfo = web;
    }
    p->has_connecttype = p->has_connectreason = 1;
    p->connecttype = WA__CLIENT_PAYLOAD__CONNECT_TYPE__WIFI_UNKNOWN;
    p->connectreason = WA__CLIENT_PAYLOAD__CONNECT_REASON__USER_ACTIVATED;
    if (ci->push_name && *ci->push_name)
        p->pushname = (char *)ci->push_name;
}

#define PAYLOAD_PARTS                                                                              \
    Wa__ClientPayload p = WA__CLIENT_PAYLOAD__INIT;                                                \
    Wa__ClientPayload__UserAgent ua = WA__CLIENT_PAYLOAD__USER_AGENT__INIT;                        \
    Wa__ClientPayload__UserAgent__AppVersion v = WA__CLIENT_PAYLOAD__USER_AGENT__APP_VERSION__INIT; \
    Wa__ClientPayload__WebInfo web = WA__CLIENT_PAYLOAD__WEB_INFO__INIT;                           \
    common(ci, &p, &ua, &v, &web)

int wb_wa_payload_login(const wb_wa_client_info *ci, uint64_t username, uint32_t device,
                        wb_buf *out) {
    PAYLOAD_PARTS;
    p.has_passive = p.passive = p.has_pull = p.pull = 1;
    p.has_username = p.has_device = 1;
    p.username = username;
    p.device = device;
    p.has_liddbmigrated = 1; /* false, as Baileys sends it */
    return wb_proto_pack(&p, out);
}

int wb_wa_payload_register(const wb_wa_client_info *ci, const wb_wa_device_keys *k, wb_buf *out) {
    PAYLOAD_PARTS;
    char version[40];
    uint8_t build_hash[WB_MD5_LEN], regid[4], skey_id[3], ktype = WB_KEY_TYPE_DJB;
    snprintf(version, sizeof version, "%u.%u.%u", ci->version[0], ci->version[1], ci->version[2]);
    wb_md5(build_hash, version, strlen(version));
    wb_put_be32(regid, k->registration_id);
    wb_put_be24(skey_id, k->skey.id);

    Wa__DeviceProps props = WA__DEVICE_PROPS__INIT;
    Wa__DeviceProps__AppVersion pv = WA__DEVICE_PROPS__APP_VERSION__INIT;
    Wa__DeviceProps__HistorySyncConfig hs = WA__DEVICE_PROPS__HISTORY_SYNC_CONFIG__INIT;
    props.os = (char *)ci->os;
    props.has_platformtype = 1;
    props.platformtype = platform_type(ci->browser);
    props.has_requirefullsync = 1; /* false: Baileys' syncFullHistory default */
    pv.has_primary = pv.has_secondary = pv.has_tertiary = 1;
    pv.primary = 10;
    pv.secondary = 15;
    pv.tertiary = 7;
    props.version = &pv;
    hs.has_storagequotamb = hs.has_inlineinitialpayloadine2eemsg = hs.has_supportcallloghistory = 1;
    hs.storagequotamb = 10240;
    hs.inlineinitialpayloadine2eemsg = 1;
    hs.has_supportbotuseragentchathistory = hs.supportbotuseragentchathistory = 1;
    hs.has_supportcagreactionsandpolls = hs.supportcagreactionsandpolls = 1;
    hs.has_supportbizhostedmsg = hs.supportbizhostedmsg = 1;
    hs.has_supportrecentsyncchunkmessagecounttuning = 1;
    hs.supportrecentsyncchunkmessagecounttuning = 1;
    hs.has_supporthostedgroupmsg = hs.supporthostedgroupmsg = 1;
    hs.has_supportfbidbotchathistory = hs.supportfbidbotchathistory = 1;
    hs.has_supportmessageassociation = hs.supportmessageassociation = 1;
    hs.has_supportgrouphistory = 1;
    props.historysyncconfig = &hs;
    wb_buf props_bytes = WB_BUF_INIT;
    int rc = wb_proto_pack(&props, &props_bytes);

    Wa__ClientPayload__DevicePairingRegistrationData d =
        WA__CLIENT_PAYLOAD__DEVICE_PAIRING_REGISTRATION_DATA__INIT;
    d.has_eregid = d.has_ekeytype = d.has_eident = d.has_eskeyid = d.has_eskeyval =
        d.has_eskeysig = d.has_buildhash = d.has_deviceprops = 1;
    d.eregid = (ProtobufCBinaryData){4, regid};
    d.ekeytype = (ProtobufCBinaryData){1, &ktype};
    d.eident = (ProtobufCBinaryData){WB_KEY_LEN, (uint8_t *)k->identity};
    d.eskeyid = (ProtobufCBinaryData){3, skey_id};
    d.eskeyval = (ProtobufCBinaryData){WB_KEY_LEN, (uint8_t *)k->skey.pub};
    d.eskeysig = (ProtobufCBinaryData){WB_SIG_LEN, (uint8_t *)k->skey.signature};
    d.buildhash = (ProtobufCBinaryData){sizeof build_hash, build_hash};
    d.deviceprops = (ProtobufCBinaryData){props_bytes.len, props_bytes.data};
    p.devicepairingdata = &d;
    p.has_passive = p.has_pull = 1; /* both false */
    if (rc == 0)
        rc = wb_proto_pack(&p, out);
    wb_buf_free(&props_bytes);
    return rc;
}

static int field(const ProtobufCBinaryData *b, int has, size_t len) {
    return has && b->len == len;
}

int wb_wa_payload_reg_keys(const Wa__ClientPayload *p, wb_wa_device_keys *out, wb_error *err) {
    const Wa__ClientPayload__DevicePairingRegistrationData *d = p->devicepairingdata;
    if (!d || !field(&d->eregid, d->has_eregid, 4) || !field(&d->ekeytype, d->has_ekeytype, 1) ||
        d->ekeytype.data[0] != WB_KEY_TYPE_DJB || !field(&d->eident, d->has_eident, WB_KEY_LEN) ||
        !field(&d->eskeyid, d->has_eskeyid, 3) ||
        !field(&d->eskeyval, d->has_eskeyval, WB_KEY_LEN) ||
        !field(&d->eskeysig, d->has_eskeysig, WB_SIG_LEN))
        return wb_error_set(err, WB_EPROTO, 0, "registration payload with missing or bad keys");
    wb_wa_device_keys k;
    k.registration_id = wb_get_be32(d->eregid.data);
    memcpy(k.identity, d->eident.data, WB_KEY_LEN);
    k.skey.id = wb_get_be24(d->eskeyid.data);
    memcpy(k.skey.pub, d->eskeyval.data, WB_KEY_LEN);
    memcpy(k.skey.signature, d->eskeysig.data, WB_SIG_LEN);
    if (wb_signal_verify_signed_prekey(k.identity, k.skey.pub, k.skey.signature) < 0)
        return wb_error_set(err, WB_EBADSIG, 0, "registration: signed prekey signature invalid");
    *out = k;
    return 0;
}
