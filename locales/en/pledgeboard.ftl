# pledgeboard's messages in English: the reference every other language follows (same message
# ids, same variables). Problem codes stay English in every language; titles and details move.

## Problem titles (one per kind of answer)

problem-title-malformed-request-body = Malformed request body
problem-title-unsupported-media-type = Unsupported media type
problem-title-request-body-too-large = Request body too large
problem-title-request-timeout = Request timeout
problem-title-invalid-query-string = Invalid query string
problem-title-invalid-path-parameter = Invalid path parameter
problem-title-validation-failed = Validation failed
problem-title-unprocessable-request = Unprocessable request
problem-title-bad-request = Bad request
problem-title-unauthorized = Unauthorized
problem-title-invalid-token = Invalid token
problem-title-forbidden = Forbidden
problem-title-not-found = Not found
problem-title-method-not-allowed = Method not allowed
problem-title-conflict = Conflict
problem-title-precondition-failed = Precondition failed
problem-title-precondition-required = Precondition required
problem-title-too-many-requests = Too many requests
problem-title-service-unavailable = Service unavailable
problem-title-internal-server-error = Internal server error

## Problem details, by code

problem-malformed_json = The request body is not valid JSON for this operation.
problem-unsupported_media_type = The request body must be application/json.
problem-payload_too_large = The request body is larger than the limit of { $limit } bytes.
problem-request_timeout = The request body did not arrive in time.
problem-invalid_query = The query string cannot be read: a parameter is unknown, repeated or malformed.
problem-invalid_path = A value in the address cannot be read.
problem-validation_failed = { $count ->
    [one] One field is invalid.
   *[other] { $count } fields are invalid.
}
problem-bad_request = The request cannot be read.
problem-unauthorized = Authentication is required.
problem-invalid_credentials = The email address or password is wrong.
problem-invalid_token = This link or token is invalid, used or expired.
problem-invalid_refresh_token = The refresh token is invalid, expired or already used.
problem-forbidden = You may not do this.
problem-not_found = { $resource ->
    [pledge] This pledge was not found.
    [organisation] This organisation was not found.
    [track] This track was not found.
    [user] This user was not found.
    [member] This member was not found.
    [invitation] This invitation was not found.
    [report] This progress report was not found.
    [message] This message was not found.
    [amendment] This pledge has no amendment.
    [screen_link] This screen link was not found, or it was revoked.
    [import] This import was not found.
   *[other] Nothing was found here.
}
problem-route_not_found = There is no resource at this address.
problem-method_not_allowed = This method is not allowed here.
problem-precondition_failed = The resource changed since you read it.
problem-precondition_required = This request must carry If-Match with the version you read.
problem-rate_limited = { $seconds ->
    [one] Too many requests; retry after one second.
   *[other] Too many requests; retry after { $seconds } seconds.
}
problem-service_unavailable = The service cannot answer now; try again shortly.
problem-storage_unavailable = The database cannot take this request now; nothing was changed, try again shortly.
problem-internal_error = An unexpected error occurred; it has been logged.
problem-email_taken = This email address already has an account.
problem-idempotency_in_progress = A request with this Idempotency-Key is still being processed.
problem-idempotency_key_reused = This Idempotency-Key was used with a different request body.
problem-member_disabled = A disabled account cannot own an organisation.
problem-not_dead = Only a message that could not be delivered can be retried.
problem-not_published = This is done on published pledges only (inactive ones included).
problem-own_account = Admins cannot change their own role or disable themselves.
problem-owner_cannot_be_removed = The owner hands ownership to another member first.
problem-track_exists = A track with this slug exists already.
problem-no_organisation = Only members of an organisation register pledges.
problem-out_of_scope = This pledge is outside the tracks you moderate.
problem-own_organisation = Pledges and reports of your own organisation are decided by someone else.
problem-not_allowed = You are not allowed to do this to this pledge.
problem-invalid_transition = This pledge cannot take this step in its current status.
problem-email_not_verified = Verify your email address before submitting a pledge.
problem-organisation_not_verified = Your organisation must be verified before its pledges are published.
problem-report_not_submitted = Only a submitted progress report is reviewed.
problem-report_accepted = This year's report was accepted and stands as the year's record.
problem-before_history = Figures before the day they were first recorded are not known.
problem-date_in_future = Figures are known up to today, not after.
problem-range_reversed = The start of the range is after its end.
problem-range_too_long = The range holds too many points; ask for a shorter range or monthly points.
problem-year_out_of_range = Packs are made for the years from 2000.
problem-empty_file = The file holds no rows to import.
problem-malformed_csv = The file is not CSV this service can read.
problem-publish_needs_admin = Only admins import pledges as published.
problem-reason_required = A reason is required for this decision.
problem-not_amendable = Only published (or inactive) pledges are amended.
problem-amendment_open = This pledge already has an open amendment: edit or withdraw it first.
problem-amendment_not_open = This pledge's amendment was already decided or withdrawn.
problem-amendment_unchanged = The amendment would change nothing in the published pledge.

