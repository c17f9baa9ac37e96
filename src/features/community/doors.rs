//! What community hears from the gateway: joins (first-join welcome, cohorts) and leaves
//! (retention).

use crate::discord::doors::Doors;

/// This feature's member hooks.
pub fn doors() -> Doors {
    Doors::new()
        .on_join("welcome", |data, config, user| {
            Box::pin(async move {
                super::actions::on_join(data, config, user).await?;
                Ok(0)
            })
        })
        .on_leave("retention", |data, _, user| {
            Box::pin(async move {
                super::actions::on_leave(data, user).await?;
                Ok(0)
            })
        })
}
