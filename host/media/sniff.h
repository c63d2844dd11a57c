/* What kind of media a file is, for `wabot send --file` and the Lua API when the caller does not
 * say: the file's first bytes first (JPEG, PNG, GIF, WebP, MP4/MOV/3GP/M4A, WebM, Ogg/Opus,
 * MP3, AAC, WAV, FLAC, AMR, PDF, ZIP), its extension second, a document otherwise. Pure. */
#ifndef WB_MEDIA_SNIFF_H
#define WB_MEDIA_SNIFF_H

#include <stddef.h>
#include <stdint.h>

#define WB_MEDIA_SNIFF_HEAD 64 /* bytes of the file's start worth reading */

typedef struct wb_media_sniffed {
    const char *kind;     /* "image", "video", "audio", "document", "sticker" (WebP) */
    const char *mimetype; /* "image/jpeg", "audio/ogg; codecs=opus", ...;
                             "application/octet-stream" when nothing is known */
} wb_media_sniffed;

/* Reads head (the first n bytes, fewer when the file is shorter) and name (a path or a file
 * name, or NULL). Never fails: an unknown file is a document. */
void wb_media_sniff(const uint8_t *head, size_t n, const char *name, wb_media_sniffed *out);

/* The sniffed mimetype when it suits a message of kind ("image", "video", "audio", "voice",
 * "document", "sticker"): the same major type (image for stickers), anything known for a
 * document, always Ogg/Opus for a voice note; NULL otherwise (the kind's default then applies). */
const char *wb_media_mimetype_for(const char *kind, const wb_media_sniffed *s);

/* The file extension for a mimetype ("jpg", "ogg", "pdf", ...), "bin" when unknown: names the
 * file of a download when the user gives none. */
const char *wb_media_extension(const char *mimetype);

#endif
