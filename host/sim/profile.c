/* Profile pictures (w:profile:picture, wa/picture.h), as WhatsApp answers Baileys'
 * profilePictureUrl / updateProfilePicture / removeProfilePicture and whatsmeow's
 * GetProfilePictureInfo / SetGroupPhoto:
 *
 *   get     the owner's <picture id type url direct_path/>; 404 item-not-found when there is
 *           none; 401 not-authorized when the owner's "profile" privacy hides it from the asker
 *           ("none", or "contacts" and the asker is not one) or, for a group, the asker is not
 *           a member; <picture status="304"/> when the asker names the current id
 *   set     one's own picture, or a group's (a member, an admin when the group is locked):
 *           answered <picture id/>
 *   delete  the same, without a picture
 *
 * The JPEG is stored as a media blob (media_store.c; media_http.c serves it under its signed
 * direct path on the media port, as it serves message media), the owner's current id and path
 * in the pictures table (migrations/0004_pictures.sql). Preview and image are the same bytes
 * here (WhatsApp makes a smaller preview). */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/enc.h"
#include "crypto/hash.h"
#include "sim/groups.h"
#include "sim/media.h"
#include "wa/media.h"
#include "wa/picture.h"

#define PATH_MAX_LEN 96

/* "<hex of 16 bytes of the JPEG's SHA-256>" under a profile-picture looking path. */
static void path_of(const uint8_t hash[WB_SHA256_LEN], char out[PATH_MAX_LEN]) {
    static const char hex[] = "0123456789abcdef";
    int n = snprintf(out, PATH_MAX_LEN, "/v/t61.24694-24/");
    for (int i = 0; i < 16; i++) {
        out[n++] = hex[hash[i] >> 4];
        out[n++] = hex[hash[i] & 15];
    }
    snprintf(out + n, (size_t)(PATH_MAX_LEN - n), ".jpg");
}

/* The owner's picture: 0 with id and path, WB_ENOTFOUND, or WB_ESTORE. */
static int picture_get(wb_sim *sim, const char *owner, char id[24], char path[PATH_MAX_LEN]) {
    sqlite3_stmt *s = wb_store_stmt(sim->db, "SELECT id, path FROM pictures WHERE owner = ?");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, owner, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        snprintf(id, 24, "%s", (const char *)sqlite3_column_text(s, 0));
        snprintf(path, PATH_MAX_LEN, "%s", (const char *)sqlite3_column_text(s, 1));
    }
    return wb_store_done(s, rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? WB_ENOTFOUND : WB_ESTORE);
}

/* Stores image as owner's picture (a new id, later than the last); image NULL deletes it. */
static int picture_put(wb_sim *sim, const char *owner, const uint8_t *image, size_t len,
                       char id[24]) {
    char old[24], path[PATH_MAX_LEN];
    int64_t next = wb_sim_now(sim);
    if (picture_get(sim, owner, old, path) == 0 && strtoll(old, NULL, 10) >= next)
        next = strtoll(old, NULL, 10) + 1;
    snprintf(id, 24, "%" PRId64, next);
    sqlite3_stmt *s;
    if (!image) {
        if (!(s = wb_store_stmt(sim->db, "DELETE FROM pictures WHERE owner = ?")))
            return WB_ESTORE;
        sqlite3_bind_text(s, 1, owner, -1, SQLITE_STATIC);
        return wb_store_done(s, sqlite3_step(s) == SQLITE_DONE ? 0 : WB_ESTORE);
    }
    uint8_t hash[WB_SHA256_LEN];
    wb_sha256(hash, image, len);
    path_of(hash, path);
    /* the file and its row first: a picture row never names a blob that is not whole */
    int rc = wb_sim_media_put(sim, path, "profile", image, len, hash);
    if (rc < 0 || (rc = wb_store_begin(sim->db)) < 0)
        return rc;
    if (!(s = wb_store_stmt(sim->db, "INSERT INTO pictures (owner, id, path) VALUES "
                                                "(?, ?, ?) ON CONFLICT (owner) DO UPDATE SET "
                                                "id = excluded.id, path = excluded.path")))
        rc = WB_ESTORE;
    if (rc == 0) {
        sqlite3_bind_text(s, 1, owner, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, path, -1, SQLITE_STATIC);
        rc = wb_store_done(s, sqlite3_step(s) == SQLITE_DONE ? 0 : WB_ESTORE);
    }
    if (rc == 0)
        return wb_store_commit(sim->db);
    wb_store_rollback(sim->db);
    return rc;
}

