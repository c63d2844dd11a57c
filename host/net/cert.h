/* The server's Noise certificate chain (NOTES.md §1.5): CertChain{leaf, intermediate}, each a
 * NoiseCertificate{details, signature} whose details are a serialized Details{serial,
 * issuerSerial, key, notBefore, notAfter} and whose signature is a 64-byte XEdDSA signature over
 * those details bytes.
 *
 * The server side (the simulator's Noise responder) builds a chain: an intermediate (serial 1,
 * issuerSerial 0, written explicitly because Baileys rejects a missing one) signed by a root key,
 * and a leaf (serial 2, issuerSerial 1) carrying the server's static Noise key, signed by the
 * intermediate. The client side verifies a chain as strictly as whatsmeow does. */
#ifndef WB_NET_CERT_H
#define WB_NET_CERT_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "crypto/curve.h"

/* WhatsApp's real root public key ("WhatsAppLongTerm1", serial 0): the default trust anchor. */
extern const uint8_t wb_cert_whatsapp_root[WB_KEY_LEN];

#define WB_CERT_ROOT_SERIAL 0
#define WB_CERT_INTERMEDIATE_SERIAL 1
#define WB_CERT_LEAF_SERIAL 2

/* Builds a serialized CertChain into out (appended). The intermediate certifies
 * intermediate->pub and is signed with root_priv; the leaf certifies leaf_pub (the server's
 * static Noise public key) and is signed with intermediate->priv. Both are valid from
 * not_before to not_after (Unix seconds). Returns 0, WB_ENOMEM or WB_ECRYPTO. */
int wb_cert_chain_build(wb_buf *out, const uint8_t root_priv[WB_KEY_LEN],
                        const wb_keypair *intermediate, const uint8_t leaf_pub[WB_KEY_LEN],
                        uint64_t not_before, uint64_t not_after);

/* The fields of one certificate, for building chains with chosen (also wrong) contents. */
typedef struct wb_cert_details {
    uint32_t serial;
    uint32_t issuer_serial;
    int has_issuer_serial;   /* 0 leaves issuerSerial off the wire (Baileys then rejects it) */
    const uint8_t *key;      /* the certified public key */
    size_t key_len;
    uint64_t not_before, not_after;
} wb_cert_details;

/* Builds a CertChain from the two certificates' details, each signed with its signer's private
 * key (leaf_signer normally the intermediate's, intermediate_signer the root's). Appends to out.
 * wb_cert_chain_build is this with the standard serials. Returns 0, WB_ENOMEM or WB_ECRYPTO. */
int wb_cert_chain_build_custom(wb_buf *out, const wb_cert_details *leaf,
                               const uint8_t leaf_signer[WB_KEY_LEN],
                               const wb_cert_details *intermediate,
                               const uint8_t intermediate_signer[WB_KEY_LEN]);

/* Verifies a serialized CertChain as whatsmeow does (handshake.go, verifyServerCert): leaf and
 * intermediate each have details and a 64-byte signature; the intermediate's signature is valid
 * under root_pub; its issuerSerial is present and 0 and its key 32 bytes; the leaf's signature
 * is valid under the intermediate's key; the leaf's issuerSerial equals the intermediate's
 * serial; the leaf's key equals server_static (the static key decrypted in the handshake);
 * notBefore <= now <= notAfter for both. Returns 0, or WB_ECERT with the reason in err (if not
 * NULL), or WB_ENOMEM. */
int wb_cert_chain_verify(const uint8_t *chain, size_t len, const uint8_t root_pub[WB_KEY_LEN],
                         const uint8_t server_static[WB_KEY_LEN], uint64_t now, wb_error *err);

#endif
