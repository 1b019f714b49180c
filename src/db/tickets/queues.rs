//! The desk's queues: which they are, which tickets each holds and which kinds it lists.
//! `queue_ranges` reads them.

use crate::domain::ticket::{Kind, Status};

/// The queues of the desk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    Mine,
    Untriaged,
    Tier(crate::domain::account::Tier),
    Pending,
    AtRisk,
    AwaitingClosure,
    ServiceRequests,
    All,
}

impl Queue {
    pub fn parse(raw: &str) -> Option<Self> {
        use crate::domain::account::Tier;
        Some(match raw {
            "mine" => Queue::Mine,
            "untriaged" => Queue::Untriaged,
            "pending" => Queue::Pending,
            "at-risk" => Queue::AtRisk,
            "awaiting-closure" => Queue::AwaitingClosure,
            "service-requests" => Queue::ServiceRequests,
            "all" => Queue::All,
            other => Queue::Tier(Tier::parse(other.strip_prefix("tier-")?).ok()?),
        })
    }

    pub fn slug(self) -> String {
        match self {
            Queue::Mine => "mine".into(),
            Queue::Untriaged => "untriaged".into(),
            Queue::Tier(t) => format!("tier-{}", t.as_str()),
            Queue::Pending => "pending".into(),
            Queue::AtRisk => "at-risk".into(),
            Queue::AwaitingClosure => "awaiting-closure".into(),
            Queue::ServiceRequests => "service-requests".into(),
            Queue::All => "all".into(),
        }
    }

    pub fn label(self) -> String {
        match self {
            Queue::Mine => "My tickets".into(),
            Queue::Untriaged => "Untriaged".into(),
            Queue::Tier(t) => t.label().into(),
            Queue::Pending => "Pending".into(),
            Queue::AtRisk => "Due soon and breached".into(),
            Queue::AwaitingClosure => "Solved, awaiting closure".into(),
            Queue::ServiceRequests => "Service requests".into(),
            Queue::All => "All open".into(),
        }
    }

    /// The kind of ticket the queue shows unless the viewer asks for another: the incident
    /// queues hold incidents only (the blueprints put service requests outside incident
    /// management), the requests queue requests only, and "my tickets" and "all open" both.
    pub fn default_kind(self) -> Option<Kind> {
        match self {
            Queue::Mine | Queue::All => None,
            Queue::ServiceRequests => Some(Kind::ServiceRequest),
            Queue::Untriaged
            | Queue::Tier(_)
            | Queue::Pending
            | Queue::AtRisk
            | Queue::AwaitingClosure => Some(Kind::Incident),
        }
    }

    /// The statuses a ticket of the queue can be in.
    pub fn statuses(self) -> &'static [Status] {
        match self {
            Queue::Untriaged => &[Status::New],
            Queue::AwaitingClosure => &[Status::Solved],
            Queue::Pending => &Status::PENDING,
            Queue::Mine | Queue::Tier(_) | Queue::AtRisk | Queue::ServiceRequests | Queue::All => {
                &Status::OPEN
            }
        }
    }

    pub fn all() -> Vec<Queue> {
        use crate::domain::account::Tier;
        let mut queues = vec![Queue::Mine, Queue::Untriaged];
        queues.extend(Tier::ALL.into_iter().map(Queue::Tier));
        queues.extend([
            Queue::AtRisk,
            Queue::Pending,
            Queue::AwaitingClosure,
            Queue::ServiceRequests,
            Queue::All,
        ]);
        queues
    }
}

/// Which kinds of ticket a queue lists: the queue's own choice, or the viewer's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KindChoice {
    /// [`Queue::default_kind`].
    #[default]
    QueueDefault,
    Only(Kind),
    Both,
}

impl KindChoice {
    /// "incident", "service_request" or "any"; anything else leaves the queue's default.
    pub fn parse(raw: &str) -> Self {
        match raw.trim() {
            "any" => KindChoice::Both,
            other => Kind::parse(other).map_or(KindChoice::QueueDefault, KindChoice::Only),
        }
    }

    /// The kind listed in `queue`, `None` for both. The requests queue lists requests whatever
    /// is asked, or it would be another "all open".
    pub fn kind_in(self, queue: Queue) -> Option<Kind> {
        match (queue, self) {
            (Queue::ServiceRequests, _) | (_, KindChoice::QueueDefault) => queue.default_kind(),
            (_, KindChoice::Only(kind)) => Some(kind),
            (_, KindChoice::Both) => None,
        }
    }
}
