//! Every gateway frame and REST body the simulator produced decodes into serenity's own types.
//! serenity drops an event it cannot decode with only a log line, which would make a broken
//! simulator look like a broken bot.

use poise::serenity_prelude as serenity;
use serde_json::Value;

use lyceum::harness::sim::calls::admin;
use lyceum::harness::sim::{ids, SlashCall};

use crate::support::{TestApp, WAIT};

fn decode(kind: &str, payload: &Value) -> Result<(), String> {
    fn as_type<T: serde::de::DeserializeOwned>(v: &Value) -> Result<(), String> {
        serde_json::from_value::<T>(v.clone())
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
    match kind {
        k if k.starts_with("gateway:") => {
            // The whole frame, as serenity's shard reads it.
            if let Some(t) = payload["t"].as_str() {
                let d = &payload["d"];
                match t {
                    "INTERACTION_CREATE" => as_type::<serenity::Interaction>(d),
                    "READY" => as_type::<serenity::Ready>(d),
                    "GUILD_CREATE" => as_type::<serenity::Guild>(d),
                    "MESSAGE_CREATE" => as_type::<serenity::Message>(d),
                    "MESSAGE_UPDATE" => as_type::<serenity::MessageUpdateEvent>(d),
                    "GUILD_MEMBER_ADD" => as_type::<serenity::Member>(d),
                    "GUILD_MEMBER_REMOVE" => as_type::<serenity::GuildMemberRemoveEvent>(d),
                    "GUILD_MEMBER_UPDATE" => as_type::<serenity::GuildMemberUpdateEvent>(d),
                    "MESSAGE_REACTION_ADD" => as_type::<serenity::Reaction>(d),
                    "ENTITLEMENT_CREATE" => as_type::<serenity::Entitlement>(d),
                    "RESUMED" => Ok(()),
                    other => Err(format!("untested dispatch {other}")),
                }?;
                // serenity's own reading of the frame must not fall back to UnknownEvent.
                let frame: serenity::GatewayEvent =
                    serde_json::from_value(payload.clone()).map_err(|e| e.to_string())?;
                if let serenity::GatewayEvent::Dispatch(_, serenity::Event::Unknown(u)) = frame {
                    return Err(format!("serenity reads {} as an unknown event", u.kind));
                }
            }
            Ok(())
        }
        "rest:message" => as_type::<serenity::Message>(payload),
        "rest:messages" => as_type::<Vec<serenity::Message>>(payload),
        "rest:commands" => as_type::<Vec<serenity::Command>>(payload),
        "rest:application" => as_type::<serenity::CurrentApplicationInfo>(payload),
        "rest:member" => as_type::<serenity::Member>(payload),
        "rest:private_channel" => as_type::<serenity::PrivateChannel>(payload),
        "rest:user" => as_type::<serenity::CurrentUser>(payload),
        "rest:gateway" => as_type::<serenity::Gateway>(payload),
        "rest:gateway_bot" => as_type::<serenity::BotGateway>(payload),
        "rest:scheduled_event" => as_type::<serenity::ScheduledEvent>(payload),
        "rest:thread" | "rest:channel" => as_type::<serenity::GuildChannel>(payload),
        "rest:scheduled_events" => as_type::<Vec<serenity::ScheduledEvent>>(payload),
        other => Err(format!("untested payload kind {other}")),
    }
}

#[tokio::test]
async fn every_frame_and_body_the_simulator_sent_decodes_into_serenity_types() {
    let mut app = TestApp::spawn().await;
    let sim = app.sim().clone();
    // Exercise every kind of event and body the simulator can produce.
    let message = sim.message_create(ids::CHANNEL_GENERAL, ids::MINA, "hello");
    sim.message_update(ids::CHANNEL_GENERAL, ids::MINA, message, "hello again");
    sim.reaction_add(ids::CHANNEL_GENERAL, message, ids::KAI, "👍");
    sim.member_add(200_000_000_000_000_099, "newcomer", "zh-CN");
    sim.member_remove(200_000_000_000_000_099);
    let grant = admin::grant(ids::OWNER, ids::MINA, "moderator");
    sim.invoke(&grant).unwrap();
    // Waited for, not asserted: a decoding failure below explains a missing answer best.
    sim.wait_request("PUT", "/roles/", 1, WAIT).await;
    let mod_log = format!("/channels/{}/messages", ids::CHANNEL_MOD_LOG);
    sim.wait_request("POST", &mod_log, 1, WAIT).await;
    // A button press on the bot's feedback post (the simulator only lets a member press a
    // button the message shows), a modal submit and a store purchase.
    let feedback = SlashCall::new(ids::KAI, "feedback")
        .subcommand("send")
        .string("text", "More async Rust, please");
    sim.invoke(&feedback).unwrap();
    sim.wait_request("POST", &mod_log, 2, WAIT).await;
    let with_buttons = sim
        .messages_in(ids::CHANNEL_MOD_LOG)
        .into_iter()
        .find(|m| m["components"][0]["components"][0]["custom_id"].is_string());
    if let Some(posted) = with_buttons {
        let message: u64 = posted["id"].as_str().unwrap().parse().unwrap();
        let custom_id = posted["components"][0]["components"][0]["custom_id"]
            .as_str()
            .unwrap()
            .to_string();
        sim.press(ids::MINA, ids::CHANNEL_MOD_LOG, message, &custom_id)
            .unwrap();
    }
    sim.submit_modal(ids::KAI, "feedback", &[("text", "很好")]);
    sim.entitlement_create(ids::MINA, 777);
    sim.drop_gateway();
    // Wait for the RESUME (which replays whatever the dropped socket had not carried).
    let deadline = tokio::time::Instant::now() + WAIT;
    while sim.gateway_counts().1 == 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    sim.wait_request(
        "GET",
        "/users/@me",
        1,
        std::time::Duration::from_millis(200),
    )
    .await;

    let sent = sim.sent_payloads();
    let kinds: std::collections::BTreeSet<&str> = sent.iter().map(|(k, _)| k.as_str()).collect();
    let failures: Vec<String> = sent
        .iter()
        .filter_map(|(kind, payload)| {
            decode(kind, payload)
                .err()
                .map(|e| format!("{kind}: {e}\n  {payload}"))
        })
        .collect();
    let interaction_types: std::collections::BTreeSet<u64> = sent
        .iter()
        .filter(|(kind, _)| kind == "gateway:INTERACTION_CREATE")
        .filter_map(|(_, frame)| frame["d"]["type"].as_u64())
        .collect();
    assert_eq!(
        interaction_types,
        [2, 3, 5].into(),
        "commands, components and modals"
    );
    assert!(
        failures.is_empty(),
        "undecodable payloads:\n{}",
        failures.join("\n")
    );
    for expected in [
        "gateway:op10",
        "gateway:READY",
        "gateway:GUILD_CREATE",
        "gateway:INTERACTION_CREATE",
        "gateway:MESSAGE_CREATE",
        "gateway:MESSAGE_UPDATE",
        "gateway:MESSAGE_REACTION_ADD",
        "gateway:GUILD_MEMBER_ADD",
        "gateway:GUILD_MEMBER_REMOVE",
        "gateway:GUILD_MEMBER_UPDATE",
        "gateway:ENTITLEMENT_CREATE",
        "gateway:RESUMED",
        "rest:commands",
        "rest:message",
        "rest:gateway",
    ] {
        assert!(
            kinds.contains(expected),
            "no {expected} was produced; got {kinds:?}"
        );
    }
    app.stop().await;
}

#[test]
fn extra_rest_shapes_decode() {
    let world = lyceum::harness::sim::World::default();
    decode("rest:application", &world.application_info()).unwrap();
    decode("rest:user", &world.user_json(ids::BOT)).unwrap();
    decode("rest:member", &world.member_json(ids::MINA, true)).unwrap();
}

/// The simulator refuses what Discord refuses, so the bot cannot pass a test that Discord
/// would fail.
mod rules {
    use std::time::Duration;

    use lyceum::harness::sim::{calls::admin, ids, Sim, SIM_TOKEN};
    use serde_json::json;

    /// A request as the bot would send it (with the bot token); returns status and JSON body.
    async fn send(
        method: reqwest::Method,
        url: String,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let response = reqwest::Client::new()
            .request(method, url)
            .header("Authorization", format!("Bot {SIM_TOKEN}"))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or_default())
    }

    async fn post(url: String, body: serde_json::Value) -> (u16, serde_json::Value) {
        send(reqwest::Method::POST, url, body).await
    }

    async fn register(sim: &Sim, commands: serde_json::Value) -> (u16, serde_json::Value) {
        let url = format!(
            "{}/api/v10/applications/{}/guilds/{}/commands",
            sim.api_url(),
            ids::APPLICATION,
            ids::GUILD
        );
        send(reqwest::Method::PUT, url, commands).await
    }

    /// A simulator with `/admin` registered but no bot attached, so the test answers itself.
    async fn bare_sim() -> Sim {
        let sim = Sim::start().await.unwrap();
        let commands = json!([{ "name": "admin", "description": "Admin", "type": 1,
            "options": [{ "type": 1, "name": "list", "description": "List" }] }]);
        assert_eq!(register(&sim, commands).await.0, 200);
        sim
    }

    #[tokio::test]
    async fn interactions_take_one_answer_within_the_deadline() {
        let sim = bare_sim().await;
        let call = admin::list(ids::MINA);
        let (id, token) = sim.invoke(&call).unwrap();
        let url = format!(
            "{}/api/v10/interactions/{id}/{token}/callback",
            sim.api_url()
        );
        let answer = json!({ "type": 4, "data": { "content": "hi" } });
        assert_eq!(post(url.clone(), answer.clone()).await.0, 204);
        let (status, body) = post(url, answer.clone()).await;
        assert_eq!(
            (status, body["code"].as_u64()),
            (400, Some(40060)),
            "a second initial response"
        );

        sim.set_interaction_deadline(Duration::from_millis(50));
        let (id, token) = sim.invoke(&call).unwrap();
        tokio::time::sleep(Duration::from_millis(120)).await;
        let url = format!(
            "{}/api/v10/interactions/{id}/{token}/callback",
            sim.api_url()
        );
        let (status, body) = post(url, answer).await;
        assert_eq!(
            (status, body["code"].as_u64()),
            (404, Some(10062)),
            "too late"
        );
    }

    #[tokio::test]
    async fn oversized_messages_and_bad_registrations_are_400() {
        let sim = bare_sim().await;
        let url = format!(
            "{}/api/v10/channels/{}/messages",
            sim.api_url(),
            ids::CHANNEL_GENERAL
        );
        let (status, body) = post(url.clone(), json!({ "content": "x".repeat(2001) })).await;
        assert_eq!((status, body["code"].as_u64()), (400, Some(50035)));
        assert_eq!(post(url, json!({ "content": "fits" })).await.0, 200);

        let bad = json!([{ "name": "admin", "description": "d", "name_localizations": { "zh": "管理" } }]);
        let (status, body) = register(&sim, bad).await;
        assert_eq!(status, 400);
        assert!(body.to_string().contains("Invalid locale key"), "{body}");
    }

    #[tokio::test]
    async fn a_button_press_answered_with_type_7_edits_its_message() {
        let sim = bare_sim().await;
        let url = format!(
            "{}/api/v10/channels/{}/messages",
            sim.api_url(),
            ids::CHANNEL_ANNOUNCEMENTS
        );
        let button = json!([{ "type": 1, "components": [{ "type": 2, "style": 1, "label": "Going", "custom_id": "rsvp:yes" }] }]);
        let (status, posted) = post(
            url,
            json!({ "content": "Live at 8pm — RSVP?", "components": button }),
        )
        .await;
        assert_eq!(status, 200);
        let message: u64 = posted["id"].as_str().unwrap().parse().unwrap();

        let (id, token) = sim
            .press(ids::MINA, ids::CHANNEL_ANNOUNCEMENTS, message, "rsvp:yes")
            .unwrap();
        let url = format!(
            "{}/api/v10/interactions/{id}/{token}/callback",
            sim.api_url()
        );
        let update = json!({ "type": 7, "data": { "content": "Live at 8pm — 1 going" } });
        assert_eq!(post(url, update).await.0, 204);
        let stored = sim.messages_in(ids::CHANNEL_ANNOUNCEMENTS);
        assert_eq!(stored[0]["content"], "Live at 8pm — 1 going");
        assert_eq!(stored[0]["components"], button, "components kept");
        let reply = sim.wait_reply(id).await.unwrap();
        assert_eq!(reply.content, "Live at 8pm — 1 going");
    }

    #[tokio::test]
    async fn a_body_less_write_without_a_length_is_411() {
        let sim = bare_sim().await;
        let url = format!(
            "{}/api/v10/guilds/{}/members/{}/roles/{}",
            sim.api_url(),
            ids::GUILD,
            ids::MINA,
            ids::ROLE_MODERATOR
        );
        let bare = reqwest::Client::new()
            .put(&url)
            .header("Authorization", format!("Bot {SIM_TOKEN}"))
            .send()
            .await
            .unwrap();
        assert_eq!(bare.status(), 411);
        let with_length = reqwest::Client::new()
            .put(&url)
            .header("Authorization", format!("Bot {SIM_TOKEN}"))
            .header("Content-Length", "0")
            .body("")
            .send()
            .await
            .unwrap();
        assert_eq!(with_length.status(), 204);
        assert_eq!(sim.member_roles(ids::MINA), vec![ids::ROLE_MODERATOR]);
    }

    #[tokio::test]
    async fn requests_without_the_bot_token_are_401() {
        let sim = bare_sim().await;
        let response = reqwest::Client::new()
            .post(format!(
                "{}/api/v10/channels/{}/messages",
                sim.api_url(),
                ids::CHANNEL_GENERAL
            ))
            .json(&json!({ "content": "hi" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
    }
}
