//! Interactions as Discord delivers them: slash commands, button presses and modal submits,
//! each with the envelope serenity 0.12.5 needs to decode it, and the wait for the bot's answer
//! (an initial response, or the followup after a defer).

use std::time::{Duration, Instant};

use anyhow::{anyhow, bail};
use serde_json::{json, Value};

use super::world::{ids, World};
use super::{Inner, InteractionState, Sim, SimState};

/// Builder for a slash-command invocation.
#[derive(Debug, Clone)]
pub struct SlashCall {
    pub user: u64,
    pub command: String,
    pub path: Vec<String>,
    pub options: Vec<(String, u8, Value)>,
    pub locale: Option<String>,
}

impl SlashCall {
    /// `/command` run by `user`, in the user's own Discord locale.
    pub fn new(user: u64, command: &str) -> SlashCall {
        SlashCall {
            user,
            command: command.into(),
            path: Vec::new(),
            options: Vec::new(),
            locale: None,
        }
    }

    /// A subcommand level: `/admin grant` is `new(u, "admin").subcommand("grant")`.
    pub fn subcommand(mut self, name: &str) -> SlashCall {
        self.path.push(name.into());
        self
    }

    pub fn string(mut self, name: &str, value: &str) -> SlashCall {
        self.options.push((name.into(), 3, json!(value)));
        self
    }

    pub fn integer(mut self, name: &str, value: i64) -> SlashCall {
        self.options.push((name.into(), 4, json!(value)));
        self
    }

    pub fn boolean(mut self, name: &str, value: bool) -> SlashCall {
        self.options.push((name.into(), 5, json!(value)));
        self
    }

    pub fn number(mut self, name: &str, value: f64) -> SlashCall {
        self.options.push((name.into(), 10, json!(value)));
        self
    }

    pub fn user_option(mut self, name: &str, user: u64) -> SlashCall {
        self.options.push((name.into(), 6, json!(user.to_string())));
        self
    }

    pub fn channel_option(mut self, name: &str, channel: u64) -> SlashCall {
        self.options
            .push((name.into(), 7, json!(channel.to_string())));
        self
    }

    pub fn role_option(mut self, name: &str, role: u64) -> SlashCall {
        self.options.push((name.into(), 8, json!(role.to_string())));
        self
    }

    /// A choice option, by its label (e.g. `"moderator"`); sent as the registered value.
    pub fn choice(mut self, name: &str, label: &str) -> SlashCall {
        self.options.push((name.into(), 3, json!(label)));
        self
    }

    /// A "mentionable" option naming a user or a role.
    pub fn mentionable(mut self, name: &str, id: u64) -> SlashCall {
        self.options.push((name.into(), 9, json!(id.to_string())));
        self
    }

    pub fn locale(mut self, locale: &str) -> SlashCall {
        self.locale = Some(locale.into());
        self
    }
}

/// What the member saw in answer to an interaction.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The interaction it answers.
    pub interaction: u64,
    pub content: String,
    pub ephemeral: bool,
    pub raw: Value,
}

impl Sim {
    /// Runs a slash command as `call.user` and waits for the bot's answer (following a defer
    /// to its followup).
    pub async fn slash(&self, call: SlashCall) -> anyhow::Result<Reply> {
        let (id, _) = self.invoke(&call)?;
        self.wait_reply(id)
            .await
            .ok_or_else(|| anyhow!("no answer to /{} {}", call.command, call.path.join(" ")))
    }