## Emails: what every message shares

email-greeting = Hello,
email-greeting-named = Hello { $name },
email-paste-link = Or paste this link into your browser: { $link }
email-footer = You received this message from pledgeboard at { $url }.
email-reason = Reason given:
email-file-report = File a report here:
email-file-report-action = File a progress report

## Emails, one kind after the other

verify-email-subject = Confirm your email address for pledgeboard
verify-email-body = Please confirm your email address to start registering pledges:
verify-email-action = Confirm my email address
verify-email-after = The link works once and expires in { $hours ->
    [one] { $hours } hour.
   *[other] { $hours } hours.
} If you did not register, ignore this message.

password-reset-subject = Reset your pledgeboard password
password-reset-body = Someone asked to reset the password of your pledgeboard account. If it was you, choose a new password here:
password-reset-action = Choose a new password
password-reset-after = The link works once and expires in { $minutes ->
    [one] { $minutes } minute.
   *[other] { $minutes } minutes.
} If it was not you, ignore this message: your password stays as it is.

account-exists-subject = Someone tried to register with your email address
account-exists-body = Someone tried to register a new pledgeboard account with this email address, which already has an account. Nothing was changed.
account-exists-body-2 = If it was you, sign in instead; if you have forgotten your password, reset it here:
account-exists-action = Reset my password
account-exists-after = If it was not you, you can ignore this message.

password-changed-subject = Your pledgeboard password was changed
password-changed-body = The password of your pledgeboard account was just changed, and every session was signed out.
password-changed-body-2 = If you did not do this, reset your password now and tell the coalition secretariat:
password-changed-action = Reset my password

invitation-subject = Join { $organisation } on pledgeboard
invitation-body = { $inviter } invites you to join { $organisation } on pledgeboard as { $role ->
    [owner] its owner
   *[member] a member
}, to register and follow its pledges.
invitation-body-2 = Accept the invitation and choose your password here:
invitation-action = Accept the invitation
invitation-after = The invitation works once and expires in { $days ->
    [one] { $days } day.
   *[other] { $days } days.
}

pledge-entered-subject = Confirm the pledge of { $organisation } on pledgeboard
pledge-entered-body = { $inviter } of the coalition secretariat entered a pledge on behalf of { $organisation }:
pledge-entered-source = (source: { $source })
pledge-entered-body-2 = It is shown as entered by the secretariat, not yet confirmed by the organisation. To confirm it and take over { $organisation } on pledgeboard as its owner, accept this invitation and choose your password:
pledge-entered-action = Confirm the pledge

pledge-submitted-subject = New pledge to review: { $title }
pledge-submitted-body = { $organisation } submitted a pledge for review:
pledge-submitted-tracks = Tracks: { $tracks }
pledge-submitted-body-2 = Review it in the moderation queue:
pledge-submitted-action = Open the moderation queue

