use std::process::ExitCode;

fn main() -> ExitCode {
    liftoff::cli::main()
}