    /// Dispatches an INTERACTION_CREATE for `call`; returns the interaction id and token.
    pub fn invoke(&self, call: &SlashCall) -> anyhow::Result<(u64, String)> {
        let id = self.next_id();
        let mut state = self.inner.lock();
        let Some(command) = state
            .commands
            .iter()
            .find(|c| c.get("name").and_then(Value::as_str) == Some(call.command.as_str()))
            .cloned()
        else {
            bail!("/{} is not registered", call.command);
        };
        // The registered definition of the (sub)command being run: Discord only sends options
        // it knows, and sends a choice's value, not its label.
        let mut definition = &command;
        for name in &call.path {
            definition = definition["options"]
                .as_array()
                .and_then(|o| o.iter().find(|o| o["name"] == json!(name)))
                .ok_or_else(|| anyhow!("/{} has no subcommand {name}", call.command))?;
        }
        let world = &state.world;
        let mut resolved = json!({});
        let mut leaf: Vec<Value> = Vec::new();
        for (name, kind, value) in &call.options {
            let option = definition["options"]
                .as_array()
                .and_then(|o| o.iter().find(|o| o["name"] == json!(name)))
                .ok_or_else(|| {
                    anyhow!(
                        "/{} {} has no option {name}",
                        call.command,
                        call.path.join(" ")
                    )
                })?;
            let (kind, value) = match option["choices"].as_array().filter(|c| !c.is_empty()) {
                Some(choices) => {
                    let choice = choices
                        .iter()
                        .find(|c| c["name"] == *value || c["value"] == *value)
                        .ok_or_else(|| anyhow!("{value} is not a choice of {name}"))?;
                    (
                        option["type"].as_u64().unwrap_or(3) as u8,
                        choice["value"].clone(),
                    )
                }
                None => (*kind, value.clone()),
            };
            let (kind, value) = (&kind, &value);
            leaf.push(json!({ "name": name, "type": kind, "value": value }));
            let target: u64 = value.as_str().and_then(|v| v.parse().ok()).unwrap_or(0);
            let is_user = world.users.contains_key(&target);
            match (kind, is_user) {
                (6, _) | (9, true) => {
                    resolved["users"][target.to_string()] = world.user_json(target);
                    if world.members.contains_key(&target) {
                        resolved["members"][target.to_string()] = world.member_json(target, false);
                    }
                }
                (8, _) | (9, false) => {
                    if let Some(role) = world.role(target) {
                        resolved["roles"][target.to_string()] = World::role_json(role);
                    }
                }
                (7, _) => {
                    if let Some(channel) = world.channels.iter().find(|c| c.id == target) {
                        resolved["channels"][target.to_string()] = json!({
                            "id": target.to_string(),
                            "name": channel.name,
                            "type": 0,
                            "permissions": "2147483647",
                        });
                    }
                }
                _ => {}
            }
        }
        // Nest the options under the subcommand path, innermost first.
        let mut options = leaf;
        for (depth, name) in call.path.iter().enumerate().rev() {
            let kind = if depth + 1 < call.path.len() { 2 } else { 1 };
            options = vec![json!({ "name": name, "type": kind, "options": options })];
        }
        let data = json!({
            "id": command.get("id").cloned().unwrap_or(json!("0")),
            "name": call.command,
            "type": 1,
            "guild_id": world.guild_id.to_string(),
            "options": options,
            "resolved": resolved,
        });
        let token = open_interaction(
            &mut state,
            id,
            2,
            call.user,
            call.locale.as_deref(),
            data,
            None,
        );
        Ok((id, token))
    }

    /// A member runs the message menu command `name` (Apps → name) on `message` in `channel`:
    /// an APPLICATION_COMMAND of type 3 whose `target_id` is the message, carried resolved.
    pub fn message_command(
        &self,
        user: u64,
        name: &str,
        channel: u64,
        message: u64,
    ) -> anyhow::Result<(u64, String)> {
        let id = self.next_id();
        let mut state = self.inner.lock();
        let Some(command) = state
            .commands
            .iter()
            .find(|c| c["name"] == json!(name) && c["type"] == json!(3))
            .cloned()
        else {
            bail!("no message menu command {name} is registered");
        };
        let message_json = state
            .messages()
            .get(&channel)
            .and_then(|list| list.iter().find(|m| m["id"] == json!(message.to_string())))
            .cloned()
            .ok_or_else(|| anyhow!("no message {message} in channel {channel}"))?;
        let data = json!({
            "id": command.get("id").cloned().unwrap_or(json!("0")),
            "name": name,
            "type": 3,
            "guild_id": state.world.guild_id.to_string(),
            "target_id": message.to_string(),
            "resolved": { "messages": { message.to_string(): message_json } },
        });
        let token = open_interaction(&mut state, id, 2, user, None, data, None);
        Ok((id, token))
    }

    /// A member presses a button (`custom_id`) on a message the bot posted; returns the
    /// interaction id and token.
    pub fn press(
        &self,
        user: u64,
        channel: u64,
        message: u64,
        custom_id: &str,
    ) -> anyhow::Result<(u64, String)> {
        let id = self.next_id();
        let mut state = self.inner.lock();
        let message_json = state
            .messages()
            .get(&channel)
            .and_then(|list| list.iter().find(|m| m["id"] == json!(message.to_string())))
            .cloned()
            .ok_or_else(|| anyhow!("no message {message} in channel {channel}"))?;
        pressable(&message_json, custom_id, 2)?;
        let data = json!({ "custom_id": custom_id, "component_type": 2 });
        let token = open_interaction(&mut state, id, 3, user, None, data, Some(message_json));
        Ok((id, token))
    }

