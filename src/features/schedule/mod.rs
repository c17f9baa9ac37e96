//! Scheduled activity announcements: recurring events in the community's time zone.
//! `recurrence.rs` reads `when` and `repeat` and computes occurrences (pure).

pub mod recurrence;
