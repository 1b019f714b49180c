//! What the desk tells a client's contact about their own record: a changed e-mail address
//! is announced to the old one, so a hijacked address does not go unnoticed.

/// "Your e-mail address with the service desk was changed", sent to the address before.
#[derive(Clone, Debug)]
pub struct ContactEmailChanged {
    pub contact_name: String,
    pub client_name: String,
    pub new_address: String,
    pub changed_by: String,
    pub changed_at: String,
    pub desk_contact: String,
}

email!(
    ContactEmailChanged,
    "contact_email_changed",
    "email/contact_email_changed/subject.txt",
    "email/contact_email_changed/body.txt",
    "email/contact_email_changed/body.html"
);
