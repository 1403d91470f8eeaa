#!/usr/bin/env python3
"""Drives the pledge flow through a Python client generated from the committed openapi.yaml
(openapi-python-client): register, verify the email, log in, create a pledge, submit it, approve
it as an admin with If-Match, then read the catalogue and the live counters, and amend it: the
public sees the published value until the admin approves the amendment. Every call goes
through the generated operation functions and models, so a change of the contract that breaks
clients breaks this test. Run by tests/client/run.sh, which generates and installs the client:

    python3 tests/client/flow.py target/debug/pledgeboard

The names the generator derives from the contract (operationIds become modules, schema names
become models) are all in the two tables below: when the contract renames an operation or a
schema, this is the one place to change.
"""
import datetime
import glob
import importlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from http import HTTPStatus

import httpx

PACKAGE = "pledgeboard_client"

# step -> module under pledgeboard_client.api (from the tag and the operationId)
OPERATIONS = {
    "register": "auth.register_account",
    "verify_email": "auth.verify_email",
    "login": "auth.log_in",
    "me": "auth.get_current_account",
    "verify_organisation": "organisations.verify_organisation",
    "create_pledge": "pledges.create_pledge",
    "get_pledge": "pledges.get_pledge",
    "submit_pledge": "pledges.submit_pledge",
    "approve_pledge": "pledges.approve_pledge",
    "list_pledges": "pledges.list_pledges",
    "history": "pledges.get_pledge_history",
    "propose_amendment": "amendments.propose_pledge_amendment",
    "approve_amendment": "amendments.approve_pledge_amendment",
    "stats": "live_counters.get_stats",
    "readiness": "operations.check_readiness",
}

# role -> model class under pledgeboard_client.models (from the schema names)
MODELS = {
    "register_request": "RegisterRequest",
    "new_organisation": "NewOrganisation",
    "account": "Account",
    "token_body": "TokenBody",
    "login_request": "LoginRequest",
    "token_pair": "TokenPair",
    "user_view": "UserView",
    "organisation_view": "OrganisationView",
    "pledge_input": "PledgeInput",
    "pledge_view": "PledgeView",
    "pledge_page": "PledgePage",
    "step_body": "StepBody",
    "status": "Status",
    "pledge_type": "PledgeType",
    "focus_area": "FocusArea",
    "organisation_kind": "OrganisationKind",
    "platform_role": "PlatformRole",
    "history": "History",
    "snapshot": "Snapshot",
    "problem": "Problem",
    "money": "Money",
    "beneficiary_group": "BeneficiaryGroup",
    "deliverable_input": "DeliverableInput",
    "deliverable_unit": "DeliverableUnit",
    "pledge_changes": "PledgeChanges",
    "amendment_view": "AmendmentView",
    "amendment_status": "AmendmentStatus",
}

BINARY = sys.argv[1] if len(sys.argv) > 1 else "target/debug/pledgeboard"
PASSWORD = "a generated client passphrase"
OWNER = "kofi@moc.gov.gh"
ADMIN = "admin@example.org"
TRACK = "ldc5"
USD = 42_000_000  # whole US dollars

client_package = importlib.import_module(PACKAGE)
models = importlib.import_module(f"{PACKAGE}.models")
op = {step: importlib.import_module(f"{PACKAGE}.api.{path}") for step, path in OPERATIONS.items()}
M = {role: getattr(models, name) for role, name in MODELS.items() if name}


def money(currency, amount_minor, usd):
    return M["money"](currency=currency, amount_minor=amount_minor, usd=usd)


def usd_of(value):
    return value.usd


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(step, expected, parsed_as, **kwargs):
    """Calls one generated operation and checks the status and the parsed type of the answer."""
    response = op[step].sync_detailed(**kwargs)
    if response.status_code != expected:
        raise AssertionError(f"{step}: expected {int(expected)}, got {int(response.status_code)}: "
                             f"{response.content[:2000]!r}")
    if parsed_as is not None and not isinstance(response.parsed, parsed_as):
        raise AssertionError(f"{step}: expected a {parsed_as.__name__}, parsed {response.parsed!r}")
    return response


def emailed_token(mail_dir, address):
    for _ in range(200):
        for path in glob.glob(os.path.join(mail_dir, "*.eml")):
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read().replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
            if address in text:
                found = re.search(r"token=([A-Za-z0-9_-]+)", text)
                if found:
                    return found.group(1)
        time.sleep(0.05)
    raise AssertionError(f"no email with a token to {address} in {mail_dir}")


def counters(client, track=None):
    kwargs = {"track": track} if track else {}
    return call("stats", HTTPStatus.OK, M["snapshot"], client=client, **kwargs).parsed


def counters_when(client, track, ready):
    """The snapshot once `ready(snapshot)` holds, or the last one after ten seconds (counters
    follow writes within a second)."""
    deadline = time.monotonic() + 10
    while True:
        now = counters(client, track)
        if ready(now) or time.monotonic() > deadline:
            return now
        time.sleep(0.05)