pledge-decision-subject = { $decision ->
    [approved] Your pledge is published: { $title }
    [scheduled] Your pledge is approved, to be revealed on { $when }: { $title }
    [revealed] Your pledge is now public: { $title }
    [changes_requested] Changes requested to your pledge: { $title }
   *[rejected] Your pledge was not accepted: { $title }
}
pledge-decision-body = { $decision ->
    [scheduled] Your pledge "{ $title }" is approved. Until { $when } only your organisation and the coalition's staff see it; then it becomes public.
    [revealed] Your pledge "{ $title }" became public at the moment announced.
   *[other] A moderator decided on your pledge "{ $title }": { $decision ->
        [approved] approved
        [changes_requested] changes requested
       *[rejected] rejected
    }.
}
pledge-decision-body-2 = See the pledge and its history here:
pledge-decision-action = See the pledge

amendment-proposed-subject = Amendment to review: { $title }
amendment-proposed-body = { $organisation } proposed an amendment to its published pledge:
amendment-proposed-fields = Fields changed: { $fields }
amendment-proposed-after = The published pledge stays as it is until the amendment is approved. Review it here:
amendment-proposed-action = Review the amendment

amendment-decision-subject = { $decision ->
    [approved] The amendment to your pledge was approved: { $title }
   *[refused] The amendment to your pledge was refused: { $title }
}
amendment-decision-body = A moderator decided on the amendment to your pledge "{ $title }": { $decision ->
    [approved] approved
   *[refused] refused
}.

report-decision-subject = { $decision ->
    [accepted] Your progress report { $year } was accepted: { $title }
   *[returned] Your progress report { $year } was returned: { $title }
}
report-decision-body = A moderator reviewed your progress report { $year } on the pledge "{ $title }": { $decision ->
    [accepted] accepted
   *[returned] returned
}.
report-decision-body-2 = See the pledge's reports here:
report-decision-action = See the reports

report-due-subject = Progress report due: { $title } ({ $year })
report-due-body = Your organisation's pledge "{ $title }" has no progress report for { $year } yet.
report-due-body-2 = Reporting each year keeps the coalition's figures honest: tell us how far implementation has come, the US dollars disbursed during { $year } and the people reached. File it through the API:

second-reminder-subject = Second reminder: progress report { $year } due by { $due } ({ $title })
second-reminder-body = Your organisation's pledge "{ $title }" still has no accepted progress report for the years before { $year }. Its report on { $year } is due by { $due }: if that deadline passes without one, the pledge will be shown as inactive until a report is accepted.

pledge-inactive-subject = Your pledge is now inactive: { $title }
pledge-inactive-body = Your organisation's pledge "{ $title }" has had no accepted progress report for two reporting years (the last one missed: { $year }), so it is now shown as inactive. It stays public, and the next progress report a moderator accepts makes it active again.

digest-subject = Waiting for moderation on { $day }
digest-body = What waits in your remit on { $day }:
digest-all-tracks = All tracks
digest-line = { $track }: { $pledges ->
    [one] { $pledges } pledge waiting for a decision
   *[other] { $pledges } pledges waiting for a decision
}; { $reports ->
    [one] { $reports } progress report waiting for review
   *[other] { $reports } progress reports waiting for review
}; { $amendments ->
    [one] { $amendments } amendment waiting for a decision
   *[other] { $amendments } amendments waiting for a decision
}
digest-line-oldest = { $track }: { $pledges ->
    [one] { $pledges } pledge waiting for a decision
   *[other] { $pledges } pledges waiting for a decision
}, the oldest for { $hours ->
    [one] { $hours } hour
   *[other] { $hours } hours
}; { $reports ->
    [one] { $reports } progress report waiting for review
   *[other] { $reports } progress reports waiting for review
}; { $amendments ->
    [one] { $amendments } amendment waiting for a decision
   *[other] { $amendments } amendments waiting for a decision
}
digest-body-2 = The moderation queue:
digest-action = Open the moderation queue

