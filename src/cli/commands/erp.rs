//! `agentb erp serve | org add | org list | ping`: thin wrappers over [`crate::erp`].

use std::fmt::Write as _;
use std::net::{SocketAddr, ToSocketAddrs as _};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;

use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::{ErpCommand, ErpOrgAddArgs, ErpOrgCommand, ErpOrgListArgs, ErpPingArgs, ErpServeArgs, Format};
use crate::erp::report::OrgListing;
use crate::erp::{self, Erp as _, LocalErp, Organization, Secret, Store, server};

/// The variable holding the key `agentb erp serve` requires.
pub const SERVE_KEY_ENV: &str = "AGENTB_ERP_KEY";

pub fn run(ctx: &Ctx, command: &ErpCommand) -> anyhow::Result<ExitStatus> {
    match command {
        ErpCommand::Serve(args) => serve(ctx, args),
        ErpCommand::Org(ErpOrgCommand::Add(args)) => org_add(ctx, args),
        ErpCommand::Org(ErpOrgCommand::List(args)) => org_list(ctx, args),
        ErpCommand::Ping(args) => ping(ctx, args),
    }
}

fn serve(ctx: &Ctx, args: &ErpServeArgs) -> anyhow::Result<ExitStatus> {
    let key = ctx.settings.env.get(SERVE_KEY_ENV).map(str::trim).filter(|k| !k.is_empty()).map(Secret::new);
    let addrs: Vec<SocketAddr> = args
        .addr
        .to_socket_addrs()
        .map_err(|e| UserError::usage(format!("`--addr {}` is not an address to listen on: {e}", args.addr)))?
        .collect();
    if key.is_none() && !args.insecure_dev {
        return Err(UserError::usage(format!("`{SERVE_KEY_ENV}` is not set; `agentb erp serve` needs a service key"))
            .with_hint(format!(
                "export `{SERVE_KEY_ENV}` with a long random key, or pass `--insecure-dev` to serve without one on loopback"
            ))
            .into());
    }
    if args.insecure_dev && !addrs.iter().all(|a| a.ip().is_loopback()) {
        return Err(UserError::usage(format!(
            "`--insecure-dev` serves on loopback addresses only, not `{}`",
            args.addr
        ))
        .with_hint("use `--addr 127.0.0.1:8787`, or set a key and drop `--insecure-dev`")
        .into());
    }
    let db = match &args.db {
        Some(db) => existing_db(ctx, db, args.create)?,
        None => ctx.project()?.local_erp_db(),
    };
    let store = Arc::new(Store::open(&db)?);
    if args.db.is_none() {
        // The default database is the `local` instance's: serve its configured orgs too.
        let project = ctx.project()?;
        if let Ok((name, config)) = erp::instance_config(project, Some("local"))
            && config.is_local()
            && erp::local_db_path(project, name) == db
        {
            for org in config.orgs.iter().flatten() {
                store.add_org(org, org).map_err(|e| anyhow::anyhow!("cannot add org `{org}`: {e}"))?;
            }
        }
    }
    if key.is_none() {
        ctx.printer
            .warn("serving without a key (`--insecure-dev`): anyone on this machine can read and change every org");
    }
    let shown = ctx.project().map_or_else(|_| db.display().to_string(), |p| p.display_path(&db).display().to_string());
    crate::rt::build()?.block_on(async {
        let listener = tokio::net::TcpListener::bind(&addrs[..])
            .await
            .map_err(|e| UserError::usage(format!("cannot listen on `{}`: {e}", args.addr)))?;
        let local = listener.local_addr().context("failed to read the bound address")?;
        let shutdown = server::shutdown_signal().context("failed to install the signal handlers")?;
        ctx.printer.status("Serving", format!("`{shown}`"));
        ctx.printer.status("Listening", format!("on http://{local}"));
        server::serve(listener, store, key, shutdown).await.context("the server failed")?;
        ctx.printer.status("Stopped", format!("http://{local}"));
        Ok(ExitStatus::Success)
    })
}

/// Returns the path of `--db FILE`: an existing database, or with `create` (`--create`) a new
/// one, said so on stderr. A mistyped path never silently becomes an empty database.
fn existing_db(ctx: &Ctx, db: &std::path::Path, create: bool) -> anyhow::Result<PathBuf> {
    let path = ctx.settings.cwd.join(db);
    if path.exists() {
        return Ok(path);
    }
    if !create {
        return Err(UserError::usage(format!("no database at `--db {}`", db.display()))
            .with_hint("check the path, or pass `--create` to create a new database there")
            .into());
    }
    ctx.printer.note(format!("creating a new database at `{}`", db.display()));
    Ok(path)
}