/* Whose picture a request is about: the owner's key, and whether the asker may see (get) or
 * change (set, delete) it. Returns 0, or an IQ error code (401, 403, 404). */
static int owner_of(wb_sim_conn *c, const wb_wa_picture_request *r, char owner[WB_JID_STR_MAX]) {
    wb_sim *sim = c->sim;
    wb_sim_account *me = c->device->account;
    if (wb_jid_is_empty(&r->target)) { /* set or delete one's own */
        snprintf(owner, WB_JID_STR_MAX, "%s@" WB_SERVER_USER, me->phone);
        return 0;
    }
    if (wb_jid_on(&r->target, WB_SERVER_GROUP)) {
        wb_sim_group *g = wb_sim_group_by_jid(sim, &r->target);
        if (!g)
            return 404;
        wb_sim_member *m = wb_sim_group_member(g, me);
        if (!m)
            return 401;
        if (r->action != WB_WA_PICTURE_GET && g->locked && m->role == WB_SIM_MEMBER)
            return 403;
        wb_sim_group_jid(g, owner);
        return 0;
    }
    wb_sim_account *a = wb_sim_account_by_jid(sim, &r->target);
    if (!a)
        return 404;
    if (r->action != WB_WA_PICTURE_GET && a != me)
        return 403; /* only one's own */
    const char *who = wb_sim_privacy_get(a, "profile");
    if (a != me && who && (strcmp(who, "none") == 0 ||
                           (strcmp(who, "contacts") == 0 && !wb_sim_contacts_know(sim, a, me))))
        return 401;
    snprintf(owner, WB_JID_STR_MAX, "%s@" WB_SERVER_USER, a->phone);
    return 0;
}

static const char *error_text(int code) {
    return code == 401 ? "not-authorized" : code == 403 ? "forbidden" : "item-not-found";
}

static int on_picture(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_sim *sim = c->sim;
    wb_wa_picture_request r;
    wb_error e = {0};
    int rc = wb_wa_picture_request_read(iq, &r, &e);
    if (rc < 0)
        return wb_sim_conn_fail(c, rc, "w:profile:picture: %s", e.what);
    char owner[WB_JID_STR_MAX], id[24], path[PATH_MAX_LEN];
    int code = owner_of(c, &r, owner);
    if (code)
        return wb_sim_iq_error(reply, code, error_text(code));
    if (r.action != WB_WA_PICTURE_GET) {
        if ((rc = picture_put(sim, owner, r.action == WB_WA_PICTURE_SET ? r.image : NULL,
                              r.image_len, id)) < 0)
            return wb_sim_conn_fail(c, rc, "cannot store the picture");
        wb_sim_countf(sim, 1, "pictures.%s", r.action == WB_WA_PICTURE_SET ? "set" : "deleted");
        if (r.action == WB_WA_PICTURE_SET)
            wb_wa_picture_fill(reply, &(wb_wa_picture){.id = id});
        return 0;
    }
    wb_sim_count(sim, "pictures.asked", 1);
    if ((rc = picture_get(sim, owner, id, path)) == WB_ENOTFOUND)
        return wb_sim_iq_error(reply, 404, "item-not-found");
    if (rc < 0)
        return wb_sim_conn_fail(c, rc, "cannot read the picture");
    if (r.id && strcmp(r.id, id) == 0) {
        wb_wa_picture_fill(reply, &(wb_wa_picture){.status = 304});
        return 0;
    }
    char oh[33], signed_path[PATH_MAX_LEN + 40];
    wb_sim_media_sign(sim, path, strlen(path), oh);
    snprintf(signed_path, sizeof signed_path, "%s?oh=%s", path, oh);
    wb_buf url = WB_BUF_INIT;
    if (wb_wa_media_url(&url, sim->media_host, signed_path) < 0 || wb_buf_put_u8(&url, 0) < 0) {
        wb_buf_free(&url);
        return WB_ENOMEM;
    }
    wb_wa_picture_fill(reply, &(wb_wa_picture){.id = id, .type = r.type, .url = (const char *)url.data,
                                               .direct_path = signed_path});
    wb_buf_free(&url);
    return 0;
}

static const wb_sim_iq_route iqs[] = {
    {"w:profile:picture", NULL, NULL, on_picture, WB_SIM_ON_LOGIN},
    {NULL, NULL, NULL, NULL, 0},
};

const wb_sim_family wb_sim_family_profile = {.name = "profile", .iqs = iqs};
