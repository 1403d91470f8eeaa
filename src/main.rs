use std::process::ExitCode;

use clap::Parser;
use pledgeboard::{
    config::{Cli, Command},
    routes::openapi,
    startup, telemetry,
};

#[actix_web::main]
async fn main() -> ExitCode {
    startup::limit_allocator_arenas();
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
        Command::Openapi => openapi::yaml()
            .map(|yaml| print!("{yaml}"))
            .map_err(|e| e.to_string()),
        Command::Recount => recount(cli.settings).await,
        Command::Backup { file } => backup(cli.settings, file).await,
        Command::SeedDemo { pledges } => seed_demo(cli.settings, pledges).await,
        Command::CreateStaff { role, email, name } => {
            create_staff(cli.settings, role, email, name).await
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

/// `pledgeboard create-staff`: the password comes from standard input (first line), never
/// from the command line where other users of the machine could see it.
async fn create_staff(
    settings: pledgeboard::config::Settings,
    role: String,
    email: String,
    name: String,
) -> Result<(), String> {
    let mut password = String::new();
    std::io::stdin()
        .read_line(&mut password)
        .map_err(|e| format!("cannot read the password: {e}"))?;
    let password = password.trim_end_matches(['\n', '\r']).to_owned();
    let db = startup::open_database(&settings)
        .await
        .map_err(|e| e.to_string())?;
    let request = pledgeboard::domain::account::NewStaff {
        email,
        display_name: name,
        role,
        password,
    };
    let user = db
        .run(move |conn| pledgeboard::services::accounts::create_staff(conn, &request))
        .await
        .map_err(|e| match e {
            pledgeboard::error::AppError::Validation(errors) => errors
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        })?;
    println!("created {} {} ({})", user.role, user.email, user.id);
    Ok(())
}

/// `pledgeboard recount`: rebuilds the counters; running services pick the result up.
async fn recount(settings: pledgeboard::config::Settings) -> Result<(), String> {
    let db = startup::open_database(&settings)
        .await
        .map_err(|e| e.to_string())?;
    let drifted = db
        .run(pledgeboard::db::counters::recount)
        .await
        .map_err(|e| e.to_string())?;
    if drifted.is_empty() {
        println!("counters were exact; nothing changed");
    } else {
        println!(
            "corrected {} scope(s): {}",
            drifted.len(),
            drifted
                .iter()
                .map(pledgeboard::db::counters::key)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

/// `pledgeboard backup FILE`: an online copy of the embedded database.
async fn backup(
    settings: pledgeboard::config::Settings,
    file: std::path::PathBuf,
) -> Result<(), String> {
    let db = pledgeboard::db::Database::open(&settings.effective_database_url(), 2)
        .map_err(|e| e.to_string())?;
    let target = file.clone();
    let bytes = db
        .run(move |conn| pledgeboard::db::backup(conn, &target))
        .await
        .map_err(|e| e.to_string())?;
    println!("backup written to {} ({bytes} bytes)", file.display());
    Ok(())
}

/// `pledgeboard seed-demo --pledges N`.
async fn seed_demo(settings: pledgeboard::config::Settings, pledges: usize) -> Result<(), String> {
    let db = startup::open_database(&settings)
        .await
        .map_err(|e| e.to_string())?;
    let report = db
        .run(move |conn| pledgeboard::services::demo::seed(conn, pledges))
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "demo data: {} pledges ({} added), {} organisations added",
        report.pledges_total, report.pledges_added, report.organisations_added
    );
    Ok(())
}