## The pages behind emailed links

page-verify-title = Confirm your email address
page-verify-button = Confirm my email address
page-verify-done = Your email address is confirmed. You can now submit pledges.
page-reset-title = Reset your password
page-reset-choose-title = Choose a new password
page-reset-email-label = Email address
page-reset-request-button = Send me a reset link
page-reset-sent = If this address has an account, a reset link is on its way. It works for 30 minutes.
page-reset-password-label = New password
page-reset-button = Set my new password
page-reset-done = Your password is changed and every session was signed out. Sign in with the new password.
page-password-hint = At least 12 characters; a few unrelated words work well.
page-accept-title = Join your organisation on pledgeboard
page-accept-name-label = Your name
page-accept-password-label = Choose a password
page-accept-button = Join the organisation
page-welcome-title = Welcome to pledgeboard
page-welcome-done = You are now a member of { $organisation } as { $role ->
    [owner] its owner
   *[member] a member
}. Sign in with { $email }.
page-link-invalid = This link is invalid, already used or expired.

## The big screen (`/live/{track}`): figures are formatted by the browser's locale data

screen-all-pledges = All pledges
screen-page-title = Live pledges · { $track }
screen-staff-figures = staff figures
screen-connecting = connecting…
screen-live = live
screen-reconnecting = reconnecting…
screen-commitments = commitments
screen-pledged = pledged (USD)
screen-entities = pledging entities
screen-governments = governments
screen-countries = countries targeted
screen-ldc = pledges for least developed countries
screen-scan = Scan to browse the pledges
screen-latest = Latest
screen-goal = { $kind ->
    [usd_pledged] Goal: { $target } pledged by { $deadline }
    [pledges] Goal: { $target } commitments by { $deadline }
   *[entities] Goal: { $target } pledging entities by { $deadline }
}
screen-pending = Pending: { $pledges } awaiting a decision, { $usd }; { $scheduled } to be revealed
screen-goal-reached = Goal reached!
screen-milestone-usd = { $amount } pledged!
screen-milestone-pledges = { $count } commitments!
screen-updated = updated { $time }

## Vocabularies: focus areas and pillars (Partner2Connect), organisation kinds, pledge types, statuses, traffic lights

focus-area-access = Access
focus-area-access-tagline = Connecting people everywhere
focus-area-adoption = Adoption
focus-area-adoption-tagline = Empowering communities
focus-area-value_creation = Value creation
focus-area-value_creation-tagline = Building digital ecosystems
focus-area-accelerate = Accelerate
focus-area-accelerate-tagline = Incentivizing investments
pillar-infrastructure = Connectivity and digital infrastructure
pillar-affordability = Affordability
pillar-cybersecurity = Cybersecurity
pillar-skills = Skills
pillar-digital_inclusion = Digital inclusion
pillar-relevant_local_content_and_services = Relevant / local content and services
pillar-digital_innovation_and_entrepreneurship = Digital innovation and entrepreneurship
pillar-innovative_financing = Innovative financing
pillar-project_viability = Project viability
pillar-investor_constellation = Investor constellation
organisation-kind-government = Government
organisation-kind-private_sector = Private sector
organisation-kind-civil_society = Civil society
organisation-kind-academia = Academia
organisation-kind-international_organisation = International organisation
organisation-kind-un_entity = UN entity
organisation-kind-other = Other
pledge-type-financial = Financial
pledge-type-policy = Policy
pledge-type-programmatic = Programmatic
pledge-type-advocacy = Advocacy
status-draft = Draft
status-submitted = Submitted
status-changes_requested = Changes requested
status-published = Published
status-rejected = Rejected
status-withdrawn = Withdrawn
status-completed = Completed
status-inactive = Inactive
status-scheduled = Scheduled
light-on_track = On track
light-at_risk = At risk
light-off_track = Off track
light-completed = Completed
light-no_report = No report
