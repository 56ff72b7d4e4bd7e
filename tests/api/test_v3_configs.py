"""v3 configs (API.md §3.3, §3.4): topic, broker and cluster-wide broker configs -- the lists,
the "-" listings, one config, PUT/DELETE of one config, the :alter batches (one topic, one
broker, several topics with 207), the 501 of cluster-wide changes, and every error. Each change
is checked with confluent_kafka's AdminClient.describe_configs; every response is checked
against docs/openapi/krest-v3.yaml by the `v3` fixture."""

import pytest
from confluent_kafka.admin import ConfigResource, ConfigSource, ResourceType

from conftest import assert_error, unique_topic, wait_until

JSON = {"Content-Type": "application/json"}
# A PUT's empty body: krest's message (Confluent's resource dereferences the null request: 500).
EMPTY = "Payload error. Request body is empty. Data is required."
# An :alter batch's: Confluent's Alter*ConfigBatchAction on a null request.
NULL_INPUT = "Payload error. Null input provided. Data is required."
NO_TOPIC = "This server does not host this topic-partition."


# --- helpers ---------------------------------------------------------------------------------


def describe(admin, rtype, name):
    """{config name: (value, source name)} as Kafka reports it."""
    res = ConfigResource(rtype, str(name))
    entries = admin.describe_configs([res])[res].result(timeout=15)
    return {k: (e.value, ConfigSource(e.source).name) for k, e in entries.items()}


def topic_cfg(admin, t):
    return describe(admin, ResourceType.TOPIC, t)


def broker_cfg(admin, b):
    return describe(admin, ResourceType.BROKER, b)


def dynamic(cfgs, source="DYNAMIC_TOPIC_CONFIG"):
    return {k: v for k, (v, s) in cfgs.items() if s == source}


def until(pred, timeout=15):
    assert wait_until(pred, timeout), "condition not reached"


def a_broker(admin):
    return sorted(admin.list_topics(timeout=10).brokers)[0]


def post(v3, url, body):
    return v3.post(url, data=body, headers=JSON)


def put(v3, url, body):
    return v3.put(url, data=body, headers=JSON)


def ok(r, status=200):
    assert r.status_code == status, r.text[:500]
    return r.json() if status != 204 else None


def expected_config(N, kind, owner, name, value, source, synonyms, default=False):
    meta = {
        "topic": N.topic_config,
        "broker": N.broker_config,
        "cluster": lambda _o, n: N.cluster_config(n),
    }[kind](owner, name)
    out = {"kind": {"topic": "KafkaTopicConfig", "broker": "KafkaBrokerConfig",
                    "cluster": "KafkaClusterConfig"}[kind],
           "metadata": meta, "cluster_id": N.cluster}
    if kind == "topic":
        out["topic_name"] = owner
    elif kind == "broker":
        out["broker_id"] = owner
    else:
        out["config_type"] = "BROKER"
    out.update({"name": name, "value": value, "is_default": default, "is_read_only": False,
                "is_sensitive": False, "source": source,
                "synonyms": [{"name": n, "value": v, "source": s} for n, v, s in synonyms]})
    return out


@pytest.fixture
def reset_broker(admin):
    """Resets broker-level dynamic configs named by the test at its end (through Kafka)."""
    names = []
    yield names
    if names:
        b = a_broker(admin)
        res = ConfigResource(ResourceType.BROKER, str(b), set_config={})
        admin.alter_configs([res])[res].result(timeout=15)  # the whole dynamic set: none
        until(lambda: not dynamic(broker_cfg(admin, b), "DYNAMIC_BROKER_CONFIG"))


# --- reads: topics ---------------------------------------------------------------------------


