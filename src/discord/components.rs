//! Discord's message components and interaction answers as the JSON the outbox stores and the
//! REST API takes, built by name: Discord's type numbers (1 action row, 2 button, 3 string
//! select, 4 text input; answers 4 message, 6 deferred update, 7 update, 9 modal) appear here
//! and nowhere else (a house test holds that).

use serde_json::{json, Value};

/// A button's colour (Discord's button styles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Blurple.
    Primary = 1,
    /// Grey.
    Secondary = 2,
    /// Green.
    Success = 3,
    /// Red.
    Danger = 4,
}

/// A button that reports a press with `custom_id`.
pub fn button(custom_id: impl Into<String>, label: impl Into<String>, style: Style) -> Value {
    json!({
        "type": 2,
        "style": style as u8,
        "label": label.into(),
        "custom_id": custom_id.into(),
    })
}

/// A button that cannot be pressed (greyed out).
pub fn disabled(mut button: Value, disabled: bool) -> Value {
    button["disabled"] = json!(disabled);
    button
}

/// A row of up to five buttons, or one select.
pub fn row(components: Vec<Value>) -> Value {
    json!({ "type": 1, "components": components })
}

/// One option of a string select.
pub struct Choice {
    pub value: String,
    pub label: String,
    /// Discord's partial emoji (`{"name": "🦀"}` or a custom one's id and name).
    pub emoji: Option<Value>,
}

/// A string select of `choices`, `min`..=`max` of them chosen.
pub fn select(
    custom_id: impl Into<String>,
    placeholder: impl Into<String>,
    choices: Vec<Choice>,
    (min, max): (usize, usize),
) -> Value {
    let options: Vec<Value> = choices
        .into_iter()
        .map(|c| {
            let mut option = json!({ "label": c.label, "value": c.value });
            if let Some(emoji) = c.emoji {
                option["emoji"] = emoji;
            }
            option
        })
        .collect();
    json!({
        "type": 3,
        "custom_id": custom_id.into(),
        "placeholder": placeholder.into(),
        "min_values": min,
        "max_values": max,
        "options": options,
    })
}

/// `component` shown with Discord's partial emoji `emoji`.
pub fn with_emoji(mut component: Value, emoji: Value) -> Value {
    component["emoji"] = emoji;
    component
}

/// A form field: one line, or a paragraph.
pub struct Field<'a> {
    pub custom_id: &'a str,
    pub label: String,
    pub paragraph: bool,
    pub min: Option<u16>,
    pub max: u16,
    pub required: bool,
    /// Grey text shown while the field is empty.
    pub placeholder: Option<String>,
    /// Text already in the field.
    pub value: Option<String>,
}

impl<'a> Field<'a> {
    /// A field `custom_id` labelled `label` (cut to Discord's 45 characters), at most `max`
    /// characters, required, empty.
    pub fn new(custom_id: &'a str, label: &str, max: u16) -> Field<'a> {
        Field {
            custom_id,
            label: label.chars().take(45).collect(),
            paragraph: false,
            min: None,
            max,
            required: true,
            placeholder: None,
            value: None,
        }
    }

    pub fn paragraph(mut self) -> Field<'a> {
        self.paragraph = true;
        self
    }

    pub fn optional(mut self) -> Field<'a> {
        self.required = false;
        self
    }

    pub fn min(mut self, min: u16) -> Field<'a> {
        self.min = Some(min);
        self
    }

    pub fn placeholder(mut self, text: String) -> Field<'a> {
        self.placeholder = Some(text.chars().take(100).collect());
        self
    }

    pub fn value(mut self, text: Option<String>) -> Field<'a> {
        self.value = text;
        self
    }
}

/// The answer that opens a form (a modal) titled `title` (cut to Discord's 45 characters).
pub fn form(custom_id: impl Into<String>, title: &str, fields: &[Field<'_>]) -> Value {
    let title: String = title.chars().take(45).collect();
    let rows: Vec<Value> = fields
        .iter()
        .map(|f| {
            let mut input = json!({
                "type": 4,
                "custom_id": f.custom_id,
                "style": if f.paragraph { 2 } else { 1 },
                "label": f.label,
                "max_length": f.max,
                "required": f.required,
            });
            if let Some(min) = f.min {
                input["min_length"] = json!(min);
            }
            if let Some(placeholder) = &f.placeholder {
                input["placeholder"] = json!(placeholder);
            }
            if let Some(value) = &f.value {
                input["value"] = json!(value);
            }
            row(vec![input])
        })
        .collect();
    json!({
        "type": 9,
        "data": { "custom_id": custom_id.into(), "title": title, "components": rows },
    })
}

/// An answer only the presser sees.
pub fn ephemeral(text: impl Into<String>) -> Value {
    json!({ "type": 4, "data": { "content": text.into(), "flags": 64 } })
}

/// An answer only the presser sees, with embeds and components.
pub fn ephemeral_with(
    text: impl Into<String>,
    embeds: Vec<Value>,
    components: Vec<Value>,
) -> Value {
    json!({
        "type": 4,
        "data": { "content": text.into(), "embeds": embeds, "components": components, "flags": 64 },
    })
}

/// The pressed message replaced in place by `content` and `components`.
pub fn update(content: impl Into<String>, components: Vec<Value>) -> Value {
    json!({ "type": 7, "data": { "content": content.into(), "components": components } })
}

/// The pressed message's embeds and components replaced in place.
pub fn update_embeds(embeds: Vec<Value>, components: Vec<Value>) -> Value {
    json!({ "type": 7, "data": { "embeds": embeds, "components": components } })
}

/// A press acknowledged without changing anything.
pub fn acknowledge() -> Value {
    json!({ "type": 6 })
}
