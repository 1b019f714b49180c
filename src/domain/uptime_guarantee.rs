//! An uptime guarantee as a percentage below 100, kept in thousandths of a percent so a
//! month's allowance is exact.

/// 100 % in thousandths of a percent.
pub const FULL: u32 = 100_000;

/// A guarantee in thousandths of a percent (99.9 % is 99_900), below 100 %.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Guarantee(u32);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuaranteeError {
    NotANumber,
    OutOfRange,
    TooPrecise,
}

impl std::fmt::Display for GuaranteeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            GuaranteeError::NotANumber => "Enter a percentage such as 99.9.",
            GuaranteeError::OutOfRange => "Enter a percentage from 90 up to (not including) 100.",
            GuaranteeError::TooPrecise => "Use at most three decimals.",
        })
    }
}

impl Guarantee {
    /// Below 90 % a "guarantee" allows three days down a month: almost surely a typo.
    pub const MIN: u32 = 90_000;

    /// Parses "99.9", "99.95 %", "99,9".
    pub fn parse(text: &str) -> Result<Self, GuaranteeError> {
        let cleaned = text.trim().trim_end_matches('%').trim().replace(',', ".");
        let (whole, frac) = match cleaned.split_once('.') {
            Some((w, f)) => (w, f),
            None => (cleaned.as_str(), ""),
        };
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(GuaranteeError::NotANumber);
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(GuaranteeError::NotANumber);
        }
        if frac.len() > 3 {
            return Err(GuaranteeError::TooPrecise);
        }
        let whole: u32 = whole.parse().map_err(|_| GuaranteeError::OutOfRange)?;
        let frac_padded = format!("{frac:0<3}");
        let frac: u32 = frac_padded
            .parse()
            .map_err(|_| GuaranteeError::NotANumber)?;
        let value = whole
            .checked_mul(1000)
            .and_then(|w| w.checked_add(frac))
            .ok_or(GuaranteeError::OutOfRange)?;
        Self::from_thousandths(value)
    }

    pub fn from_thousandths(value: u32) -> Result<Self, GuaranteeError> {
        if (Self::MIN..FULL).contains(&value) {
            Ok(Guarantee(value))
        } else {
            Err(GuaranteeError::OutOfRange)
        }
    }

    pub fn thousandths(self) -> u32 {
        self.0
    }

    /// "99.9 %", "99.95 %".
    pub fn label(self) -> String {
        format!("{} %", percent_text(self.0, false))
    }
}

/// Thousandths of a percent as text: all three decimals when `fixed`, else trimmed.
pub fn percent_text(thousandths: u32, fixed: bool) -> String {
    let text = format!("{}.{:03}", thousandths / 1000, thousandths % 1000);
    if fixed {
        text
    } else {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn g(text: &str) -> Guarantee {
        Guarantee::parse(text).unwrap()
    }

    #[test]
    fn guarantees_parse_from_what_people_type() {
        let cases: &[(&str, Result<u32, GuaranteeError>)] = &[
            ("99.9", Ok(99_900)),
            ("99,95 %", Ok(99_950)),
            ("99.999", Ok(99_999)),
            ("90", Ok(90_000)),
            ("100", Err(GuaranteeError::OutOfRange)),
            ("89.999", Err(GuaranteeError::OutOfRange)),
            ("99.9999", Err(GuaranteeError::TooPrecise)),
            ("", Err(GuaranteeError::NotANumber)),
            ("ninety", Err(GuaranteeError::NotANumber)),
            ("-99", Err(GuaranteeError::NotANumber)),
        ];
        for (text, want) in cases {
            assert_eq!(
                Guarantee::parse(text).map(Guarantee::thousandths),
                *want,
                "{text}"
            );
        }
        assert_eq!(g("99.90").label(), "99.9 %");
    }
}
