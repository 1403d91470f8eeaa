//! Table definitions shared by both backends. Written by hand: every column uses a SQL type
//! that SQLite and PostgreSQL both support, so one set of queries serves both.

diesel::table! {
    sdgs (number) {
        number -> Integer,
        short_title -> Text,
        title -> Text,
        colour -> Text,
    }
}

diesel::table! {
    focus_areas (slug) {
        slug -> Text,
        name -> Text,
        tagline -> Text,
        position -> Integer,
    }
}

diesel::table! {
    pillars (slug) {
        slug -> Text,
        focus_area -> Text,
        name -> Text,
        position -> Integer,
    }
}

diesel::table! {
    countries (alpha3) {
        alpha3 -> Text,
        alpha2 -> Text,
        numeric_code -> Text,
        name -> Text,
        region -> Nullable<Text>,
        subregion -> Nullable<Text>,
        ldc -> Bool,
        lldc -> Bool,
        sids -> Bool,
    }
}

diesel::table! {
    tracks (slug) {
        slug -> Text,
        name -> Text,
        description -> Text,
        location -> Nullable<Text>,
        starts_on -> Nullable<Date>,
        ends_on -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        translations -> Text,
    }
}

diesel::joinable!(pillars -> focus_areas (focus_area));

diesel::table! {
    outbox (id) {
        id -> Text,
        kind -> Text,
        recipient -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    organisations (id) {
        id -> Text,
        name -> Text,
        kind -> Text,
        country -> Text,
        website -> Nullable<Text>,
        verified -> Bool,
        verified_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        password_hash -> Text,
        display_name -> Text,
        role -> Text,
        organisation_id -> Nullable<Text>,
        organisation_role -> Nullable<Text>,
        email_verified -> Bool,
        disabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        session_generation -> Integer,
        language -> Text,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        user_id -> Text,
        family_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    user_tokens (id) {
        id -> Text,
        user_id -> Text,
        purpose -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    invitations (id) {
        id -> Text,
        organisation_id -> Text,
        email -> Text,
        organisation_role -> Text,
        invited_by -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    signing_keys (kid) {
        kid -> Text,
        slot -> Nullable<Text>,
        secret -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(users -> organisations (organisation_id));
diesel::joinable!(organisations -> countries (country));
diesel::joinable!(invitations -> organisations (organisation_id));

diesel::table! {
    pledges (id) {
        id -> Text,
        organisation_id -> Text,
        created_by -> Text,
        status -> Text,
        version -> Integer,
        pledge_type -> Text,
        value_usd -> Nullable<BigInt>,
        start_date -> Nullable<Date>,
        end_date -> Nullable<Date>,
        targets_global -> Bool,
        ldc -> Bool,
        lldc -> Bool,
        sids -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        submitted_at -> Nullable<Timestamp>,
        published_at -> Nullable<Timestamp>,
        content -> Text,
        withdrawn_at -> Nullable<Timestamp>,
        entered_by -> Nullable<Text>,
        source -> Nullable<Text>,
        confirmed_at -> Nullable<Timestamp>,
        external_ref -> Nullable<Text>,
        reveal_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    imports (id) {
        id -> Text,
        created_by -> Text,
        publish -> Bool,
        status -> Text,
        rows_done -> BigInt,
        created -> BigInt,
        skipped -> BigInt,
        errors -> BigInt,
        problems -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    moderator_digests (user_id, day) {
        user_id -> Text,
        day -> Date,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    lifecycle_notices (pledge_id, kind, year) {
        pledge_id -> Text,
        kind -> Text,
        year -> Integer,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    pledge_facets (pledge_id, facet, value) {
        pledge_id -> Text,
        facet -> Text,
        value -> Text,
        status -> Text,
    }
}

diesel::table! {
    pledge_events (id) {
        id -> Text,
        pledge_id -> Text,
        actor_id -> Text,
        actor_role -> Text,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        reason -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        changes -> Nullable<Text>,
    }
}

diesel::table! {
    pledge_amendments (id) {
        id -> Text,
        pledge_id -> Text,
        status -> Text,
        content -> Text,
        proposed_by -> Text,
        proposed_at -> Timestamp,
        updated_at -> Timestamp,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    moderator_tracks (user_id, track) {
        user_id -> Text,
        track -> Text,
    }
}

diesel::table! {
    idempotency_keys (user_id, idempotency_key) {
        user_id -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        response_status -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(pledges -> organisations (organisation_id));
diesel::joinable!(pledge_events -> users (actor_id));
diesel::joinable!(pledge_amendments -> pledges (pledge_id));

diesel::table! {
    counter_refs (scope, key, kind) {
        scope -> Text,
        kind -> Text,
        key -> Text,
        pledges -> BigInt,
    }
}

diesel::table! {
    counter_days (scope, day) {
        scope -> Text,
        day -> Date,
        state -> Text,
        history_starts -> Bool,
    }
}

diesel::table! {
    annual_packs (year) {
        year -> Integer,
        generated_at -> Timestamp,
        body -> Text,
    }
}

diesel::table! {
    counter_scopes (scope) {
        scope -> Text,
        version -> BigInt,
        state -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    progress_reports (id) {
        id -> Text,
        pledge_id -> Text,
        year -> Integer,
        implementation_status -> Text,
        narrative -> Text,
        usd_disbursed -> BigInt,
        people_reached -> Nullable<BigInt>,
        reported_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        review -> Text,
        deliverable_values -> Text,
        is_final -> Bool,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamp>,
        return_reason -> Nullable<Text>,
    }
}

diesel::table! {
    report_reminders (pledge_id, year) {
        pledge_id -> Text,
        year -> Integer,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    readiness_probes (instance) {
        instance -> Text,
        checked_at -> Timestamp,
    }
}

diesel::table! {
    goal_sets (scope) {
        scope -> Text,
        revision -> BigInt,
        goals -> Text,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    screen_links (id) {
        id -> Text,
        scope -> Text,
        label -> Text,
        secret_hash -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    sdgs,
    focus_areas,
    pillars,
    countries,
    tracks,
    outbox,
    organisations,
    users,
    refresh_tokens,
    user_tokens,
    invitations,
    signing_keys,
    pledges,
    pledge_facets,
    pledge_events,
    pledge_amendments,
    moderator_tracks,
    idempotency_keys,
    counter_refs,
    counter_scopes,
    counter_days,
    annual_packs,
    progress_reports,
    report_reminders,
    lifecycle_notices,
    moderator_digests,
    goal_sets,
    screen_links,
    imports,
);
