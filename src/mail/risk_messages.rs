//! What the desk says by e-mail about client risks: the discovery notice and the treatment
//! for acceptance (to the client's risk contacts), and notices to the risk's owner and the
//! managers.

/// "All risks must be conveyed to the client as soon as discovered": the risk in plain words
/// and a link to acknowledge it.
#[derive(Clone, Debug)]
pub struct RiskDiscovered {
    pub contact_name: String,
    pub client: String,
    pub title: String,
    pub vulnerability: String,
    pub level: String,
    pub decision: String,
    pub reason: String,
    pub link: String,
    pub valid_until: String,
}

email!(
    RiskDiscovered,
    "risk_discovered",
    "email/risk_discovered/subject.txt",
    "email/risk_discovered/body.txt",
    "email/risk_discovered/body.html"
);

/// The decided treatment, with a link to accept it or decline it with a comment. Sent again,
/// once, as a reminder when the client has not answered in time.
#[derive(Clone, Debug)]
pub struct RiskAcceptance {
    pub contact_name: String,
    pub client: String,
    pub title: String,
    pub level: String,
    pub treatment: String,
    pub link: String,
    pub valid_until: String,
    pub reminder: bool,
}

email!(
    RiskAcceptance,
    "risk_acceptance",
    "email/risk_acceptance/subject.txt",
    "email/risk_acceptance/body.txt",
    "email/risk_acceptance/body.html"
);

/// Tells a risk's owner (and, for a decline, the managers) what needs them: a milestone or a
/// deadline coming, a review due, a client who declined or has not answered.
#[derive(Clone, Debug)]
pub struct RiskNotice {
    pub headline: String,
    pub client: String,
    pub title: String,
    pub details: Vec<String>,
    pub risk_url: String,
}

email!(
    RiskNotice,
    "risk_notice",
    "email/risk_notice/subject.txt",
    "email/risk_notice/body.txt",
    "email/risk_notice/body.html"
);
