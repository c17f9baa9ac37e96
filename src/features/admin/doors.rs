//! What admin hears from the gateway: a member who rejoins gets the staff role of the level
//! granted to them personally.

use crate::discord::doors::Doors;

/// This feature's member hook.
pub fn doors() -> Doors {
    Doors::new().on_join("staff roles", |data, config, user| {
        Box::pin(super::actions::on_join(data, config, user))
    })
}
