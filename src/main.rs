//! The `frontdesk` command: parses arguments and hands over to one subcommand in `cli/`.

mod cli;

use clap::Parser;
use std::process::ExitCode;

// Under load most of the server's allocations are short-lived and made on many threads;
// jemalloc serves them with 10 to 20 % less CPU per job than glibc's allocator did (the load
// script, at 0 and 50 ms platform latency). Its settings: .cargo/config.toml.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("frontdesk: starting the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(cli::run(args)) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("frontdesk: {err:#}");
            ExitCode::from(2)
        }
    }
}
