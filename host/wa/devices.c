/* Device-list notifications (devices.h). */
#include "wa/devices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enc.h"
#include "crypto/hash.h"
#include "wa/wa_int.h"

wb_node *wb_wa_devices_notification_new(wb_arena *a, const wb_wa_devices_notification *n) {
    wb_node *no = WB_NODE(a, "notification", {"type", "devices"}, {"id", n->id});
    wb_node_set_jid(no, "from", &n->from);
    wb_node_set_jid(no, "lid", &n->lid);
    wb_node_set_i64(no, "t", n->t);
    wb_node *change = WB_CHILD(no, n->action, {"device_hash", n->device_hash},
                               {"device_lid_hash", n->device_lid_hash});
    for (size_t i = 0; i < n->ndevices; i++) {
        const wb_wa_device_entry *d = &n->devices[i];
        wb_node *dev = wb_node_add_new(change, "device");
        wb_node_set_jid(dev, "jid", &d->jid);
        wb_node_set_jid(dev, "lid", &d->lid);
        if (d->has_key_index)
            wb_node_set_i64(dev, "key-index", d->key_index);
    }
    return no;
}

static int device_read(const wb_node *d, void *item, void *ud, wb_error *err) {
    wb_wa_device_entry *e = item;
    wb_attrs da = wb_attrs_of(d);
    e->jid = wb_attrs_jid(&da, "jid");
    e->lid = wb_attrs_opt_jid(&da, "lid");
    uint64_t ki = wb_attrs_opt_u64(&da, "key-index", UINT64_MAX);
    if (!wb_attrs_ok(&da))
        return wb_attrs_check(&da, err);
    if (ki != UINT64_MAX && ki > UINT32_MAX)
        return wb_error_set(err, WB_EMALFORMED, 0, "device key-index %llu",
                            (unsigned long long)ki);
    e->has_key_index = ki != UINT64_MAX;
    e->key_index = e->has_key_index ? (uint32_t)ki : 0;
    return 0;
}

int wb_wa_devices_notification_read(const wb_node *n, wb_arena *a,
                                    wb_wa_devices_notification *out, wb_error *err) {
    wb_wa_devices_notification r = {0};
    wb_attrs at = wb_attrs_of(n);
    r.id = wb_attrs_str(&at, "id");
    r.from = wb_attrs_jid(&at, "from");
    r.lid = wb_attrs_opt_jid(&at, "lid");
    r.t = wb_attrs_opt_i64(&at, "t", 0);
    if (!wb_attrs_ok(&at))
        return wb_attrs_check(&at, err);
    wb_node *change = wb_node_child(n, NULL);
    if (!wb_node_is(n, "notification") || !wb_node_attr_is(n, "type", "devices") || !change)
        return wb_error_set(err, WB_EPROTO, 0, "not a devices notification with a change");
    r.action = change->tag;
    r.device_hash = wb_node_attr(change, "device_hash");
    r.device_lid_hash = wb_node_attr(change, "device_lid_hash");
    int rc = wb_wa_read_children(change, "device", SIZE_MAX, a, sizeof *r.devices, device_read,
                                 NULL, &r.devices, &r.ndevices, err);
    if (rc < 0)
        return rc;
    *out = r;
    return 0;
}

typedef struct ad_string {
    char s[WB_JID_STR_MAX + 8];
} ad_string;

static int ad_cmp(const void *a, const void *b) {
    return strcmp(((const ad_string *)a)->s, ((const ad_string *)b)->s);
}

int wb_wa_devices_hash(const wb_jid *devices, size_t n, char out[WB_WA_DEVICE_HASH_MAX]) {
    ad_string *v = calloc(n ? n : 1, sizeof *v);
    if (!v)
        return WB_ENOMEM;
    for (size_t i = 0; i < n; i++) /* whatsmeow's JID.ADString */
        snprintf(v[i].s, sizeof v[i].s, "%s.%u:%u@%s", devices[i].user, devices[i].agent,
                 devices[i].device, devices[i].server);
    qsort(v, n, sizeof *v, ad_cmp);
    wb_sha256_ctx h;
    uint8_t digest[WB_SHA256_LEN];
    wb_sha256_init(&h);
    for (size_t i = 0; i < n; i++)
        wb_sha256_update(&h, v[i].s, strlen(v[i].s));
    wb_sha256_final(&h, digest);
    free(v);
    wb_buf b = WB_BUF_INIT;
    wb_buf_append(&b, "2:", 2);
    wb_b64_encode(&b, digest, 6, WB_B64_STD); /* 6 bytes: 8 characters, no padding */
    int rc = b.err ? WB_ENOMEM : 0;
    if (rc == 0)
        snprintf(out, WB_WA_DEVICE_HASH_MAX, "%.*s", (int)b.len, (const char *)b.data);
    wb_buf_free(&b);
    return rc;
}