def test_topic_config_get_exact(v3, v3_names, v3_topic):
    t = v3_topic(config={"cleanup.policy": "compact"})
    body = ok(v3.get(v3_names.url("topics", t, "configs", "cleanup.policy")))
    assert body == expected_config(
        v3_names, "topic", t, "cleanup.policy", "compact", "DYNAMIC_TOPIC_CONFIG",
        [("cleanup.policy", "compact", "DYNAMIC_TOPIC_CONFIG"),
         ("log.cleanup.policy", "delete", "DEFAULT_CONFIG")])


def test_topic_configs_list_matches_kafka(v3, v3_names, v3_topic, admin):
    t = v3_topic(config={"cleanup.policy": "compact", "retention.ms": "1000"})
    body = ok(v3.get(v3_names.url("topics", t, "configs")))
    assert body["kind"] == "KafkaTopicConfigList"
    assert body["metadata"] == v3_names.list_meta("topics", t, "configs")
    names = [c["name"] for c in body["data"]]
    assert names == sorted(names)
    kafka = topic_cfg(admin, t)
    assert {c["name"]: (c["value"], c["source"]) for c in body["data"]} == kafka
    for c in body["data"]:
        assert c["metadata"] == v3_names.topic_config(t, c["name"])
        assert c["topic_name"] == t and c["kind"] == "KafkaTopicConfig"


def test_all_topics_configs(v3, v3_names, v3_topic):
    t1, t2 = v3_topic(), v3_topic(config={"retention.ms": "1234"})

    def listing():  # from the metadata cache, at most krest.metadata.max.age.ms old
        b = ok(v3.get(v3_names.url("topics", "-", "configs")))
        return b if {t1, t2} <= {c["topic_name"] for c in b["data"]} else None

    body = wait_until(listing, 10)
    assert body, "the new topics never appeared"
    assert body["kind"] == "KafkaTopicConfigList"
    assert body["metadata"] == v3_names.list_meta("topics", "-", "configs")
    keys = [(c["topic_name"], c["name"]) for c in body["data"]]
    assert keys == sorted(keys)  # by topic, then by name
    topics = {c["topic_name"] for c in body["data"]}
    assert {t1, t2} <= topics
    assert not [x for x in topics if x.startswith("__")]  # no internal topic
    got = {(c["topic_name"], c["name"]): c["value"] for c in body["data"]}
    assert got[(t2, "retention.ms")] == "1234"
    for c in body["data"]:
        assert c["metadata"] == v3_names.topic_config(c["topic_name"], c["name"])


def test_topic_config_read_errors(v3, v3_names, v3_topic):
    t = v3_topic()
    assert_error(v3.get(v3_names.url("topics", "no-such-topic-x", "configs")), 404, 40403)
    r = v3.get(v3_names.url("topics", "no-such-topic-x", "configs", "cleanup.policy"))
    assert_error(r, 404, 40403)
    assert r.json()["message"] == NO_TOPIC
    r = v3.get(v3_names.url("topics", t, "configs", "foobar"))
    assert_error(r, 404)
    assert r.json()["message"] == (
        f"Config foobar cannot be found for TOPIC {t} in cluster {v3_names.cluster}.")
    r = v3.get(f"{v3_names.base}/v3/clusters/foobar/topics/{t}/configs")
    assert_error(r, 404)
    assert r.json()["message"] == "Cluster foobar cannot be found."
    assert_error(v3.get(f"{v3_names.base}/v3/clusters/foobar/topics/-/configs"), 404)


# --- reads: brokers and the cluster ----------------------------------------------------------


def test_broker_config_get_exact(v3, v3_names, admin):
    b = a_broker(admin)
    body = ok(v3.get(v3_names.url("brokers", b, "configs", "compression.type")))
    assert body == expected_config(
        v3_names, "broker", b, "compression.type", "producer", "DEFAULT_CONFIG",
        [("compression.type", "producer", "DEFAULT_CONFIG")], default=True)


