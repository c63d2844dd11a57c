/* Media for bots (session.h, "media"): the primitives session.upload and session.download of
 * the module "wabot.session", on the client host's transfers (client/host.h). lua/wabot/sock.lua
 * and content.lua build sock:sendMessage's media kinds and sock:downloadMedia on them.
 *
 *   session.upload(kind, path | nil, bytes | nil) -> {url=, directPath=, mediaKey=, fileSha256=,
 *       fileEncSha256=, fileLength=, mediaKeyTimestamp=, mimetype= (what the file's bytes say,
 *       when it suits the kind)} | nil, message, code
 *   session.download(message_table[, path]) -> path | bytes | nil, message, code
 *
 * Both wait (the task yields) and fail as expected failures: ENOTCONN, ENOENT (no such file),
 * EAUTH (the media did not verify: nothing was written), ETOOBIG, ETIMEDOUT, EIO. A download
 * into memory is refused past WB_SESSION_MEDIA_MEMORY_MAX: give a path for larger files. */
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindings/bindings.h"
#include "bindings/session.h"
#include "core/mem.h"
#include "media/sniff.h"
#include "runtime/lua_rt.h"

#define WB_SESSION_MEDIA_MEMORY_MAX (64ull << 20)

typedef struct media_op {
    wb_rt_call *call;
    wb_buf memory;          /* a download into memory */
    char *path;             /* a download into a file */
    wb_client_media md;     /* an upload's result, during the push */
    const char *mimetype;   /* an upload: what the file looks like, when it suits the kind */
} media_op;

static const char *code_of(int status) {
    switch (status) {
    case WB_ECLOSED:
        return "ENOTCONN";
    case WB_ENOTFOUND:
        return "ENOENT";
    case WB_EAUTH:
    case WB_EMALFORMED:
        return "EAUTH";
    case WB_ETOOBIG:
        return "ETOOBIG";
    case WB_ETIMEOUT:
        return "ETIMEDOUT";
    case WB_EINVAL:
        return "EINVAL";
    case WB_EREFUSED:
        return "ESERVER";
    default:
        return "EIO";
    }
}

static void op_fail(media_op *op, int status, const char *why) {
    wb_rt_call_fail(op->call, why && why[0] ? why
                              : status == WB_ECLOSED ? "not connected" : wb_strerror(status),
                    code_of(status));
}

static void op_free(media_op *op) {
    wb_buf_free_secret(&op->memory);
    free(op->path);
    free(op);
}

static void set_bytes(lua_State *L, const char *k, const uint8_t *p, size_t n) {
    if (p) {
        lua_pushlstring(L, (const char *)p, n);
        lua_setfield(L, -2, k);
    }
}

/* ---- upload ---------------------------------------------------------------------------------- */

static int push_uploaded(lua_State *L, void *ud) {
    const wb_client_media *md = &((media_op *)ud)->md;
    lua_createtable(L, 0, 7);
    lua_pushstring(L, md->url ? md->url : "");
    lua_setfield(L, -2, "url");
    lua_pushstring(L, md->direct_path ? md->direct_path : "");
    lua_setfield(L, -2, "directPath");
    set_bytes(L, "mediaKey", md->media_key, 32);
    set_bytes(L, "fileSha256", md->file_sha256, 32);
    set_bytes(L, "fileEncSha256", md->file_enc_sha256, 32);
    lua_pushinteger(L, (lua_Integer)md->file_length);
    lua_setfield(L, -2, "fileLength");
    lua_pushinteger(L, md->media_key_timestamp);
    lua_setfield(L, -2, "mediaKeyTimestamp");
    if (((media_op *)ud)->mimetype) {
        lua_pushstring(L, ((media_op *)ud)->mimetype);
        lua_setfield(L, -2, "mimetype");
    }
    return 1;
}

static void on_uploaded(void *ud, int status, const wb_client_media *md, const char *why) {
    media_op *op = ud;
    if (status == 0) {
        op->md = *md;
        wb_rt_call_complete(op->call, push_uploaded, op);
    } else {
        op_fail(op, status, why);
    }
    op_free(op);
}

/* session.upload(kind, path, bytes): the file at path, or the bytes (copied), for a message of
 * kind ("image", "video", "audio", "voice", "document", "sticker"). */
