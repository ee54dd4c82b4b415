//! Interactive prompts (dialoguer). Only called after [`super::ui::Ui::can_prompt`]
//! said a person is at a terminal; scripts never reach these.

use crate::error::{Error, Result};
use dialoguer::theme::ColorfulTheme;
use dialoguer::{Confirm, Input};

/// A prompt or a choice as shown: it may hold text from the data (a name, a
/// title), so unsafe characters are shown as escapes, as in every output.
fn shown(text: &str) -> String {
    crate::render::escape_unsafe(text, |_| false).into_owned()
}

fn prompt_error(e: dialoguer::Error) -> Error {
    Error::invalid(format!("prompt cancelled: {e}"))
}

/// Ask for a line of text (must not be empty).
pub fn text(prompt: &str) -> Result<String> {
    Input::<String>::with_theme(&ColorfulTheme::default())
        .with_prompt(shown(prompt))
        .validate_with(|s: &String| {
            if s.trim().is_empty() {
                Err("please type something")
            } else {
                Ok(())
            }
        })
        .interact_text()
        .map_err(prompt_error)
}

/// Ask for optional text (empty answer: none).
pub fn optional_text(prompt: &str) -> Result<Option<String>> {
    let s = Input::<String>::with_theme(&ColorfulTheme::default())
        .with_prompt(shown(prompt))
        .allow_empty(true)
        .interact_text()
        .map_err(prompt_error)?;
    Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty()))
}

/// Ask yes or no (default no).
pub fn confirm(question: &str) -> Result<bool> {
    Confirm::with_theme(&ColorfulTheme::default())
        .with_prompt(shown(question))
        .default(false)
        .interact()
        .map_err(prompt_error)
}

/// Choose one of `items` (returns its index).
pub fn select(prompt: &str, items: &[String], default: usize) -> Result<usize> {
    dialoguer::Select::with_theme(&ColorfulTheme::default())
        .with_prompt(shown(prompt))
        .items(items.iter().map(|i| shown(i)))
        .default(default.min(items.len().saturating_sub(1)))
        .interact()
        .map_err(prompt_error)
}
