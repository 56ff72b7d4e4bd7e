"""krest's v3 OpenAPI document (docs/openapi/krest-v3.yaml) and the response check built on it
(openapi_check.py): the document is valid OpenAPI 3.0, covers the v3 endpoints and kinds of
API.md section 3, and the check refuses bodies that differ from it (so a v3 test that calls it can
fail). No broker or krest is needed here."""

import copy
import re

import pytest
from openapi_spec_validator import validate as validate_spec

from openapi_check import (
    OpenApiMismatch,
    check_produce_stream,
    check_response,
    find_operation,
    load_doc,
)

C = "MkU3OEVBNTcwNTJENDM2Qk"
BASE = f"http://127.0.0.1:8082/v3/clusters/{C}"

# API.md section 3.3: every (method, path) krest serves under /v3.
ENDPOINTS = """
GET /clusters
GET /clusters/{cluster_id}
GET /clusters/{cluster_id}/brokers
GET /clusters/{cluster_id}/brokers/{broker_id}
GET /clusters/{cluster_id}/brokers/-/configs
GET /clusters/{cluster_id}/brokers/{broker_id}/configs
GET /clusters/{cluster_id}/brokers/{broker_id}/configs/{name}
PUT /clusters/{cluster_id}/brokers/{broker_id}/configs/{name}
DELETE /clusters/{cluster_id}/brokers/{broker_id}/configs/{name}
POST /clusters/{cluster_id}/brokers/{broker_id}/configs:alter
GET /clusters/{cluster_id}/brokers/{broker_id}/partition-replicas
GET /clusters/{cluster_id}/broker-configs
GET /clusters/{cluster_id}/broker-configs/{name}
PUT /clusters/{cluster_id}/broker-configs/{name}
DELETE /clusters/{cluster_id}/broker-configs/{name}
POST /clusters/{cluster_id}/broker-configs:alter
GET /clusters/{cluster_id}/topics
POST /clusters/{cluster_id}/topics
GET /clusters/{cluster_id}/topics/{topic_name}
PATCH /clusters/{cluster_id}/topics/{topic_name}
DELETE /clusters/{cluster_id}/topics/{topic_name}
GET /clusters/{cluster_id}/topics/-/configs
POST /clusters/{cluster_id}/topics/-/configs:alter
GET /clusters/{cluster_id}/topics/{topic_name}/configs
GET /clusters/{cluster_id}/topics/{topic_name}/configs/{name}
PUT /clusters/{cluster_id}/topics/{topic_name}/configs/{name}
DELETE /clusters/{cluster_id}/topics/{topic_name}/configs/{name}
POST /clusters/{cluster_id}/topics/{topic_name}/configs:alter
GET /clusters/{cluster_id}/topics/{topic_name}/partitions
GET /clusters/{cluster_id}/topics/{topic_name}/partitions/{partition_id}
GET /clusters/{cluster_id}/topics/{topic_name}/partitions/{partition_id}/offset
GET /clusters/{cluster_id}/topics/{topic_name}/partitions/{partition_id}/replicas
GET /clusters/{cluster_id}/topics/{topic_name}/partitions/{partition_id}/replicas/{broker_id}
GET /clusters/{cluster_id}/topics/-/partitions/-/reassignment
GET /clusters/{cluster_id}/topics/{topic_name}/partitions/-/reassignment
GET /clusters/{cluster_id}/topics/{topic_name}/partitions/{partition_id}/reassignment
POST /clusters/{cluster_id}/topics/{topic_name}/records
POST /clusters/{cluster_id}/topics/{topic_name}/records:batch
GET /clusters/{cluster_id}/consumer-groups
GET /clusters/{cluster_id}/consumer-groups/{consumer_group_id}
GET /clusters/{cluster_id}/consumer-groups/{consumer_group_id}/consumers
GET /clusters/{cluster_id}/consumer-groups/{consumer_group_id}/consumers/{consumer_id}
GET /clusters/{cluster_id}/consumer-groups/{consumer_group_id}/consumers/{consumer_id}/assignments
GET /clusters/{cluster_id}/consumer-groups/{consumer_group_id}/consumers/{consumer_id}/assignments/{topic_name}/partitions/{partition_id}
GET /clusters/{cluster_id}/consumer-groups/{consumer_group_id}/lags
GET /clusters/{cluster_id}/consumer-groups/{consumer_group_id}/lags/{topic_name}/partitions/{partition_id}
GET /clusters/{cluster_id}/consumer-groups/{consumer_group_id}/lag-summary
GET /clusters/{cluster_id}/acls
POST /clusters/{cluster_id}/acls
DELETE /clusters/{cluster_id}/acls
POST /clusters/{cluster_id}/acls:batch
"""

