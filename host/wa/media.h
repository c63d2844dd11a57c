/* Media (NOTES §10): where encrypted files go and how their keys are named. A client asks
 * <iq xmlns="w:m" type="set"><media_conn/></iq> for upload hosts and a token,
 *
 *   <media_conn auth ttl auth_ttl max_buckets><host hostname maxContentLengthBytes/>...</media_conn>
 *
 * POSTs the encrypted file to https://<hostname><path>/<token>?auth=<auth>&token=<token> (path
 * by media type, Baileys' MEDIA_PATH_MAP; token the base64url SHA-256 of the encrypted file),
 * is answered {"url", "direct_path", ...}, and puts the direct path in the message; whoever
 * receives it downloads https://<host><direct_path>. The media key expands with HKDF under
 * "WhatsApp <kind> Keys" (MEDIA_HKDF_KEY_MAPPING). The client builds the request, reads the
 * answer, makes upload URLs and reads the upload's JSON answer; the simulator answers
 * media_conn, parses upload paths and makes direct paths (media.c, media_http.c). */
#ifndef WB_WA_MEDIA_H
#define WB_WA_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include "binary/node.h"
#include "core/buf.h"
#include "core/err.h"

/* ---- media_conn ------------------------------------------------------------------------------ */

typedef struct wb_wa_media_host {
    const char *hostname;          /* "mmg.whatsapp.net", or host:port */
    uint64_t max_content_length;   /* maxContentLengthBytes; 0: not given */
} wb_wa_media_host;

typedef struct wb_wa_media_conn {
    const char *auth;              /* the upload token */
    int64_t ttl, auth_ttl;         /* seconds the answer and the token stay good */
    int64_t max_buckets;
    const wb_wa_media_host *hosts;
    size_t nhosts;
} wb_wa_media_conn;

/* Adds <media_conn/> to iq (an <iq xmlns="w:m" type="set">). */
void wb_wa_media_conn_request_fill(wb_node *iq);
/* Adds the answer's <media_conn> to reply. */
wb_node *wb_wa_media_conn_fill(wb_node *reply, const wb_wa_media_conn *mc);
/* Reads an answer (hosts go to arena a). Returns 0, WB_EPROTO / WB_EMALFORMED (no <media_conn>,
 * no auth, a host without a hostname, a bad number) or WB_ENOMEM. */
int wb_wa_media_conn_read(const wb_node *iq, wb_arena *a, wb_wa_media_conn *out, wb_error *err);

/* ---- media types ---------------------------------------------------------------------------- */

typedef struct wb_wa_media_type {
    const char *name; /* Baileys' media type: "image", "video", "audio", "document", "sticker",
                       * "ptt", "gif", "ptv", "thumbnail-link", "md-app-state", ... */
    const char *path; /* the upload path (MEDIA_PATH_MAP); NULL: not uploaded by this name */
    const char *hkdf; /* the word of the HKDF info (MEDIA_HKDF_KEY_MAPPING); NULL: none */
} wb_wa_media_type;

/* The type called name, or NULL. */
const wb_wa_media_type *wb_wa_media_type_of(const char *name);
/* The HKDF info of a type's media keys, "WhatsApp Image Keys", into out (NUL-terminated).
 * Returns its length, or WB_ENOTFOUND (no such type or no keys) / WB_ETOOBIG (cap). */
int wb_wa_media_hkdf_info(const char *type, char *out, size_t cap);

/* ---- upload and download --------------------------------------------------------------------- */

/* An upload path as a media server serves it. */
typedef struct wb_wa_media_upload {
    const char *path;          /* "/mms/image" */
    const char *kind;          /* what it stores: "image", "video", "product-image", ... */
    const char *direct_prefix; /* the direct paths of what it stores: "/v/t62.7118-24" */
} wb_wa_media_upload;

/* Appends the upload URL of a file of the given type to out:
 * https://<host><path>/<b64url hash>?auth=<auth, percent-encoded>&token=<b64url hash>.
 * Returns 0, WB_ENOTFOUND (a type that is not uploaded) or WB_ENOMEM. */
int wb_wa_media_upload_url(wb_buf *out, const char *host, const char *type,
                           const uint8_t enc_sha256[32], const char *auth);
/* Parses the path of an upload request (without its query): the upload it names and the
 * SHA-256 its token carries. Returns 0, WB_ENOTFOUND (no such upload path) or WB_EMALFORMED
 * (the token is not a base64url SHA-256). */
int wb_wa_media_upload_parse(const char *path, const wb_wa_media_upload **upload,
                             uint8_t enc_sha256[32]);
/* Appends the direct path of a stored file, <prefix>/<hex of 16 bytes of its hash>.enc, to out
 * (no NUL); with oh (NULL: none) its query too, ?ccb=11-4&_nc_sid=5e03e0&mms3=true&oh=<oh>. */
int wb_wa_media_direct_path(wb_buf *out, const wb_wa_media_upload *upload,
                            const uint8_t enc_sha256[32], const char *oh);
/* Appends https://<host><direct_path> (Baileys' getUrlFromDirectPath). */
int wb_wa_media_url(wb_buf *out, const char *host, const char *direct_path);

/* The media server's answer to an upload. */
#define WB_WA_MEDIA_URL_MAX 2048
typedef struct wb_wa_media_uploaded {
    char url[WB_WA_MEDIA_URL_MAX];
    char direct_path[WB_WA_MEDIA_URL_MAX];
    int64_t ts; /* 0: not given */
} wb_wa_media_uploaded;
/* Appends {"url":"https://<host><direct_path>","direct_path":...,"ts":ts} to out. */
int wb_wa_media_uploaded_json(wb_buf *out, const char *host, const char *direct_path, int64_t ts);
/* Reads that answer (len bytes of JSON). Returns 0, WB_EMALFORMED (not a JSON object with a url
 * or a direct_path, as Baileys requires one) or WB_ETOOBIG (a string over WB_WA_MEDIA_URL_MAX). */
int wb_wa_media_uploaded_read(const char *json, size_t len, wb_wa_media_uploaded *out);

#endif
