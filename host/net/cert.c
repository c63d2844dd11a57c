/* Building and verifying the Noise certificate chain (cert.h), on the protoc-c classes of
 * proto/handshake.proto. The Noise responder (the simulator) sends a chain built here; the
 * initiator (the client) verifies the one it decrypts from the server's hello. */
#include "net/cert.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "wb_proto.h"

typedef Wa__CertChain__NoiseCertificate NoiseCert;
typedef Wa__CertChain__NoiseCertificate__Details Details;

const uint8_t wb_cert_whatsapp_root[WB_KEY_LEN] = {
    0x14, 0x23, 0x75, 0x57, 0x4d, 0x0a, 0x58, 0x71, 0x66, 0xaa, 0xe7, 0x1e, 0xbe, 0x51, 0x64, 0x37,
    0xc4, 0xa2, 0x8b, 0x73, 0xe3, 0x69, 0x5c, 0x6c, 0xe1, 0xf7, 0xf9, 0x54, 0x5d, 0xa8, 0xee, 0x6b};

/* ---- building -------------------------------------------------------------------------------- */

/* Serializes d into a new malloc'd buffer (*out, *outlen) and signs it into sig. */
static int sign_details(const wb_cert_details *d, const uint8_t signer[WB_KEY_LEN],
                        uint8_t **out, size_t *outlen, uint8_t sig[WB_SIG_LEN]) {
    Details msg = WA__CERT_CHAIN__NOISE_CERTIFICATE__DETAILS__INIT;
    msg.has_serial = 1;
    msg.serial = d->serial;
    msg.has_issuerserial = d->has_issuer_serial != 0;
    msg.issuerserial = d->issuer_serial;
    msg.has_key = 1;
    msg.key.data = (uint8_t *)d->key;
    msg.key.len = d->key_len;
    msg.has_notbefore = 1;
    msg.notbefore = d->not_before;
    msg.has_notafter = 1;
    msg.notafter = d->not_after;
    size_t n = protobuf_c_message_get_packed_size(&msg.base);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return WB_ENOMEM;
    protobuf_c_message_pack(&msg.base, buf);
    int rc = wb_xeddsa_sign(sig, signer, buf, n);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    *out = buf;
    *outlen = n;
    return 0;
}

int wb_cert_chain_build_custom(wb_buf *out, const wb_cert_details *leaf,
                               const uint8_t leaf_signer[WB_KEY_LEN],
                               const wb_cert_details *intermediate,
                               const uint8_t intermediate_signer[WB_KEY_LEN]) {
    uint8_t leaf_sig[WB_SIG_LEN], inter_sig[WB_SIG_LEN];
    uint8_t *leaf_details = NULL, *inter_details = NULL;
    size_t leaf_len = 0, inter_len = 0;
    int rc;
    if ((rc = sign_details(leaf, leaf_signer, &leaf_details, &leaf_len, leaf_sig)) < 0 ||
        (rc = sign_details(intermediate, intermediate_signer, &inter_details, &inter_len,
                           inter_sig)) < 0)
        goto done;

    NoiseCert lc = WA__CERT_CHAIN__NOISE_CERTIFICATE__INIT, ic = WA__CERT_CHAIN__NOISE_CERTIFICATE__INIT;
    lc.has_details = lc.has_signature = ic.has_details = ic.has_signature = 1;
    lc.details = (ProtobufCBinaryData){leaf_len, leaf_details};
    lc.signature = (ProtobufCBinaryData){WB_SIG_LEN, leaf_sig};
    ic.details = (ProtobufCBinaryData){inter_len, inter_details};
    ic.signature = (ProtobufCBinaryData){WB_SIG_LEN, inter_sig};
    Wa__CertChain chain = WA__CERT_CHAIN__INIT;
    chain.leaf = &lc;
    chain.intermediate = &ic;
    uint8_t *p = wb_buf_extend(out, wa__cert_chain__get_packed_size(&chain));
    if (!p) {
        rc = WB_ENOMEM;
        goto done;
    }
    wa__cert_chain__pack(&chain, p);
    rc = 0;
done:
    free(leaf_details);
    free(inter_details);
    return rc;
}