def test_broker_configs_list_matches_kafka(v3, v3_names, admin):
    b = a_broker(admin)
    body = ok(v3.get(v3_names.url("brokers", b, "configs")))
    assert body["kind"] == "KafkaBrokerConfigList"
    assert body["metadata"] == v3_names.list_meta("brokers", b, "configs")
    names = [c["name"] for c in body["data"]]
    assert names == sorted(names)
    kafka = broker_cfg(admin, b)
    got = {c["name"]: (c["value"], c["source"]) for c in body["data"]}
    assert set(got) == set(kafka)
    assert all(got[n][1] == kafka[n][1] for n in got)
    for c in body["data"]:
        assert c["broker_id"] == b
        assert c["metadata"] == v3_names.broker_config(b, c["name"])
        assert c["value"] is None if c["is_sensitive"] else True


def test_all_brokers_configs(v3, v3_names, admin):
    brokers = sorted(admin.list_topics(timeout=10).brokers)
    body = ok(v3.get(v3_names.url("brokers", "-", "configs")))
    assert body["metadata"] == v3_names.list_meta("brokers", "-", "configs")
    keys = [(c["broker_id"], c["name"]) for c in body["data"]]
    assert keys == sorted(keys)
    assert sorted({b for b, _ in keys}) == brokers
    one = ok(v3.get(v3_names.url("brokers", brokers[0], "configs")))
    assert [c for c in body["data"] if c["broker_id"] == brokers[0]] == one["data"]


def test_broker_config_read_errors(v3, v3_names, admin):
    b = a_broker(admin)
    r = v3.get(v3_names.url("brokers", 9999, "configs"))
    assert_error(r, 404)
    assert r.json()["message"] == "Broker 9999 cannot be found."
    assert_error(v3.get(v3_names.url("brokers", 9999, "configs", "compression.type")), 404)
    assert_error(v3.get(v3_names.url("brokers", "foobar", "configs")), 404)
    r = v3.get(v3_names.url("brokers", b, "configs", "foobar"))
    assert_error(r, 404)
    assert r.json()["message"] == (
        f"Config foobar cannot be found for BROKER {b} in cluster {v3_names.cluster}.")
    assert_error(v3.get(f"{v3_names.base}/v3/clusters/foobar/brokers/{b}/configs"), 404)
    assert_error(v3.get(f"{v3_names.base}/v3/clusters/foobar/brokers/-/configs"), 404)


def test_cluster_configs_list_and_get(v3, v3_names, admin):
    body = ok(v3.get(v3_names.url("broker-configs")))
    assert body["kind"] == "KafkaClusterConfigList"
    assert body["metadata"] == v3_names.list_meta("broker-configs")
    names = [c["name"] for c in body["data"]]
    assert names == sorted(names)
    # Kafka's view: the broker's DYNAMIC_DEFAULT_BROKER_CONFIG entries (no per-broker override
    # is left by these tests).
    kafka = dynamic(broker_cfg(admin, a_broker(admin)), "DYNAMIC_DEFAULT_BROKER_CONFIG")
    assert {c["name"]: c["value"] for c in body["data"]} == kafka
    for c in body["data"]:
        assert c["source"] == "DYNAMIC_DEFAULT_BROKER_CONFIG"
        assert c["synonyms"][0]["source"] == "DYNAMIC_DEFAULT_BROKER_CONFIG"
        assert c["metadata"] == v3_names.cluster_config(c["name"])
        assert ok(v3.get(v3_names.url("broker-configs", c["name"]))) == c
    r = v3.get(v3_names.url("broker-configs", "compression.type.nope"))
    assert_error(r, 404)
    assert_error(v3.get(f"{v3_names.base}/v3/clusters/foobar/broker-configs"), 404)


# --- topic changes ---------------------------------------------------------------------------


