/* Media kinds from magic bytes and extensions (sniff.h): two tables. */
#include "media/sniff.h"

#include <string.h>
#include <strings.h>

/* A signature: bytes at an offset ('?' in a pattern matches any byte). */
typedef struct magic {
    size_t at;
    const char *bytes;
    size_t len;
    const char *kind, *mimetype;
} magic;

#define M(at, s, kind, mime) {at, s, sizeof s - 1, kind, mime}

/* Tried in order: the first match wins (so longer and more specific ones come first). */
static const magic magics[] = {
    M(0, "\xff\xd8\xff", "image", "image/jpeg"),
    M(0, "\x89PNG\r\n\x1a\n", "image", "image/png"),
    M(0, "GIF87a", "image", "image/gif"),
    M(0, "GIF89a", "image", "image/gif"),
    M(8, "WEBP", "sticker", "image/webp"),
    M(8, "WAVE", "audio", "audio/wav"),
    M(8, "AVI ", "video", "video/x-msvideo"),
    M(4, "ftypM4A ", "audio", "audio/mp4"),
    M(4, "ftypM4B ", "audio", "audio/mp4"),
    M(4, "ftypqt  ", "video", "video/quicktime"),
    M(4, "ftyp3gp", "video", "video/3gpp"),
    M(4, "ftypheic", "image", "image/heic"),
    M(4, "ftypheix", "image", "image/heic"),
    M(4, "ftypmif1", "image", "image/heif"),
    M(4, "ftyp", "video", "video/mp4"),
    M(0, "\x1a\x45\xdf\xa3", "video", "video/webm"),
    M(28, "OpusHead", "audio", "audio/ogg; codecs=opus"),
    M(0, "OggS", "audio", "audio/ogg"),
    M(0, "ID3", "audio", "audio/mpeg"),
    M(0, "\xff\xf1", "audio", "audio/aac"),
    M(0, "\xff\xf9", "audio", "audio/aac"),
    M(0, "\xff\xfb", "audio", "audio/mpeg"),
    M(0, "\xff\xf3", "audio", "audio/mpeg"),
    M(0, "\xff\xf2", "audio", "audio/mpeg"),
    M(0, "fLaC", "audio", "audio/flac"),
    M(0, "#!AMR", "audio", "audio/amr"),
    M(0, "%PDF-", "document", "application/pdf"),
};

/* Extensions: the kind and mimetype of a file whose bytes say nothing we know (or a ZIP, whose
 * extension tells which office format it is). */
static const struct ext {
    const char *ext, *kind, *mimetype;
} exts[] = {
    {"jpg", "image", "image/jpeg"},
    {"jpeg", "image", "image/jpeg"},
    {"png", "image", "image/png"},
    {"gif", "image", "image/gif"},
    {"webp", "sticker", "image/webp"},
    {"heic", "image", "image/heic"},
    {"mp4", "video", "video/mp4"},
    {"m4v", "video", "video/mp4"},
    {"mov", "video", "video/quicktime"},
    {"3gp", "video", "video/3gpp"},
    {"webm", "video", "video/webm"},
    {"mkv", "video", "video/x-matroska"},
    {"ogg", "audio", "audio/ogg; codecs=opus"},
    {"opus", "audio", "audio/ogg; codecs=opus"},
    {"mp3", "audio", "audio/mpeg"},
    {"m4a", "audio", "audio/mp4"},
    {"aac", "audio", "audio/aac"},
    {"wav", "audio", "audio/wav"},
    {"flac", "audio", "audio/flac"},
    {"amr", "audio", "audio/amr"},
    {"pdf", "document", "application/pdf"},
    {"txt", "document", "text/plain"},
    {"csv", "document", "text/csv"},
    {"json", "document", "application/json"},
    {"zip", "document", "application/zip"},
    {"doc", "document", "application/msword"},
    {"docx", "document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {"xls", "document", "application/vnd.ms-excel"},
    {"xlsx", "document", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {"ppt", "document", "application/vnd.ms-powerpoint"},
    {"pptx", "document", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
};

static const struct ext *ext_of(const char *name) {
    const char *slash = name ? strrchr(name, '/') : NULL, *dot;
    if (!name || !(dot = strrchr(slash ? slash : name, '.')))
        return NULL;
    for (size_t i = 0; i < sizeof exts / sizeof *exts; i++)
        if (strcasecmp(dot + 1, exts[i].ext) == 0)
            return &exts[i];
    return NULL;
}

void wb_media_sniff(const uint8_t *head, size_t n, const char *name, wb_media_sniffed *out) {
    for (size_t i = 0; i < sizeof magics / sizeof *magics; i++) {
        const magic *m = &magics[i];
        if (m->at + m->len <= n && memcmp(head + m->at, m->bytes, m->len) == 0) {
            out->kind = m->kind;
            out->mimetype = m->mimetype;
            return;
        }
    }
    const struct ext *e = ext_of(name);
    int zip = n >= 4 && memcmp(head, "PK\3\4", 4) == 0;
    if (e && (!zip || strcmp(e->kind, "document") == 0)) {
        out->kind = e->kind;
        out->mimetype = e->mimetype;
    } else {
        out->kind = "document";
        out->mimetype = zip ? "application/zip" : "application/octet-stream";
    }
}

const char *wb_media_extension(const char *mimetype) {
    size_t n = mimetype ? strcspn(mimetype, ";") : 0;
    while (n && mimetype[n - 1] == ' ')
        n--;
    for (size_t i = 0; i < sizeof exts / sizeof *exts; i++)
        if (strlen(exts[i].mimetype) >= n && strncasecmp(exts[i].mimetype, mimetype, n) == 0 &&
            (exts[i].mimetype[n] == '\0' || exts[i].mimetype[n] == ';'))
            return exts[i].ext;
    return "bin";
}

const char *wb_media_mimetype_for(const char *kind, const wb_media_sniffed *s) {
    static const struct {
        const char *kind, *major;
    } majors[] = {{"image", "image/"}, {"sticker", "image/"}, {"video", "video/"},
                  {"audio", "audio/"}, {"document", ""}};
    if (!strcmp(kind, "voice"))
        return "audio/ogg; codecs=opus"; /* what WhatsApp plays as a voice note */
    if (!strcmp(s->mimetype, "application/octet-stream"))
        return NULL;
    for (size_t i = 0; i < sizeof majors / sizeof *majors; i++)
        if (!strcmp(kind, majors[i].kind))
            return strncmp(s->mimetype, majors[i].major, strlen(majors[i].major)) == 0
                       ? s->mimetype : NULL;
    return NULL;
}
