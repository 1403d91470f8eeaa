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
    }
}

diesel::joinable!(pillars -> focus_areas (focus_area));
diesel::allow_tables_to_appear_in_same_query!(
    sdgs,
    focus_areas,
    pillars,
    countries,
    tracks,
    outbox
);

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
