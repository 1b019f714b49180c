//! Names of people or categories by id, read in one query for a page, a list or a timeline
//! line, so nobody looks them up one row at a time.

use std::collections::HashMap;

/// Display names by id. A missing id (none chosen, or deleted since) has no name, and each
/// caller says what to show instead ("nobody", "none").
#[derive(Clone, Debug, Default)]
pub struct Names(HashMap<i64, String>);

impl Names {
    pub fn of(&self, id: impl Into<Option<i64>>) -> Option<&str> {
        id.into().and_then(|id| self.0.get(&id)).map(String::as_str)
    }
}

impl FromIterator<(i64, String)> for Names {
    fn from_iter<I: IntoIterator<Item = (i64, String)>>(pairs: I) -> Self {
        Names(pairs.into_iter().collect())
    }
}

/// The ids worth asking for: the ones that are set.
pub(crate) fn wanted(ids: &[Option<i64>]) -> Vec<i64> {
    ids.iter().flatten().copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_found_by_a_bare_or_an_optional_id() {
        let names: Names = [(7, "Ada".to_string())].into_iter().collect();
        assert_eq!(names.of(7), Some("Ada"));
        assert_eq!(names.of(Some(7)), Some("Ada"));
        assert_eq!(names.of(8), None);
        assert_eq!(names.of(None), None);
    }
}
