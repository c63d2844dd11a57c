/* POST /admin/groups {"subject": "...", "creator": "PHONE", "participants": ["PHONE", ...]}:
 * a test makes a group as if the creator's phone had made it. Accounts are made on demand (as
 * scan-qr makes them), every member's linked devices get the <create> notification, and the
 * answer is {"jid": "<id>@g.us"}. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/groups.h"

#define USAGE "body must be {\"subject\": \"...\", \"creator\": \"PHONE\", \"participants\": [\"PHONE\", ...]}"

static void on_create_group(wb_sim *sim, const wb_sim_request *req, wb_sim_reply *r) {
    cJSON *body = cJSON_ParseWithLength((const char *)req->body, req->body_len);
    const char *subject = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "subject"));
    const char *creator = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "creator"));
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(body, "participants");
    int n = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 0;
    wb_sim_account **members = NULL, *owner = NULL;
    wb_sim_group *g;
    int rc;
    if (!cJSON_IsObject(body) || !subject || !creator || (list && !cJSON_IsArray(list))) {
        wb_sim_reply_error(r, 400, USAGE);
        goto done;
    }
    if (!*subject || strlen(subject) > WB_SIM_SUBJECT_MAX) {
        wb_sim_reply_error(r, 400, "the subject must have 1 to %d bytes", WB_SIM_SUBJECT_MAX);
        goto done;
    }
    if (n >= WB_SIM_GROUP_MAX_MEMBERS) {
        wb_sim_reply_error(r, 400, "at most %d participants", WB_SIM_GROUP_MAX_MEMBERS - 1);
        goto done;
    }
    if (!(members = calloc((size_t)n + 1, sizeof *members))) {
        wb_sim_reply_error(r, 500, "out of memory");
        goto done;
    }
    if ((rc = wb_sim_account_get(sim, creator, &owner)) < 0) {
        wb_sim_reply_error(r, rc == WB_EINVAL ? 400 : 500, "creator %.32s: %s", creator,
                           wb_strerror(rc));
        goto done;
    }
    for (int i = 0; i < n; i++) {
        const char *phone = cJSON_GetStringValue(cJSON_GetArrayItem(list, i));
        if (!phone || (rc = wb_sim_account_get(sim, phone, &members[i])) < 0) {
            wb_sim_reply_error(r, !phone || rc == WB_EINVAL ? 400 : 500,
                               "participant %d is not a phone number", i);
            goto done;
        }
    }
    if ((rc = wb_sim_group_create(sim, owner, members, (size_t)n, subject, NULL, NULL, &g)) < 0) {
        wb_sim_reply_error(r, 500, "cannot make the group: %s", wb_strerror(rc));
        goto done;
    }
    char jid[WB_JID_STR_MAX], text[WB_JID_STR_MAX + 16];
    wb_sim_group_jid(g, jid);
    int len = snprintf(text, sizeof text, "{\"jid\":\"%s\"}", jid);
    wb_sim_reply_json(r, 200, text, (size_t)len);
done:
    free(members);
    cJSON_Delete(body);
}

static const wb_sim_http_route http[] = {
    {"POST", "/admin/groups", on_create_group},
    {NULL, NULL, NULL},
};

const wb_sim_family wb_sim_family_groups_admin = {.name = "groups_admin", .http = http};
