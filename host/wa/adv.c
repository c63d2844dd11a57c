/* ADV signatures (adv.h). */
#include "wa/adv.h"

#include <string.h>

#include "core/mem.h"
#include "crypto/hash.h"
#include "wb_proto.h"

static const uint8_t ACCOUNT_PREFIX[2] = {6, 0};
static const uint8_t DEVICE_PREFIX[2] = {6, 1};
static const uint8_t HOSTED_ACCOUNT_PREFIX[2] = {6, 5};

/* prefix | details | companion identity: what the account signature covers. */
static int account_message(const wb_wa_adv_identity *id, const uint8_t ident[WB_KEY_LEN],
                           wb_buf *out) {
    wb_buf_append(out, id->hosted ? HOSTED_ACCOUNT_PREFIX : ACCOUNT_PREFIX, 2);
    wb_buf_append(out, id->details, id->details_len);
    return wb_buf_append(out, ident, WB_KEY_LEN);
}

int wb_wa_adv_device_message(const wb_wa_adv_identity *id, const uint8_t companion_ident[WB_KEY_LEN],
                             wb_buf *out) {
    wb_buf_append(out, DEVICE_PREFIX, 2);
    wb_buf_append(out, id->details, id->details_len);
    wb_buf_append(out, companion_ident, WB_KEY_LEN);
    return wb_buf_append(out, id->account_key, WB_KEY_LEN);
}

/* Fills the fields read from id->details. */
static int read_details(wb_wa_adv_identity *id, wb_error *err) {
    Wa__ADVDeviceIdentity *di;
    int rc = wb_proto_unpack(&wa__advdevice_identity__descriptor, id->details, id->details_len, 0,
                             &di, NULL);
    if (rc < 0)
        return wb_error_set(err, rc, 0, "ADV details are not an ADVDeviceIdentity");
    if (!di->has_keyindex) {
        wb_proto_free(di);
        return wb_error_set(err, WB_EMALFORMED, 0, "ADV details without a key index");
    }
    id->raw_id = di->rawid;
    id->timestamp = di->timestamp;
    id->key_index = di->keyindex;
    id->hosted = di->has_devicetype && di->devicetype == WA__ADVENCRYPTION_TYPE__HOSTED;
    wb_proto_free(di);
    return 0;
}

int wb_wa_adv_encode(const wb_wa_adv_identity *id, int with_account_key, wb_buf *out) {
    Wa__ADVSignedDeviceIdentity sd = WA__ADVSIGNED_DEVICE_IDENTITY__INIT;
    sd.has_details = sd.has_accountsignature = 1;
    sd.details = (ProtobufCBinaryData){id->details_len, (uint8_t *)id->details};
    sd.accountsignature = (ProtobufCBinaryData){WB_SIG_LEN, (uint8_t *)id->account_sig};
    if (with_account_key) {
        sd.has_accountsignaturekey = 1;
        sd.accountsignaturekey = (ProtobufCBinaryData){WB_KEY_LEN, (uint8_t *)id->account_key};
    }
    if (id->has_device_sig) {
        sd.has_devicesignature = 1;
        sd.devicesignature = (ProtobufCBinaryData){WB_SIG_LEN, (uint8_t *)id->device_sig};
    }
    return wb_proto_pack(&sd, out);
}

int wb_wa_adv_issue(const wb_keypair *account, uint32_t raw_id, uint64_t timestamp,
                    uint32_t key_index, const uint8_t companion_ident[WB_KEY_LEN],
                    const uint8_t adv_secret[32], wb_wa_adv_identity *out, wb_buf *container) {
    wb_wa_adv_identity id = {.raw_id = raw_id, .timestamp = timestamp, .key_index = key_index};
    Wa__ADVDeviceIdentity di = WA__ADVDEVICE_IDENTITY__INIT;
    di.has_rawid = di.has_timestamp = di.has_keyindex = 1;
    di.has_accounttype = di.has_devicetype = 1; /* explicit zeros: E2EE */
    di.rawid = raw_id;
    di.timestamp = timestamp;
    di.keyindex = key_index;
    if (wa__advdevice_identity__get_packed_size(&di) > sizeof id.details)
        return WB_ETOOBIG;
    id.details_len = wa__advdevice_identity__pack(&di, id.details);
    memcpy(id.account_key, account->pub, WB_KEY_LEN);
    wb_buf msg = WB_BUF_INIT, signed_id = WB_BUF_INIT;
    int rc = account_message(&id, companion_ident, &msg);
    if (rc == 0)
        rc = wb_xeddsa_sign(id.account_sig, account->priv, msg.data, msg.len);
    if (rc == 0)
        rc = wb_wa_adv_encode(&id, 1, &signed_id);
    if (rc == 0) {
        uint8_t mac[WB_SHA256_LEN];
        wb_hmac_sha256(mac, adv_secret, 32, signed_id.data, signed_id.len);
        Wa__ADVSignedDeviceIdentityHMAC hm = WA__ADVSIGNED_DEVICE_IDENTITY_HMAC__INIT;
        hm.has_details = hm.has_hmac = hm.has_accounttype = 1;
        hm.details = (ProtobufCBinaryData){signed_id.len, signed_id.data};
        hm.hmac = (ProtobufCBinaryData){sizeof mac, mac};
        rc = wb_proto_pack(&hm, container);
    }
    wb_buf_free(&msg);
    wb_buf_free(&signed_id);
    if (rc == 0)
        *out = id;
    return rc;
}

