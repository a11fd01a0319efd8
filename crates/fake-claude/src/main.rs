//! `fake-claude`: run the fake Messages API by hand, e.g. for the README's demo.
//!
//!   fake-claude [--port N] [--key KEY] [--delay-ms N] [--latency-ms N] [--thinking]
//!
//! Prints `ANTHROPIC_BASE_URL=http://127.0.0.1:PORT` and serves until interrupted.

use std::time::Duration;

use fake_claude::{Config, FakeClaude};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut config = Config::default();
    let mut port = 0u16;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| std::io::Error::other(format!("{name} needs a value")))
        };
        match arg.as_str() {
            "--port" => port = value("--port")?.parse().map_err(std::io::Error::other)?,
            "--key" => config.api_key = Some(value("--key")?),
            "--delay-ms" => {
                let ms: u64 = value("--delay-ms")?
                    .parse()
                    .map_err(std::io::Error::other)?;
                config.delta_delay = Duration::from_millis(ms);
            }
            "--latency-ms" => {
                let ms: u64 = value("--latency-ms")?
                    .parse()
                    .map_err(std::io::Error::other)?;
                config.latency = Duration::from_millis(ms);
            }
            "--thinking" => config.thinking = true,
            "-h" | "--help" => {
                println!("usage: fake-claude [--port N] [--key KEY] [--delay-ms N] [--latency-ms N] [--thinking]");
                return Ok(());
            }
            other => return Err(std::io::Error::other(format!("unknown argument {other}"))),
        }
    }
    let fake = FakeClaude::start_on(config, port).await?;
    println!("ANTHROPIC_BASE_URL={}", fake.base_url());
    tokio::signal::ctrl_c().await?;
    Ok(())
}