def flow(base, data, env):
    anonymous = client_package.Client(base_url=base, raise_on_unexpected_status=True)

    def authenticated(email):
        pair = call("login", HTTPStatus.OK, M["token_pair"], client=anonymous,
                    body=M["login_request"](email=email, password=PASSWORD)).parsed
        assert pair.token_type == "Bearer" and pair.expires_in > 0 and pair.refresh_token, pair
        return client_package.AuthenticatedClient(base_url=base, token=pair.access_token,
                                                  raise_on_unexpected_status=True)

    # An admin, made as an operator would.
    subprocess.run([BINARY, "create-staff", "--role", "admin", "--email", ADMIN, "--name", "Admin",
                    "--data-dir", data], input=PASSWORD + "\n", text=True, check=True, env=env,
                   stdout=subprocess.DEVNULL)
    admin = authenticated(ADMIN)
    me = call("me", HTTPStatus.OK, M["account"], client=admin).parsed
    assert me.user.role == M["platform_role"]("admin"), me.user.role

    public_all = counters(anonymous)
    public_track = counters(anonymous, TRACK)
    staff_track = counters(admin, TRACK)
    assert public_all.pending in (None, client_package.types.UNSET), "the public sees no pending figures"
    assert staff_track.pending, "staff see pending figures"

    # Register, verify the email from the emailed link, log in.
    account = call("register", HTTPStatus.CREATED, M["account"], client=anonymous, body=M["register_request"](
        email=OWNER, password=PASSWORD, display_name="Kofi",
        organisation=M["new_organisation"](name="Ministry of Communications", kind=M["organisation_kind"]("government"), country="GHA"),
    )).parsed
    assert account.user.email == OWNER and account.user.email_verified is False, account.user
    organisation = account.organisation
    assert isinstance(organisation, M["organisation_view"]) and organisation.verified is False, organisation
    call("verify_email", HTTPStatus.NO_CONTENT, None, client=anonymous,
         body=M["token_body"](token=emailed_token(os.path.join(data, "mail"), OWNER)))
    owner = authenticated(OWNER)
    assert call("me", HTTPStatus.OK, M["account"], client=owner).parsed.user.email_verified is True
    print("registered, verified and logged in")

    # Approving needs a verified organisation.
    verified = call("verify_organisation", HTTPStatus.OK, M["organisation_view"], client=admin,
                    id=organisation.id).parsed
    assert verified.verified is True, verified

    # Create and submit a pledge.
    title = "Connecting 500 rural schools in the Northern Region"
    created = call("create_pledge", HTTPStatus.CREATED, M["pledge_view"], client=owner,
                   idempotency_key="client-flow-1", body=M["pledge_input"](
        title=title, summary="Broadband for rural schools", description="Fibre and satellite links.",
        type_=M["pledge_type"]("financial"), focus_areas=[M["focus_area"]("access")], sdgs=[4, 9],
        tracks=[TRACK], countries=["GHA", "NPL"], beneficiary_groups=[M["beneficiary_group"]("youth")],
        partners=["A regional operator"],
        value=money("USD", USD * 100, USD),
        deliverables=[M["deliverable_input"](
            what="Connect rural schools to broadband", indicator="Schools connected",
            unit=M["deliverable_unit"]("schools"), target=120, due_date=datetime.date(2027, 12, 31),
        )],
    ))
    pledge = created.parsed
    assert pledge.status == M["status"]("draft") and pledge.version >= 1, pledge
    assert pledge.type_ == M["pledge_type"]("financial") and pledge.focus_areas == [M["focus_area"]("access")]
    assert pledge.organisation.id == organisation.id, pledge.organisation
    assert pledge.ldc is True, "Nepal is a least developed country"
    assert created.headers.get("etag") == f'"{pledge.version}"', created.headers

    submitted = call("submit_pledge", HTTPStatus.OK, M["pledge_view"], client=owner, id=pledge.id,
                     body=M["step_body"]())
    assert submitted.parsed.status == M["status"]("submitted"), submitted.parsed
    staff_pending = counters_when(admin, TRACK, lambda now: now.pending.pledges != staff_track.pending.pledges)
    assert staff_pending.pending.pledges == staff_track.pending.pledges + 1, staff_pending.pending
    print("pledge created and submitted")

    # Approve as the admin, with the version seen as If-Match: a stale one is refused first.
    seen = call("get_pledge", HTTPStatus.OK, M["pledge_view"], client=admin, id=pledge.id)
    etag = seen.headers.get("etag")
    assert etag == f'"{seen.parsed.version}"' and seen.parsed.version == submitted.parsed.version, seen.headers
    stale = call("approve_pledge", HTTPStatus.PRECONDITION_FAILED, M["problem"], client=admin, id=pledge.id,
                 body=M["step_body"](), if_match=f'"{seen.parsed.version - 1}"').parsed
    assert stale.status == 412 and stale.code, stale
    approved = call("approve_pledge", HTTPStatus.OK, M["pledge_view"], client=admin, id=pledge.id,
                    body=M["step_body"](comment="Welcome to the coalition"), if_match=etag).parsed
    assert approved.status == M["status"]("published") and approved.version > seen.parsed.version, approved
    history = call("history", HTTPStatus.OK, M["history"], client=owner, id=pledge.id).parsed
    steps = [(event.action, event.to_status) for event in history.items]
    assert steps == [("create", M["status"]("draft")), ("submit", M["status"]("submitted")),
                     ("approve", M["status"]("published"))], steps
    print("pledge approved with If-Match")

    # The public catalogue shows it.
    page = call("list_pledges", HTTPStatus.OK, M["pledge_page"], client=anonymous, track=TRACK, sdg=9,
                country="GHA", limit=10).parsed
    listed = [item for item in page.items if item.id == pledge.id]
    assert len(listed) == 1, [item.id for item in page.items]
    assert listed[0].title == title and listed[0].status == M["status"]("published"), listed[0]
    assert listed[0].organisation.verified is True
    assert listed[0].organisation.kind == M["organisation_kind"]("government"), listed[0].organisation
    public = call("get_pledge", HTTPStatus.OK, M["pledge_view"], client=anonymous, id=pledge.id).parsed
    assert public.value and usd_of(public.value) == USD, public.value
    print("pledge found in the public catalogue")

    # The counters moved, in the global scope and in the track's.
    for before, track in ((public_all, None), (public_track, TRACK)):
        after = counters_when(anonymous, track, lambda now: now.pledges != before.pledges)
        assert after.pledges == before.pledges + 1, (track, before.pledges, after.pledges)
        assert after.usd_pledged == before.usd_pledged + USD, (track, before.usd_pledged, after.usd_pledged)
        assert after.ldc_pledges == before.ldc_pledges + 1, track
        assert after.governments == before.governments + 1, track
        for sdg in ("4", "9"):
            assert after.by_sdg[sdg] == before.by_sdg.to_dict().get(sdg, 0) + 1, (track, sdg)
        assert after.by_type["financial"] == before.by_type.to_dict().get("financial", 0) + 1, track
        assert after.version > before.version and after.updated_at >= before.updated_at, track
    print("counters moved")

    # An amendment of the published pledge: the public sees the published value until the
    # admin approves it with the version it read; then the pledge, its history and the counters
    # move together.
    more = USD + 1_000_000
    before = counters_when(anonymous, TRACK, lambda now: True)
    proposal = call("propose_amendment", HTTPStatus.CREATED, M["amendment_view"], client=owner,
                    id=pledge.id, body=M["pledge_changes"](value=money("USD", more * 100, more)))
    amendment = proposal.parsed
    assert amendment.status == M["amendment_status"]("proposed"), amendment
    assert [change.field for change in amendment.changes] == ["value"], amendment.changes
    public = call("get_pledge", HTTPStatus.OK, M["pledge_view"], client=anonymous, id=pledge.id).parsed
    assert usd_of(public.value) == USD, public.value
    decided = call("approve_amendment", HTTPStatus.OK, M["amendment_view"], client=admin, id=pledge.id,
                   if_match=proposal.headers.get("etag")).parsed
    assert decided.status == M["amendment_status"]("approved"), decided
    public = call("get_pledge", HTTPStatus.OK, M["pledge_view"], client=anonymous, id=pledge.id).parsed
    assert usd_of(public.value) == more, public.value
    last = call("history", HTTPStatus.OK, M["history"], client=anonymous, id=pledge.id).parsed.items[-1]
    assert last.action == "amendment_approved" and [c.field for c in last.changes] == ["value"], last
    after = counters_when(anonymous, TRACK, lambda now: now.usd_pledged != before.usd_pledged)
    assert after.usd_pledged == before.usd_pledged + 1_000_000, (before.usd_pledged, after.usd_pledged)
    assert after.pledges == before.pledges, "an amendment counts the pledge once still"
    print("pledge amended")


