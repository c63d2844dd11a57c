/* Private glue between the Noise handshake (noise.c) and the transport (noise_transport.c).
 * Nothing outside host/net includes this. */
#ifndef WB_NET_NOISE_INTERNAL_H
#define WB_NET_NOISE_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "crypto/aes.h"
#include "net/noise.h"

/* WhatsApp's AES-GCM nonce: 8 zero bytes || be32(counter). */
static inline void wb_noise_iv(uint8_t iv[WB_GCM_IV_LEN], uint32_t counter) {
    memset(iv, 0, 8);
    wb_put_be32(iv + 8, counter);
}

/* Creates a transport that seals with send_key and opens with recv_key (32 bytes each). */
int wb_noise_transport_new(wb_noise **out, const uint8_t *send_key, const uint8_t *recv_key);

#endif
