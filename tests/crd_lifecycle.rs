//! The CRD's lifecycle on a control plane of its own (uninstalling would pull the floor from
//! under the other tests): the "run install" hint, install, and uninstall's confirmation.

mod common;

use common::ControlPlane;
use predicates::str::contains;

#[test]
fn missing_crd_install_and_uninstall() {
    let cp = ControlPlane::start_private();
    let hint = "is not installed in the cluster at";
    for args in [
        vec!["list"],
        vec!["list", "-A"],
        vec!["get", "demo"],
        vec!["create", "demo", "--model", "m"],
        vec!["delete", "demo"],
    ] {
        cp.mcp_admin()
            .args(&args)
            .assert()
            .code(1)
            .stderr(contains(hint))
            .stderr(contains("run `kubectl mcp install`"));
    }
    cp.mcp_admin()
        .arg("uninstall")
        .assert()
        .success()
        .stderr(contains("nothing to do"));

    cp.mcp_admin()
        .arg("install")
        .assert()
        .success()
        .stdout(contains("claudemodelcontexts.mcp.dev created"));
    cp.mcp_admin()
        .args(["-n", "default", "create", "demo", "--model", "m"])
        .assert()
        .success();

    // Without a terminal and without --yes, nothing is deleted.
    cp.mcp_admin()
        .arg("uninstall")
        .write_stdin("y\n")
        .assert()
        .code(2)
        .stderr(contains("1 ClaudeModelContext object(s)"))
        .stderr(contains("pass --yes"));
    cp.mcp_admin()
        .args(["-n", "default", "get", "demo", "-o", "name"])
        .assert()
        .success();

    cp.mcp_admin()
        .args(["uninstall", "--yes"])
        .assert()
        .success()
        .stdout(contains("\"claudemodelcontexts.mcp.dev\" deleted"));
    cp.mcp_admin()
        .arg("list")
        .assert()
        .code(1)
        .stderr(contains(hint));
    // And back again.
    cp.mcp_admin().arg("install").assert().success();
    cp.mcp_admin()
        .arg("list")
        .assert()
        .success()
        .stderr(contains("No resources found"));
}