int wb_cert_chain_build(wb_buf *out, const uint8_t root_priv[WB_KEY_LEN],
                        const wb_keypair *intermediate, const uint8_t leaf_pub[WB_KEY_LEN],
                        uint64_t not_before, uint64_t not_after) {
    wb_cert_details inter = {WB_CERT_INTERMEDIATE_SERIAL, WB_CERT_ROOT_SERIAL, 1,
                             intermediate->pub, WB_KEY_LEN, not_before, not_after};
    wb_cert_details leaf = {WB_CERT_LEAF_SERIAL, WB_CERT_INTERMEDIATE_SERIAL, 1,
                            leaf_pub, WB_KEY_LEN, not_before, not_after};
    return wb_cert_chain_build_custom(out, &leaf, intermediate->priv, &inter, root_priv);
}

/* ---- verifying ------------------------------------------------------------------------------ */

static int unpack_details(const ProtobufCBinaryData *raw, Details **out) {
    return wb_proto_unpack(&wa__cert_chain__noise_certificate__details__descriptor, raw->data,
                           raw->len, 0, out, NULL);
}

/* Both a certificate's parts present, its signature 64 bytes. */
static int well_formed(const NoiseCert *c) {
    return c && c->has_details && c->has_signature && c->signature.len == WB_SIG_LEN;
}

static int valid_at(const Details *d, uint64_t now) {
    uint64_t nb = d->has_notbefore ? d->notbefore : 0, na = d->has_notafter ? d->notafter : 0;
    return nb <= now && now <= na;
}

int wb_cert_chain_verify(const uint8_t *chain, size_t len, const uint8_t root_pub[WB_KEY_LEN],
                         const uint8_t server_static[WB_KEY_LEN], uint64_t now, wb_error *err) {
    Wa__CertChain *c = NULL;
    Details *inter = NULL, *leaf = NULL;
    int rc = WB_ECERT;
    if (wb_proto_unpack(&wa__cert_chain__descriptor, chain, len, 0, &c, NULL) < 0) {
        wb_error_set(err, WB_ECERT, 0, "certificate chain is not a CertChain protobuf");
        goto done;
    }
    if (!well_formed(c->intermediate) || !well_formed(c->leaf)) {
        wb_error_set(err, WB_ECERT, 0, "certificate chain lacks a part or has a signature that is not 64 bytes");
        goto done;
    }
    const NoiseCert *ic = c->intermediate, *lc = c->leaf;
    if (wb_xeddsa_verify(root_pub, ic->details.data, ic->details.len, ic->signature.data) != 0) {
        wb_error_set(err, WB_ECERT, 0, "intermediate certificate signature is not the root's");
        goto done;
    }
    if (unpack_details(&ic->details, &inter) < 0) {
        wb_error_set(err, WB_ECERT, 0, "intermediate certificate details are malformed");
        goto done;
    }
    if (!inter->has_issuerserial || inter->issuerserial != WB_CERT_ROOT_SERIAL) {
        wb_error_set(err, WB_ECERT, 0, "intermediate issuer serial is not %d",
                     WB_CERT_ROOT_SERIAL);
        goto done;
    }
    if (!inter->has_key || inter->key.len != WB_KEY_LEN) {
        wb_error_set(err, WB_ECERT, 0, "intermediate key is not 32 bytes");
        goto done;
    }
    if (wb_xeddsa_verify(inter->key.data, lc->details.data, lc->details.len, lc->signature.data) != 0) {
        wb_error_set(err, WB_ECERT, 0, "leaf certificate signature is not the intermediate's");
        goto done;
    }
    if (!valid_at(inter, now)) {
        wb_error_set(err, WB_ECERT, 0, "intermediate certificate is not valid now");
        goto done;
    }
    if (unpack_details(&lc->details, &leaf) < 0) {
        wb_error_set(err, WB_ECERT, 0, "leaf certificate details are malformed");
        goto done;
    }
    if (!leaf->has_issuerserial || !inter->has_serial || leaf->issuerserial != inter->serial) {
        wb_error_set(err, WB_ECERT, 0, "leaf issuer serial does not match the intermediate's serial");
        goto done;
    }
    if (!leaf->has_key || leaf->key.len != WB_KEY_LEN ||
        wb_memneq(leaf->key.data, server_static, WB_KEY_LEN)) {
        wb_error_set(err, WB_ECERT, 0, "leaf key is not the server's static key");
        goto done;
    }
    if (!valid_at(leaf, now)) {
        wb_error_set(err, WB_ECERT, 0, "leaf certificate is not valid now");
        goto done;
    }
    rc = 0;
done:
    wb_proto_free(leaf);
    wb_proto_free(inter);
    wb_proto_free(c);
    return rc;
}
