//! Search over stored lower-case text with LIKE, the same on SQLite and PostgreSQL.

/// Escapes LIKE wildcards so a search for "50%" finds "50%".
pub(crate) fn like_pattern(term: &str) -> String {
    let escaped = term
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}