/// Returns the store named by `--db`, or the local instance's.
fn local_store(ctx: &Ctx, db: Option<&PathBuf>, instance: Option<&str>) -> anyhow::Result<(String, LocalErp)> {
    if let Some(db) = db {
        let path = ctx.settings.cwd.join(db);
        if !path.exists() {
            ctx.printer.note(format!("creating a new database at `{}`", db.display()));
        }
        let store = Store::open(&path)?;
        return Ok((format!("`{}`", db.display()), LocalErp::with_store("local", Arc::new(store))));
    }
    let project = ctx.project()?;
    let (name, config) = erp::instance_config(project, instance)?;
    if !config.is_local() {
        return Err(UserError::usage(format!(
            "`agentb erp org add` manages local instances; `{name}` is at `{}`",
            config.url
        ))
        .with_hint(format!(
            "add orgs with the instance's own tools; `agentb erp org list --instance {name}` lists them"
        ))
        .into());
    }
    Ok((format!("local instance `{name}`"), erp::open_local(project, name)?))
}

/// What `agentb erp org add` did (`--format json`).
#[derive(Debug, serde::Serialize)]
struct OrgsAdded<'a> {
    instance: &'a str,
    added: Vec<&'a str>,
    existing: Vec<&'a str>,
}

fn org_add(ctx: &Ctx, args: &ErpOrgAddArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    if args.name.is_some() && args.orgs.len() > 1 {
        return Err(UserError::usage("`--name` names one org, but several were given")
            .with_hint("add orgs with their own names one at a time")
            .into());
    }
    if let Some(bad) = args.orgs.iter().find(|o| !erp::is_org_id(o)) {
        return Err(UserError::usage(format!(
            "`{bad}` is not a valid org id: use 1-64 letters, digits, `.`, `_` and `-`"
        ))
        .into());
    }
    let (label, local) = local_store(ctx, args.db.as_ref(), args.instance.instance.as_deref())?;
    let mut report = OrgsAdded { instance: &label, added: Vec::new(), existing: Vec::new() };
    for org in &args.orgs {
        if local.add_org(org, args.name.as_deref().unwrap_or(org))? {
            report.added.push(org);
        } else {
            report.existing.push(org);
            if args.orgs.len() == 1 {
                ctx.printer.note(format!("org `{org}` already exists in {label}"));
            }
        }
    }
    let added = report.added.len();
    if format == Format::Json {
        ctx.printer.json(&report);
    }
    match (args.orgs.len(), added) {
        (1, 1) => ctx.printer.status("Added", format!("org `{}` to {label}", args.orgs[0])),
        (1, _) => {}
        (n, added) => ctx.printer.status("Added", format!("{added} orgs to {label} ({} already existed)", n - added)),
    }
    if args.db.is_none() {
        let project = ctx.project()?;
        let (name, config) = erp::instance_config(project, args.instance.instance.as_deref())?;
        if let Some(listed) = &config.orgs
            && let Some(missing) = args.orgs.iter().find(|o| !listed.contains(o))
        {
            ctx.printer.note(format!(
                "the config lists the orgs of `{name}`; add `{missing}` to `orgs` under `[erp.instances.{name}]` to deploy to it"
            ));
        }
    }
    Ok(ExitStatus::Success)
}

fn org_list(ctx: &Ctx, args: &ErpOrgListArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let orgs: Vec<Organization> = if let Some(db) = &args.db {
        let store = Store::open(&existing_db(ctx, db, false)?)?;
        let local = LocalErp::with_store("local", Arc::new(store));
        crate::rt::build()?.block_on(local.organizations())?
    } else {
        let instance = erp::open_read_only(ctx.project()?, &ctx.settings.env, args.instance.instance.as_deref())?;
        crate::rt::build()?.block_on(instance.erp.organizations())?
    };
    if format == Format::Json {
        let list: Vec<OrgListing> = orgs.into_iter().map(OrgListing::from).collect();
        ctx.printer.json(&list);
        return Ok(ExitStatus::Success);
    }
    let width = orgs.iter().map(|o| o.id.len()).max().unwrap_or(0);
    for org in &orgs {
        if org.name == org.id {
            ctx.printer.line(&org.id);
        } else {
            ctx.printer.line(format_args!("{:<width$}  {}", org.id, org.name));
        }
    }
    if orgs.is_empty() {
        ctx.printer.note("the instance has no orgs");
    }
    Ok(ExitStatus::Success)
}

fn ping(ctx: &Ctx, args: &ErpPingArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let project = ctx.project()?;
    let instance = erp::open_read_only(project, &ctx.settings.env, args.instance.instance.as_deref())?;
    let report = crate::rt::build()?.block_on(erp::report::ping(&instance, args.org.as_deref()))?;
    if format == Format::Json {
        ctx.printer.json(&report);
        return Ok(ExitStatus::Success);
    }
    let location = if instance.config.is_local() {
        format!("`{}`", project.display_path(&erp::local_db_path(project, &instance.name)).display())
    } else {
        instance.config.url.clone()
    };
    let mut line = format!(
        "instance `{}` at {location}: {} orgs listed in {} ms",
        report.instance, report.orgs, report.latency_ms
    );
    if let (Some(org), Some(ms)) = (&report.org, report.org_latency_ms) {
        let _ = write!(line, ", org `{org}` answered in {ms} ms");
    }
    ctx.printer.line(line);
    Ok(ExitStatus::Success)
}
