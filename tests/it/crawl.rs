//! Walking the desk as a visitor does: every page reachable from the dashboard by following
//! links, and the POST forms on a page with the fields a person would send. The HTML gate
//! checks what the walk finds; the hostile-input test posts bad values into what it finds.

use std::collections::{BTreeSet, VecDeque};

use crate::checkers::SavedPage;
use crate::helpers::TestApp;

/// Enough for every page kind of the demo desk (about 70 for an admin), with room to grow.
pub const MAX_PAGES_PER_VISITOR: usize = 150;

/// Links the crawl leaves alone: they sign out, download a file, or change the desk.
fn skipped(path: &str) -> bool {
    path.starts_with("/logout")
        || path.starts_with("/static/")
        || path.contains("/attachments/")
        || path.ends_with("/pull")
}

/// The same-origin path a link leads to, without its fragment, or None for another site.
pub fn same_origin(app: &TestApp, href: &str) -> Option<String> {
    let href = href.split('#').next().unwrap_or_default();
    let path = match href.strip_prefix(&app.address) {
        Some(rest) => rest,
        None if href.starts_with('/') && !href.starts_with("//") => href,
        None => return None,
    };
    (!path.is_empty() && !skipped(path)).then(|| path.to_string())
}

pub fn links_on(app: &TestApp, html: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let anchors = scraper::Selector::parse("a[href]").unwrap();
    doc.select(&anchors)
        .filter_map(|a| a.value().attr("href"))
        .filter_map(|href| same_origin(app, &href.replace("&amp;", "&")))
        .collect()
}

pub fn is_html(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// Every page `visitor` reaches from the dashboard by following links (redirects included),
/// with the path of each.
pub async fn crawl(app: &TestApp, visitor: &str) -> (Vec<String>, Vec<SavedPage>) {
    let mut seen = BTreeSet::from(["/".to_string()]);
    let mut queue = VecDeque::from(["/".to_string()]);
    let (mut paths, mut pages) = (Vec::new(), Vec::new());
    while let Some(path) = queue.pop_front() {
        let response = app.client.get(app.url(&path)).send().await.expect("GET");
        assert!(
            !response.status().is_server_error(),
            "{visitor} GET {path} answered {}",
            response.status()
        );
        let mut next = Vec::new();
        if let Some(location) = response.headers().get("location") {
            next.extend(same_origin(app, location.to_str().unwrap_or_default()));
        } else if is_html(&response) {
            let html = response.text().await.expect("body");
            next.extend(links_on(app, &html));
            pages.push(SavedPage {
                name: format!("{visitor} GET {path}"),
                html,
            });
            paths.push(path);
        }
        for link in next {
            if seen.len() < MAX_PAGES_PER_VISITOR && seen.insert(link.clone()) {
                queue.push_back(link);
            }
        }
    }
    (paths, pages)
}

/// Forms the error pass leaves alone: they end the session it posts with.
pub fn ends_the_session(action: &str) -> bool {
    action.starts_with("/logout") || action.starts_with("/account/sign-out-everywhere")
}

/// The fields a person would send with `form` left blank: hidden fields as the page has them,
/// every field they fill empty.
pub fn blank_fields(form: scraper::ElementRef) -> Vec<(String, String)> {
    let fields = scraper::Selector::parse("input[name], textarea[name], select[name]").unwrap();
    let mut values = Vec::new();
    for field in form.select(&fields) {
        let f = field.value();
        let name = f.attr("name").unwrap_or_default().to_string();
        match f.attr("type").unwrap_or("text") {
            "hidden" => values.push((name, f.attr("value").unwrap_or_default().into())),
            "checkbox" | "radio" | "submit" | "button" | "file" => {}
            _ => values.push((name, String::new())),
        }
    }
    values
}

/// The POST forms on the page at `path`, as (action, blank fields), read afresh so each
/// carries the row version and CSRF token of now.
pub async fn post_forms_on(app: &TestApp, path: &str) -> Vec<(String, Vec<(String, String)>)> {
    let forms = scraper::Selector::parse("form").unwrap();
    let html = app.get(path).await.body;
    let doc = scraper::Html::parse_document(&html);
    doc.select(&forms)
        .filter_map(|form| {
            let el = form.value();
            let post = el
                .attr("method")
                .is_some_and(|m| m.eq_ignore_ascii_case("post"));
            let multipart = el.attr("enctype") == Some("multipart/form-data");
            let action = el.attr("action").and_then(|a| same_origin(app, a))?;
            (post && !multipart && !ends_the_session(&action)).then(|| (action, blank_fields(form)))
        })
        .collect()
}