int wb_session_l_upload(lua_State *L) {
    const char *kind = luaL_checkstring(L, 1);
    const char *path = luaL_optstring(L, 2, NULL);
    size_t len = 0;
    const char *bytes = luaL_optlstring(L, 3, NULL, &len);
    luaL_argcheck(L, wb_client_media_type(kind) != NULL, 1, "not a media kind");
    luaL_argcheck(L, (path != NULL) != (bytes != NULL), 2, "a path or bytes");
    wb_client_host *h = wb_session_host_of(L);
    wb_rt_call *call = wb_rt_call_begin(L, NULL, NULL);
    media_op *op = h ? calloc(1, sizeof *op) : NULL;
    int rc = !h ? WB_ECLOSED : !op ? WB_ENOMEM : 0;
    if (rc == 0) {
        op->call = call;
        uint8_t head[WB_MEDIA_SNIFF_HEAD];
        size_t n = 0;
        FILE *f = path ? fopen(path, "rb") : NULL;
        if (f) {
            n = fread(head, 1, sizeof head, f);
            fclose(f);
        } else if (bytes) {
            n = len < sizeof head ? len : sizeof head;
            memcpy(head, bytes, n);
        }
        wb_media_sniffed sn;
        wb_media_sniff(head, n, path, &sn);
        op->mimetype = wb_media_mimetype_for(kind, &sn);
        wb_client_upload_opts o = {.kind = kind, .path = path, .data = (const uint8_t *)bytes,
                                   .len = len};
        rc = wb_client_host_media_upload(h, &o, on_uploaded, op);
    }
    if (rc < 0) {
        if (op)
            op_free(op);
        wb_rt_call_fail(call, rc == WB_ECLOSED ? "not connected"
                              : rc == WB_ENOTFOUND ? "no such file"
                                                   : wb_strerror(rc), code_of(rc));
    }
    return wb_rt_call_yield(L, call);
}

/* ---- download -------------------------------------------------------------------------------- */

static int push_downloaded(lua_State *L, void *ud) {
    media_op *op = ud;
    if (op->path)
        lua_pushstring(L, op->path);
    else
        lua_pushlstring(L, op->memory.data ? (const char *)op->memory.data : "", op->memory.len);
    return 1;
}

static void on_downloaded(void *ud, int status, const char *why) {
    media_op *op = ud;
    if (status == 0)
        wb_rt_call_complete(op->call, push_downloaded, op);
    else
        op_fail(op, status, why);
    op_free(op);
}

/* The media of a message, copied out of it (so the message can be freed before anything that
 * may raise). */
typedef struct media_copy {
    wb_client_media md;
    uint8_t key[32], sha[32], enc[32];
    char direct_path[2048];
} media_copy;

static int copy_media(const Wa__Message *m, media_copy *c) {
    int rc = wb_client_media_of(m, &c->md);
    if (rc < 0)
        return rc;
    if (strlen(c->md.direct_path) >= sizeof c->direct_path)
        return WB_EMALFORMED;
    memcpy(c->key, c->md.media_key, 32);
    c->md.media_key = c->key;
    if (c->md.file_sha256)
        c->md.file_sha256 = memcpy(c->sha, c->md.file_sha256, 32);
    if (c->md.file_enc_sha256)
        c->md.file_enc_sha256 = memcpy(c->enc, c->md.file_enc_sha256, 32);
    strcpy(c->direct_path, c->md.direct_path);
    c->md.direct_path = c->direct_path;
    /* kind is one of media.c's literals; the strings the download does not use are dropped */
    c->md.url = c->md.mimetype = c->md.caption = c->md.file_name = NULL;
    return 0;
}

/* session.download(message[, path]): message is a Message table (m.message); its media goes to
 * path, or comes back as a string. */
int wb_session_l_download(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    const char *path = luaL_optstring(L, 2, NULL);
    ProtobufCMessage *m = NULL;
    wb_lua_to_proto(L, 1, &wa__message__descriptor, &m); /* raises on a bad table */
    media_copy mc;
    int media = copy_media((const Wa__Message *)m, &mc);
    wb_proto_free(m);
    wb_rt_call *call = wb_rt_call_begin(L, NULL, NULL); /* raises where it cannot wait */
    const char *why = NULL;
    if (media == WB_ENOTFOUND)
        why = "the message has no media";
    else if (media < 0)
        why = "the message's media has no usable key or direct path";
    else if (!path && (!mc.md.file_length || mc.md.file_length > WB_SESSION_MEDIA_MEMORY_MAX))
        why = "too big to download into memory: give a path";
    if (why) {
        wb_rt_call_fail(call, why, media < 0 ? "EINVAL" : "ETOOBIG");
        wb_zero(&mc, sizeof mc);
        return wb_rt_call_yield(L, call);
    }
    wb_client_host *h = wb_session_host_of(L);
    media_op *op = h ? calloc(1, sizeof *op) : NULL;
    int rc = !h ? WB_ECLOSED : !op || (path && !(op->path = strdup(path))) ? WB_ENOMEM : 0;
    if (rc == 0) {
        op->call = call;
        rc = wb_client_host_media_download(h, &mc.md, path, path ? NULL : &op->memory, NULL,
                                           on_downloaded, op);
    }
    wb_zero(&mc, sizeof mc);
    if (rc < 0) {
        if (op)
            op_free(op);
        wb_rt_call_fail(call, rc == WB_ENOTFOUND ? "no such directory"
                              : rc == WB_ECLOSED ? "not connected"
                                                 : wb_strerror(rc), code_of(rc));
    }
    return wb_rt_call_yield(L, call);
}