def test_topic_put_and_delete_keep_other_dynamic_configs(v3, v3_names, v3_topic, admin):
    t = v3_topic(config={"cleanup.policy": "compact", "retention.ms": "1000"})
    ok(put(v3, v3_names.url("topics", t, "configs", "retention.ms"), '{"value":"2000"}'), 204)
    assert dynamic(topic_cfg(admin, t)) == {"cleanup.policy": "compact", "retention.ms": "2000"}
    ok(v3.delete(v3_names.url("topics", t, "configs", "retention.ms")), 204)
    cfgs = topic_cfg(admin, t)
    assert dynamic(cfgs) == {"cleanup.policy": "compact"}
    assert cfgs["retention.ms"][1] == "DEFAULT_CONFIG"
    body = ok(v3.get(v3_names.url("topics", t, "configs", "cleanup.policy")))
    assert body["value"] == "compact"


def test_topic_put_scalar_value_is_text(v3, v3_names, v3_topic, admin):
    t = v3_topic()
    ok(put(v3, v3_names.url("topics", t, "configs", "retention.ms"), '{"value":5000}'), 204)
    assert dynamic(topic_cfg(admin, t)) == {"retention.ms": "5000"}


def test_topic_put_errors_change_nothing(v3, v3_names, v3_topic, admin):
    t = v3_topic(config={"retention.ms": "1000"})
    u = v3_names.url("topics", t, "configs", "retention.ms")
    r = put(v3, u, '{"value":"abc"}')
    assert_error(r, 400, 40002)
    assert "retention.ms" in r.json()["message"]
    r = put(v3, v3_names.url("topics", t, "configs", "foobar"), '{"value":"1"}')
    assert_error(r, 404)
    assert r.json()["message"] == (
        f"Config foobar cannot be found for TOPIC {t} in cluster {v3_names.cluster}.")
    assert_error(put(v3, u, ""), 422, 42206)
    assert put(v3, u, "").json()["message"] == EMPTY
    assert_error(put(v3, u, "null"), 422, 42206)
    assert_error(put(v3, u, "foobar"), 400)
    assert_error(put(v3, u, '{"value":{"a":1}}'), 400)
    assert_error(put(v3, u, '{"value":"1","other":1}'), 400)
    assert_error(put(v3, u, "[]"), 400)
    r = put(v3, v3_names.url("topics", "no-such-topic-x", "configs", "retention.ms"), '{"value":"1"}')
    assert_error(r, 404, 40403)
    r = put(v3, f"{v3_names.base}/v3/clusters/foobar/topics/{t}/configs/retention.ms",
            '{"value":"1"}')
    assert_error(r, 404)
    assert_error(v3.delete(v3_names.url("topics", t, "configs", "foobar")), 404)
    assert_error(v3.delete(v3_names.url("topics", "no-such-topic-x", "configs", "retention.ms")),
                 404, 40403)
    assert_error(v3.delete(f"{v3_names.base}/v3/clusters/foobar/topics/{t}/configs/retention.ms"),
                 404)
    assert dynamic(topic_cfg(admin, t)) == {"retention.ms": "1000"}


def test_topic_alter_set_and_delete(v3, v3_names, v3_topic, admin):
    t = v3_topic(config={"cleanup.policy": "compact", "retention.ms": "1000"})
    body = ('{"data":[{"name":"compression.type","value":"gzip"},'
            '{"name":"retention.ms","operation":"DELETE"},'
            '{"name":"max.message.bytes","value":"2000","operation":"SET"},'
            '{"name":"segment.ms","value":"100000","operation":null}]}')
    ok(post(v3, v3_names.url("topics", t, "configs:alter"), body), 204)
    assert dynamic(topic_cfg(admin, t)) == {
        "cleanup.policy": "compact", "compression.type": "gzip", "max.message.bytes": "2000",
        "segment.ms": "100000"}
    ok(post(v3, v3_names.url("topics", t, "configs:alter"), '{"data":[]}'), 204)
    assert len(dynamic(topic_cfg(admin, t))) == 4


