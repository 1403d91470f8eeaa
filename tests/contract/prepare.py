"""Prepares a contract-fuzzing run against a fresh service, through its API.

Signs in a pledger (registered, verified through the emailed link, logged in) and an admin,
puts pledges where the workflow's steps can take them, and writes the schemathesis
configuration that points those steps at them. Prints shell assignments for fuzz.sh.

Usage: prepare.py BASE_URL MAIL_DIR PASSWORD ADMIN_EMAIL PLEDGER_EMAIL CONFIG_OUT
"""

import email
import email.policy
import json
import pathlib
import re
import sys
import time
import urllib.error
import urllib.request

BASE, MAIL_DIR, PASSWORD, ADMIN, PLEDGER, CONFIG_OUT = sys.argv[1:7]


def call(method, path, body=None, token=None, headers=None):
    request = urllib.request.Request(BASE + path, method=method)
    data = None
    if isinstance(body, str):
        data = body.encode()
        request.add_header("Content-Type", "text/csv")
    elif body is not None:
        data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, data, timeout=30) as response:
            text = response.read().decode()
            return response.status, dict(response.headers), json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        sys.exit(f"{method} {path}: {error.code} {error.read().decode()}")


def emailed_token(address, subject):
    for _ in range(200):
        for mail in sorted(pathlib.Path(MAIL_DIR).glob("*.eml")):
            message = email.message_from_bytes(mail.read_bytes(), policy=email.policy.default)
            if address in message["To"] and subject in message["Subject"]:
                text = message.get_body(("plain",)).get_content()
                return re.search(r"token=([A-Za-z0-9_-]+)", text).group(1)
        time.sleep(0.05)
    sys.exit(f"no email {subject!r} to {address}")