    /// A member picks `values` in a select menu (`custom_id`) on a message the bot posted.
    /// Discord only sends values the menu offers, between its `min_values` and `max_values`.
    pub fn select(
        &self,
        user: u64,
        channel: u64,
        message: u64,
        custom_id: &str,
        values: &[&str],
    ) -> anyhow::Result<(u64, String)> {
        let id = self.next_id();
        let mut state = self.inner.lock();
        let message_json = state
            .messages()
            .get(&channel)
            .and_then(|list| list.iter().find(|m| m["id"] == json!(message.to_string())))
            .cloned()
            .ok_or_else(|| anyhow!("no message {message} in channel {channel}"))?;
        let menu = pressable(&message_json, custom_id, 3)?;
        let offered: Vec<&str> = menu["options"]
            .as_array()
            .map(|o| o.iter().filter_map(|o| o["value"].as_str()).collect())
            .unwrap_or_default();
        if let Some(v) = values.iter().find(|v| !offered.contains(v)) {
            bail!("{custom_id} offers no option {v}");
        }
        let min = menu["min_values"].as_u64().unwrap_or(1) as usize;
        let max = menu["max_values"].as_u64().unwrap_or(1) as usize;
        if values.len() < min || values.len() > max {
            bail!(
                "{custom_id} takes {min} to {max} values, not {}",
                values.len()
            );
        }
        let data = json!({ "custom_id": custom_id, "component_type": 3, "values": values });
        let token = open_interaction(&mut state, id, 3, user, None, data, Some(message_json));
        Ok((id, token))
    }

    /// A member presses a button on the (ephemeral) reply to interaction `replied`, which
    /// Discord shows only to them and never stores as a channel message.
    pub fn press_on_reply(
        &self,
        user: u64,
        replied: u64,
        custom_id: &str,
    ) -> anyhow::Result<(u64, String)> {
        let id = self.next_id();
        let mut state = self.inner.lock();
        let data = state
            .interactions
            .get(&replied)
            .and_then(|i| i.response.as_ref())
            .and_then(|r| r.get("data").cloned())
            .ok_or_else(|| anyhow!("interaction {replied} has no reply"))?;
        let channel = ids::CHANNEL_GENERAL;
        let content = data["content"].as_str().unwrap_or_default().to_string();
        let mut message = state
            .world
            .message_json(replied, channel, ids::BOT, &content, &data);
        message["flags"] = json!(64);
        pressable(&message, custom_id, 2)?;
        let press = json!({ "custom_id": custom_id, "component_type": 2 });
        let token = open_interaction(&mut state, id, 3, user, None, press, Some(message));
        Ok((id, token))
    }

    /// A member submits a modal with text-input values `(custom_id, value)`.
    pub fn submit_modal(
        &self,
        user: u64,
        custom_id: &str,
        fields: &[(&str, &str)],
    ) -> (u64, String) {
        let id = self.next_id();
        let mut state = self.inner.lock();
        let rows: Vec<Value> = fields
            .iter()
            .map(|(field, value)| {
                json!({ "type": 1, "components": [{ "type": 4, "custom_id": field, "value": value }] })
            })
            .collect();
        let data = json!({ "custom_id": custom_id, "components": rows });
        let token = open_interaction(&mut state, id, 5, user, None, data, None);
        (id, token)
    }

    /// A member fills in and submits the modal the bot showed in answer to interaction
    /// `shown` (response type 9). Discord only lets a member submit a modal the bot showed,
    /// with the fields it has, a required field filled in and each value within the field's
    /// `min_length`/`max_length`: anything else is refused here, as the client would.
    pub fn submit_shown_modal(
        &self,
        user: u64,
        shown: u64,
        fields: &[(&str, &str)],
    ) -> anyhow::Result<(u64, String)> {
        let modal = {
            let state = self.inner.lock();
            state
                .interactions
                .get(&shown)
                .and_then(|i| i.response.clone())
                .filter(|r| r["type"] == json!(9))
                .map(|r| r["data"].clone())
                .ok_or_else(|| anyhow!("interaction {shown} was not answered with a modal"))?
        };
        let inputs: Vec<&Value> = modal["components"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|row| row["components"].as_array().into_iter().flatten())
            .collect();
        for (field, _) in fields {
            if !inputs.iter().any(|i| i["custom_id"] == json!(field)) {
                bail!("the modal has no field {field}");
            }
        }
        for input in &inputs {
            let name = input["custom_id"].as_str().unwrap_or_default();
            let value = fields
                .iter()
                .find(|(f, _)| *f == name)
                .map_or("", |(_, v)| *v);
            let length = value.chars().count() as u64;
            let required = input["required"].as_bool().unwrap_or(true);
            if required && length == 0 {
                bail!("the modal's field {name} is required");
            }
            let min = input["min_length"].as_u64().unwrap_or(0);
            let max = input["max_length"].as_u64().unwrap_or(4000);
            if length > 0 && (length < min || length > max) {
                bail!("the modal's field {name} takes {min} to {max} characters");
            }
        }
        let custom_id = modal["custom_id"].as_str().unwrap_or_default().to_string();
        Ok(self.submit_modal(user, &custom_id, fields))
    }

