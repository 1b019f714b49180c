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
        away -> Bool,
        must_change_password -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        one_time_password_expires_at -> Nullable<Timestamp>,
        version -> BigInt,
    }
}

diesel::table! {
    identity_checks (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        method -> Text,
        checked_by -> Nullable<BigInt>,
        checked_at -> Timestamp,
        detail -> Text,
    }
}

diesel::table! {
    staff_sessions (token_hash) {
        token_hash -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
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
    calendars (id) {
        id -> BigInt,
        name -> Text,
        time_zone -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    calendar_intervals (id) {
        id -> BigInt,
        calendar_id -> BigInt,
        weekday -> Integer,
        start_minute -> Integer,
        end_minute -> Integer,
    }
}

diesel::table! {
    calendar_holidays (id) {
        id -> BigInt,
        calendar_id -> BigInt,
        holiday_date -> Date,
        name -> Text,
    }
}

diesel::table! {
    sla_policies (id) {
        id -> BigInt,
        name -> Text,
        due_soon_percent -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    sla_targets (id) {
        id -> BigInt,
        policy_id -> BigInt,
        priority -> Text,
        response_minutes -> Integer,
        resolution_minutes -> Integer,
        clock_mode -> Text,
        kind -> Text,
    }
}

diesel::table! {
    priority_matrix (id) {
        id -> BigInt,
        impact -> Text,
        urgency -> Text,
        priority -> Text,
    }
}

diesel::table! {
    clients (id) {
        id -> BigInt,
        name -> Text,
        name_key -> Text,
        code -> Text,
        notes -> Text,
        calendar_id -> BigInt,
        sla_policy_id -> BigInt,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        mail_domains -> Text,
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
        risk_contact -> Bool,
        version -> BigInt,
        identity_validated -> Bool,
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

diesel::table! {
    categories (id) {
        id -> BigInt,
        parent_id -> Nullable<BigInt>,
        name -> Text,
        common_low_complexity -> Bool,
        active -> Bool,
        sensitive -> Bool,
    }
}

diesel::table! {
    tickets (id) {
        id -> BigInt,
        kind -> Text,
        client_id -> BigInt,
        contact_id -> BigInt,
        subject -> Text,
        description -> Text,
        channel -> Text,
        identity_check -> Text,
        status -> Text,
        impact -> Text,
        urgency -> Text,
        priority -> Text,
        category_id -> Nullable<BigInt>,
        subcategory_id -> Nullable<BigInt>,
        affected_service -> Text,
        triaged_at -> Nullable<Timestamp>,
        tier -> Nullable<Text>,
        owner_id -> Nullable<BigInt>,
        worker_id -> Nullable<BigInt>,
        response_due_at -> Nullable<Timestamp>,
        responded_at -> Nullable<Timestamp>,
        resolution_due_at -> Nullable<Timestamp>,
        solved_at -> Nullable<Timestamp>,
        solution -> Nullable<Text>,
        closed_at -> Nullable<Timestamp>,
        reopen_count -> Integer,
        duplicate_of -> Nullable<BigInt>,
        search_text -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        request_approved_by -> Nullable<BigInt>,
        request_approved_at -> Nullable<Timestamp>,
        response_business_minutes -> Nullable<Integer>,
        resolution_business_minutes -> Nullable<Integer>,
        follow_up_of -> Nullable<BigInt>,
        /// Generated by the database from `status` (migration 000500): never written.
        queue_open -> Bool,
        /// Generated from `status`: waiting on the client, a vendor or parts.
        queue_pending -> Bool,
        /// Generated from the due times: the clock due first, 9999-12-31 when there is none.
        next_due_at -> Timestamp,
    }
}

diesel::table! {
    ticket_events (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        actor_id -> Nullable<BigInt>,
        kind -> Text,
        client_visible -> Bool,
        body -> Text,
        detail -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        kind -> Text,
        to_address -> Text,
        to_name -> Text,
        reply_to -> Nullable<Text>,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        message_id -> Text,
        thread_key -> Nullable<Text>,
        in_reply_to -> Nullable<Text>,
        reference_ids -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    client_links (id) {
        id -> BigInt,
        token_hash -> Text,
        purpose -> Text,
        subject_kind -> Text,
        subject_id -> BigInt,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ticket_pauses (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        reason -> Text,
        started_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    ticket_attachments (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        filename -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        data -> Binary,
        uploaded_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    kb_articles (id) {
        id -> BigInt,
        title -> Text,
        body -> Text,
        ticket_id -> Nullable<BigInt>,
        category_id -> Nullable<BigInt>,
        search_text -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        status -> Text,
        version -> BigInt,
        updated_by -> Nullable<BigInt>,
        problem_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    surveys (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        rating -> Nullable<Integer>,
        comment -> Text,
        answered_at -> Nullable<Timestamp>,
        flagged -> Bool,
        flag_notified_at -> Nullable<Timestamp>,
        followed_up_at -> Nullable<Timestamp>,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    escalation_levels (id) {
        id -> BigInt,
        position -> Integer,
        name -> Text,
        tier -> Nullable<Text>,
        decision_point -> Bool,
        budget_p1 -> Nullable<Integer>,
        budget_p2 -> Nullable<Integer>,
        budget_p3 -> Nullable<Integer>,
        default_owner_id -> Nullable<BigInt>,
        version -> BigInt,
    }
}

diesel::table! {
    escalation_suggestions (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        survey_id -> BigInt,
        reason -> Text,
        summary -> Text,
        status -> Text,
        created_at -> Timestamp,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        note -> Text,
    }
}

diesel::table! {
    escalation_severity_rules (priority) {
        priority -> Text,
        min_level_id -> BigInt,
        notify_manager -> Bool,
    }
}

diesel::table! {
    ticket_levels (ticket_id) {
        ticket_id -> BigInt,
        level_id -> BigInt,
        entered_at -> Timestamp,
    }
}

diesel::table! {
    escalations (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        from_level_id -> Nullable<BigInt>,
        to_level_id -> BigInt,
        reason -> Text,
        explanation -> Text,
        trigger_kind -> Text,
        actor_id -> Nullable<BigInt>,
        owner_id -> Nullable<BigInt>,
        vendor -> Text,
        vendor_reference -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    approvals (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        kind -> Text,
        status -> Text,
        what -> Text,
        why -> Text,
        impact -> Text,
        risk -> Text,
        rollback_plan -> Text,
        planned_window -> Text,
        to_level_id -> Nullable<BigInt>,
        owner_id -> Nullable<BigInt>,
        reason -> Text,
        requested_by -> BigInt,
        requested_at -> Timestamp,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        decision_comment -> Text,
        acknowledged_by -> Nullable<BigInt>,
        acknowledged_at -> Nullable<Timestamp>,
        acknowledgement -> Text,
    }
}

diesel::table! {
    work_reviews (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        reviewed_by -> BigInt,
        reviewed_at -> Timestamp,
        status_before -> Text,
        status_after -> Text,
        category_before -> Nullable<BigInt>,
        category_after -> Nullable<BigInt>,
    }
}

diesel::table! {
    client_decisions (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        offered -> Text,
        offered_by -> BigInt,
        offered_at -> Timestamp,
        answer -> Text,
        answered_on -> Nullable<Date>,
        answered_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    client_access (id) {
        id -> BigInt,
        client_id -> BigInt,
        user_id -> BigInt,
    }
}

diesel::table! {
    client_systems (id) {
        id -> BigInt,
        client_id -> BigInt,
        name -> Text,
        name_key -> Text,
    }
}

diesel::table! {
    system_access (id) {
        id -> BigInt,
        system_id -> BigInt,
        user_id -> BigInt,
    }
}

diesel::table! {
    absences (id) {
        id -> BigInt,
        user_id -> BigInt,
        first_day -> Date,
        last_day -> Date,
        note -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    client_account_managers (id) {
        id -> BigInt,
        client_id -> BigInt,
        user_id -> BigInt,
    }
}

diesel::table! {
    problems (id) {
        id -> BigInt,
        subject -> Text,
        description -> Text,
        business_impact -> Text,
        symptoms -> Text,
        service_details -> Text,
        equipment_details -> Text,
        previous_fixes -> Text,
        occurred_at -> Nullable<Timestamp>,
        client_id -> Nullable<BigInt>,
        category_id -> Nullable<BigInt>,
        team -> Text,
        owner_id -> BigInt,
        status -> Text,
        impact -> Text,
        urgency -> Text,
        priority -> Text,
        root_cause -> Text,
        workaround -> Text,
        permanent_solution -> Text,
        investigating_at -> Nullable<Timestamp>,
        root_cause_at -> Nullable<Timestamp>,
        known_error_at -> Nullable<Timestamp>,
        fix_in_change_at -> Nullable<Timestamp>,
        resolved_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        archived_at -> Nullable<Timestamp>,
        created_by -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    problem_incidents (ticket_id) {
        problem_id -> BigInt,
        ticket_id -> BigInt,
        linked_by -> BigInt,
        linked_at -> Timestamp,
    }
}

diesel::table! {
    problem_events (id) {
        id -> BigInt,
        problem_id -> BigInt,
        actor_id -> Nullable<BigInt>,
        kind -> Text,
        body -> Text,
        detail -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    problem_rfcs (id) {
        id -> BigInt,
        problem_id -> BigInt,
        status -> Text,
        what -> Text,
        why -> Text,
        risk -> Text,
        rollback_plan -> Text,
        planned_window -> Text,
        requested_by -> BigInt,
        requested_at -> Timestamp,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        decision_comment -> Text,
    }
}

diesel::table! {
    problem_reviews (problem_id) {
        problem_id -> BigInt,
        participants -> Text,
        went_well -> Text,
        went_wrong -> Text,
        do_better -> Text,
        prevention -> Text,
        third_party -> Text,
        outcomes -> Text,
        decision -> Text,
        reviewed_by -> BigInt,
        reviewed_at -> Timestamp,
    }
}

diesel::table! {
    problem_detection (id) {
        id -> BigInt,
        threshold -> Integer,
        window_days -> Integer,
        updated_by -> Nullable<BigInt>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    problem_suggestions (id) {
        id -> BigInt,
        signature -> Text,
        signal -> Text,
        reason -> Text,
        client_id -> Nullable<BigInt>,
        category_id -> Nullable<BigInt>,
        ticket_ids -> Text,
        status -> Text,
        found_at -> Timestamp,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        dismiss_reason -> Text,
        problem_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    known_errors (id) {
        id -> BigInt,
        title -> Text,
        symptoms -> Text,
        cause -> Text,
        workaround -> Text,
        category_id -> Nullable<BigInt>,
        problem_id -> Nullable<BigInt>,
        status -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
        updated_by -> BigInt,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    known_error_applications (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        known_error_id -> BigInt,
        applied_by -> BigInt,
        applied_at -> Timestamp,
    }
}

diesel::table! {
    kb_article_versions (id) {
        id -> BigInt,
        article_id -> BigInt,
        version -> BigInt,
        title -> Text,
        body -> Text,
        status -> Text,
        edited_by -> Nullable<BigInt>,
        edited_at -> Timestamp,
    }
}

diesel::table! {
    risk_matrix (likelihood, consequence) {
        likelihood -> Integer,
        consequence -> Integer,
        level -> Text,
    }
}

diesel::table! {
    risk_settings (id) {
        id -> BigInt,
        managed_days -> Integer,
        monitored_days -> Integer,
        observed_days -> Integer,
        acceptance_days -> Integer,
    }
}

diesel::table! {
    assets (id) {
        id -> BigInt,
        client_id -> BigInt,
        name -> Text,
        description -> Text,
        warranty_end -> Nullable<Date>,
        end_of_support -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    risk_templates (id) {
        id -> BigInt,
        title -> Text,
        vulnerability -> Text,
        threat -> Text,
        position -> Integer,
        active -> Bool,
    }
}

diesel::table! {
    risk_walkthroughs (id) {
        id -> BigInt,
        client_id -> BigInt,
        started_by -> BigInt,
        started_at -> Timestamp,
        updated_at -> Timestamp,
        step -> Text,
        threats -> Text,
        measures_existing -> Text,
        measures_planned -> Text,
        vulnerabilities -> Text,
        consequences -> Text,
        business_processes -> Text,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    risk_walkthrough_ticks (id) {
        id -> BigInt,
        walkthrough_id -> BigInt,
        template_id -> BigInt,
        asset_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    risks (id) {
        id -> BigInt,
        client_id -> BigInt,
        walkthrough_id -> Nullable<BigInt>,
        ticket_id -> Nullable<BigInt>,
        title -> Text,
        asset_id -> Nullable<BigInt>,
        vulnerability -> Text,
        cause -> Text,
        source -> Text,
        status -> Text,
        owner_id -> Nullable<BigInt>,
        inherent_likelihood -> Nullable<Integer>,
        inherent_consequence -> Nullable<Integer>,
        inherent_level -> Nullable<Text>,
        residual_likelihood -> Nullable<Integer>,
        residual_consequence -> Nullable<Integer>,
        residual_level -> Nullable<Text>,
        classification -> Nullable<Text>,
        tolerance -> Nullable<Text>,
        decision_reason -> Text,
        current_treatment_id -> Nullable<BigInt>,
        acknowledged_at -> Nullable<Timestamp>,
        acknowledged_by -> Nullable<BigInt>,
        review_on -> Nullable<Date>,
        review_reminded_on -> Nullable<Date>,
        version -> Integer,
        created_by -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    risk_treatments (id) {
        id -> BigInt,
        risk_id -> BigInt,
        options -> Text,
        summary -> Text,
        decided_by -> BigInt,
        decided_at -> Timestamp,
        acceptance -> Text,
        answered_at -> Nullable<Timestamp>,
        answered_by -> Nullable<BigInt>,
        answer_comment -> Text,
        reminded_at -> Nullable<Timestamp>,
        owner_flagged_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    risk_controls (id) {
        id -> BigInt,
        risk_id -> BigInt,
        kind -> Text,
        what -> Text,
        owner_id -> BigInt,
        state -> Text,
        ticket_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    risk_milestones (id) {
        id -> BigInt,
        risk_id -> BigInt,
        kind -> Text,
        due_on -> Date,
        note -> Text,
        asset_id -> Nullable<BigInt>,
        reminded_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    risk_link_recipients (link_id) {
        link_id -> BigInt,
        contact_id -> BigInt,
        treatment_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    risk_history (id) {
        id -> BigInt,
        risk_id -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        contact_id -> Nullable<BigInt>,
        what -> Text,
        change -> Text,
        reason -> Text,
    }
}

diesel::table! {
    hosted_services (id) {
        id -> BigInt,
        client_id -> BigInt,
        name -> Text,
        covers -> Text,
        guarantee_thousandths -> Integer,
        contract_start -> Date,
        effective_rule -> Text,
        effective_after_days -> Nullable<Integer>,
        signed_off_on -> Nullable<Date>,
        signed_off_by -> Nullable<BigInt>,
        signed_off_at -> Nullable<Timestamp>,
        planned_counts -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    outages (id) {
        id -> BigInt,
        service_id -> BigInt,
        started_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        planned -> Bool,
        note -> Text,
        opened_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    outage_incidents (outage_id, ticket_id) {
        outage_id -> BigInt,
        ticket_id -> BigInt,
    }
}

diesel::table! {
    service_report_sends (id) {
        id -> BigInt,
        client_id -> BigInt,
        month -> Text,
        sent_by -> BigInt,
        sent_at -> Timestamp,
        recipients -> Text,
        note -> Text,
    }
}

diesel::table! {
    inbound_messages (id) {
        id -> BigInt,
        dedup_key -> Text,
        message_id -> Text,
        source -> Text,
        raw -> Binary,
        size_bytes -> BigInt,
        from_address -> Text,
        from_name -> Text,
        subject -> Text,
        author -> Text,
        state -> Text,
        reason -> Text,
        ticket_id -> Nullable<BigInt>,
        contact_id -> Nullable<BigInt>,
        acknowledged -> Bool,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        received_at -> Timestamp,
        processed_at -> Nullable<Timestamp>,
        handled_by -> Nullable<BigInt>,
    }
}

diesel::joinable!(contacts -> clients (client_id));
diesel::joinable!(surveys -> tickets (ticket_id));
diesel::joinable!(clients -> calendars (calendar_id));
diesel::joinable!(clients -> sla_policies (sla_policy_id));
diesel::joinable!(calendar_intervals -> calendars (calendar_id));
diesel::joinable!(calendar_holidays -> calendars (calendar_id));
diesel::joinable!(sla_targets -> sla_policies (policy_id));
diesel::joinable!(audit_events -> users (actor_id));
diesel::joinable!(staff_sessions -> users (user_id));
diesel::joinable!(identity_checks -> tickets (ticket_id));
diesel::joinable!(inbound_messages -> tickets (ticket_id));
diesel::joinable!(inbound_messages -> contacts (contact_id));
diesel::joinable!(identity_checks -> users (checked_by));
diesel::joinable!(tickets -> clients (client_id));
diesel::joinable!(tickets -> contacts (contact_id));
diesel::joinable!(ticket_events -> tickets (ticket_id));
diesel::joinable!(ticket_events -> users (actor_id));
diesel::joinable!(ticket_pauses -> tickets (ticket_id));
diesel::joinable!(kb_articles -> tickets (ticket_id));
diesel::joinable!(ticket_attachments -> tickets (ticket_id));
diesel::joinable!(ticket_levels -> escalation_levels (level_id));
diesel::joinable!(ticket_levels -> tickets (ticket_id));
diesel::joinable!(approvals -> tickets (ticket_id));
diesel::joinable!(client_access -> clients (client_id));
diesel::joinable!(client_access -> users (user_id));
diesel::joinable!(client_systems -> clients (client_id));
diesel::joinable!(system_access -> client_systems (system_id));
diesel::joinable!(system_access -> users (user_id));
diesel::joinable!(absences -> users (user_id));
diesel::joinable!(client_account_managers -> clients (client_id));
diesel::joinable!(client_account_managers -> users (user_id));
diesel::joinable!(work_reviews -> tickets (ticket_id));
diesel::joinable!(escalation_suggestions -> tickets (ticket_id));
diesel::joinable!(escalation_suggestions -> surveys (survey_id));
diesel::joinable!(problem_incidents -> problems (problem_id));
diesel::joinable!(problem_incidents -> tickets (ticket_id));
diesel::joinable!(problem_events -> problems (problem_id));
diesel::joinable!(problem_rfcs -> problems (problem_id));

diesel::joinable!(known_errors -> categories (category_id));
diesel::joinable!(known_error_applications -> tickets (ticket_id));
diesel::joinable!(known_error_applications -> known_errors (known_error_id));
diesel::joinable!(kb_article_versions -> kb_articles (article_id));
diesel::joinable!(assets -> clients (client_id));
diesel::joinable!(risk_walkthroughs -> clients (client_id));
diesel::joinable!(risk_walkthrough_ticks -> risk_walkthroughs (walkthrough_id));
diesel::joinable!(risk_walkthrough_ticks -> risk_templates (template_id));
diesel::joinable!(risks -> clients (client_id));
diesel::joinable!(risks -> assets (asset_id));
diesel::joinable!(risk_treatments -> risks (risk_id));
diesel::joinable!(risk_controls -> risks (risk_id));
diesel::joinable!(risk_controls -> users (owner_id));
diesel::joinable!(risk_milestones -> risks (risk_id));
diesel::joinable!(risk_history -> risks (risk_id));
diesel::joinable!(hosted_services -> clients (client_id));
diesel::joinable!(outages -> hosted_services (service_id));
diesel::joinable!(outage_incidents -> outages (outage_id));
diesel::joinable!(outage_incidents -> tickets (ticket_id));
diesel::joinable!(service_report_sends -> clients (client_id));
diesel::joinable!(service_report_sends -> users (sent_by));
diesel::joinable!(risk_controls -> tickets (ticket_id));
diesel::joinable!(escalations -> tickets (ticket_id));
diesel::table! {
    /// Kept by triggers on `known_errors` (migration 000570); read, never written, by the app.
    known_error_generation (id) {
        id -> Integer,
        generation -> BigInt,
    }
}

diesel::table! {
    /// Kept by triggers on `tickets` (migration 000510); read, never written, by the app.
    ticket_counts (kind, status, worker_id) {
        kind -> Text,
        status -> Text,
        worker_id -> BigInt,
        n -> BigInt,
    }
}

diesel::table! {
    /// Kept by triggers on `tickets` (migration 000510): tickets solved per category, day and
    /// owner.
    solved_counts (category_id, day, owner_id) {
        category_id -> BigInt,
        day -> Timestamp,
        owner_id -> BigInt,
        n -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    inbound_messages,
    users,
    staff_sessions,
    identity_checks,
    work_reviews,
    login_failures,
    calendars,
    calendar_intervals,
    calendar_holidays,
    sla_policies,
    sla_targets,
    priority_matrix,
    clients,
    contacts,
    audit_events,
    categories,
    tickets,
    ticket_counts,
    solved_counts,
    ticket_events,
    ticket_pauses,
    kb_articles,
    ticket_attachments,
    outbox,
    client_links,
    surveys,
    escalation_levels,
    escalation_severity_rules,
    ticket_levels,
    escalations,
    approvals,
    client_decisions,
    client_access,
    client_systems,
    system_access,
    absences,
    client_account_managers,
    escalation_suggestions,
    problems,
    problem_incidents,
    problem_events,
    problem_rfcs,
    problem_reviews,
    problem_detection,
    problem_suggestions,
    known_errors,
    known_error_applications,
    kb_article_versions,
    risk_matrix,
    risk_settings,
    assets,
    risk_templates,
    risk_walkthroughs,
    risk_walkthrough_ticks,
    risks,
    risk_treatments,
    risk_controls,
    risk_milestones,
    risk_history,
    risk_link_recipients,
    hosted_services,
    outages,
    outage_incidents,
    service_report_sends,
    api_token_windows,
    api_tokens,
    alert_sources,
    alert_threads,
    alerts,
);

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        scope -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        revoked_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    api_token_windows (token_id) {
        token_id -> BigInt,
        window_start -> Timestamp,
        requests -> BigInt,
    }
}

diesel::table! {
    alert_sources (id) {
        id -> BigInt,
        source_pattern -> Text,
        host_pattern -> Text,
        client_id -> BigInt,
        contact_id -> BigInt,
        critical_impact -> Text,
        critical_urgency -> Text,
        warning_impact -> Text,
        warning_urgency -> Text,
        info_impact -> Text,
        info_urgency -> Text,
        solve_on_recovery -> Bool,
        flap_minutes -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    alert_threads (id) {
        id -> BigInt,
        dedup_key -> Text,
        ticket_id -> BigInt,
        firing_count -> BigInt,
        recovered_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    alerts (id) {
        id -> BigInt,
        received_at -> Timestamp,
        token_id -> Nullable<BigInt>,
        source -> Text,
        host -> Text,
        check_name -> Text,
        severity -> Text,
        state -> Text,
        dedup_key -> Text,
        message -> Text,
        client_code -> Text,
        outcome -> Text,
        ticket_id -> Nullable<BigInt>,
    }
}

diesel::joinable!(api_token_windows -> api_tokens (token_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(alert_sources -> clients (client_id));
diesel::joinable!(alert_threads -> tickets (ticket_id));
