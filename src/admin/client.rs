//! The command line's way to a running server: the address and token the server published
//! in its data directory, and `POST /admin/command`. `frontdesk backup` uses the same
//! client for `POST /admin/backup`.

use super::access::{ADMIN_ADDR_FILE, ADMIN_TOKEN_FILE};
use super::{AdminCommand, AdminError};
use std::path::Path;

/// How a command-line process reaches the server that holds the store: the address and the
/// token the server published in its data directory, and an HTTP client that never goes
/// through a proxy (the token must go straight to the server).
#[derive(Debug)]
pub struct AdminClient {
    pub addr: String,
    token: String,
    http: reqwest::Client,
}

impl AdminClient {
    /// # Errors
    /// The admin files can't be read (no server, or another user's), or the client can't be built.
    pub fn for_data_dir(data_dir: &Path) -> Result<AdminClient, String> {
        let read = |name: &str| {
            let path = data_dir.join(name);
            std::fs::read_to_string(&path)
                .map(|s| s.trim().to_string())
                .map_err(|e| {
                    format!(
                        "reading {}: {e} (run it as the user frontdesk runs as)",
                        path.display()
                    )
                })
        };
        let http = reqwest::Client::builder()
            .no_proxy()
            .connect_timeout(std::time::Duration::from_secs(5))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(AdminClient {
            addr: read(ADMIN_ADDR_FILE)?,
            token: read(ADMIN_TOKEN_FILE)?,
            http,
        })
    }

    /// A POST to `path` on the server, with the admin token.
    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .post(format!("http://{}{path}", self.addr))
            .bearer_auth(&self.token)
    }
}

/// Sends a command to the server running on `data_dir` and returns its output.
///
/// # Errors
/// The admin files can't be read, the server can't be reached, or it answered with an error
/// (404, 400 and 409 come back as `NotFound`, `BadInput` and `CheckFailed`).
pub async fn run_on_server(data_dir: &Path, command: &AdminCommand) -> Result<String, AdminError> {
    let admin = AdminClient::for_data_dir(data_dir).map_err(AdminError::NoServer)?;
    let response = admin
        .post("/admin/command")
        .json(command)
        .send()
        .await
        .map_err(|e| AdminError::NoServer(format!("{}: {e}", admin.addr)))?;
    let status = response.status().as_u16();
    let text = response
        .text()
        .await
        .map_err(|e| AdminError::NoServer(format!("reading the answer: {e}")))?;
    match status {
        200 => Ok(text),
        404 => Err(AdminError::NotFound(text.trim().to_string())),
        400 => Err(AdminError::BadInput(text.trim().to_string())),
        409 => Err(AdminError::CheckFailed(text.trim().to_string())),
        _ => Err(AdminError::Refused {
            status,
            message: text.trim().to_string(),
        }),
    }
}
