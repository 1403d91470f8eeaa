//! Bulk import (`POST /imports`): a CSV in the catalogue export's columns, read row by row
//! with the `csv` crate, checked by the pledge form's rules ([`crate::domain::import`]).
//!
//! A dry run answers, row by row, what would be created, skipped (its reference was imported
//! before, or comes earlier in the file) or refused, with every problem's row and column. A
//! commit decides the same way, batch by batch ([`BATCH_ROWS`] rows per write transaction, so
//! other writers wait at most one batch), and records its progress in the batch's transaction:
//! it creates exactly what the dry run announced when nothing changed in between. Organisations
//! are matched by name (whatever its case) and country, and created when missing. Pledges land
//! `submitted`, or `published` at their exported publication dates when an admin migrates a
//! registry; either way they change the counters through their one door. Imported pledges
//! are not announced one by one (a file may hold thousands): the moderators' daily digest
//! lists those waiting in their remit.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    db::{
        self,
        counters::{counted_change, Affected},
        imports::ImportRecord,
        now,
        pledges::{insert_imported, Placement},
        Database, DbConnection,
    },
    domain::{
        account::{Organisation, PlatformRole},
        actor::Actor,
        ids::{ImportId, OrganisationId, PledgeId},
        import::{
            ImportRow, ImportStatus, Layout, OrganisationRef, Progress, RowError, RowOutcome,
            ORGANISATION_KIND,
        },
        pledge::Vocabulary,
        workflow::Status,
    },
    error::{AppError, AppResult},
};

/// Rows per write transaction.
pub const BATCH_ROWS: usize = 200;

/// The largest file taken: 10,000 exported pledges take about 15 MB.
pub const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// Who may import: organisers and admins; only admins import pledges as published.
pub fn authorise(actor: &Actor, publish: bool) -> AppResult<()> {
    actor.require_role(&[PlatformRole::Organiser, PlatformRole::Admin])?;
    if publish && actor.role != PlatformRole::Admin {
        return Err(AppError::Denied(
            "publish_needs_admin",
            "only admins import pledges as published".to_owned(),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reading

/// A file's records, read one at a time, each with its row number.
pub struct Rows {
    reader: csv::Reader<Cursor<Bytes>>,
    layout: Layout,
    /// The number of the next row (the header is row 1).
    next: u64,
}

/// A record as read: its row number, and the record or why it is not one.
type Record = (u64, Result<csv::StringRecord, RowError>);

impl Rows {
    /// Reads the header: a file with none, or with columns that are not among `known` (the
    /// export's), is refused whole.
    pub fn open(body: Bytes, known: &[String]) -> AppResult<Self> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(Cursor::new(body));
        let mut header = csv::StringRecord::new();
        let read = reader
            .read_record(&mut header)
            .map_err(|e| AppError::Unprocessable("malformed_csv", format!("the header: {e}")))?;
        if !read {
            return Err(AppError::Unprocessable(
                "empty_file",
                "the file has no header row".to_owned(),
            ));
        }
        let layout = Layout::from_header(&header, known).map_err(AppError::Validation)?;
        Ok(Rows {
            reader,
            layout,
            next: 2,
        })
    }

    /// The next `n` records (fewer at the end of the file).
    fn next_batch(&mut self, n: usize) -> Vec<Record> {
        let mut batch = Vec::with_capacity(n);
        while batch.len() < n {
            let mut record = csv::StringRecord::new();
            let row = self.next;
            match self.reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    self.next += 1;
                    // A blank line is no row.
                    if record.iter().all(|cell| cell.trim().is_empty()) {
                        continue;
                    }
                    batch.push((row, Ok(record)));
                }
                Err(e) => {
                    self.next += 1;
                    let problem = RowError::new(row, "", "malformed_row", e.to_string());
                    batch.push((row, Err(problem)));
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        break;
                    }
                }
            }
        }
        batch
    }
}

/// A row read and checked on its own, before the database is asked about it.
type Read = Result<ImportRow, (u64, Vec<RowError>)>;

// ---------------------------------------------------------------------------------------------
// Deciding

/// What an import has decided so far, carried from batch to batch so that a dry run and a
/// commit decide alike.
pub struct Planner {
    vocabulary: Vocabulary,
    /// The references met in the file so far.
    seen: HashSet<String>,
    /// The organisations this import creates, by what they are matched on.
    created: HashMap<(String, String), OrganisationId>,
}

