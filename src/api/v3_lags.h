/* api/v3_lags.h -- v3 consumer lags and the lag summary (API.md §3.3):
 * …/consumer-groups/{g}/lags[/{t}/partitions/{p}] and …/consumer-groups/{g}/lag-summary.
 * May use: api/v3.h, api/v3_groups.h, api/job.h, kafka/admin.h, util/. Threads: HTTP
 * threads; admin callbacks on the kafka loop; the log-end look-up on a worker. */
#ifndef KR_API_V3_LAGS_H
#define KR_API_V3_LAGS_H

#include "api/api.h"

/** GET …/consumer-groups/{g}/lags: KafkaConsumerLagList, lag descending, then topic, then
 * partition. */
api_status_t api_v3_lags_list(api_req_t *req);
/** GET …/consumer-groups/{g}/lags/{t}/partitions/{p}: KafkaConsumerLag. */
api_status_t api_v3_lag_get(api_req_t *req);
/** GET …/consumer-groups/{g}/lag-summary: KafkaConsumerGroupLagSummary. */
api_status_t api_v3_lag_summary_get(api_req_t *req);

#endif
