//! The `tagc` binary: everything lives in the library; see `tagc::cli`.

use std::process::ExitCode;

/// tagc allocates many small strings and nodes per configuration; mimalloc roughly halves
/// the time `check` spends on them compared with the system allocator (see the README).
/// The `system-alloc` feature keeps the system allocator, for heap profilers such as
/// heaptrack that see only `malloc`.
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // The one place the binary prints directly: a panic is a bug, and says so.
    #[allow(clippy::print_stderr)]
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "error: tagc crashed; this is a bug in tagc, please report it with the input that caused it\n  {info}"
        );
    }));
    tagc::cli::main()
}