impl Planner {
    pub fn new(conn: &mut DbConnection) -> AppResult<Self> {
        Ok(Planner {
            vocabulary: db::taxonomy::vocabulary(conn)?,
            seen: HashSet::new(),
            created: HashMap::new(),
        })
    }

    /// Reads a batch (no database needed).
    fn read(&self, layout: &Layout, batch: Vec<Record>) -> Vec<Read> {
        batch
            .into_iter()
            .map(|(row, record)| match record {
                Ok(record) => layout
                    .read(row, &record, &self.vocabulary)
                    .map_err(|errors| (row, errors)),
                Err(problem) => Err((row, vec![problem])),
            })
            .collect()
    }
}

/// The organisation of a row to create.
#[derive(Debug, Clone)]
enum Owner {
    Existing(OrganisationId),
    /// Created with this id by this row.
    New(OrganisationId),
}

/// What becomes of one row.
#[derive(Debug, Clone)]
enum Plan {
    Create {
        row: Box<ImportRow>,
        owner: Owner,
        id: PledgeId,
    },
    Skip {
        row: u64,
        external_ref: String,
    },
    Refuse {
        row: u64,
        errors: Vec<RowError>,
    },
}

impl Plan {
    fn outcome(&self) -> RowOutcome {
        match self {
            Plan::Create { .. } => RowOutcome::Create,
            Plan::Skip { .. } => RowOutcome::Skip,
            Plan::Refuse { .. } => RowOutcome::Error,
        }
    }

    fn problems(&self) -> &[RowError] {
        match self {
            Plan::Refuse { errors, .. } => errors,
            _ => &[],
        }
    }
}

/// Decides what becomes of each row of a batch: the references and organisations it names are
/// looked up once for the batch.
fn decide(conn: &mut DbConnection, planner: &mut Planner, read: Vec<Read>) -> AppResult<Vec<Plan>> {
    let rows: Vec<&ImportRow> = read.iter().filter_map(|r| r.as_ref().ok()).collect();
    let refs: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.external_ref.as_deref())
        .collect();
    let known = db::pledges::known_refs(conn, &refs)?;
    let named: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r.organisation.name.as_str(),
                r.organisation.country.as_str(),
            )
        })
        .collect();
    let mut existing: HashMap<(String, String), OrganisationId> = HashMap::new();
    for org in db::organisations::named(conn, &named)? {
        let key = (org.name.to_lowercase(), org.country.clone());
        // The oldest of namesakes.
        existing.entry(key).or_insert(org.id);
    }
    Ok(read
        .into_iter()
        .map(|read| match read {
            Err((row, errors)) => Plan::Refuse { row, errors },
            Ok(row) => plan_row(planner, &known, &existing, row),
        })
        .collect())
}

fn plan_row(
    planner: &mut Planner,
    known: &HashSet<String>,
    existing: &HashMap<(String, String), OrganisationId>,
    row: ImportRow,
) -> Plan {
    if let Some(reference) = &row.external_ref {
        if known.contains(reference) || planner.seen.contains(reference) {
            return Plan::Skip {
                row: row.row,
                external_ref: reference.clone(),
            };
        }
    }
    let key = row.organisation.key();
    let owner = match existing.get(&key).or_else(|| planner.created.get(&key)) {
        Some(id) => Owner::Existing(id.clone()),
        None if row.organisation.kind.is_none() => {
            return Plan::Refuse {
                row: row.row,
                errors: vec![RowError::new(
                    row.row,
                    ORGANISATION_KIND,
                    "required",
                    format!(
                        "{} is a new organisation: give its kind",
                        row.organisation.name
                    ),
                )],
            };
        }
        None => {
            let id = OrganisationId::generate();
            planner.created.insert(key, id.clone());
            Owner::New(id)
        }
    };
    if let Some(reference) = &row.external_ref {
        planner.seen.insert(reference.clone());
    }
    Plan::Create {
        row: Box::new(row),
        owner,
        id: PledgeId::generate(),
    }
}

// ---------------------------------------------------------------------------------------------
// A dry run

/// What becomes of one row.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowReport {
    /// The row as a spreadsheet numbers it (the header is row 1).
    pub row: u64,
    pub outcome: RowOutcome,
    /// The reference it is imported under (`external_ref`, else the exported `id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// The organisation is created by this row.
    pub new_organisation: bool,
    /// Every problem of a refused row.
    pub errors: Vec<RowError>,
}

