/* Media (media.h): the keys of the media service, kept in the state so that tokens and URLs
 * handed out before a restart keep working, and the media_conn IQ (NOTES §10, Baileys'
 * refreshMediaConn, wa/media.h): <iq xmlns="w:m" type="set"><media_conn/></iq> is answered
 * <media_conn auth ttl auth_ttl max_buckets><host hostname="127.0.0.1:PORT"
 * maxContentLengthBytes/></media_conn>. Upload and download are in media_http.c. */
#include <stdlib.h>
#include <string.h>

#include "core/enc.h"
#include "core/log.h"
#include "core/mem.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "sim/media.h"
#include "wa/media.h"

#define CONN_TTL_S 300      /* how long a client may reuse the answer */
#define AUTH_TTL_S 21600

/* A secret of the meta table: read, or made (32 random bytes) and stored. */
static int secret(wb_sim *sim, const char *name, uint8_t out[32]) {
    wb_buf b = WB_BUF_INIT;
    int rc = wb_sim_meta_get(sim, name, &b);
    if (rc == 0 && b.len == 32) {
        memcpy(out, b.data, 32);
    } else if (rc == 0 || rc == WB_ENOTFOUND) {
        wb_random_bytes(out, 32);
        rc = wb_sim_meta_set(sim, name, out, 32);
    }
    wb_buf_free_secret(&b);
    return rc;
}

int wb_sim_media_auth_ok(const wb_sim *sim, const char *auth) {
    size_t n = strlen(sim->media->auth);
    return auth && strlen(auth) == n && !wb_memneq(auth, sim->media->auth, n);
}

void wb_sim_media_sign(const wb_sim *sim, const char *path, size_t len, char out[33]) {
    uint8_t mac[WB_SHA256_LEN];
    wb_hmac_sha256(mac, sim->media->url_key, sizeof sim->media->url_key, (const uint8_t *)path,
                   len);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hex[mac[i] >> 4];
        out[2 * i + 1] = hex[mac[i] & 15];
    }
    out[32] = '\0';
}

static int on_media_conn(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_sim *sim = c->sim;
    wb_wa_media_host host = {.hostname = sim->media_host, .max_content_length = WB_SIM_MEDIA_MAX};
    wb_wa_media_conn mc = {.auth = sim->media->auth, .ttl = CONN_TTL_S, .auth_ttl = AUTH_TTL_S,
                           .max_buckets = 12, .hosts = &host, .nhosts = 1};
    wb_wa_media_conn_fill(reply, &mc);
    wb_sim_count(sim, "media.conn", 1);
    return 0;
}

static int media_init(wb_sim *sim) {
    if (!(sim->media = calloc(1, sizeof *sim->media)))
        return WB_ENOMEM;
    uint8_t auth[32];
    int rc = secret(sim, "media_auth", auth);
    if (rc == 0)
        rc = secret(sim, "media_url_key", sim->media->url_key);
    wb_buf b = WB_BUF_INIT;
    if (rc == 0 && (rc = wb_b64_encode(&b, auth, sizeof auth, WB_B64_URL)) == 0 &&
        b.len < sizeof sim->media->auth)
        memcpy(sim->media->auth, b.data, b.len);
    wb_buf_free_secret(&b);
    wb_zero(auth, sizeof auth);
    if (rc == 0)
        rc = wb_sim_media_store_init(sim);
    if (rc < 0)
        WB_ERROR("sim", "cannot load or make the media keys: %s", wb_strerror(rc));
    return rc;
}

static void media_free(wb_sim *sim) {
    wb_sim_media_store_free(sim);
    if (sim->media)
        wb_free_secret(sim->media, sizeof *sim->media);
    sim->media = NULL;
}

static const wb_sim_iq_route iqs[] = {
    {"w:m", "set", "media_conn", on_media_conn, WB_SIM_ON_LOGIN},
    {NULL, NULL, NULL, NULL, 0},
};

const wb_sim_family wb_sim_family_media = {
    .name = "media", .iqs = iqs, .init = media_init, .free = media_free,
};
