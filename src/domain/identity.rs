//! Whether the identity check a technician records is one that checks anything. A validated
//! identity unlocks sensitive changes, so "validated by PIN" must mean a PIN was compared,
//! "call-back" a call to the number on file, and "known e-mail" a message from the address on
//! file.

use super::ticket::{Channel, IdentityCheck};

/// What the desk holds about the requester.
#[derive(Clone, Copy, Debug)]
pub struct OnFile<'a> {
    pub name: &'a str,
    /// False for a contact added during this call: nothing of theirs is on file yet.
    pub known: bool,
    pub has_pin: bool,
    pub phone: &'a str,
    pub email: &'a str,
}

/// What remains to be verified once the claim passes the rules, and the detail the ticket
/// keeps ("called back +44 20 7946 0000").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// Nothing further to check.
    Accepted { detail: String },
    /// The PIN the caller read back, to compare with the stored hash.
    PinToCompare { pin: String },
}

/// The digits of a phone number, with a leading `+` kept: "+44 (0)20 7946-0000" and
/// "+44 020 79460000" compare by these.
fn dial_digits(number: &str) -> String {
    let trimmed = number.trim();
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if trimmed.starts_with('+') {
        format!("+{digits}")
    } else {
        digits
    }
}

/// Checks a claimed identity method against the facts on file. `evidence` is the PIN the
/// caller read back, or the number the technician called; other methods take an optional
/// note.
pub fn check_claim(
    method: IdentityCheck,
    channel: Channel,
    on_file: &OnFile<'_>,
    evidence: &str,
) -> Result<Claim, String> {
    let evidence = evidence.trim();
    match method {
        IdentityCheck::NotValidated => Ok(Claim::Accepted {
            detail: String::new(),
        }),
        IdentityCheck::InPerson => Ok(Claim::Accepted {
            detail: evidence.to_string(),
        }),
        IdentityCheck::KnownEmail => {
            if channel != Channel::Email {
                Err("Known e-mail applies only to a request that came by e-mail; choose how this caller was checked.".into())
            } else if !on_file.known {
                Err(
                    "A new contact's address is not known to the desk yet: validate another way."
                        .into(),
                )
            } else {
                Ok(Claim::Accepted {
                    detail: format!("came from {}, the address on file", on_file.email),
                })
            }
        }
        IdentityCheck::Pin => {
            if !on_file.known || !on_file.has_pin {
                Err(format!(
                    "{} has no PIN on file: validate another way, or ask a manager to set one.",
                    on_file.name
                ))
            } else if evidence.is_empty() {
                Err("Type the PIN the caller read back.".into())
            } else {
                Ok(Claim::PinToCompare {
                    pin: evidence.to_string(),
                })
            }
        }
        IdentityCheck::CallBack => {
            if !on_file.known || on_file.phone.trim().is_empty() {
                Err(format!(
                    "There is no phone number on file for {} to call back: validate another way.",
                    on_file.name
                ))
            } else if evidence.is_empty() {
                Err("Type the number you called back.".into())
            } else if dial_digits(evidence) != dial_digits(on_file.phone) {
                Err(format!(
                    "That is not the number on file ({}): call back the number on file.",
                    on_file.phone
                ))
            } else {
                Ok(Claim::Accepted {
                    detail: format!("called back {}", on_file.phone),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: OnFile<'static> = OnFile {
        name: "Dana Diaz",
        known: true,
        has_pin: true,
        phone: "+44 20 7946 0000",
        email: "dana@northwind.example",
    };

    fn without_pin() -> OnFile<'static> {
        OnFile {
            has_pin: false,
            ..KNOWN
        }
    }

    fn new_contact() -> OnFile<'static> {
        OnFile {
            known: false,
            has_pin: false,
            ..KNOWN
        }
    }

    fn accepted(detail: &str) -> Result<Claim, String> {
        Ok(Claim::Accepted {
            detail: detail.into(),
        })
    }

    #[test]
    fn each_method_checks_what_it_claims() {
        use Channel::{Email, Phone};
        use IdentityCheck::*;
        type Case<'a> = (
            &'a str,
            IdentityCheck,
            Channel,
            OnFile<'a>,
            &'a str,
            Result<Claim, String>,
        );
        let cases: Vec<Case> = vec![
            ("not validated needs nothing", NotValidated, Phone, new_contact(), "", accepted("")),
            ("in person keeps its note", InPerson, Phone, KNOWN, " badge seen ", accepted("badge seen")),
            ("PIN to compare", Pin, Phone, KNOWN, " 4711 ", Ok(Claim::PinToCompare { pin: "4711".into() })),
            ("PIN typed empty", Pin, Phone, KNOWN, "  ", Err("Type the PIN the caller read back.".into())),
            (
                "PIN for a contact without one",
                Pin,
                Phone,
                without_pin(),
                "4711",
                Err("Dana Diaz has no PIN on file: validate another way, or ask a manager to set one.".into()),
            ),
            (
                "PIN for someone new",
                Pin,
                Phone,
                new_contact(),
                "4711",
                Err("Dana Diaz has no PIN on file: validate another way, or ask a manager to set one.".into()),
            ),
            ("call-back, same number written differently", CallBack, Phone, KNOWN, "+44 (20) 7946-0000", accepted("called back +44 20 7946 0000")),
            (
                "call-back to another number",
                CallBack,
                Phone,
                KNOWN,
                "+44 20 7946 0001",
                Err("That is not the number on file (+44 20 7946 0000): call back the number on file.".into()),
            ),
            (
                "call-back without the leading plus is another number",
                CallBack,
                Phone,
                KNOWN,
                "44 20 7946 0000",
                Err("That is not the number on file (+44 20 7946 0000): call back the number on file.".into()),
            ),
            ("call-back with no number typed", CallBack, Phone, KNOWN, "", Err("Type the number you called back.".into())),
            (
                "call-back to someone new",
                CallBack,
                Phone,
                new_contact(),
                "+44 20 7946 0000",
                Err("There is no phone number on file for Dana Diaz to call back: validate another way.".into()),
            ),
            ("known e-mail on a mailed request", KnownEmail, Email, KNOWN, "", accepted("came from dana@northwind.example, the address on file")),
            (
                "known e-mail on a phone call",
                KnownEmail,
                Phone,
                KNOWN,
                "",
                Err("Known e-mail applies only to a request that came by e-mail; choose how this caller was checked.".into()),
            ),
            (
                "known e-mail from someone new",
                KnownEmail,
                Email,
                new_contact(),
                "",
                Err("A new contact's address is not known to the desk yet: validate another way.".into()),
            ),
        ];
        for (case, method, channel, on_file, evidence, expected) in cases {
            assert_eq!(
                check_claim(method, channel, &on_file, evidence),
                expected,
                "{case}"
            );
        }
    }

    #[test]
    fn a_contact_with_no_phone_cannot_be_called_back() {
        let no_phone = OnFile {
            phone: " ",
            ..KNOWN
        };
        assert!(check_claim(IdentityCheck::CallBack, Channel::Phone, &no_phone, "+44").is_err());
    }
}