impl RowReport {
    fn of(plan: &Plan) -> Self {
        let mut report = RowReport {
            row: 0,
            outcome: plan.outcome(),
            external_ref: None,
            title: None,
            organisation: None,
            new_organisation: false,
            errors: plan.problems().to_vec(),
        };
        match plan {
            Plan::Create { row, owner, .. } => {
                report.row = row.row;
                report.external_ref = row.external_ref.clone();
                report.title = Some(row.pledge.title.clone());
                report.organisation = Some(row.organisation.name.clone());
                report.new_organisation = matches!(owner, Owner::New(_));
            }
            Plan::Skip { row, external_ref } => {
                report.row = *row;
                report.external_ref = Some(external_ref.clone());
            }
            Plan::Refuse { row, .. } => report.row = *row,
        }
        report
    }
}

/// A dry run's answer: the totals a commit would reach, and each row's fate.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DryRun {
    pub rows_done: i64,
    pub created: i64,
    pub skipped: i64,
    /// Rows refused.
    pub errors: i64,
    /// Every row, in the file's order.
    pub items: Vec<RowReport>,
}

/// Decides every row as a commit would, writing nothing.
pub fn dry_run(conn: &mut DbConnection, mut rows: Rows) -> AppResult<DryRun> {
    let mut planner = Planner::new(conn)?;
    let mut progress = Progress::default();
    let mut items = Vec::new();
    loop {
        let batch = rows.next_batch(BATCH_ROWS);
        if batch.is_empty() {
            break;
        }
        let read = planner.read(&rows.layout, batch);
        for plan in decide(conn, &mut planner, read)? {
            progress.count(plan.outcome(), plan.problems());
            items.push(RowReport::of(&plan));
        }
    }
    Ok(DryRun {
        rows_done: progress.rows_done,
        created: progress.created,
        skipped: progress.skipped,
        errors: progress.errors,
        items,
    })
}

// ---------------------------------------------------------------------------------------------
// A commit

/// A committed import as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportView {
    pub id: ImportId,
    pub status: ImportStatus,
    /// Its pledges land `published` (else `submitted`).
    pub publish: bool,
    /// Rows read so far (the header aside).
    pub rows_done: i64,
    pub created: i64,
    pub skipped: i64,
    /// Rows refused.
    pub errors: i64,
    /// The refused rows' problems (the first thousand).
    pub problems: Vec<RowError>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<ImportRecord> for ImportView {
    fn from(r: ImportRecord) -> Self {
        ImportView {
            id: ImportId::from(r.id),
            status: r.status.as_of(r.updated_at, now()),
            publish: r.publish,
            rows_done: r.progress.rows_done,
            created: r.progress.created,
            skipped: r.progress.skipped,
            errors: r.progress.errors,
            problems: r.progress.problems,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
            finished_at: r.finished_at.map(|t| t.and_utc()),
        }
    }
}

/// An import to commit: who runs it, and how.
#[derive(Debug, Clone)]
pub struct Importer {
    pub actor: Actor,
    pub publish: bool,
}

/// Records a new import, `running`; [`run`] then commits it.
pub fn start(conn: &mut DbConnection, importer: &Importer) -> AppResult<ImportView> {
    let id = ImportId::generate().into_string();
    db::imports::insert(conn, &id, &importer.actor.id, importer.publish)?;
    find(conn, &id)
}

fn find(conn: &mut DbConnection, id: &str) -> AppResult<ImportView> {
    db::imports::find(conn, id)?
        .map(ImportView::from)
        .ok_or(AppError::NotFound("import"))
}

/// An import, for the account that started it and for admins.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: &ImportId) -> AppResult<ImportView> {
    db::imports::find(conn, id.as_str())?
        .filter(|r| r.created_by == actor.id || actor.role == PlatformRole::Admin)
        .map(ImportView::from)
        .ok_or(AppError::NotFound("import"))
}

/// What a commit carries from batch to batch.
struct Run {
    importer: Importer,
    id: String,
    planner: Planner,
    progress: Progress,
}