# API.md section 3.2: the kinds of v3 resources.
KINDS = {
    "KafkaCluster",
    "KafkaBroker",
    "KafkaBrokerConfig",
    "KafkaClusterConfig",
    "KafkaTopic",
    "KafkaTopicConfig",
    "KafkaPartition",
    "KafkaReplica",
    "KafkaReassignment",
    "KafkaConsumerGroup",
    "KafkaConsumer",
    "KafkaConsumerAssignment",
    "KafkaConsumerLag",
    "KafkaAcl",
}
SINGLE_KINDS = {"KafkaPartitionWithOffsets", "KafkaConsumerGroupLagSummary"}


def topic_body(name="t1"):
    t = f"{BASE}/topics/{name}"
    return {
        "kind": "KafkaTopic",
        "metadata": {"self": t, "resource_name": f"crn:///kafka={C}/topic={name}"},
        "cluster_id": C,
        "topic_name": name,
        "is_internal": False,
        "replication_factor": 1,
        "partitions_count": 3,
        "partitions": {"related": f"{t}/partitions"},
        "configs": {"related": f"{t}/configs"},
        "partition_reassignments": {"related": f"{t}/partitions/-/reassignment"},
        "authorized_operations": [],
    }


def partition_body(leader=True):
    p = f"{BASE}/topics/t1/partitions/0"
    return {
        "kind": "KafkaPartition",
        "metadata": {"self": p, "resource_name": f"crn:///kafka={C}/topic=t1/partition=0"},
        "cluster_id": C,
        "topic_name": "t1",
        "partition_id": 0,
        "leader": {"related": f"{p}/replicas/1"} if leader else None,
        "replicas": {"related": f"{p}/replicas"},
        "reassignment": {"related": f"{p}/reassignment"},
    }


def config_body():
    return {
        "kind": "KafkaTopicConfig",
        "metadata": {
            "self": f"{BASE}/topics/t1/configs/cleanup.policy",
            "resource_name": f"crn:///kafka={C}/topic=t1/config=cleanup.policy",
        },
        "cluster_id": C,
        "topic_name": "t1",
        "name": "cleanup.policy",
        "value": "delete",
        "is_default": True,
        "is_read_only": False,
        "is_sensitive": False,
        "source": "DEFAULT_CONFIG",
        "synonyms": [{"name": "log.cleanup.policy", "value": "delete", "source": "DEFAULT_CONFIG"}],
    }


def list_body(kind, self_url, items):
    return {"kind": kind, "metadata": {"self": self_url, "next": None}, "data": items}


def rejected(method, path, status, body):
    with pytest.raises(OpenApiMismatch) as e:
        check_response(method, path, status, body)
    return str(e.value)


# --------------------------------------------------------------------------------------------
# The document itself


def test_document_is_valid_openapi():
    doc = load_doc()
    assert doc["openapi"].startswith("3.0.")
    validate_spec(doc)


def test_document_has_every_v3_endpoint_and_no_other():
    want = {tuple(line.split()) for line in ENDPOINTS.strip().splitlines()}
    have = {
        (m.upper(), p)
        for p, item in load_doc()["paths"].items()
        for m in item
        if m in ("get", "put", "post", "delete", "patch")
    }
    assert have == want, {"missing": sorted(want - have), "extra": sorted(have - want)}


