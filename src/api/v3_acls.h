/* api/v3_acls.h -- v3 ACLs (API.md §3.3, §3.7): search, create (one or a batch) and delete,
 * through the admin layer's DescribeAcls, CreateAcls and DeleteAcls.
 * May use: api/, kafka/admin.h, format/, util/. Threads: HTTP threads. */
#ifndef KR_API_V3_ACLS_H
#define KR_API_V3_ACLS_H

#include "api/api.h"

/** GET /v3/clusters/{c}/acls[?resource_type=&resource_name=&pattern_type=&principal=&host=
 * &operation=&permission=]: KafkaAclList of the matching ACLs, sorted. Omitted enums are ANY,
 * omitted strings match anything; UNKNOWN is 400; 400/40002 when the cluster has no
 * authorizer. */
api_status_t api_v3_acls_search(api_req_t *req);

/** POST /v3/clusters/{c}/acls with a CreateAcl body: 201, Location the search URL of the new
 * ACL, no body. */
api_status_t api_v3_acl_create(api_req_t *req);

/** POST /v3/clusters/{c}/acls:batch with {"data":[CreateAcl...]}: 204 once every ACL exists. */
api_status_t api_v3_acls_batch_create(api_req_t *req);

/** DELETE /v3/clusters/{c}/acls with the search's filters, the four enums required:
 * 200 {"data":[KafkaAcl...]}, the deleted ACLs, sorted. */
api_status_t api_v3_acls_delete(api_req_t *req);

#endif
