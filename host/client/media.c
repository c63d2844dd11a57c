/* Media in the client (client.h, "media"): the media_conn IQ and its cache, and media messages
 * built and read as Baileys does (Utils/messages.js prepareWAMessageMedia, downloadMediaMessage).
 * Moving the files is host/media's; client/media_host.c joins the two on the loop. */
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"
#include "core/log.h"
#include "core/mem.h"
#include "wa/media.h"
#include "wb_proto.h"

typedef struct waiter {
    struct waiter *next;
    wb_client_media_conn_fn fn;
    void *ud;
    int status;
} waiter;

struct wb_client_media_cache {
    wb_client_media_conn mc;   /* the cached answer (when have) */
    char *auth;
    char **hosts;
    int have;
    uint64_t expires;          /* ms */
    int querying;
    waiter *waiting;           /* for the query in flight */
    waiter *ready, **ready_tail; /* answered, to be called at the end of the entry point */
};

/* ---- media_conn -------------------------------------------------------------------------------- */

static void cache_clear(struct wb_client_media_cache *m) {
    for (size_t i = 0; m->hosts && i < m->mc.nhosts; i++)
        free(m->hosts[i]);
    free(m->hosts);
    if (m->auth)
        wb_free_secret(m->auth, strlen(m->auth));
    m->hosts = NULL;
    m->auth = NULL;
    memset(&m->mc, 0, sizeof m->mc);
    m->have = 0;
}

static int cache_set(struct wb_client_media_cache *m, const wb_wa_media_conn *a, uint64_t now) {
    cache_clear(m);
    m->auth = strdup(a->auth);
    m->hosts = calloc(a->nhosts ? a->nhosts : 1, sizeof *m->hosts);
    if (!m->auth || !m->hosts)
        return WB_ENOMEM;
    for (size_t i = 0; i < a->nhosts; i++) {
        if (!(m->hosts[i] = strdup(a->hosts[i].hostname)))
            return WB_ENOMEM;
        m->mc.nhosts = i + 1;
    }
    m->mc.auth = m->auth;
    m->mc.hosts = (const char *const *)m->hosts;
    m->mc.max_length = a->nhosts ? a->hosts[0].max_content_length : 0;
    /* good for its ttl, and no longer than its token (Baileys: fetchDate + ttl) */
    int64_t ttl = a->ttl;
    if (a->auth_ttl > 0 && a->auth_ttl < ttl)
        ttl = a->auth_ttl;
    m->expires = now + (uint64_t)(ttl > 0 ? ttl : 0) * 1000;
    m->have = 1;
    return 0;
}

static void answered(void *ud, int status, const wb_node *answer) {
    wb_client *c = ud;
    struct wb_client_media_cache *m = c->media;
    m->querying = 0;
    if (status == 0) {
        wb_wa_media_conn a;
        wb_error e = {0};
        status = wb_wa_media_conn_read(answer, &c->arena, &a, &e);
        if (status == 0 && a.nhosts == 0)
            status = wb_error_set(&e, WB_EPROTO, 0, "media_conn names no host");
        if (status == 0)
            status = cache_set(m, &a, c->now);
        if (status < 0)
            WB_WARN("client", "media_conn: %s", e.what[0] ? e.what : wb_strerror(status));
    }
    for (waiter *w = m->waiting; w; w = w->next)
        w->status = status;
    if (m->waiting) {
        *m->ready_tail = m->waiting;
        while (*m->ready_tail)
            m->ready_tail = &(*m->ready_tail)->next;
    }
    m->waiting = NULL;
}

int wb_client_media_conn_get(wb_client *c, int refresh, const wb_client_media_conn **out,
                         wb_client_media_conn_fn fn, void *ud) {
    wb_client_enter(c);
    struct wb_client_media_cache *m = c->media;
    if (!m) {
        if (!(m = c->media = calloc(1, sizeof *m)))
            return WB_ENOMEM;
        m->ready_tail = &m->ready;
    }
    if (!refresh && m->have && c->now < m->expires) {
        *out = &m->mc;
        return 1;
    }
    if (c->state != WB_ST_OPEN)
        return WB_ECLOSED;
    waiter *w = calloc(1, sizeof *w);
    if (!w)
        return WB_ENOMEM;
    if (!m->querying) {
        wb_node *iq = wb_client_iq(c, "set", "w:m");
        wb_wa_media_conn_request_fill(iq);
        int rc = wb_client_send_iq(c, iq, answered, c);
        if (rc < 0) {
            free(w);
            wb_client_flush_events(c);
            return rc;
        }
        m->querying = 1;
    }
    w->fn = fn;
    w->ud = ud;
    w->next = m->waiting;
    m->waiting = w;
    wb_client_flush_events(c);
    return 0;
}