    /// Waits for what the member sees in answer to interaction `id`: the initial response's
    /// message, or after a defer (type 5 or 6) the first followup or edit.
    /// From dispatching interaction `id` to its first answer reaching the simulator: the
    /// bot's share of a reply's time (with the sockets between them), without the
    /// simulator's own handling after it.
    pub fn answer_time(&self, id: u64) -> Option<Duration> {
        let state = self.inner.lock();
        let interaction = state.interactions.get(&id)?;
        Some(interaction.answered? - interaction.created)
    }

    pub async fn wait_reply(&self, id: u64) -> Option<Reply> {
        let reply = self
            .wait_for_rest(Duration::from_secs(10), |s| {
                let interaction = s.interactions.get(&id)?;
                let response = interaction.response.as_ref()?;
                match response.get("type").and_then(Value::as_u64) {
                    Some(5) | Some(6) => interaction.followups.first().cloned(),
                    _ => {
                        // Attached files travel beside the payload; keep them with the reply.
                        let mut data = response.get("data").cloned()?;
                        if let (Some(files), Some(map)) =
                            (response.get("_files"), data.as_object_mut())
                        {
                            map.insert("_files".into(), files.clone());
                        }
                        Some(data)
                    }
                }
            })
            .await?;
        let flags = reply.get("flags").and_then(Value::as_u64).unwrap_or(0);
        Some(Reply {
            interaction: id,
            content: reply
                .get("content")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            ephemeral: flags & 64 != 0,
            raw: reply,
        })
    }

    /// The raw initial response (type 4, 5, 6, 7, 9 …) to interaction `id`, once there is one.
    pub async fn wait_response(&self, id: u64) -> Option<Value> {
        self.wait_until(Duration::from_secs(10), |s| {
            s.interactions.get(&id)?.response.clone()
        })
        .await
    }

    /// A member buys `sku` through Discord's own store: a user subscription's entitlement,
    /// which names the user and no guild, with `ends_at: null` while it is active (Discord's
    /// behaviour since November 2024).
    pub fn entitlement_create(&self, user: u64, sku: u64) -> u64 {
        let id = self.next_id();
        let mut state = self.inner.lock();
        let d = json!({
            "id": id.to_string(),
            "sku_id": sku.to_string(),
            "application_id": ids::APPLICATION.to_string(),
            "user_id": user.to_string(),
            "guild_id": null,
            "type": 8,
            "deleted": false,
            "starts_at": null,
            "ends_at": null,
            "consumed": false,
        });
        state.entitlements.push(d.clone());
        Inner::dispatch_locked(&mut state, "ENTITLEMENT_CREATE", d);
        id
    }

    /// Changes entitlement `id` as `change` says; with `event`, Discord tells the bot (the
    /// entitlement as it now is).
    fn change_entitlement(&self, id: u64, change: impl FnOnce(&mut Value), event: Option<&str>) {
        let key = id.to_string();
        let mut state = self.inner.lock();
        let Some(e) = state
            .entitlements
            .iter_mut()
            .find(|e| e["id"] == key.as_str())
        else {
            return;
        };
        change(e);
        let d = e.clone();
        if let Some(event) = event {
            Inner::dispatch_locked(&mut state, event, d);
        }
    }

    /// The subscription really ends at `ends_at` (RFC 3339): ENTITLEMENT_UPDATE. (Cancelling
    /// alone sends nothing; see `entitlement_set_ends_silently`.)
    pub fn entitlement_update(&self, id: u64, ends_at: &str) {
        let ends_at = json!(ends_at);
        self.change_entitlement(id, |e| e["ends_at"] = ends_at, Some("ENTITLEMENT_UPDATE"));
    }

