use std::process::ExitCode;

use clap::Parser;
use pledgeboard::{
    config::{Cli, Command},
    openapi, startup, telemetry,
};

#[actix_web::main]
async fn main() -> ExitCode {
    // A missing .env is normal; a malformed one is worth saying.
    if let Err(e) = dotenvy::dotenv() {
        if !e.not_found() {
            eprintln!("warning: ignoring .env: {e}");
        }
    }
    let cli = Cli::parse();
    telemetry::init(&cli.settings.log_format);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(cli.settings).await,
        Command::Migrate => startup::open_database(&cli.settings)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Command::Openapi => {
            print!("{}", openapi::yaml());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!(error = %message, "pledgeboard stopped with an error");
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: pledgeboard::config::Settings) -> Result<(), String> {
    let app = startup::Application::build(settings.clone())
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!(
        address = %format!("{}:{}", settings.bind.ip(), app.port()),
        public_url = %settings.effective_public_url(),
        "pledgeboard listening"
    );
    app.run_until_stopped().await.map_err(|e| e.to_string())?;
    tracing::info!("pledgeboard stopped");
    Ok(())
}
