//! One builder per slash command, shared by the demo and the integration tests, so a
//! command's shape (names, options, choices) is written once outside its definition.
//! Options that are optional are added with [`SlashCall`]'s own methods.

use super::SlashCall;

/// `/admin …`
pub mod admin {
    use super::SlashCall;

    fn sub(actor: u64, name: &str) -> SlashCall {
        SlashCall::new(actor, "admin").subcommand(name)
    }

    /// `/admin grant target level` (`level`: "admin" or "moderator").
    pub fn grant(actor: u64, target: u64, level: &str) -> SlashCall {
        sub(actor, "grant")
            .mentionable("target", target)
            .choice("level", level)
    }

    /// `/admin revoke target`
    pub fn revoke(actor: u64, target: u64) -> SlashCall {
        sub(actor, "revoke").mentionable("target", target)
    }

    /// `/admin list`
    pub fn list(actor: u64) -> SlashCall {
        sub(actor, "list")
    }

    /// `/admin audit`
    pub fn audit(actor: u64) -> SlashCall {
        sub(actor, "audit")
    }

    /// `/admin outbox`
    pub fn outbox(actor: u64) -> SlashCall {
        sub(actor, "outbox")
    }

    /// `/admin retry`
    pub fn retry(actor: u64) -> SlashCall {
        sub(actor, "retry")
    }

    /// `/admin reload`
    pub fn reload(actor: u64) -> SlashCall {
        sub(actor, "reload")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_name_the_subcommand_and_its_options() {
        let call = admin::grant(1, 2, "moderator");
        assert_eq!((call.user, call.command.as_str()), (1, "admin"));
        assert_eq!(call.path, vec!["grant".to_string()]);
        let names: Vec<&str> = call.options.iter().map(|o| o.0.as_str()).collect();
        assert_eq!(names, ["target", "level"]);
        let call: SlashCall = admin::retry(3);
        assert_eq!(call.path, vec!["retry".to_string()]);
        assert!(call.options.is_empty());
    }
}
