//! Every feature's staff actions on the web (`crate::staff_actions`), each under
//! `POST /staff/{route}`, through one handler: the CSRF token, the staff level checked on the
//! server for this request, the operation, then back to `/staff` — or the reader's 4xx page
//! for a user error (404 when the item does not exist), 503 with a reference for a fault.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use axum_extra::extract::cookie::CookieJar;

use super::names::Names;
use super::pages::{level_now, seen, unavailable};
use super::{page, Web};
use crate::features;
use crate::staff_actions::{Staff, StaffAction};

/// Every feature's staff actions.
pub fn all() -> Vec<StaffAction> {
    [
        features::feedback::doors::web_actions(),
        features::admin::doors::web_actions(),
    ]
    .concat()
}

/// `router` with every staff action's route.
pub fn register(mut router: Router<Web>) -> Router<Web> {
    for action in all() {
        let handle = move |state: State<Web>,
                           jar: CookieJar,
                           headers: HeaderMap,
                           Path(id): Path<i64>,
                           Form(form): Form<HashMap<String, String>>| {
            run(action, state, jar, headers, id, form)
        };
        router = router.route(&format!("/staff/{}", action.route), post(handle));
    }
    router
}

async fn run(
    action: StaffAction,
    State(web): State<Web>,
    jar: CookieJar,
    headers: HeaderMap,
    id: i64,
    form: HashMap<String, String>,
) -> Response {
    let s = seen(&web, &jar, &headers).await;
    let csrf = super::login::CsrfForm {
        csrf: form.get("csrf").cloned(),
    };
    if !super::login::csrf_ok(&s.viewer, &csrf) {
        return (StatusCode::FORBIDDEN, "missing or wrong CSRF token\n").into_response();
    }
    let Some(member) = s.viewer.member() else {
        return StatusCode::FORBIDDEN.into_response();
    };
    let level = match level_now(&web, member).await {
        Ok(level) if level >= action.level => level,
        Ok(_) => return StatusCode::FORBIDDEN.into_response(),
        Err(e) => return unavailable(e),
    };
    let name = Names::of(&web, &[member as i64])
        .await
        .get(member as i64)
        .map_or_else(|| member.to_string(), |k| k.name.clone());
    let staff = Staff {
        id: serenity::all::UserId::new(member),
        name,
        level,
    };
    match (action.run)(&web.app, &s.config, &staff, id, &form).await {
        Ok(()) => Redirect::to("/staff").into_response(),
        Err(e) => {
            let missing = (action.missing)(&e);
            page::error_page(&s.config, s.locale, &s.viewer, e, missing)
        }
    }
}
