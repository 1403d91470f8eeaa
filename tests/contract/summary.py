"""Per operation, how many generated requests the service accepted (answered 2xx), by run.

Reads the contract (for the operations and their path templates) and the HAR files schemathesis
wrote, one per run. Fails when an operation that takes a request body never accepted one,
except those whose body must hold an emailed secret (ACCEPTED_ONLY_WITH_SECRETS).

Usage: summary.py openapi.yaml RUN.har...
"""

import json
import pathlib
import re
import sys
import urllib.parse

import yaml

# Their bodies carry single-use secrets that only ever travel by email (verification, reset and
# invitation tokens) or that a login issues once (refresh tokens): no generator can guess one.
ACCEPTED_ONLY_WITH_SECRETS = {
    "verifyEmail",
    "confirmPasswordReset",
    "acceptInvitation",
    "refreshSession",
}

contract = yaml.safe_load(pathlib.Path(sys.argv[1]).read_text())
operations = []
for path, item in contract["paths"].items():
    pattern = re.compile("^" + re.sub(r"\\{[^/]+\\}", "[^/]+", re.escape(path)) + "$")
    for method, operation in item.items():
        operations.append((method.upper(), pattern, operation["operationId"], "requestBody" in operation))

runs = [pathlib.Path(har) for har in sys.argv[2:]]
counts = {}  # operation id -> run -> [accepted, sent]
for har in runs:
    for entry in json.loads(har.read_text())["log"]["entries"]:
        method = entry["request"]["method"]
        path = urllib.parse.urlsplit(entry["request"]["url"]).path
        status = entry["response"]["status"]
        for op_method, pattern, op_id, _ in operations:
            if op_method == method and pattern.match(path):
                tally = counts.setdefault(op_id, {}).setdefault(har.stem, [0, 0])
                tally[0] += 200 <= status < 300
                tally[1] += 1
                break

names = [har.stem for har in runs]
print(f"{'operation':<24}" + "".join(f"{name:>16}" for name in names) + f"{'accepted':>12}")
failed = []
for method, _, op_id, has_body in operations:
    per_run = counts.get(op_id, {})
    cells = "".join(
        f"{'%d/%d' % tuple(per_run.get(name, [0, 0])):>16}" for name in names
    )
    accepted = sum(tally[0] for tally in per_run.values())
    sent = sum(tally[1] for tally in per_run.values())
    share = f"{100 * accepted / sent:.0f}%" if sent else "-"
    print(f"{op_id:<24}{cells}{share:>12}")
    if has_body and accepted == 0 and op_id not in ACCEPTED_ONLY_WITH_SECRETS:
        failed.append(op_id)
total_accepted = sum(t[0] for per_run in counts.values() for t in per_run.values())
total_sent = sum(t[1] for per_run in counts.values() for t in per_run.values())
print(f"all operations: {total_accepted}/{total_sent} generated requests accepted")
if failed:
    print("no generated request accepted by: " + ", ".join(failed))
    sys.exit(1)
