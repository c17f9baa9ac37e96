//! Community features. Each folder: `mod.rs` (its public face), pure logic, `store.rs` (SQL),
//! `commands.rs` (poise). Only `commands.rs` files touch poise or serenity's client types.

pub mod admin;
