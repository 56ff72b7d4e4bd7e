#!/usr/bin/env bash
# docs/examples/security-walkthrough.sh -- the README's "Security" example, runnable: from an
# empty temporary directory, HTTPS + Basic authentication + each user's own Kafka identity
# against a broker that requires SASL and denies what no ACL allows.
#
#   docs/examples/security-walkthrough.sh          (after `make`; KREST_BIN=... for another build)
#
# It makes a CA and a server certificate with openssl, starts a local broker with
# scripts/kafka-local (SASL_PLAINTEXT with the users admin, krest, alice and bob; ACLs on), writes
# krest's password, JAAS and properties files, starts krest, creates a topic and an ACL through
# krest as admin, and shows that alice may produce to her topic while bob gets 40301. Then it
# stops what it started and removes the directory. tests/api/test_security_walkthrough.py runs it.
# Ports are free ones picked at start (set REST_PORT, KAFKA_PORT, SASL_PORT to choose).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
krest_bin=${KREST_BIN:-$top/build/krest}
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
REST_PORT=${REST_PORT:-$(free_port)}
KAFKA_PORT=${KAFKA_PORT:-$(free_port)}
SASL_PORT=${SASL_PORT:-$(free_port)}

dir=$(mktemp -d "${TMPDIR:-/tmp}/krest-security.XXXXXX")
cd "$dir"
krest_pid=
cleanup() {
    if [ -n "$krest_pid" ]; then
        kill "$krest_pid" 2>/dev/null || true
        rc=0 && wait "$krest_pid" || rc=$?
        echo "krest exited with status $rc"
        [ "$rc" = 0 ] || tail -n 40 krest.log
    fi
    KAFKA_PORT=$KAFKA_PORT KAFKA_DATA=$dir/kafka "$top/scripts/kafka-local" stop >/dev/null || true
    cd / && rm -rf "$dir"
    echo "stopped krest and the broker, removed $dir"
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }

step "1. certificates: a CA and the server's (PKCS12 for krest)"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"; }
key ca && openssl req -x509 -new -key ca.key -out ca.pem -days 30 -subj "/CN=my CA"
key server && openssl req -new -key server.key -subj "/CN=localhost" |
    openssl x509 -req -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -out server.pem \
        -extfile <(echo "subjectAltName=DNS:localhost,IP:127.0.0.1")
openssl pkcs12 -export -in server.pem -inkey server.key -out server.p12 -passout pass:changeit

step "2. a broker with SASL (PLAIN) and ACLs: admin and krest are super users"
KAFKA_PORT=$KAFKA_PORT KAFKA_DATA=$dir/kafka \
    KAFKA_SASL=1 KAFKA_SASL_PORT=$SASL_PORT KAFKA_ACLS=1 \
    KAFKA_SASL_USERS=admin:admin-secret,krest:krest-secret,alice:alice-secret,bob:bob-secret \
    KAFKA_SUPER_USERS='User:admin;User:krest' \
    "$top/scripts/kafka-local" start

step "3. krest's users (Jetty's password file; the same passwords as Kafka's), JAAS, properties"
cat > users.properties <<END
admin: CRYPT:$(openssl passwd -6 admin-secret),admin
alice: CRYPT:$(openssl passwd -6 alice-secret),user
bob: CRYPT:$(openssl passwd -6 bob-secret),user
END
cat > jaas.conf <<END
KafkaRest {
  org.eclipse.jetty.jaas.spi.PropertyFileLoginModule required
  file="$dir/users.properties";
};
END
cat > krest.properties <<END
listeners=https://127.0.0.1:$REST_PORT
ssl.keystore.location=$dir/server.p12
ssl.keystore.type=PKCS12
ssl.keystore.password=changeit
authentication.method=BASIC
authentication.realm=KafkaRest
authentication.roles=admin,user
krest.authentication.jaas.file=$dir/jaas.conf
bootstrap.servers=127.0.0.1:$SASL_PORT
client.security.protocol=SASL_PLAINTEXT
client.sasl.mechanism=PLAIN
client.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="krest" password="krest-secret";
krest.kafka.principal.propagation=true
krest.schema.registry.listeners=
END
chmod 600 users.properties krest.properties

step "4. krest on https://localhost:$REST_PORT"
"$krest_bin" krest.properties > krest.log 2>&1 &
krest_pid=$!
k() { curl -sS --cacert ca.pem "$@"; }
url=https://localhost:$REST_PORT
for _ in $(seq 100); do k -fo /dev/null -u alice:alice-secret $url/ready 2>/dev/null && break; sleep 0.2; done
echo "no credentials: $(k $url/topics)"

step "5. as admin, through krest: alice's WRITE on alice-topic, then the topic"
C=$(k -u admin:admin-secret $url/v3/clusters |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["cluster_id"])')
k -u admin:admin-secret -H 'Content-Type: application/json' -o /dev/null -w 'acl: %{http_code}\n' \
    $url/v3/clusters/$C/acls -d '{"resource_type":"TOPIC","resource_name":"alice-topic",
    "pattern_type":"LITERAL","principal":"User:alice","host":"*","operation":"WRITE",
    "permission":"ALLOW"}'
k -u admin:admin-secret -H 'Content-Type: application/json' -o /dev/null -w 'topic: %{http_code}\n' \
    $url/v3/clusters/$C/topics -d '{"topic_name":"alice-topic","partitions_count":1}'

step "6. alice produces to her topic; bob, who has no ACL, gets 40301"
echo "alice: $(k -u alice:alice-secret -H 'Content-Type: application/vnd.kafka.json.v2+json' \
    $url/topics/alice-topic -d '{"records":[{"value":{"from":"alice"}}]}')"
echo "bob: $(k -u bob:bob-secret -H 'Content-Type: application/vnd.kafka.json.v2+json' \
    $url/topics/alice-topic -d '{"records":[{"value":{"from":"bob"}}]}')"

# For the test: a command run here, before everything stops (BOOTSTRAP: the PLAINTEXT listener).
if [ -n "${WALKTHROUGH_CHECK:-}" ]; then
    BOOTSTRAP=127.0.0.1:$KAFKA_PORT bash -c "$WALKTHROUGH_CHECK"
fi