    /// Discord removes an entitlement (a refund, or staff action): `deleted: true`, and the
    /// listing leaves it out unless asked with `exclude_deleted=false`. No event is sent
    /// (ENTITLEMENT_DELETE is rare): polling finds it.
    pub fn entitlement_mark_deleted(&self, id: u64) {
        self.change_entitlement(id, |e| e["deleted"] = json!(true), None);
    }

    /// Discord removes an entitlement and says so: ENTITLEMENT_DELETE, and the listing leaves
    /// it out from now on.
    pub fn entitlement_delete(&self, id: u64) {
        let deleted = |e: &mut Value| e["deleted"] = json!(true);
        self.change_entitlement(id, deleted, Some("ENTITLEMENT_DELETE"));
    }

    /// The application's entitlements as `GET /applications/{app}/entitlements` lists them
    /// now (deleted ones left out): what a poll reads.
    pub fn entitlements_listed(&self) -> Value {
        let state = self.inner.lock();
        let listed: Vec<Value> = state
            .entitlements
            .iter()
            .filter(|e| e["deleted"] != json!(true))
            .cloned()
            .collect();
        json!(listed)
    }

    /// Discord's list changes without an event (what polling is for): the entitlement is
    /// gone from `GET /applications/{app}/entitlements`.
    pub fn entitlement_remove_silently(&self, id: u64) {
        let key = id.to_string();
        self.inner
            .lock()
            .entitlements
            .retain(|e| e["id"] != key.as_str());
    }
}

/// The enabled component of `kind` (2 button, 3 select) with `custom_id` on `message`: a
/// member can only press what the message shows, and a disabled button does nothing.
fn pressable(message: &Value, custom_id: &str, kind: u64) -> anyhow::Result<Value> {
    let found = message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().into_iter().flatten())
        .find(|c| c["custom_id"] == json!(custom_id) && c["type"] == json!(kind))
        .cloned()
        .ok_or_else(|| anyhow!("the message shows no component {custom_id} of type {kind}"))?;
    if found["disabled"] == json!(true) {
        bail!("{custom_id} is disabled");
    }
    Ok(found)
}

/// Registers interaction `id` and dispatches its INTERACTION_CREATE; returns its token.
fn open_interaction(
    state: &mut SimState,
    id: u64,
    kind: u8,
    user: u64,
    locale: Option<&str>,
    data: Value,
    message: Option<Value>,
) -> String {
    let world = &state.world;
    let locale = locale.map(str::to_string).unwrap_or_else(|| {
        world
            .users
            .get(&user)
            .map_or_else(|| "en-US".to_string(), |u| u.locale.clone())
    });
    let token = format!("sim-interaction-token-{id}");
    let mut member = world.member_json(user, true);
    member["permissions"] = json!(world.permissions_of(user).to_string());
    let channel = message
        .as_ref()
        .and_then(|m| m["channel_id"].as_str())
        .and_then(|c| c.parse::<u64>().ok())
        .and_then(|c| world.channels.iter().position(|ch| ch.id == c))
        .unwrap_or(0);
    let mut d = json!({
        "id": id.to_string(),
        "application_id": ids::APPLICATION.to_string(),
        "type": kind,
        "token": token,
        "version": 1,
        "guild_id": world.guild_id.to_string(),
        "channel_id": world.channels[channel].id.to_string(),
        "channel": World::channel_json(&world.channels[channel], channel, Some(world.guild_id)),
        "member": member,
        "app_permissions": world.permissions_of(ids::BOT).to_string(),
        "locale": locale,
        "guild_locale": "en-US",
        "entitlements": [],
        "attachment_size_limit": 26_214_400,
        "authorizing_integration_owners": { "0": world.guild_id.to_string() },
        "context": 0,
        "data": data,
    });
    let on_message = message.as_ref().and_then(|m| {
        let channel = m["channel_id"].as_str()?.parse().ok()?;
        Some((channel, m["id"].as_str()?.parse().ok()?))
    });
    if let Some(message) = message {
        d["message"] = message;
    }
    state.interactions.insert(
        id,
        InteractionState {
            id,
            kind,
            message: on_message,
            token: token.clone(),
            created: Instant::now(),
            answered: None,
            response: None,
            followups: Vec::new(),
        },
    );
    Inner::dispatch_locked(state, "INTERACTION_CREATE", d);
    token
}