def test_every_operation_documents_its_errors_and_a_success():
    for p, item in load_doc()["paths"].items():
        for m, op in item.items():
            if m == "parameters":
                continue
            codes = set(op["responses"])
            assert "default" in codes, (m, p)
            assert any(c.startswith("2") for c in codes), (m, p)
            assert op.get("operationId"), (m, p)


def test_document_kinds_are_api_md_kinds():
    found = set()
    for name, s in load_doc()["components"]["schemas"].items():
        kind = s.get("properties", {}).get("kind", {})
        for k in kind.get("enum", []):
            found.add(k)
    want = KINDS | {k + "List" for k in KINDS} | SINGLE_KINDS
    assert found == want, {"missing": sorted(want - found), "extra": sorted(found - want)}


def test_response_objects_forbid_unlisted_fields():
    """Every object schema with properties closes itself, so a stray field fails the check."""
    for name, s in load_doc()["components"]["schemas"].items():
        if s.get("type") == "object" and "properties" in s:
            assert s.get("additionalProperties") is False, name


# --------------------------------------------------------------------------------------------
# Finding operations


@pytest.mark.parametrize(
    "method,path,template",
    [
        ("GET", f"/v3/clusters/{C}", "/clusters/{cluster_id}"),
        ("GET", f"{BASE}/brokers/-/configs", "/clusters/{cluster_id}/brokers/-/configs"),
        ("GET", f"{BASE}/brokers/1/configs", "/clusters/{cluster_id}/brokers/{broker_id}/configs"),
        ("GET", f"{BASE}/topics/-/configs?x=1", "/clusters/{cluster_id}/topics/-/configs"),
        (
            "GET",
            f"{BASE}/topics/t/partitions/-/reassignment",
            "/clusters/{cluster_id}/topics/{topic_name}/partitions/-/reassignment",
        ),
        (
            "GET",
            f"{BASE}/topics/-/partitions/-/reassignment",
            "/clusters/{cluster_id}/topics/-/partitions/-/reassignment",
        ),
        ("POST", f"{BASE}/acls:batch", "/clusters/{cluster_id}/acls:batch"),
        (
            "POST",
            f"{BASE}/topics/t/configs:alter",
            "/clusters/{cluster_id}/topics/{topic_name}/configs:alter",
        ),
        ("GET", "/v3/clusters/{cluster_id}/topics", "/clusters/{cluster_id}/topics"),
    ],
)
def test_find_operation(method, path, template):
    assert find_operation(method, path)[0] == template


def test_unknown_path_and_method_are_mismatches():
    assert "no path" in rejected("GET", "/v3/clusters/x/nothing/here", 200, {})
    assert "no PUT" in rejected("PUT", f"{BASE}/topics", 200, {})


# --------------------------------------------------------------------------------------------
# The check accepts what the document says ...


def test_good_bodies_pass():
    check_response("GET", f"{BASE}/topics/t1", 200, topic_body())
    check_response("POST", f"{BASE}/topics", 201, topic_body())
    check_response(
        "GET",
        f"{BASE}/topics",
        200,
        list_body("KafkaTopicList", f"{BASE}/topics", [topic_body("a"), topic_body("b")]),
    )
    check_response("GET", f"{BASE}/topics/t1/partitions/0", 200, partition_body(leader=False))
    check_response("GET", f"{BASE}/topics/t1/configs/cleanup.policy", 200, config_body())
    check_response("GET", f"{BASE}/topics/nope", 404, {"error_code": 40403, "message": "gone"})
    check_response("DELETE", f"{BASE}/topics/t1", 204, None)
    check_response("POST", f"{BASE}/acls", 201, None)


