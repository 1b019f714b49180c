//! `tierdesk seed-demo` gives a newcomer a living desk, and running it twice changes nothing.

use reqwest::StatusCode;
use tierdesk::{db, seed};

use crate::helpers::TestApp;

async fn the_demo_desk_is_complete_and_seeding_twice_adds_nothing(app: TestApp) {
    let now = app.clock.now();
    let first = db::run(&app.state.pool, move |conn| {
        seed::seed_demo(conn, now).map_err(tierdesk::error::AppError::Internal)
    })
    .await
    .unwrap();
    assert_eq!(first.accounts_created, seed::DEMO_ACCOUNTS.len());
    assert_eq!(first.clients_created, 3);
    let again = db::run(&app.state.pool, move |conn| {
        seed::seed_demo(conn, now).map_err(tierdesk::error::AppError::Internal)
    })
    .await
    .unwrap();
    assert_eq!((again.accounts_created, again.clients_created), (0, 0));

    let page = app
        .login("morgan.reyes@msp.example", seed::DEMO_PASSWORD)
        .await;
    page.assert_redirect_to("/");
    let text = app.get("/").await.text();
    assert!(text.contains("3 active clients"), "{text}");
    assert!(text.contains("6 client contacts"), "{text}");
    let clients = app.get("/clients").await;
    assert_eq!(clients.status, StatusCode::OK);
    let harbor = clients.text();
    assert!(harbor.contains("Harbor Logistics HARBOR 3"), "{harbor}");
    let harbor_id = db::run(&app.state.pool, |conn| {
        Ok(db::clients::list(conn, true)?
            .into_iter()
            .find(|s| s.client.code == "HARBOR")
            .unwrap()
            .client
            .id)
    })
    .await
    .unwrap();
    let text = app.get(&format!("/clients/{harbor_id}")).await.text();
    assert!(
        text.contains("Around the clock (America/Chicago)"),
        "{text}"
    );
    assert!(text.contains("Premium 24/7"), "{text}");
}

both_backends!(the_demo_desk_is_complete_and_seeding_twice_adds_nothing);
