//! Uptime monitors and load balancers probe with `HEAD`: every GET route answers it with the
//! GET's status and no body.

use std::io::{Read, Write};

use reqwest::StatusCode;
use tierdesk::domain::account::Role;

use crate::helpers::TestApp;

/// The raw answer to `HEAD path`, so a body sent by mistake is seen (HTTP clients drop it).
async fn raw_head(app: &TestApp, path: &str) -> String {
    let host = app.address.trim_start_matches("http://").to_string();
    let request = format!("HEAD {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(&host).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    })
    .await
    .unwrap()
}

async fn head_is_answered_like_get_without_a_body(app: TestApp) {
    for path in ["/login", "/healthz"] {
        let answer = raw_head(&app, path).await;
        let get = app.client.get(app.url(path)).send().await.unwrap().status();
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {}", get.as_u16())),
            "HEAD {path} answers as GET ({get}): {answer}"
        );
        let (_, body) = answer.split_once("\r\n\r\n").unwrap();
        assert_eq!(body, "", "HEAD {path} sends no body");
    }
    let anonymous = app.client.head(app.url("/tickets")).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);

    app.sign_in_as(Role::Technician).await;
    let queue = app.client.head(app.url("/tickets")).send().await.unwrap();
    assert_eq!(queue.status(), StatusCode::OK);
    assert!(queue.bytes().await.unwrap().is_empty());
    let missing = app.client.head(app.url("/nowhere")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

both_backends!(head_is_answered_like_get_without_a_body);