void wb_client_media_deliver(wb_client *c) {
    struct wb_client_media_cache *m = c->media;
    while (m && m->ready) {
        waiter *w = m->ready;
        m->ready = w->next;
        if (!m->ready)
            m->ready_tail = &m->ready;
        w->fn(w->ud, w->status, w->status == 0 ? &m->mc : NULL);
        free(w);
    }
}

void wb_client_media_free(wb_client *c) {
    struct wb_client_media_cache *m = c->media;
    if (!m)
        return;
    /* the connection's reset completed the query with WB_ECLOSED: its waiters hear it now */
    wb_client_media_deliver(c);
    for (waiter *w = m->waiting, *n; w; w = n) {
        n = w->next;
        w->fn(w->ud, WB_ECLOSED, NULL);
        free(w);
    }
    cache_clear(m);
    free(m);
    c->media = NULL;
}

/* ---- media messages -------------------------------------------------------------------------- */

/* Each kind: its media type and Baileys' MIMETYPE_MAP default. */
static const struct kind {
    const char *kind, *type, *mimetype;
} kinds[] = {
    {"image", "image", "image/jpeg"},
    {"video", "video", "video/mp4"},
    {"audio", "audio", "audio/ogg; codecs=opus"},
    {"voice", "audio", "audio/ogg; codecs=opus"},
    {"document", "document", "application/pdf"},
    {"sticker", "sticker", "image/webp"},
};

static const struct kind *kind_of(const char *name) {
    for (size_t i = 0; name && i < sizeof kinds / sizeof *kinds; i++)
        if (strcmp(kinds[i].kind, name) == 0)
            return &kinds[i];
    return NULL;
}

const char *wb_client_media_type(const char *kind) {
    const struct kind *k = kind_of(kind);
    return k ? k->type : NULL;
}

static ProtobufCBinaryData bin(const uint8_t *p, size_t n) {
    return (ProtobufCBinaryData){.len = p ? n : 0, .data = (uint8_t *)p};
}

int wb_client_media_message(const wb_client_media *md, Wa__Message **out) {
    const struct kind *k = kind_of(md->kind);
    if (!k || !md->media_key)
        return WB_EINVAL;
    Wa__Message m = WA__MESSAGE__INIT;
    Wa__Message__ImageMessage img = WA__MESSAGE__IMAGE_MESSAGE__INIT;
    Wa__Message__VideoMessage vid = WA__MESSAGE__VIDEO_MESSAGE__INIT;
    Wa__Message__AudioMessage aud = WA__MESSAGE__AUDIO_MESSAGE__INIT;
    Wa__Message__DocumentMessage doc = WA__MESSAGE__DOCUMENT_MESSAGE__INIT;
    Wa__Message__StickerMessage stk = WA__MESSAGE__STICKER_MESSAGE__INIT;
    char *url = (char *)md->url, *dp = (char *)md->direct_path;
    char *mime = (char *)(md->mimetype ? md->mimetype : k->mimetype);
    ProtobufCBinaryData key = bin(md->media_key, 32), sha = bin(md->file_sha256, 32),
                        enc = bin(md->file_enc_sha256, 32);
    int has_sha = md->file_sha256 != NULL, has_enc = md->file_enc_sha256 != NULL;
    /* the same fields under each kind's own numbers: set them through one macro */
#define MEDIA_FIELDS(x)                                                                           \
    do {                                                                                          \
        (x).url = url;                                                                            \
        (x).directpath = dp;                                                                      \
        (x).mimetype = mime;                                                                      \
        (x).has_filelength = 1, (x).filelength = md->file_length;                                 \
        (x).has_mediakey = 1, (x).mediakey = key;                                                 \
        (x).has_filesha256 = has_sha, (x).filesha256 = sha;                                       \
        (x).has_fileencsha256 = has_enc, (x).fileencsha256 = enc;                                 \
        (x).has_mediakeytimestamp = 1, (x).mediakeytimestamp = md->media_key_timestamp;           \
    } while (0)
    if (!strcmp(k->type, "image")) {
        MEDIA_FIELDS(img);
        img.caption = (char *)md->caption;
        img.has_width = md->width > 0, img.width = md->width;
        img.has_height = md->height > 0, img.height = md->height;
        m.imagemessage = &img;
    } else if (!strcmp(k->type, "video")) {
        MEDIA_FIELDS(vid);
        vid.caption = (char *)md->caption;
        vid.has_width = md->width > 0, vid.width = md->width;
        vid.has_height = md->height > 0, vid.height = md->height;
        vid.has_seconds = md->seconds > 0, vid.seconds = md->seconds;
        m.videomessage = &vid;
    } else if (!strcmp(k->type, "audio")) {
        MEDIA_FIELDS(aud);
        aud.has_seconds = md->seconds > 0, aud.seconds = md->seconds;
        aud.has_ptt = !strcmp(k->kind, "voice"), aud.ptt = aud.has_ptt;
        m.audiomessage = &aud;
    } else if (!strcmp(k->type, "document")) {
        MEDIA_FIELDS(doc);
        doc.caption = (char *)md->caption;
        doc.filename = (char *)(md->file_name ? md->file_name : "file");
        m.documentmessage = &doc;
    } else {
        MEDIA_FIELDS(stk);
        stk.has_width = md->width > 0, stk.width = md->width;
        stk.has_height = md->height > 0, stk.height = md->height;
        m.stickermessage = &stk;
    }
#undef MEDIA_FIELDS
    wb_buf b = WB_BUF_INIT;
    int rc = wb_proto_pack(&m, &b);
    if (rc == 0)
        rc = wb_proto_unpack(&wa__message__descriptor, b.data, b.len, 0, out, NULL);
    wb_buf_free_secret(&b);
    return rc < 0 ? (rc == WB_ENOMEM ? WB_ENOMEM : WB_EINVAL) : 0;
}

