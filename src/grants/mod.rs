//! Timed access, one mechanism for everything that expires: "member X holds role R until
//! instant T, from source S". The points shop's timed roles use it now; paid products will use
//! it unchanged. Features create grants in their own transaction ([`store::create`]); one
//! expiry job ([`expiry::Expiry`]) removes a role when no open grant covers it any more.

pub mod expiry;
pub mod store;
pub mod truth;

pub use store::{Grant, NewGrant};