def test_produce_stream_objects_are_checked():
    ok = (
        '{"error_code":200,"cluster_id":"c","topic_name":"t","partition_id":0,"offset":5,'
        '"timestamp":"2021-02-05T19:14:42Z","key":{"type":"BINARY","size":7}}\r\n'
        '{"error_code":40401,"message":"This server does not host this topic-partition."}\r\n'
    )
    objs = check_produce_stream("POST", f"{BASE}/topics/t/records", 200, ok)
    assert [o["error_code"] for o in objs] == [200, 40401]
    with pytest.raises(OpenApiMismatch):
        check_produce_stream("POST", f"{BASE}/topics/t/records", 200, '{"error_code":200}\r\n')
    with pytest.raises(OpenApiMismatch):  # no CRLF at the end
        check_produce_stream("POST", f"{BASE}/topics/t/records", 200, ok.rstrip())


# --------------------------------------------------------------------------------------------
# ... and refuses what differs from it


def mutated(body, path, value=None, delete=False):
    b = copy.deepcopy(body)
    node = b
    for k in path[:-1]:
        node = node[k]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return b


@pytest.mark.parametrize(
    "path,value,delete,words",
    [
        (("extra_field",), 1, False, "'extra_field' was unexpected"),
        (("configs",), None, True, "'configs' is a required property"),
        (("partitions_count",), "3", False, "not of type 'integer'"),
        (("partitions_count",), 3.0, False, "not of type 'integer'"),
        (("is_internal",), 0, False, "not of type 'boolean'"),
        (("kind",), "KafkaTopicList", False, "is not one of"),
        (("metadata", "self"), "/v3/clusters/x/topics/t1", False, "does not match"),
        (("metadata", "resource_name"), "kafka=x/topic=t1", False, "does not match"),
        (("metadata", "resource_name"), None, True, "'resource_name' is a required property"),
        (("partitions",), None, False, "None is not of type 'object'"),
        (("configs", "related"), 5, False, "not of type 'string'"),
        (("authorized_operations",), ["READ", "ANY"], False, "is not one of"),
        (("topic_name",), None, False, "None is not of type 'string'"),
    ],
)
def test_wrong_topic_bodies_are_refused(path, value, delete, words):
    msg = rejected("GET", f"{BASE}/topics/t1", 200, mutated(topic_body(), path, value, delete))
    assert words in msg, msg
    assert "getTopic" in msg  # the message names the operation


def test_wrong_nested_bodies_are_refused():
    lst = list_body(
        "KafkaTopicList",
        f"{BASE}/topics",
        [topic_body(), mutated(topic_body(), ("cluster_id",), 7)],
    )
    msg = rejected("GET", f"{BASE}/topics", 200, lst)
    assert "$.data[1].cluster_id" in msg, msg
    assert "'next' is a required property" in rejected(
        "GET", f"{BASE}/topics", 200, mutated(lst, ("metadata", "next"), delete=True)
    )
    cfg = mutated(config_body(), ("source",), "SOMEWHERE")
    assert "is not one of" in rejected("GET", f"{BASE}/topics/t1/configs/x", 200, cfg)
    cfg = mutated(config_body(), ("synonyms", 0, "value"), None, delete=True)
    assert "'value' is a required property" in rejected(
        "GET", f"{BASE}/topics/t1/configs/x", 200, cfg
    )
    part = mutated(partition_body(), ("partition_id",), 2**31)
    assert "int32" in rejected("GET", f"{BASE}/topics/t1/partitions/0", 200, part)


def test_wrong_status_or_body_presence_is_refused():
    assert re.search(
        r"status 201 is not documented", rejected("GET", f"{BASE}/topics/t1", 201, topic_body())
    )
    assert "no body" in rejected("DELETE", f"{BASE}/topics/t1", 204, {"x": 1})
    assert "has none" in rejected("GET", f"{BASE}/topics/t1", 200, None)
    assert "'message' is a required property" in rejected(
        "GET", f"{BASE}/topics/t1", 404, {"error_code": 40403}
    )
    assert "not of type 'integer'" in rejected(
        "GET", f"{BASE}/topics/t1", 404, {"error_code": "40403", "message": "m"}
    )