def test_topic_alter_validate_only_changes_nothing(v3, v3_names, v3_topic, admin):
    t = v3_topic(config={"retention.ms": "1000"})
    body = ('{"validate_only":true,"data":[{"name":"cleanup.policy","value":"compact"},'
            '{"name":"retention.ms","operation":"DELETE"}]}')
    ok(post(v3, v3_names.url("topics", t, "configs:alter"), body), 204)
    assert dynamic(topic_cfg(admin, t)) == {"retention.ms": "1000"}
    bad = '{"validate_only":true,"data":[{"name":"cleanup.policy","value":"nope"}]}'
    assert_error(post(v3, v3_names.url("topics", t, "configs:alter"), bad), 400, 40002)
    assert dynamic(topic_cfg(admin, t)) == {"retention.ms": "1000"}


@pytest.mark.parametrize(
    "body,status,code",
    [
        ("", 422, 42206),
        ("  ", 422, 42206),
        ("null", 422, 42206),
        ("foobar", 400, 400),
        ("[]", 400, 400),
        ("{}", 400, 400),
        ('{"data":"x"}', 400, 400),
        ('{"data":[{"value":"x"}]}', 400, 400),
        ('{"data":[{"name":"retention.ms","value":"1","operation":"set"}]}', 400, 400),
        ('{"data":[{"name":"retention.ms","value":"1","operation":"UPSERT"}]}', 400, 400),
        ('{"data":[{"name":"retention.ms","value":"1","operation":1}]}', 400, 400),
        ('{"data":[{"name":"retention.ms","value":["1"]}]}', 400, 400),
        ('{"data":[{"name":["retention.ms"],"value":"1"}]}', 400, 400),
        ('{"data":["retention.ms"]}', 400, 400),
        ('{"data":[{"name":"retention.ms","value":"1","x":1}]}', 400, 400),
        ('{"data":[],"extra":1}', 400, 400),
        ('{"data":[{"name":"retention.ms","value":"1"}],"validate_only":"yes"}', 400, 400),
        ('{"data":[{"name":"retention.ms","value":"abc"}]}', 400, 40002),
        ('{"data":[{"name":"retention.ms","value":"1"},{"name":"foobar","value":"1"}]}', 404,
         404),
    ],
)
def test_topic_alter_rejected_changes_nothing(v3, v3_names, v3_topic, admin, body, status, code):
    t = v3_topic(config={"retention.ms": "1000"})
    r = post(v3, v3_names.url("topics", t, "configs:alter"), body)
    assert_error(r, status, code)
    if code == 42206:
        assert r.json()["message"] == NULL_INPUT
    assert dynamic(topic_cfg(admin, t)) == {"retention.ms": "1000"}


def test_topic_alter_unknown_topic_or_cluster(v3, v3_names, v3_topic):
    t = v3_topic()
    body = '{"data":[{"name":"retention.ms","value":"1"}]}'
    r = post(v3, v3_names.url("topics", "no-such-topic-x", "configs:alter"), body)
    assert_error(r, 404, 40403)
    r = post(v3, f"{v3_names.base}/v3/clusters/foobar/topics/{t}/configs:alter", body)
    assert_error(r, 404)


# --- several topics --------------------------------------------------------------------------


def multi(topics_configs, validate_only=None):
    import json

    body = {"data": [{"topic_name": t, "configs": c} for t, c in topics_configs]}
    if validate_only is not None:
        body["validate_only"] = validate_only
    return json.dumps(body)


def test_topics_alter_all_ok(v3, v3_names, v3_topic, admin):
    t1, t2 = v3_topic(config={"retention.ms": "1000"}), v3_topic()
    body = multi([(t1, [{"name": "cleanup.policy", "value": "compact"},
                        {"name": "compression.type", "value": "gzip"}]),
                  (t2, [{"name": "cleanup.policy", "value": "compact"}])])
    ok(post(v3, v3_names.url("topics", "-", "configs:alter"), body), 204)
    assert dynamic(topic_cfg(admin, t1)) == {
        "retention.ms": "1000", "cleanup.policy": "compact", "compression.type": "gzip"}
    assert dynamic(topic_cfg(admin, t2)) == {"cleanup.policy": "compact"}