/// Commits an import started by [`start`], batch after batch, each in its own write
/// transaction with its progress; `after_batch` runs after each (to move live figures on).
/// A batch the database refuses ends the import `failed`, with what came before it kept.
pub async fn run(
    db: Database,
    importer: Importer,
    id: String,
    mut rows: Rows,
    after_batch: impl Fn(),
) {
    let planner = match db.run(Planner::new).await {
        Ok(planner) => planner,
        Err(e) => return fail(&db, &id, Progress::default(), 0, &e).await,
    };
    let mut run = Run {
        importer,
        id,
        planner,
        progress: Progress::default(),
    };
    loop {
        let batch = rows.next_batch(BATCH_ROWS);
        let Some(first_row) = batch.first().map(|(row, _)| *row) else {
            break;
        };
        let read = run.planner.read(&rows.layout, batch);
        let progress = run.progress.clone();
        let id = run.id.clone();
        match db
            .write(move |conn| {
                commit_batch(conn, &mut run, read)?;
                Ok(run)
            })
            .await
        {
            Ok(carried) => run = carried,
            Err(e) => return fail(&db, &id, progress, first_row, &e).await,
        }
        after_batch();
    }
    let (id, progress) = (run.id, run.progress);
    let finished = db
        .write(move |conn| db::imports::record(conn, &id, &progress, ImportStatus::Done))
        .await;
    if let Err(e) = finished {
        tracing::error!(error = %e, "an import's end could not be recorded");
    }
}

/// Ends an import `failed`, naming the first row of the batch that could not be written.
async fn fail(db: &Database, id: &str, mut progress: Progress, row: u64, error: &AppError) {
    tracing::error!(import = id, row, error = %error, "an import batch failed");
    progress
        .problems
        .push(RowError::new(row, "", error.code(), error.detail()));
    let id = id.to_owned();
    let recorded = db
        .write(move |conn| db::imports::record(conn, &id, &progress, ImportStatus::Failed))
        .await;
    if let Err(e) = recorded {
        tracing::error!(error = %e, "an import's failure could not be recorded");
    }
}

/// Decides and writes one batch, with the import's progress, in one counted change: the
/// pledges it creates move the counters (pending ones the staff figures) in its transaction.
fn commit_batch(conn: &mut DbConnection, run: &mut Run, read: Vec<Read>) -> AppResult<()> {
    let plans = decide(conn, &mut run.planner, read)?;
    let mut progress = run.progress.clone();
    for plan in &plans {
        progress.count(plan.outcome(), plan.problems());
    }
    let ids: Vec<PledgeId> = plans
        .iter()
        .filter_map(|p| match p {
            Plan::Create { id, .. } => Some(id.clone()),
            _ => None,
        })
        .collect();
    counted_change(conn, Affected::Pledges(&ids), |conn| {
        for plan in &plans {
            if let Plan::Create { row, owner, id } = plan {
                create(conn, &run.importer, row, owner, id)?;
            }
        }
        db::imports::record(conn, &run.id, &progress, ImportStatus::Running)
    })?;
    run.progress = progress;
    Ok(())
}

/// Writes one row: its organisation when new, then its pledge.
fn create(
    conn: &mut DbConnection,
    importer: &Importer,
    row: &ImportRow,
    owner: &Owner,
    id: &PledgeId,
) -> AppResult<()> {
    let at = now();
    let organisation_id = match owner {
        Owner::Existing(id) => id,
        Owner::New(id) => {
            insert_organisation(conn, id, &row.organisation, importer.publish, at)?;
            id
        }
    };
    let (status, at) = if importer.publish {
        (Status::Published, row.published_at.unwrap_or(at))
    } else {
        (Status::Submitted, at)
    };
    let placement = Placement {
        id: id.clone(),
        external_ref: row.external_ref.as_deref(),
        ..Placement::new(organisation_id, &importer.actor.id, status, at)
    };
    insert_imported(conn, &placement, &row.pledge)?;
    Ok(())
}

/// A new organisation from a row: verified when an admin migrates a registry's published
/// pledges (its organisations were verified there), else for a moderator to verify.
fn insert_organisation(
    conn: &mut DbConnection,
    id: &OrganisationId,
    named: &OrganisationRef,
    verified: bool,
    at: chrono::NaiveDateTime,
) -> AppResult<()> {
    let kind = named
        .kind
        .ok_or_else(|| AppError::internal("a new organisation without a kind was planned"))?;
    db::organisations::insert(
        conn,
        &Organisation {
            id: id.clone(),
            name: named.name.clone(),
            kind,
            country: named.country.clone(),
            website: None,
            verified,
            verified_at: verified.then_some(at),
            created_at: at,
            updated_at: at,
        },
    )
}
