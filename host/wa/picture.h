/* Profile pictures (xmlns w:profile:picture): the picture of a user or a group, as Baileys
 * (Socket/chats.js profilePictureUrl, updateProfilePicture, removeProfilePicture) and whatsmeow
 * (user.go GetProfilePictureInfo, group.go SetGroupPhoto) send and read them:
 *
 *   get     <iq xmlns="w:profile:picture" type="get" to="@s.whatsapp.net" target=<jid> id>
 *             <picture type="preview"|"image" query="url" [id]>[<tctoken>..</tctoken>]</picture>
 *           -> <iq type="result"><picture id type url direct_path/></iq>
 *              (an IQ error 404 item-not-found when there is none, 401 not-authorized when the
 *              owner's privacy hides it; <picture status="304"/> when the asker's id is current)
 *   set     <iq type="set" [target=<group>]><picture type="image">JPEG</picture></iq>
 *           -> <picture id/>   (no target: one's own picture)
 *   delete  <iq type="set" [target=<group>]/>   (no child)
 *
 * The client builds get requests and reads answers; the simulator reads every request and
 * builds the answers. Readers leave strings and bytes pointing into the node. */
#ifndef WB_WA_PICTURE_H
#define WB_WA_PICTURE_H

#include <stddef.h>
#include <stdint.h>

#include "binary/node.h"
#include "core/err.h"

#define WB_WA_PICTURE_MAX (1u << 20) /* bytes of one picture a set may carry */

enum wb_wa_picture_action {
    WB_WA_PICTURE_GET,
    WB_WA_PICTURE_SET,
    WB_WA_PICTURE_DELETE,
};

typedef struct wb_wa_picture_request {
    enum wb_wa_picture_action action;
    wb_jid target;          /* get: whose picture (required); set, delete: a group, or empty for
                             * one's own */
    const char *type;       /* get: "preview" (Baileys' default) or "image"; NULL: "preview" */
    const char *id;         /* get: the picture id the asker already has (optional) */
    const uint8_t *image;   /* set: the JPEG */
    size_t image_len;
} wb_wa_picture_request;

/* The <iq xmlns="w:profile:picture" type to target> for r, without an id (wa/iq.h). */
wb_node *wb_wa_picture_request_new(wb_arena *a, const wb_wa_picture_request *r);
/* Reads one. Returns 0, WB_ENOTFOUND (not a w:profile:picture IQ), WB_EPROTO / WB_EMALFORMED
 * (a get without a target or <picture>, a bad JID, a type other than preview or image, a set
 * without its image or with one over WB_WA_PICTURE_MAX bytes: err says which). */
int wb_wa_picture_request_read(const wb_node *iq, wb_wa_picture_request *out, wb_error *err);

typedef struct wb_wa_picture {
    const char *id;          /* the picture's id (its version) */
    const char *type;        /* "preview" or "image" */
    const char *url;         /* where to download it */
    const char *direct_path;
    int status;              /* 304: the asker's id is current; 204: no picture (whatsmeow
                              * reads both; nothing else is given then); 0 */
} wb_wa_picture;

/* Appends <picture id type url direct_path [status]/> (NULL fields left out) to reply. */
void wb_wa_picture_fill(wb_node *reply, const wb_wa_picture *p);
/* Reads the <picture> of an answer (a get's has a url, a set's only the id). Returns 0, or
 * WB_EPROTO (no <picture>, or one without an id and no status 304/204) / WB_EMALFORMED. */
int wb_wa_picture_read(const wb_node *iq, wb_wa_picture *out, wb_error *err);

#endif
