/* The simulator's media service, shared by media.c (the media_conn IQ and the keys) and
 * media_http.c (upload and download). Clients ask media_conn for an upload host and an auth
 * token, POST encrypted blobs to https://<host>/mms/<kind>/<fileEncSha256>?auth=..&token=..,
 * are answered {"url", "direct_path"}, and whoever gets the message fetches
 * https://<host><direct_path>. The host is the simulator's HTTPS media port (mediaHost in
 * /admin/info) or, with --tls, its main port. Blobs live in the media table of the state. */
#ifndef WB_SIM_MEDIA_H
#define WB_SIM_MEDIA_H

#include "sim/sim_int.h"

#define WB_SIM_MEDIA_MAX (64u << 20) /* bytes of one upload (the HTTP server's body limit) */

struct wb_sim_media {
    char auth[64];           /* the media_conn token uploads must carry (base64url) */
    uint8_t url_key[32];     /* signs direct paths (the oh= parameter) */
};

/* 1 when auth is the media_conn token (constant time), else 0. */
int wb_sim_media_auth_ok(const wb_sim *sim, const char *auth);
/* The oh= value that signs a direct path (without its query): 32 hex digits and a NUL. */
void wb_sim_media_sign(const wb_sim *sim, const char *path, size_t len, char out[33]);

#endif