def login(email):
    _, _, tokens = call("POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD})
    return tokens["access_token"]


def pledge(token, title):
    body = {
        "title": title,
        "summary": "Connecting rural schools to broadband.",
        "description": "Fibre and satellite links for rural schools, with teacher training.",
        "type": "programmatic",
        "focus_areas": ["access"],
        "sdgs": [4, 9],
        "tracks": ["ldc5"],
        "countries": ["GHA"],
        "beneficiary_groups": ["rural_communities"],
        "start_date": "2024-01-01",
        "end_date": "2026-12-31",
        "deliverables": [{"what": "Connect rural schools", "indicator": "Schools connected",
                          "unit": "schools", "target": 100, "due_date": "2026-12-31"}],
    }
    _, _, created = call("POST", "/api/v1/pledges", body, token)
    return created["id"]


def submitted(token, title):
    pledge_id = pledge(token, title)
    _, _, view = call("POST", f"/api/v1/pledges/{pledge_id}/submit", {}, token)
    return pledge_id, view["version"]


call("POST", "/api/v1/auth/register", {
    "email": PLEDGER,
    "password": PASSWORD,
    "display_name": "Fuzz pledger",
    "organisation": {"name": "Ministry of Fuzzing", "kind": "government", "country": "GHA"},
})
call("POST", "/api/v1/auth/verify-email",
     {"token": emailed_token(PLEDGER, "Confirm your email address")})
pledger = login(PLEDGER)
admin = login(ADMIN)
_, _, me = call("GET", "/api/v1/me", token=pledger)
organisation = me["organisation"]["id"]
_, _, directory = call("GET", "/api/v1/organisations?limit=1")
other_organisation = directory["items"][0]["id"]
call("POST", f"/api/v1/organisations/{organisation}/verify", token=admin)

# A staff account for the admin to edit, so that role changes and disabling hit neither the
# admin nor the pledger whose sessions the runs use.
_, _, victim = call("POST", "/api/v1/admin/users", {
    "email": "fuzz-staff@example.org", "display_name": "Fuzz staff",
    "role": "organiser", "password": PASSWORD,
}, admin)

# The account generated logins may use (see schemathesis.toml).
call("POST", "/api/v1/admin/users", {
    "email": "fuzz-login@example.org", "display_name": "Fuzz login",
    "role": "organiser", "password": PASSWORD,
}, admin)

# One submitted pledge per decision, and a published one for progress reports.
decisions = {op: submitted(pledger, f"Pledge for {op}")
             for op in ("approvePledge", "requestPledgeChanges", "rejectPledge")}
def published_pledge(title):
    pledge_id, version = submitted(pledger, title)
    call("POST", f"/api/v1/pledges/{pledge_id}/approve", {}, admin, {"If-Match": f'"{version}"'})
    return pledge_id


published = published_pledge("Published pledge")

# Published pledges with a report on 2025 waiting for review, per review operation: each
# report is reviewed once (then it is no longer waiting), so the runs draw from several.
reviewed = {}
for op in ("acceptProgressReport", "returnProgressReport"):
    reviewed[op] = []
    for i in range(12):
        pledge_id = published_pledge(f"Pledge for {op} {i}")
        call("POST", f"/api/v1/pledges/{pledge_id}/reports", {
            "year": 2025, "implementation_status": "in_progress", "narrative": "Progress made.",
            "deliverables": [{"deliverable": 0, "value": 40}],
        }, pledger)
        reviewed[op].append(pledge_id)

# Private screen links to revoke: a generated revocation of one of them is accepted (and again
# after that: revoking a revoked link changes nothing).
screen_links = [call("POST", "/api/v1/screen-links", {"track": "ldc5", "label": f"Screen {i}"}, admin)[2]["id"]
                for i in range(5)]
# Amendments: published pledges to propose one on, and published pledges with one open for
# each step on an open amendment; a step on one is accepted once (then the amendment is no
# longer open, or the pledge's version moved on), so the runs draw from several.
amend = {"proposePledgeAmendment": [published_pledge(f"Pledge to amend {i}") for i in range(12)]}
amendment_versions = set()
for op in ("updatePledgeAmendment", "withdrawPledgeAmendment", "approvePledgeAmendment",
           "refusePledgeAmendment"):
    amend[op] = []
    for i in range(12):
        pledge_id = published_pledge(f"Pledge for {op} {i}")
        _, _, proposal = call("POST", f"/api/v1/pledges/{pledge_id}/amendment", {
            "title": f"Amended pledge for {op} {i}", "sdgs": [4, 9, 17],
        }, pledger)
        amendment_versions.add(proposal["pledge_version"])
        amend[op].append(pledge_id)
# Created, submitted, approved and amended: every one of them is at the same version.
(amendment_version,) = amendment_versions

# Reveals: submitted pledges to set a moment on, and pledges approved to be revealed in a month
# to reveal early; each step moves the pledge's version, so each is accepted once and the runs
# draw from several. A moment is only accepted ahead of now, which a generator cannot know.
ahead = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 30 * 86400))
reveal = {"schedulePledgeReveal": [], "revealPledge": []}
reveal_versions = {}
for i in range(12):
    pledge_id, version = submitted(pledger, f"Pledge to time {i}")
    reveal["schedulePledgeReveal"].append(pledge_id)
    reveal_versions["schedulePledgeReveal"] = version
    pledge_id, version = submitted(pledger, f"Pledge to reveal {i}")
    _, _, scheduled = call("POST", f"/api/v1/pledges/{pledge_id}/approve", {"reveal_at": ahead},
                           admin, {"If-Match": f'"{version}"'})
    reveal["revealPledge"].append(pledge_id)
    reveal_versions["revealPledge"] = scheduled["version"]

# Drafts for edits and submissions: a generated edit or submission of one of them is accepted
# (once: the version it names then moves on, or the draft is no longer one).
update_drafts = [pledge(pledger, f"Draft to edit {i}") for i in range(20)]
submit_drafts = [pledge(pledger, f"Draft to submit {i}") for i in range(20)]

# An import for the progress reads (CSV bodies go out through hooks.py's serializer in the runs).
_, _, started = call("POST", "/api/v1/imports", "organisation_name,organisation_country,title\n",
                     admin)

