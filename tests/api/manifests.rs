//! The deployment files and app manifests validate: Kubernetes objects against the
//! Kubernetes JSON schemas (strict), the Slack and Teams manifests against their rules, the
//! Teams package builds. The checks live in scripts/validate-manifests.sh, which installs its
//! validator from PyPI when it is missing.

use std::process::Command;

#[test]
fn deploy_files_and_app_manifests_validate() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("bash")
        .arg(format!("{root}/scripts/validate-manifests.sh"))
        .current_dir(root)
        .output()
        .expect("running scripts/validate-manifests.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "manifest validation failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("passed, 0 failed"),
        "unexpected output:\n{stdout}"
    );
}

#[test]
fn both_slack_manifests_declare_the_form_shortcuts() {
    for path in [
        "manifests/slack/manifest.yml",
        "manifests/slack/manifest.socket.yml",
    ] {
        let text = std::fs::read_to_string(path).unwrap();
        for needle in [
            "type: global\n      callback_id: new_request",
            "type: message\n      callback_id: create_request",
        ] {
            assert!(text.contains(needle), "{path} lacks {needle:?}");
        }
    }
}
