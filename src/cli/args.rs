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
    /// Check, then write the pixel artifacts and a manifest into the output directory.
    Build(BuildArgs),
    /// Check, then print one page's inline head snippet to stdout.
    Snippet(SnippetArgs),
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

/// What `tagc build` produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Emit {
    /// Every artifact and the manifest, written into `--out`.
    Artifacts,
    /// The resolved model as JSON on stdout (a debugging aid); nothing is written.
    Ir,
}

/// Options shared by the commands that generate code.
#[derive(Debug, clap::Args)]
pub struct GenArgs {
    /// The environment whose pixel ids are used.
    #[arg(long, default_value = "production", value_name = "ENV")]
    pub env: String,
    /// A CSP nonce, or a template placeholder for one (`'{{ csp_nonce }}'`), added to every
    /// inline `<script>`.
    #[arg(long, value_name = "NONCE")]
    pub nonce: Option<String>,
    /// Diagnostic format for problems found while checking.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Treat warnings as errors (exit 1, nothing generated).
    #[arg(long)]
    pub deny_warnings: bool,
}

/// Arguments of `tagc build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// The configuration file(s), merged into one configuration.
    #[arg(required = true, value_name = "CONFIG")]
    pub configs: Vec<PathBuf>,
    /// The output directory (created if missing).
    #[arg(long, short, default_value = "dist", value_name = "DIR")]
    pub out: PathBuf,
    /// What to produce.
    #[arg(long, value_enum, default_value_t = Emit::Artifacts)]
    pub emit: Emit,
    /// The URL the site serves `pixel/tagc.js` from (used in `pixel/head.html`).
    #[arg(long, default_value = "/tagc.js", value_name = "URL")]
    pub script_url: String,
    /// Shared options.
    #[command(flatten)]
    pub gen_args: GenArgs,
}

/// Arguments of `tagc snippet`.
#[derive(Debug, clap::Args)]
pub struct SnippetArgs {
    /// The configuration file(s), merged into one configuration.
    #[arg(required = true, value_name = "CONFIG")]
    pub configs: Vec<PathBuf>,
    /// The page whose snippet to print.
    #[arg(long, value_name = "ID")]
    pub page: String,
    /// Shared options.
    #[command(flatten)]
    pub gen_args: GenArgs,
}
