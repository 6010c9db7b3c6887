//! E-mail addresses as kring accepts them.

use std::fmt;

/// A syntactically plausible e-mail address, trimmed. Comparisons use [`Email::normalized`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Parses an address: one `@`, a non-empty local part, a domain with a dot, no spaces, at most 254 characters.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let value = input.trim();
        if value.is_empty() {
            return Err("Vul een e-mailadres in.");
        }
        let invalid = "Vul een geldig e-mailadres in, bijvoorbeeld naam@gemeente.nl.";
        if value.len() > 254 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid);
        }
        let Some((local, domain)) = value.rsplit_once('@') else {
            return Err(invalid);
        };
        let domain_ok = domain.len() >= 3
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains(['<', '>', '"', ',', ';', '(', ')', '[', ']', '\\', '@']);
        // `localhost` is allowed so a fresh installation can have an administrator without DNS.
        if !local_ok || !domain_ok || !(domain.contains('.') || domain == "localhost") {
            return Err(invalid);
        }
        Ok(Self(value.to_string()))
    }

    /// The address as entered (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The lower-cased form used for uniqueness and look-ups.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in [
            "a.b@gemeente.nl",
            " Jan@Utrecht.NL ",
            "x+y@sub.domein.nl",
            "admin@localhost",
        ] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            Email::parse(" Jan@Utrecht.NL ").unwrap().normalized(),
            "jan@utrecht.nl"
        );
    }

    #[test]
    fn refuses_malformed_addresses() {
        for bad in [
            "",
            "geen-at",
            "@gemeente.nl",
            "a@b",
            "a b@c.nl",
            "a@-b.nl",
            "a@b..nl",
            "<a>@b.nl",
            "a@b.nl\r\nBcc: x@y.nl",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }
}
