// Kept by hand: one description of both backends' tables (see migrations/sqlite and
// migrations/postgres, which must stay identical in shape).

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        display_name -> Text,
        password_hash -> Text,
        role -> Text,
        tier -> Nullable<Text>,
        skills -> Text,
        time_zone -> Text,
        active -> Bool,
        must_change_password -> Bool,
        session_version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    login_failures (id) {
        id -> BigInt,
        throttle_key -> Text,
        failed_at -> Timestamp,
    }
}

diesel::table! {
    clients (id) {
        id -> BigInt,
        name -> Text,
        name_key -> Text,
        code -> Text,
        notes -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    contacts (id) {
        id -> BigInt,
        client_id -> BigInt,
        name -> Text,
        email -> Text,
        phone -> Text,
        job_title -> Text,
        verification_secret_hash -> Nullable<Text>,
        notes -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        actor_id -> Nullable<BigInt>,
        entity -> Text,
        entity_id -> BigInt,
        action -> Text,
        detail -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(contacts -> clients (client_id));
diesel::joinable!(audit_events -> users (actor_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    login_failures,
    clients,
    contacts,
    audit_events
);
