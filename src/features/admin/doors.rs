//! What admin brings to the doors: on the gateway, a member who rejoins gets the staff role of
//! the level granted to them personally; on the web, an admin re-queues a failed delivery.

use crate::access::Level;
use crate::discord::doors::Doors;
use crate::staff_actions::StaffAction;

/// This feature's member hook.
pub fn doors() -> Doors {
    Doors::new().on_join("staff roles", |data, config, user| {
        Box::pin(super::actions::on_join(data, config, user))
    })
}

/// The web's staff actions: `POST /staff/outbox/{id}/retry` re-queues a failed delivery —
/// `/admin retry`'s own operation, audited the same way.
pub fn web_actions() -> Vec<StaffAction> {
    vec![StaffAction {
        route: "outbox/:id/retry",
        level: Level::Admin,
        run: |app, config, staff, id, _| {
            Box::pin(async move {
                let actor = super::ops::Actor {
                    id: staff.id,
                    name: staff.name.clone(),
                    level: staff.level,
                };
                super::actions::retry_failed(app, config, &actor, Some(id)).await?;
                Ok(())
            })
        },
        missing: |_| false,
    }]
}
