//! The durable side-effect queue. Features write an [`Effect`] with [`enqueue`] in the same
//! transaction as the state change that causes it; `discord::delivery` sends it, retrying
//! transient failures, so a crash or a Discord outage never loses a role grant or a message.

pub mod effect;
pub mod limits;
pub mod policy;
pub mod prune;
pub mod store;

pub use effect::{Effect, FileAttachment, MessageBody};

crate::vocabulary! {
    /// Where an outbox item stands: waiting to be sent, or how it ended.
    pub enum Status {
        Pending = ("pending", "outbox-status-pending"),
        Delivered = ("delivered", "outbox-status-delivered"),
        Skipped = ("skipped", "outbox-status-skipped"),
        Failed = ("failed", "outbox-status-failed"),
    }
}
pub use store::enqueue;

/// A guild scheduled event's status CANCELED, as `EditScheduledEvent` sends it. Discord's
/// statuses: 1 SCHEDULED, 2 ACTIVE, 3 COMPLETED, 4 CANCELED; only a SCHEDULED event can be
/// cancelled, only an ACTIVE one completed.
pub const SCHEDULED_EVENT_CANCELED: u64 = 4;
