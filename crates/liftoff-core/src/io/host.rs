//! This machine's name, recorded with every journal line and report so a
//! shared journal says where each act came from.

pub fn name() -> String {
    hostname::get()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "unknown-host".into())
}
