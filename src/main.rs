//! The `yardstick` binary: run the command line and exit with its code.

fn main() {
    std::process::exit(yardstick::cli::run());
}
