/* Profile pictures (picture.h): the w:profile:picture requests and the <picture> answer. */
#include "wa/picture.h"

#include <string.h>

#define XMLNS "w:profile:picture"

static int type_ok(const char *t) {
    return t && (strcmp(t, "preview") == 0 || strcmp(t, "image") == 0);
}

wb_node *wb_wa_picture_request_new(wb_arena *a, const wb_wa_picture_request *r) {
    int get = r->action == WB_WA_PICTURE_GET;
    wb_node *iq = WB_NODE(a, "iq", {"type", get ? "get" : "set"}, {"xmlns", XMLNS},
                          {"to", "@" WB_SERVER_USER});
    wb_node_set_jid(iq, "target", &r->target);
    if (get)
        WB_CHILD(iq, "picture", {"type", r->type ? r->type : "preview"}, {"query", "url"},
                 {"id", r->id});
    else if (r->action == WB_WA_PICTURE_SET)
        wb_node_set_bytes(WB_CHILD(iq, "picture", {"type", "image"}), r->image ? r->image : (const uint8_t *)"",
                          r->image_len);
    return iq;
}

int wb_wa_picture_request_read(const wb_node *iq, wb_wa_picture_request *out, wb_error *err) {
    if (!wb_node_is(iq, "iq") || !wb_node_attr_is(iq, "xmlns", XMLNS))
        return wb_error_set(err, WB_ENOTFOUND, 0, "not a " XMLNS " request");
    wb_wa_picture_request r = {0};
    int get = wb_node_attr_is(iq, "type", "get");
    if (!get && !wb_node_attr_is(iq, "type", "set"))
        return wb_error_set(err, WB_EPROTO, 0, XMLNS ": neither get nor set");
    wb_attrs at = wb_attrs_of(iq);
    r.target = get ? wb_attrs_jid(&at, "target") : wb_attrs_opt_jid(&at, "target");
    int rc = wb_attrs_check(&at, err);
    if (rc < 0)
        return rc;
    wb_node *pic = wb_node_child(iq, "picture");
    if (get) {
        r.action = WB_WA_PICTURE_GET;
        wb_attrs pa = wb_attrs_of(pic);
        r.type = wb_attrs_opt_str(&pa, "type");
        r.id = wb_attrs_opt_str(&pa, "id");
        if (!pic)
            return wb_error_set(err, WB_EPROTO, 0, XMLNS " get without <picture>");
        if ((rc = wb_attrs_check(&pa, err)) < 0)
            return rc;
        if (!r.type)
            r.type = "preview";
        if (!type_ok(r.type))
            return wb_error_set(err, WB_EPROTO, 0, XMLNS " get of type '%.16s'", r.type);
    } else if (!pic) {
        r.action = WB_WA_PICTURE_DELETE;
    } else {
        r.action = WB_WA_PICTURE_SET;
        r.type = "image";
        r.image = wb_node_content(pic, &r.image_len);
        if (pic->kind != WB_CONTENT_BYTES || !r.image_len)
            return wb_error_set(err, WB_EPROTO, 0, XMLNS " set without an image");
        if (r.image_len > WB_WA_PICTURE_MAX)
            return wb_error_set(err, WB_EPROTO, 0, XMLNS " set of %zu bytes", r.image_len);
    }
    *out = r;
    return 0;
}

void wb_wa_picture_fill(wb_node *reply, const wb_wa_picture *p) {
    wb_node *n = WB_CHILD(reply, "picture", {"id", p->id}, {"type", p->type}, {"url", p->url},
                          {"direct_path", p->direct_path});
    if (p->status)
        wb_node_set_i64(n, "status", p->status);
}

int wb_wa_picture_read(const wb_node *iq, wb_wa_picture *out, wb_error *err) {
    wb_node *pic = wb_node_child(iq, "picture");
    if (!pic)
        return wb_error_set(err, WB_EPROTO, 0, "answer without <picture>");
    wb_wa_picture p = {0};
    wb_attrs at = wb_attrs_of(pic);
    int64_t status = wb_attrs_opt_i64(&at, "status", 0);
    p.id = wb_attrs_opt_str(&at, "id");
    p.type = wb_attrs_opt_str(&at, "type");
    p.url = wb_attrs_opt_str(&at, "url");
    p.direct_path = wb_attrs_opt_str(&at, "direct_path");
    int rc = wb_attrs_check(&at, err);
    if (rc < 0)
        return rc;
    if (status < 0 || status > 999)
        return wb_error_set(err, WB_EMALFORMED, 0, "<picture status=%lld>", (long long)status);
    p.status = (int)status;
    if (p.status != 304 && p.status != 204 && !p.id)
        return wb_error_set(err, WB_EPROTO, 0, "<picture> without an id");
    *out = p;
    return 0;
}