def main():
    data = tempfile.mkdtemp(prefix="pledgeboard-client-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SMTP_URL")}
    env.setdefault("RUST_LOG", "warn")
    log = open(os.path.join(data, "server.log"), "w")
    server = subprocess.Popen(
        [BINARY, "serve", "--bind", f"127.0.0.1:{port}", "--data-dir", data, "--mail-poll-ms", "50"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    failed = True
    try:
        health = importlib.import_module(f"{PACKAGE}.api.{OPERATIONS['readiness']}")
        probe = client_package.Client(base_url=base, timeout=None)
        for _ in range(400):
            try:
                if health.sync_detailed(client=probe).status_code == HTTPStatus.OK:
                    break
            except httpx.TransportError:  # not listening yet
                pass
            if server.poll() is not None:
                raise AssertionError(f"the server exited with {server.returncode}")
            time.sleep(0.05)
        else:
            raise AssertionError("the server did not become ready")
        flow(base, data, env)
        failed = False
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        if failed:
            with open(os.path.join(data, "server.log"), encoding="utf-8", errors="replace") as f:
                sys.stderr.write("--- server log (last lines) ---\n" + "".join(f.readlines()[-40:]))
        shutil.rmtree(data, ignore_errors=True)
    print("generated client: ok")


if __name__ == "__main__":
    main()