def test_topics_alter_partial_failure_207(v3, v3_names, v3_topic, admin):
    t1, t2 = v3_topic(), v3_topic()
    body = multi([(t1, [{"name": "cleanup.policy", "value": "compact"}]),
                  (t2, [{"name": "cleanup.policy", "value": "invalid_xyz"}])])
    r = post(v3, v3_names.url("topics", "-", "configs:alter"), body)
    assert r.status_code == 207, r.text
    failures = r.json()["failures"]
    assert len(failures) == 1
    assert failures[0]["topic_name"] == t2 and failures[0]["error_code"] == 40002
    assert "invalid_xyz" in failures[0]["message"]
    assert dynamic(topic_cfg(admin, t1)) == {"cleanup.policy": "compact"}
    assert dynamic(topic_cfg(admin, t2)) == {}


def test_topics_alter_validate_only(v3, v3_names, v3_topic, admin):
    t = v3_topic()
    body = multi([(t, [{"name": "cleanup.policy", "value": "compact"}])], validate_only=True)
    ok(post(v3, v3_names.url("topics", "-", "configs:alter"), body), 204)
    assert dynamic(topic_cfg(admin, t)) == {}


def test_topics_alter_prevalidation_errors_change_nothing(v3, v3_names, v3_topic, admin):
    t = v3_topic()
    u = v3_names.url("topics", "-", "configs:alter")
    good = [{"name": "cleanup.policy", "value": "compact"}]
    r = post(v3, u, multi([(t, good), ("no-such-topic-x", good)]))
    assert_error(r, 404, 40403)
    assert r.json()["message"] == NO_TOPIC
    r = post(v3, u, multi([(t, good + [{"name": "non-existing-config", "value": "v"}])]))
    assert_error(r, 404)
    assert r.json()["message"] == (f"Config non-existing-config cannot be found for TOPIC {t} "
                                   f"in cluster {v3_names.cluster}.")
    r = post(v3, f"{v3_names.base}/v3/clusters/foobar/topics/-/configs:alter", multi([(t, good)]))
    assert_error(r, 404)
    assert assert_error(post(v3, u, ""), 422, 42206)["message"] == NULL_INPUT
    assert_error(post(v3, u, '{"data":[{"configs":[]}]}'), 400)
    assert_error(post(v3, u, '{"data":[{"topic_name":"x"}]}'), 400)
    assert_error(post(v3, u, '{"data":[{"topic_name":"x","configs":[],"y":1}]}'), 400)
    assert dynamic(topic_cfg(admin, t)) == {}


# --- broker changes --------------------------------------------------------------------------


def test_broker_put_and_delete_keep_other_dynamic_configs(v3, v3_names, admin, reset_broker):
    b = a_broker(admin)
    reset_broker.extend(["compression.type", "max.connections"])
    u = v3_names.url("brokers", b, "configs")
    ok(put(v3, u + "/compression.type", '{"value":"gzip"}'), 204)
    ok(post(v3, u + ":alter", '{"data":[{"name":"max.connections","value":"1000"}]}'), 204)
    want = {"compression.type": "gzip", "max.connections": "1000"}
    until(lambda: dynamic(broker_cfg(admin, b), "DYNAMIC_BROKER_CONFIG") == want)
    ok(put(v3, u + "/max.connections", '{"value":"2000"}'), 204)
    want = {"compression.type": "gzip", "max.connections": "2000"}
    until(lambda: dynamic(broker_cfg(admin, b), "DYNAMIC_BROKER_CONFIG") == want)
    ok(v3.delete(u + "/max.connections"), 204)
    until(lambda: dynamic(broker_cfg(admin, b), "DYNAMIC_BROKER_CONFIG")
          == {"compression.type": "gzip"})
    until(lambda: ok(v3.get(u + "/compression.type")) == expected_config(
        v3_names, "broker", b, "compression.type", "gzip", "DYNAMIC_BROKER_CONFIG",
        [("compression.type", "gzip", "DYNAMIC_BROKER_CONFIG"),
         ("compression.type", "producer", "DEFAULT_CONFIG")]))
    ok(post(v3, u + ":alter", '{"data":[{"name":"compression.type","operation":"DELETE"}]}'), 204)
    until(lambda: dynamic(broker_cfg(admin, b), "DYNAMIC_BROKER_CONFIG") == {})