static int bytes_of(const ProtobufCBinaryData *b, int has, size_t len) {
    return has && b->len == len;
}

int wb_wa_adv_accept(const uint8_t *container, size_t len, const uint8_t adv_secret[32],
                     const uint8_t own_ident[WB_KEY_LEN], wb_wa_adv_identity *out, wb_error *err) {
    Wa__ADVSignedDeviceIdentityHMAC *hm = NULL;
    Wa__ADVSignedDeviceIdentity *sd = NULL;
    wb_wa_adv_identity id = {0};
    wb_buf msg = WB_BUF_INIT;
    int rc = wb_proto_unpack(&wa__advsigned_device_identity_hmac__descriptor, container, len, 0,
                             &hm, NULL);
    if (rc < 0) {
        rc = wb_error_set(err, rc, 0, "device-identity is not an ADVSignedDeviceIdentityHMAC");
        goto done;
    }
    /* a hosted account MACs 06 05 | details (Baileys' configureSuccessfulPairing) */
    uint8_t mac[WB_SHA256_LEN];
    wb_hmac h;
    wb_hmac_init(&h, adv_secret, 32);
    wb_hmac_start(&h);
    if (hm->has_accounttype && hm->accounttype == WA__ADVENCRYPTION_TYPE__HOSTED)
        wb_hmac_update(&h, HOSTED_ACCOUNT_PREFIX, 2);
    wb_hmac_update(&h, hm->details.data, hm->details.len);
    wb_hmac_final(&h, mac);
    wb_hmac_clear(&h);
    if (!bytes_of(&hm->hmac, hm->has_hmac, sizeof mac) || wb_memneq(mac, hm->hmac.data, sizeof mac)) {
        rc = wb_error_set(err, WB_EAUTH, 0, "pair-success HMAC does not match the adv secret");
        goto done;
    }
    rc = wb_proto_unpack(&wa__advsigned_device_identity__descriptor, hm->details.data,
                         hm->details.len, 0, &sd, NULL);
    if (rc < 0 || !sd->has_details || sd->details.len > sizeof id.details ||
        !bytes_of(&sd->accountsignaturekey, sd->has_accountsignaturekey, WB_KEY_LEN) ||
        !bytes_of(&sd->accountsignature, sd->has_accountsignature, WB_SIG_LEN)) {
        rc = wb_error_set(err, WB_EMALFORMED, 0, "pair-success identity without details, "
                                                 "account key or account signature");
        goto done;
    }
    memcpy(id.details, sd->details.data, sd->details.len);
    id.details_len = sd->details.len;
    memcpy(id.account_key, sd->accountsignaturekey.data, WB_KEY_LEN);
    memcpy(id.account_sig, sd->accountsignature.data, WB_SIG_LEN);
    if ((rc = read_details(&id, err)) < 0)
        goto done;
    if ((rc = account_message(&id, own_ident, &msg)) < 0)
        goto done;
    if (wb_xeddsa_verify(id.account_key, msg.data, msg.len, id.account_sig) < 0) {
        rc = wb_error_set(err, WB_EBADSIG, 0, "pair-success account signature invalid");
        goto done;
    }
    *out = id;
done:
    wb_buf_free(&msg);
    wb_proto_free(sd);
    wb_proto_free(hm);
    return rc;
}

int wb_wa_adv_check_signed(const uint8_t *p, size_t len, const wb_wa_adv_identity *issued,
                           const uint8_t companion_ident[WB_KEY_LEN], const char **why) {
    Wa__ADVSignedDeviceIdentity *sd;
    int rc = wb_proto_unpack(&wa__advsigned_device_identity__descriptor, p, len, 0, &sd, NULL);
    if (rc < 0) {
        *why = "device-identity is not an ADVSignedDeviceIdentity";
        return rc;
    }
    wb_buf msg = WB_BUF_INIT;
    rc = WB_EBADSIG;
    if (!sd->has_details || sd->details.len != issued->details_len ||
        memcmp(sd->details.data, issued->details, issued->details_len) != 0)
        *why = "device-identity details differ from those sent";
    else if (!bytes_of(&sd->accountsignature, sd->has_accountsignature, WB_SIG_LEN) ||
             memcmp(sd->accountsignature.data, issued->account_sig, WB_SIG_LEN) != 0)
        *why = "device-identity account signature differs from the one sent";
    else if (sd->has_accountsignaturekey &&
             !(sd->accountsignaturekey.len == WB_KEY_LEN &&
               memcmp(sd->accountsignaturekey.data, issued->account_key, WB_KEY_LEN) == 0))
        *why = "device-identity names another account key";
    else if (!bytes_of(&sd->devicesignature, sd->has_devicesignature, WB_SIG_LEN))
        *why = "device-identity without a 64-byte device signature";
    else {
        rc = wb_wa_adv_device_message(issued, companion_ident, &msg);
        if (rc == 0)
            rc = wb_xeddsa_verify(companion_ident, msg.data, msg.len, sd->devicesignature.data);
        *why = rc == 0 ? NULL : "device signature invalid";
    }
    wb_buf_free(&msg);
    wb_proto_free(sd);
    return rc;
}