/* The fields every media message has, wherever its kind keeps them, into o. */
#define MEDIA_READ(o, x, kind_name)                                                               \
    do {                                                                                          \
        (o)->kind = kind_name;                                                                    \
        (o)->mimetype = (x)->mimetype;                                                            \
        (o)->url = (x)->url;                                                                      \
        (o)->direct_path = (x)->directpath;                                                       \
        (o)->file_length = (x)->filelength;                                                       \
        (o)->media_key_timestamp = (x)->mediakeytimestamp;                                        \
        key = (x)->has_mediakey ? &(x)->mediakey : NULL;                                          \
        sha = (x)->has_filesha256 ? &(x)->filesha256 : NULL;                                      \
        enc = (x)->has_fileencsha256 ? &(x)->fileencsha256 : NULL;                                \
    } while (0)

int wb_client_media_of(const Wa__Message *m, wb_client_media *out) {
    wb_client_media o = {0};
    const ProtobufCBinaryData *key = NULL, *sha = NULL, *enc = NULL;
    for (int depth = 0; m && !o.kind && depth < 8; depth++) {
        if (m->imagemessage) {
            MEDIA_READ(&o, m->imagemessage, "image");
            o.caption = m->imagemessage->caption;
            o.width = m->imagemessage->width;
            o.height = m->imagemessage->height;
        } else if (m->videomessage) {
            MEDIA_READ(&o, m->videomessage, "video");
            o.caption = m->videomessage->caption;
            o.width = m->videomessage->width;
            o.height = m->videomessage->height;
            o.seconds = m->videomessage->seconds;
        } else if (m->audiomessage) {
            MEDIA_READ(&o, m->audiomessage, m->audiomessage->ptt ? "voice" : "audio");
            o.seconds = m->audiomessage->seconds;
        } else if (m->documentmessage) {
            MEDIA_READ(&o, m->documentmessage, "document");
            o.caption = m->documentmessage->caption;
            o.file_name = m->documentmessage->filename;
        } else if (m->stickermessage) {
            MEDIA_READ(&o, m->stickermessage, "sticker");
            o.width = m->stickermessage->width;
            o.height = m->stickermessage->height;
        } else {
            m = wb_client_message_unwrap(m);
        }
    }
#undef MEDIA_READ
    if (!o.kind)
        return WB_ENOTFOUND;
    if (!key || key->len != 32 || !o.direct_path || o.direct_path[0] != '/' ||
        (sha && sha->len != 32) || (enc && enc->len != 32))
        return WB_EMALFORMED;
    for (const char *p = o.direct_path; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '\\' || *p == '#')
            return WB_EMALFORMED; /* the path goes into a URL: no spaces, controls, fragments */
    o.media_key = key->data;
    o.file_sha256 = sha ? sha->data : NULL;
    o.file_enc_sha256 = enc ? enc->data : NULL;
    *out = o;
    return 0;
}