def test_broker_change_errors_change_nothing(v3, v3_names, admin):
    b = a_broker(admin)
    u = v3_names.url("brokers", b, "configs")
    before = dynamic(broker_cfg(admin, b), "DYNAMIC_BROKER_CONFIG")
    r = put(v3, u + "/foobar", '{"value":"1"}')
    assert_error(r, 404)
    assert r.json()["message"] == (
        f"Config foobar cannot be found for BROKER {b} in cluster {v3_names.cluster}.")
    assert_error(v3.delete(u + "/foobar"), 404)
    r = post(v3, u + ":alter", '{"data":[{"name":"compression.type","value":"gzip"},'
                               '{"name":"foobar","value":"1"}]}')
    assert_error(r, 404)
    assert_error(put(v3, u + "/compression.type", '{"value":"bogus"}'), 400, 40002)
    assert_error(post(v3, u + ":alter", ""), 422, 42206)
    assert_error(post(v3, u + ":alter", '{"data":[{"name":"compression.type","operation":"X"}]}'),
                 400)
    assert_error(put(v3, u + "/compression.type", ""), 422, 42206)
    nb = v3_names.url("brokers", 9999, "configs")
    r = put(v3, nb + "/compression.type", '{"value":"gzip"}')
    assert_error(r, 404)
    assert r.json()["message"] == "Broker 9999 cannot be found."
    assert_error(v3.delete(nb + "/compression.type"), 404)
    assert_error(post(v3, nb + ":alter", '{"data":[]}'), 404)
    assert_error(put(v3, f"{v3_names.base}/v3/clusters/foobar/brokers/{b}/configs/compression.type",
                     '{"value":"gzip"}'), 404)
    assert dynamic(broker_cfg(admin, b), "DYNAMIC_BROKER_CONFIG") == before


# --- cluster-wide changes: 501 ---------------------------------------------------------------


def test_cluster_config_changes_are_501(v3, v3_names, admin):
    before = dynamic(broker_cfg(admin, a_broker(admin)), "DYNAMIC_DEFAULT_BROKER_CONFIG")
    r = put(v3, v3_names.url("broker-configs", "compression.type"), '{"value":"gzip"}')
    assert_error(r, 501)
    assert "librdkafka 2.0.2" in r.json()["message"]
    assert_error(v3.delete(v3_names.url("broker-configs", "compression.type")), 501)
    body = '{"data":[{"name":"compression.type","value":"gzip"}]}'
    assert_error(post(v3, v3_names.url("broker-configs:alter"), body), 501)
    # The request is checked first: body, then cluster.
    r = post(v3, v3_names.url("broker-configs:alter"), "")
    assert assert_error(r, 422, 42206)["message"] == NULL_INPUT
    assert_error(put(v3, v3_names.url("broker-configs", "compression.type"), "x"), 400)
    base = f"{v3_names.base}/v3/clusters/foobar/broker-configs"
    assert_error(put(v3, base + "/compression.type", '{"value":"gzip"}'), 404)
    assert_error(v3.delete(base + "/compression.type"), 404)
    assert_error(post(v3, base + ":alter", body), 404)
    assert dynamic(broker_cfg(admin, a_broker(admin)), "DYNAMIC_DEFAULT_BROKER_CONFIG") == before


def test_configs_of_a_topic_never_created(v3, v3_names):
    """A topic that never existed (not only one missing from the cache): 404/40403."""
    assert_error(v3.get(v3_names.url("topics", unique_topic(), "configs")), 404, 40403)
