"""The README's "Security" example (docs/examples/security-walkthrough.sh) really works: run from
an empty temporary directory it makes the certificates, starts a SASL + ACL broker of its own,
starts krest with HTTPS, Basic authentication and each user's own Kafka identity, and shows alice
producing to her topic while bob gets 40301; then it stops everything. What reached Kafka is read
with confluent-kafka (on the broker's PLAINTEXT listener, a super user) before the script stops
the broker, and krest's log is checked for the passwords.
"""

import json
import os
import re
import subprocess

from conftest import KREST_BIN, REPO

SCRIPT = REPO / "docs" / "examples" / "security-walkthrough.sh"

# Run by the script in its directory before it stops krest and the broker ($BOOTSTRAP given).
CHECK = r"""
echo "== krest.log"; cat krest.log; echo "== end of krest.log"
"$PY" - <<'END'
import json, os, uuid
from confluent_kafka import Consumer, TopicPartition
c = Consumer({"bootstrap.servers": os.environ["BOOTSTRAP"], "group.id": uuid.uuid4().hex,
              "enable.auto.commit": False})
lo, hi = c.get_watermark_offsets(TopicPartition("alice-topic", 0), timeout=10)
c.assign([TopicPartition("alice-topic", 0, lo)])
got = []
for _ in range(40):
    got += [json.loads(m.value()) for m in c.consume(10, 0.5) if not m.error()]
    if len(got) >= hi - lo:
        break
c.close()
print("kafka: " + json.dumps(got))
END
"""


def test_readme_shows_the_scripts_lines():
    """The README's Security example is the script's core, line for line (comments aside)."""
    readme = (REPO / "README.md").read_text()
    start = readme.index("```sh\ntop=")
    block = readme[start + 6:readme.index("```\n", start + 6)]
    script = set(SCRIPT.read_text().splitlines())
    lines = [ln for ln in block.splitlines() if ln.strip() and not ln.startswith(("# ", "top="))]
    assert len(lines) > 40, block
    for ln in lines:
        assert ln.replace('"$top/build/krest"', '"$krest_bin"') in script, \
            f"README line not in {SCRIPT.name}: {ln}"


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().decode(errors="replace")
    except OSError:
        return ""


def test_security_walkthrough_works(tmp_path):
    env = dict(os.environ, KREST_BIN=KREST_BIN, WALKTHROUGH_CHECK=CHECK, TMPDIR=str(tmp_path),
               PY=str(REPO / ".cache" / "venv" / "bin" / "python"))
    r = subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, timeout=150,
                       cwd=tmp_path)
    out = r.stdout
    assert r.returncode == 0, out[-3000:] + r.stderr[-3000:]
    assert 'no credentials: {"error_code":401' in out, out
    assert "topic: 201" in out and "acl: 201" in out, out
    alice = json.loads(re.search(r"^alice: (.*)$", out, re.M).group(1))
    assert alice["offsets"][0]["error_code"] is None and alice["offsets"][0]["offset"] == 0, out
    bob = json.loads(re.search(r"^bob: (.*)$", out, re.M).group(1))
    assert bob["offsets"][0]["error_code"] == 40301, out
    assert bob["offsets"][0]["offset"] is None, out
    # Kafka holds alice's record and nothing of bob's
    assert json.loads(re.search(r"^kafka: (.*)$", out, re.M).group(1)) == [{"from": "alice"}], out
    log = out[out.index("== krest.log"):out.index("== end of krest.log")]
    for secret in ("alice-secret", "bob-secret", "admin-secret", "krest-secret", "changeit"):
        assert secret not in log, f"{secret} in krest's log"
    assert "AddressSanitizer" not in log and "runtime error:" not in log, log
    # everything it started stopped, its directory removed
    assert "krest exited with status 0" in out, out
    m = re.search(r"removed (\S+)", out)
    assert m and not os.path.exists(m.group(1)), out
    assert not [p for p in os.listdir("/proc") if p.isdigit() and m.group(1) in cmdline(p)]
    assert os.listdir(tmp_path) == [], os.listdir(tmp_path)
