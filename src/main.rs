//! The `casebook` binary: parse the command line, dispatch, print tool errors,
//! return the exit code (0 clean, 1 errors in the sources, 2 usage or tool failure).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match casebook::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match casebook::commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {}", e.message);
            if let Some(h) = e.hint {
                eprintln!("hint: {h}");
            }
            ExitCode::from(2)
        }
    }
}