# Where an operation acts on one resource, the runs aim it at one that exists and is in the
# state the operation needs (the values are fixed for those parameters; everything else is
# generated). Everything else comes from the contract: examples, generated data and links.
operations = {
    "submitProgressReport": {"path.id": published},
    # Another organisation: an edit of the pledger's own could withdraw its verification, which
    # the decisions need. Admins may edit it; the pledger may not.
    "updateOrganisation": {"path.id": other_organisation},
    "inviteMember": {"path.id": organisation},
    "verifyOrganisation": {"path.id": organisation},
    "updateUser": {"path.id": victim["id"]},
    "updateTrack": {"path.slug": "ldc5"},
    "listMembers": {"path.id": organisation},
    "listInvitations": {"path.id": organisation},
    # To the owner themself: accepted, and the pledger stays the owner the other runs need.
    "handOverOwnership": {"path.id": organisation, "body.user_id": me["user"]["id"]},
    # A track that exists: goals and screen links of an unknown one are 404.
    "getGoals": {"query.track": "ldc5"},
    "setGoals": {"query.track": "ldc5"},
    "createScreenLink": {"body.track": "ldc5"},
    "listScreenLinks": {"query.track": "ldc5"},
    "getImport": {"path.id": started["id"]},
}
for op, (pledge_id, version) in decisions.items():
    operations[op] = {"path.id": pledge_id, "header.If-Match": f'"{version}"'}

lines = [
    "[dictionaries.update-drafts]",
    f"values = {json.dumps(update_drafts)}",
    "",
    "[dictionaries.submit-drafts]",
    f"values = {json.dumps(submit_drafts)}",
    "",
    "[[operations]]",
    'include-operation-id = "updatePledge"',
    'parameters = { "path.id" = { dictionary = "update-drafts", probability = 0.9 }, '
    '"header.If-Match" = "\\"1\\"" }',
    "",
    "[[operations]]",
    'include-operation-id = "submitPledge"',
    'parameters = { "path.id" = { dictionary = "submit-drafts", probability = 0.9 } }',
    "",
    "[dictionaries.screen-links]",
    f"values = {json.dumps(screen_links)}",
    "",
    "[[operations]]",
    'include-operation-id = "revokeScreenLink"',
    'parameters = { "path.id" = { dictionary = "screen-links", probability = 0.9 } }',
    "",
]
def aim(op, pledge_ids, fixed=""):
    """Points `op` at one of `pledge_ids` (each good for one accepted step), with the parameters
    in `fixed` (TOML, after a comma) set too."""
    global lines
    lines += [
        f"[dictionaries.{op}]",
        f"values = {json.dumps(pledge_ids)}",
        "",
        "[[operations]]",
        f'include-operation-id = "{op}"',
        f'parameters = {{ "path.id" = {{ dictionary = "{op}", probability = 0.9 }}{fixed} }}',
        "",
    ]


for op, pledge_ids in reviewed.items():
    aim(op, pledge_ids, ', "path.year" = 2025')
for op, pledge_ids in amend.items():
    # Proposals and withdrawals may omit `If-Match`; edits and decisions name the version.
    version = "" if op in ("proposePledgeAmendment", "withdrawPledgeAmendment") else (
        f', "header.If-Match" = "\\"{amendment_version}\\""')
    aim(op, pledge_ids, version)
for op, pledge_ids in reveal.items():
    fixed = f', "header.If-Match" = "\\"{reveal_versions[op]}\\""'
    if op == "schedulePledgeReveal":
        fixed += f', "body.reveal_at" = "{ahead}"'
    aim(op, pledge_ids, fixed)
operations["getPledgeAmendment"] = {"path.id": amend["approvePledgeAmendment"][0]}
for op, parameters in operations.items():
    lines.append("[[operations]]")
    lines.append(f'include-operation-id = "{op}"')
    lines.append("parameters = { " + ", ".join(
        f'"{name}" = {json.dumps(value)}' for name, value in parameters.items()) + " }")
    lines.append("")
base = pathlib.Path(__file__).with_name("schemathesis.toml").read_text()
pathlib.Path(CONFIG_OUT).write_text(base + "\n" + "\n".join(lines))

print(f"PLEDGER_TOKEN={pledger}")
print(f"ADMIN_TOKEN={admin}")
