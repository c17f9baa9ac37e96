//! Timed access, one mechanism for everything that expires: "member X holds role R until
//! instant T, from source S". Paid products, redeem codes, Stripe, Discord's store and the
//! points shop all use it. A grant begins or is extended through [`give::give`] (the caller's
//! product policy is data: length, grace, grace role) and ends through [`end::end`] (one rule
//! for the role and the grace role); one expiry job ([`expiry::Expiry`]) ends grants whose
//! time is up, [`give::reopen`] gives access back, [`store`] holds every statement on the
//! `grants` table, and [`truth`] tells the delivery worker which roles grants give.

pub mod end;
pub mod expiry;
pub mod give;
pub mod reconcile;
pub mod rules;
pub mod store;
pub mod truth;

pub use store::{Grant, NewGrant, ProductGrant};
