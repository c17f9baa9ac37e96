//! Timed access, one mechanism for everything that expires: "member X holds role R until
//! instant T, from source S". The points shop's timed roles use it now; paid products will use
//! it unchanged. Features create grants in their own transaction ([`store::create`]); every
//! grant ends through [`end::end`] (one rule for the role and the grace role), and one expiry
//! job ([`expiry::Expiry`]) calls it when a grant's time is up.

pub mod end;
pub mod expiry;
pub mod store;
pub mod truth;

pub use store::{Grant, NewGrant};
