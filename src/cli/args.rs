//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostic::render::Format;

/// tagc — compile tracking configuration into Meta Pixel and Conversions API artifacts.
#[derive(Debug, Parser)]
#[command(name = "tagc", version, about, max_term_width = 100)]
pub struct Args {
    /// When to use colour in human output (`NO_COLOR` is honoured with `auto`).
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    pub color: Color,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Colour choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// Colour when stderr is a terminal and `NO_COLOR` is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate configuration files: schema, Meta's rules, references.
    Check(CheckArgs),
    /// Print the JSON Schema of the configuration language.
    Schema,
    /// Explain a diagnostic code, such as `tagc explain TAG2005`.
    Explain {
        /// The code (`TAG2005`) or its name (`purchase-missing-value-currency`).
        code: Option<String>,
        /// List every code.
        #[arg(long)]
        list: bool,
    },
}

/// Arguments of `tagc check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The configuration file(s) (`include:` entries are followed).
    #[arg(required = true, value_name = "CONFIG")]
    pub configs: Vec<PathBuf>,
    /// Output format: `human` (stderr), `json` or `github` (stdout).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Treat warnings as errors (exit 1).
    #[arg(long)]
    pub deny_warnings: bool,
}
