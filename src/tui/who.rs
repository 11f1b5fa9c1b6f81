//! Who sits at this terminal, settled before the cockpit takes the screen:
//! `--as`, `LIFTOFF_USER`, the login name, `$USER` (`journal::event::who`).
//! When none names anyone, the cockpit asks once, on the plain terminal,
//! rather than journal "unknown".

use crate::journal::event::who;
use std::io::{BufRead, Write};

#[derive(Debug, thiserror::Error)]
pub enum WhoError {
    #[error("nobody named at this terminal: start with --as NAME or set LIFTOFF_USER")]
    Nobody,
    #[error("cannot ask who is acting: {0}")]
    Io(#[from] std::io::Error),
}

/// The name to act under: the first that names someone, else asked once
/// on `input`/`output` (a blank answer is refused).
pub fn settle(
    as_name: Option<&str>,
    input: &mut impl BufRead,
    output: &mut impl Write,
) -> Result<String, WhoError> {
    if let Some(name) = who(as_name) {
        return Ok(name);
    }
    ask(input, output)
}

/// Asks once: "Who is acting at this terminal? ".
pub fn ask(input: &mut impl BufRead, output: &mut impl Write) -> Result<String, WhoError> {
    write!(
        output,
        "liftoff: no --as, LIFTOFF_USER, login name or $USER names anyone here.\nWho is acting at this terminal (journaled with every act)? "
    )?;
    output.flush()?;
    let mut line = String::new();
    input.read_line(&mut line)?;
    let name = line.trim().to_string();
    if name.is_empty() {
        return Err(WhoError::Nobody);
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_once_and_refuses_a_blank_answer() {
        let mut out = Vec::new();
        let name = ask(&mut "ana\n".as_bytes(), &mut out).unwrap();
        assert_eq!(name, "ana");
        assert!(String::from_utf8(out).unwrap().contains("Who is acting"));
        assert!(matches!(
            ask(&mut "  \n".as_bytes(), &mut Vec::new()),
            Err(WhoError::Nobody)
        ));
        let named = settle(Some("bob"), &mut "".as_bytes(), &mut Vec::new()).unwrap();
        assert_eq!(named, "bob", "--as: nothing asked");
    }
}
