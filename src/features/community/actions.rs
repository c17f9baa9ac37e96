//! The community writes a door calls (a member joined or left), each owning its transaction.

use serenity::all::UserId;

use crate::config::Config;
use crate::error::Error;
use crate::state::AppState;

/// A member joined: their join is recorded and, the first time, they are welcomed.
pub async fn on_join(app: &AppState, config: &Config, member: UserId) -> Result<(), Error> {
    let mut tx = app.db.write.begin().await?;
    super::ops_on_join(&mut tx, config, member, app.clock.now()).await?;
    app.commit(tx).await?;
    Ok(())
}

/// A member left (retention analytics).
pub async fn on_leave(app: &AppState, member: UserId) -> Result<(), Error> {
    let mut tx = app.db.write.begin().await?;
    super::ops_on_leave(&mut tx, member, app.clock.now()).await?;
    app.commit(tx).await?;
    Ok(())
}
