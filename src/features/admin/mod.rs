//! Staff levels (`/admin grant|revoke|list`), the audit log (`/admin audit`), the outbox view
//! (`/admin outbox`) and config reload (`/admin reload`).

pub mod audit;
pub mod commands;
pub mod staff;
pub mod store;
