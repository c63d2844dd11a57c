/* Fuzz target: what a sender controls about media, before any byte is downloaded: a Message's
 * media fields read by wb_client_media_of (the key, the hashes, the directPath that goes into a
 * URL, in any wrapper), and the file-kind sniffing of host/media/sniff.h on a file's bytes.
 *
 * Input: a serialized wa.Message (also sniffed as a file's first bytes, named by its first 16
 * bytes). Oracle: the sanitizers; media that is accepted has a 32-byte key, a directPath that
 * starts with '/' and holds no space, control, '\\' or '#', 32-byte hashes when present, a kind
 * wb_client_media_type knows, and builds back (wb_client_media_message) into a message that
 * reads back the same; sniffing always names a kind and a mimetype. Seeds:
 * make_media_corpus.mjs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/client.h"
#include "media/sniff.h"
#include "wb_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char name[17] = {0};
    memcpy(name, data, size < 16 ? size : 16);
    for (int i = 0; i < 16; i++)
        if (!name[i])
            break;
    wb_media_sniffed sn;
    wb_media_sniff(data, size < WB_MEDIA_SNIFF_HEAD ? size : WB_MEDIA_SNIFF_HEAD, name, &sn);
    if (!sn.kind || !sn.mimetype || !wb_media_extension(sn.mimetype))
        abort();
    static const char *const kinds[] = {"image", "video", "audio", "voice", "document", "sticker"};
    for (size_t i = 0; i < 6; i++) {
        const char *m = wb_media_mimetype_for(kinds[i], &sn);
        if (m && !*m)
            abort();
    }

    Wa__Message *msg;
    if (wb_proto_unpack(&wa__message__descriptor, data, size, 0, &msg, NULL) < 0)
        return 0;
    wb_client_media md;
    int rc = wb_client_media_of(msg, &md);
    if (rc == 0) {
        if (!md.media_key || !md.direct_path || md.direct_path[0] != '/' ||
            !wb_client_media_type(md.kind))
            abort();
        for (const char *p = md.direct_path; *p; p++)
            if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '\\' || *p == '#')
                abort();
        /* what was read builds a message that reads back the same file */
        Wa__Message *again = NULL;
        if (wb_client_media_message(&md, &again) == 0) {
            wb_client_media md2;
            if (wb_client_media_of(again, &md2) != 0 || strcmp(md2.kind, md.kind) ||
                memcmp(md2.media_key, md.media_key, 32) ||
                strcmp(md2.direct_path, md.direct_path) || md2.file_length != md.file_length ||
                !md2.file_sha256 != !md.file_sha256 ||
                (md.file_sha256 && memcmp(md2.file_sha256, md.file_sha256, 32)))
                abort();
            wb_proto_free(again);
        }
    } else if (rc != WB_ENOTFOUND && rc != WB_EMALFORMED) {
        abort();
    }
    wb_proto_free(msg);
    return 0;
}
